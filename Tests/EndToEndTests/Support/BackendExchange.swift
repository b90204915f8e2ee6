import Foundation

/// One request received by a ``TestBackend`` and the means to answer it, handed to the test's handler.
///
/// Used on the connection's thread only. The handler may read the body (once), write any bytes, and ask for
/// the connection to be closed after it returns; a body it leaves unread is read and dropped afterwards.
final class BackendExchange {
    /// The request head as received.
    let request: HTTPHead

    /// The connection, for handlers that write raw bytes or tunnel.
    let connection: BufferedConnection

    /// Which accepted connection this is (1 for the first).
    let connectionNumber: Int

    /// Set by the handler to close the connection once it returns.
    var closesConnection = false

    /// Whether the request body has been read.
    private(set) var isBodyRead = false

    private let backend: TestBackend

    /// Wraps a request just read from `connection`, the `connectionNumber`th that `backend` accepted.
    init(request: HTTPHead, connection: BufferedConnection, connectionNumber: Int, backend: TestBackend) {
        self.request = request
        self.connection = connection
        self.connectionNumber = connectionNumber
        self.backend = backend
    }

    /// How the request's body is delimited (RFC 9112 §6.3, requests only).
    func framing() throws -> BodyFraming {
        if request.contains("Transfer-Encoding") {
            guard request.values("Transfer-Encoding").last?.lowercased().hasSuffix("chunked") == true else {
                throw HarnessError("request with Transfer-Encoding that does not end in chunked")
            }
            return .chunked
        }
        guard let text = request.value("Content-Length") else {
            return .none
        }
        guard let length = Int(text), length >= 0, text.allSatisfy(\.isASCII) else {
            throw HarnessError("request with Content-Length \(text.debugDescription)")
        }
        return .length(length)
    }

    /// Reads the whole request body (once), keeping its length and digest, and its bytes if short.
    func readBody() throws -> ReceivedBody {
        precondition(!isBodyRead, "the request body can be read only once")
        isBodyRead = true
        return try connection.readBody(framing())
    }

    /// Writes a response: status line, `headers` in order, `Content-Length` unless `headers` frame the body or the
    /// status has none, then `body` (left out for `HEAD`).
    func respond(status: Int, reason: String? = nil, headers: [(String, String)] = [], body: [UInt8] = []) throws {
        var head = "HTTP/1.1 \(status) \(reason ?? Self.reason(status))\r\n"
        for (name, value) in headers {
            head += "\(name): \(value)\r\n"
        }
        let hasNoBody = (100..<200).contains(status) || status == 204 || status == 304
        let isFramed = headers.contains {
            ["content-length", "transfer-encoding"].contains($0.0.lowercased())
        }
        if !hasNoBody && !isFramed {
            head += "Content-Length: \(body.count)\r\n"
        }
        head += "\r\n"
        try connection.write(head)
        if request.method != "HEAD" && !hasNoBody && !body.isEmpty {
            try connection.write(body)
        }
    }

    /// Writes a response with a text body.
    func respond(status: Int, reason: String? = nil, headers: [(String, String)] = [], body: String) throws {
        try respond(status: status, reason: reason, headers: headers, body: Array(body.utf8))
    }

    /// Writes a 200 response whose body is ``Payload`` of `length` bytes, with `Content-Length` or chunked,
    /// streamed piece by piece.
    func respondWithPayload(length: Int, chunked: Bool, headers: [(String, String)] = []) throws {
        var head = "HTTP/1.1 200 OK\r\n"
        for (name, value) in headers {
            head += "\(name): \(value)\r\n"
        }
        head += chunked ? "Transfer-Encoding: chunked\r\n\r\n" : "Content-Length: \(length)\r\n\r\n"
        try connection.write(head)

        try Payload.forEachPiece(length: length) { piece in
            if chunked {
                try connection.write(String(piece.count, radix: 16) + "\r\n")
            }
            try connection.write(piece)
            if chunked {
                try connection.write("\r\n")
            }
        }
        if chunked {
            try connection.write("0\r\n\r\n")
        }
    }

    /// Writes `100 Continue`.
    func sendContinue() throws {
        try connection.write("HTTP/1.1 100 Continue\r\n\r\n")
    }

    /// Returns the bytes that arrive after the request head within `wait` (empty if none did).
    func bytesArriving(within wait: Duration) throws -> [UInt8] {
        let deadline = ContinuousClock.now + wait
        var bytes: [UInt8] = []
        while ContinuousClock.now < deadline {
            guard let piece = try connection.readAvailable(within: deadline - ContinuousClock.now) else {
                break
            }
            if piece.isEmpty {
                break
            }
            bytes += piece
        }
        return bytes
    }

    /// Echoes every byte that arrives until the peer closes its side, then closes the connection.
    func echoUntilClose() throws {
        closesConnection = true
        isBodyRead = true
        var writeFailure: Error?
        try connection.readUntilClose { piece in
            guard writeFailure == nil else {
                return
            }
            do {
                try connection.write(piece)
            } catch {
                writeFailure = error
            }
        }
        if let writeFailure {
            throw writeFailure
        }
    }

    /// Records an observation in the backend's record, for the test to assert on.
    func note(_ text: String) {
        backend.record.withLock { $0.notes.append(text) }
    }

    private static func reason(_ status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 101: "Switching Protocols"
        case 200: "OK"
        case 204: "No Content"
        case 304: "Not Modified"
        case 400: "Bad Request"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 417: "Expectation Failed"
        case 500: "Internal Server Error"
        default: "Status"
        }
    }
}
