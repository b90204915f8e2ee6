/// A response as a ``RawClient`` read it off the wire.
struct RawResponse: Sendable, CustomStringConvertible {
    /// The status line and header fields, byte for byte.
    let head: HTTPHead

    /// The body (length and digest always; bytes when short).
    let body: ReceivedBody

    /// The status code, or -1 if the status line was not one.
    var status: Int {
        head.statusCode ?? -1
    }

    /// The body as text.
    var bodyText: String {
        body.text
    }

    /// The first value of header `name`, or `nil`.
    func header(_ name: String) -> String? {
        head.value(name)
    }

    /// The head as text and the start of the body, for failure messages.
    var description: String {
        head.text + String(bodyText.prefix(200))
    }
}

/// What a connection did while a test watched it for an end.
enum CloseOutcome: Equatable, Sendable {
    /// The peer closed (FIN or reset).
    case closed

    /// The peer sent more bytes.
    case bytes([UInt8])

    /// Nothing happened within the time allowed.
    case stillOpen

    /// The bytes received, if any.
    var bytes: [UInt8] {
        if case .bytes(let bytes) = self {
            return bytes
        }
        return []
    }

    /// The bytes received as text.
    var text: String {
        String(decoding: bytes, as: UTF8.self)
    }
}

/// A blocking HTTP/1 client over one TCP connection, for requests no ordinary client would send.
///
/// Sends raw bytes, reads responses byte for byte (interim ones too), watches for the connection to close.
/// Every wait is bounded by the timeout. Used from one thread at a time; closes its socket on `deinit`.
final class RawClient {
    /// The connection to relevo.
    let connection: BufferedConnection

    /// Connects to 127.0.0.1:`port`; every read and write waits at most `timeout`.
    init(port: UInt16, timeout: Duration = .seconds(15)) throws {
        let descriptor = try TestSocket.connect(port: port, timeout: timeout)
        connection = BufferedConnection(descriptor: descriptor, timeout: timeout)
    }

    /// Sends `text` as it is (UTF-8).
    func send(_ text: String) throws {
        try connection.write(text)
    }

    /// Sends `bytes` as they are.
    func send(_ bytes: [UInt8]) throws {
        try connection.write(bytes)
    }

    /// Sends a ``Payload`` body of `length` bytes, raw or chunked, calling `progress` after each piece.
    func sendPayload(length: Int, chunked: Bool, progress: () -> Void = {}) throws {
        try Payload.forEachPiece(length: length) { piece in
            if chunked {
                try connection.write(String(piece.count, radix: 16) + "\r\n")
            }
            try connection.write(piece)
            if chunked {
                try connection.write("\r\n")
            }
            progress()
        }
        if chunked {
            try connection.write("0\r\n\r\n")
        }
    }

    /// Reads the next response, interim (1xx) ones included; `method` is the request's, for its framing.
    func readResponse(method: String = "GET") throws -> RawResponse {
        guard let head = try connection.readHead() else {
            throw HarnessError("connection closed before a response arrived")
        }
        guard let status = head.statusCode, head.responseVersion.hasPrefix("HTTP/1.") else {
            throw HarnessError("not a status line: \(head.startLine.debugDescription)")
        }
        return RawResponse(head: head, body: try connection.readBody(Self.framing(of: head, status, method)))
    }

    /// Reads responses until a final one; returns the interim ones before it and the final one.
    func readFinalResponse(method: String = "GET") throws -> (interim: [RawResponse], final: RawResponse) {
        var interim: [RawResponse] = []
        while true {
            let response = try readResponse(method: method)
            guard (100..<200).contains(response.status), response.status != 101 else {
                return (interim, response)
            }
            interim.append(response)
        }
    }

    /// Sends `request` and returns the final response to it.
    func exchange(_ request: String, method: String = "GET") throws -> RawResponse {
        try send(request)
        return try readFinalResponse(method: method).final
    }

    /// Waits at most `wait` for the connection to close; says whether it closed, sent bytes, or neither.
    func waitForClose(within wait: Duration = .seconds(10)) throws -> CloseOutcome {
        guard let bytes = try connection.readAvailable(within: wait) else {
            return .stillOpen
        }
        return bytes.isEmpty ? .closed : .bytes(bytes)
    }

    /// Reads exactly `count` raw bytes (after an upgrade, for instance).
    func readBytes(_ count: Int) throws -> [UInt8] {
        try connection.readBytes(count)
    }

    /// How a response's body is delimited (RFC 9112 §6.3).
    static func framing(of head: HTTPHead, _ status: Int, _ method: String) -> BodyFraming {
        if method == "HEAD" || (100..<200).contains(status) || status == 204 || status == 304 {
            return .none
        }
        if let codings = head.values("Transfer-Encoding").last {
            return codings.lowercased().hasSuffix("chunked") ? .chunked : .untilClose
        }
        if let text = head.value("Content-Length"), let length = Int(text) {
            return .length(length)
        }
        return .untilClose
    }
}
