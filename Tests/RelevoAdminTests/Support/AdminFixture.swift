import Glibc
import RelevoIO
import Testing

@testable import RelevoAdmin

/// An admin server on 127.0.0.1, port 0, over a ``FakeControl``; stopped by ``stop()``.
final class AdminFixture {
    let control: FakeControl
    let server: AdminServer
    let address: SocketAddress

    init(token: String? = nil, limits: AdminServer.Limits = AdminServer.Limits(), control: FakeControl = FakeControl())
        throws
    {
        self.control = control
        server = AdminServer(
            address: try #require(SocketAddress("127.0.0.1:0")), token: token, control: control, limits: limits)
        try server.start()
        address = try #require(server.address)
    }

    /// A client of the server, with `token` if given.
    func client(token: String? = nil, timeoutMilliseconds: Int64 = 5_000) -> AdminClient {
        AdminClient(address: address, token: token, timeoutMilliseconds: timeoutMilliseconds)
    }

    /// A raw connection to the server.
    func connect() throws -> RawConnection {
        try RawConnection(to: address)
    }

    func stop() {
        server.stop()
    }
}

/// Runs `body` with a started server, and stops it after.
func withAdminServer(
    token: String? = nil, limits: AdminServer.Limits = AdminServer.Limits(), control: FakeControl = FakeControl(),
    _ body: (AdminFixture) throws -> Void
) throws {
    let fixture = try AdminFixture(token: token, limits: limits, control: control)
    defer { fixture.stop() }
    try body(fixture)
}

/// One answer as a raw connection read it.
struct RawReply {
    var status: Int
    /// Header fields, names in lowercase.
    var headers: [String: String]
    var body: String
}

/// A TCP connection that writes bytes as given and reads answers, every wait bounded by 5 s.
final class RawConnection {
    private let socket: AdminSocket
    private var buffer: [UInt8] = []

    init(to address: SocketAddress) throws {
        socket = try AdminSocket.connect(to: address, deadline: AdminSocket.deadline(afterMilliseconds: 5_000))
    }

    deinit {
        socket.close()
    }

    func send(_ text: String) throws {
        try socket.write(Array(text.utf8), deadline: AdminSocket.deadline(afterMilliseconds: 5_000))
    }

    /// Sends a request with a Host header and any `headers` (each `Name: value`).
    func request(_ method: String, _ path: String, headers: [String] = [], body: String = "") throws {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: admin\r\n"
        for header in headers {
            text += header + "\r\n"
        }
        if !body.isEmpty {
            text += "Content-Length: \(body.utf8.count)\r\n"
        }
        try send(text + "\r\n" + body)
    }

    /// Reads one answer; its body by Content-Length (none for a HEAD request).
    func readReply(headOnly: Bool = false) throws -> RawReply {
        let deadline = AdminSocket.deadline(afterMilliseconds: 5_000)
        while headEnd() == nil {
            guard try socket.read(appendingTo: &buffer, deadline: deadline) > 0 else { throw EndOfStream() }
        }

        let end = try #require(headEnd())
        let lines = String(decoding: buffer[..<end], as: UTF8.self).split(separator: "\r\n")
        let status = try #require(Int(lines[0].split(separator: " ")[1]))
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1)
            headers[parts[0].lowercased()] = parts[1].trimmingPrefix(" ").description
        }

        let length = headOnly ? 0 : Int(headers["content-length"] ?? "0") ?? 0
        while buffer.count < end + 4 + length {
            guard try socket.read(appendingTo: &buffer, deadline: deadline) > 0 else { throw EndOfStream() }
        }
        let body = String(decoding: buffer[(end + 4)..<(end + 4 + length)], as: UTF8.self)
        buffer.removeFirst(end + 4 + length)
        return RawReply(status: status, headers: headers, body: body)
    }

    /// Whether the server closes the connection (rather than sending more) within 5 s.
    func isClosedByPeer() throws -> Bool {
        try socket.read(appendingTo: &buffer, deadline: AdminSocket.deadline(afterMilliseconds: 5_000)) == 0
    }

    /// The offset of the CRLF CRLF ending the head in the buffer.
    private func headEnd() -> Int? {
        guard buffer.count >= 4 else { return nil }
        return (0...(buffer.count - 4)).first { buffer[$0..<$0 + 4].elementsEqual([13, 10, 13, 10]) }
    }
}

/// The peer closed before a whole answer came.
struct EndOfStream: Error {}

extension AdminSocketError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .timedOut: "timed out"
        case .failed(let error): error.description
        }
    }
}
