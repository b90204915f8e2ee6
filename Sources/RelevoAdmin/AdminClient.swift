import Glibc
import RelevoHTTP1
import RelevoIO
import RelevoRelease

/// One answer of the admin API, whatever its status.
public struct AdminReply: Sendable, Equatable {
    /// The status code.
    public var status: Int

    /// The Content-Type, if the answer had one.
    public var contentType: String?

    /// The body.
    public var body: [UInt8]

    /// The body as text.
    public var text: String {
        String(decoding: body, as: UTF8.self)
    }
}

/// A blocking client of the admin API, for `relevo status`, `reload` and `wait-drained`.
///
/// Each call opens a connection, sends one request with `Connection: close`, and reads the whole
/// answer, all within the timeout. Callable from any thread; holds no connection between calls.
public struct AdminClient: Sendable {
    /// Where the admin API listens unless `--admin` says otherwise.
    public static let defaultAddress = "127.0.0.1:9900"

    /// The admin API's address.
    public let address: SocketAddress

    /// The Bearer token sent with every request, if any.
    public let token: String?

    /// How long a call may take, connecting included, in milliseconds.
    public var timeoutMilliseconds: Int64

    /// The largest answer accepted, in bytes.
    private static let maximumAnswerSize = 16 * 1024 * 1024

    /// Creates a client of the admin API at `address`.
    public init(address: SocketAddress, token: String?, timeoutMilliseconds: Int64 = 10_000) {
        self.address = address
        self.token = token
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    /// Parses an admin address as `--admin` takes it: `127.0.0.1:9900`, `[::1]:9900`, `localhost:9900`.
    public static func address(from text: String) -> SocketAddress? {
        if text.hasPrefix("localhost:") {
            return SocketAddress("127.0.0.1" + text.dropFirst("localhost".count))
        }
        return SocketAddress(text)
    }

    /// Sends `method path` with `body` and returns the answer, whatever its status.
    public func send(_ method: String, _ path: String, body: [UInt8] = []) throws(AdminClientError) -> AdminReply {
        let deadline = AdminSocket.deadline(afterMilliseconds: timeoutMilliseconds)
        do throws(AdminSocketError) {
            let socket = try AdminSocket.connect(to: address, deadline: deadline)
            defer { socket.close() }

            try socket.write(requestBytes(method, path, body: body), deadline: deadline)
            return try readReply(from: socket, method: method, deadline: deadline)
        } catch {
            throw .transport(error, address: address, timeoutMilliseconds: timeoutMilliseconds)
        }
    }

    /// `GET /status` as relevo sent it: a JSON document.
    public func statusDocument() throws(AdminClientError) -> [UInt8] {
        try expect(200, from: send("GET", "/status")).body
    }

    /// `GET /status`, decoded.
    public func status() throws(AdminClientError) -> ReleaseStatus {
        try decode(ReleaseStatus.self, statusDocument())
    }

    /// `GET /versions/NAME`, decoded; nil if relevo knows no version of that name.
    public func version(named name: String) throws(AdminClientError) -> VersionStatus? {
        let reply = try send("GET", "/versions/" + Self.percentEncoded(name))
        if reply.status == 404 {
            return nil
        }
        return try decode(VersionStatus.self, expect(200, from: reply).body)
    }

    /// `POST /reload`: the changes applied, or every error of the conf.
    public func reload() throws(AdminClientError) -> ReloadResult {
        let reply = try send("POST", "/reload")
        if reply.status == 400, let refused = AdminJSON.decode(ReloadErrors.self, from: reply.body) {
            return .refused(errors: refused.errors)
        }
        return .applied(changes: try decode(ReloadChanges.self, expect(200, from: reply).body).changes)
    }

    /// `reply` if its status is `status`; otherwise the error it stands for.
    private func expect(_ status: Int, from reply: AdminReply) throws(AdminClientError) -> AdminReply {
        guard reply.status == status else {
            throw .answered(reply, address: address, hasToken: token != nil)
        }
        return reply
    }

    /// `bytes` decoded as a `T`, or an error saying the answer was not one.
    private func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8]) throws(AdminClientError) -> T {
        guard let value = AdminJSON.decode(type, from: bytes) else {
            throw .invalid("the answer is not the JSON relevo sends", address: address)
        }
        return value
    }

    /// `name` with every byte but letters, digits and `-._~` percent-encoded, for a path segment.
    static func percentEncoded(_ name: String) -> String {
        var encoded = ""
        for byte in name.utf8 {
            switch byte {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2D, 0x2E, 0x5F, 0x7E:
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let digits = Array("0123456789ABCDEF".unicodeScalars)
                encoded.unicodeScalars.append(contentsOf: ["%", digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
            }
        }
        return encoded
    }
}

extension AdminClient {
    /// The request's bytes: head with Host, Authorization and Content-Length, then the body.
    private func requestBytes(_ method: String, _ path: String, body: [UInt8]) -> [UInt8] {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(address)\r\nUser-Agent: relevo\r\n"
        head += "Accept: application/json\r\nConnection: close\r\n"
        if let token {
            head += "Authorization: Bearer \(token)\r\n"
        }
        if method == "POST" || !body.isEmpty {
            head += "Content-Length: \(body.count)\r\n"
        }
        return Array((head + "\r\n").utf8) + body
    }

    /// Reads one whole answer from `socket`.
    private func readReply(
        from socket: AdminSocket, method: String, deadline: Int64
    ) throws(AdminSocketError) -> AdminReply {
        var buffer: [UInt8] = []
        var parser = HTTPResponseParser()
        var head = HTTPResponseHead()
        while try !parse(buffer, with: &parser, into: &head, method: method) {
            guard try socket.read(appendingTo: &buffer, deadline: deadline) > 0 else {
                throw .failed(IOError(errnoCode: ECONNRESET, call: "read"))
            }
        }

        let end = try readBody(of: head, from: socket, into: &buffer, deadline: deadline)
        let contentType = buffer.withUnsafeBytes { bytes in
            HeaderFields.pairs(head.headers, in: bytes).first { $0.name == "content-type" }?.value
        }
        return AdminReply(status: head.status, contentType: contentType, body: Array(buffer[head.headLength..<end]))
    }

    /// Runs `parser` over `buffer`; true once the head is whole. A head that cannot be parsed
    /// counts as a reset connection: it did not come from relevo.
    private func parse(
        _ buffer: [UInt8], with parser: inout HTTPResponseParser, into head: inout HTTPResponseHead, method: String
    ) throws(AdminSocketError) -> Bool {
        guard !buffer.isEmpty else { return false }
        let requestMethod: HTTPMethod = method == "HEAD" ? .head : method == "POST" ? .post : .get
        do {
            return try buffer.withUnsafeBytes { bytes throws(HTTPParseError) in
                try parser.parse(bytes, requestMethod: requestMethod, into: &head)
            }
        } catch {
            throw .failed(IOError(errnoCode: EPROTO, call: "read"))
        }
    }

    /// Reads the body that `head` announces into `buffer`; returns where it ends.
    private func readBody(
        of head: HTTPResponseHead, from socket: AdminSocket, into buffer: inout [UInt8], deadline: Int64
    ) throws(AdminSocketError) -> Int {
        switch head.framing {
        case .none:
            return head.headLength
        case .contentLength(let length):
            guard length <= Self.maximumAnswerSize else { throw .failed(IOError(errnoCode: EMSGSIZE, call: "read")) }
            while buffer.count < head.headLength + length {
                guard try socket.read(appendingTo: &buffer, deadline: deadline) > 0 else {
                    throw .failed(IOError(errnoCode: ECONNRESET, call: "read"))
                }
            }
            return head.headLength + length
        case .untilClose:
            while try socket.read(appendingTo: &buffer, deadline: deadline) > 0 {
                guard buffer.count <= Self.maximumAnswerSize else {
                    throw .failed(IOError(errnoCode: EMSGSIZE, call: "read"))
                }
            }
            return buffer.count
        case .chunked:
            throw .failed(IOError(errnoCode: EPROTO, call: "read"))
        }
    }
}
