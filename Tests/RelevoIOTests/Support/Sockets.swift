import Glibc
import RelevoIO

/// Two connected, non-blocking, close-on-exec Unix stream sockets.
struct SocketPair: Sendable {
    /// One end, usually the one under test.
    let left: Int32

    /// The other end, usually the test's peer.
    let right: Int32

    /// Creates the pair.
    init() throws(IOError) {
        var descriptors: [Int32] = [-1, -1]
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        if socketpair(AF_UNIX, type, 0, &descriptors) != 0 {
            throw IOError(errnoCode: errno, call: "socketpair")
        }
        left = descriptors[0]
        right = descriptors[1]
    }

    /// Closes both ends.
    func close() {
        Syscall.close(descriptor: left)
        Syscall.close(descriptor: right)
    }
}

/// A TCP connection over loopback: the client's socket and the one the listener accepted.
struct LoopbackConnection: Sendable {
    /// The connecting side.
    let client: Int32

    /// The accepted side.
    let server: Int32

    /// The client's address as the listener saw it.
    let peer: SocketAddress

    /// Connects a new socket to `listener` and accepts it, waiting at most ``patience``.
    init(to listener: ListeningSocket) throws {
        let client = try Syscall.socket(family: listener.address.family)
        do {
            _ = try Syscall.connect(descriptor: client, to: listener.address)
            var peer = SocketAddress()
            var accepted: Int32?
            _ = eventually {
                accepted = try? Syscall.accept(descriptor: listener.descriptor, peer: &peer).processedValue
                return accepted != nil
            }
            guard let accepted else { throw TimedOut(what: "accept") }
            self.client = client
            self.server = accepted
            self.peer = peer
        } catch {
            Syscall.close(descriptor: client)
            throw error
        }
    }

    /// Closes both sockets.
    func close() {
        Syscall.close(descriptor: client)
        Syscall.close(descriptor: server)
    }
}

/// Something another thread should have done within ``patience`` did not happen.
struct TimedOut: Error, CustomStringConvertible {
    /// What was waited for.
    let what: String

    var description: String {
        "timed out waiting for \(what)"
    }
}

/// Writes all of `text` to a non-blocking socket that has room for it.
func send(_ text: String, to descriptor: Int32) throws {
    var text = text
    let written = try text.withUTF8 { bytes in
        try Syscall.write(descriptor: descriptor, from: UnsafeRawBufferPointer(bytes))
    }
    guard written.processedValue == text.utf8.count else {
        throw IOError(errnoCode: EAGAIN, call: "write")
    }
}

/// Reads what is available on a non-blocking socket, as text; nil if the read would block.
func receive(from descriptor: Int32) throws -> String? {
    var bytes = [UInt8](repeating: 0, count: 4096)
    let result = try bytes.withUnsafeMutableBytes { buffer in
        try Syscall.read(descriptor: descriptor, into: buffer)
    }
    guard let count = result.processedValue else { return nil }
    return String(decoding: bytes[..<count], as: UTF8.self)
}

/// Waits up to `milliseconds` for `descriptor` to report any of `events` (`POLLIN`, `POLLOUT`).
func waitFor(_ events: Int16, on descriptor: Int32, within milliseconds: Int32 = Int32(patience)) -> Bool {
    var entry = pollfd(fd: descriptor, events: events, revents: 0)
    return poll(&entry, 1, milliseconds) == 1
}

extension IOResult {
    /// The value of `.processed`, or nil for `.wouldBlock`.
    var processedValue: Value? {
        if case .processed(let value) = self {
            return value
        }
        return nil
    }

    /// Whether the call would have blocked.
    var isWouldBlock: Bool {
        if case .wouldBlock = self {
            return true
        }
        return false
    }
}
