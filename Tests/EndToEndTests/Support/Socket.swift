import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A failure of the end-to-end harness itself (a socket call, a timeout, a malformed answer).
///
/// Its description says what was being done and what went wrong, so that a failing test reads on its own.
struct HarnessError: Error, CustomStringConvertible {
    /// What went wrong, in a sentence.
    let description: String

    /// Creates an error with the given sentence.
    init(_ description: String) {
        self.description = description
    }

    /// An error naming the failed system call and the current `errno`.
    static func system(_ call: String, _ code: Int32 = errno) -> HarnessError {
        HarnessError("\(call) failed: \(String(cString: strerror(code))) (errno \(code))")
    }
}

/// Blocking POSIX socket calls for tests: TCP on 127.0.0.1 only, every descriptor close-on-exec.
///
/// Callable from any thread. Every call that can wait is bounded by `SO_RCVTIMEO` / `SO_SNDTIMEO`.
enum TestSocket {
    /// Opens a listening socket on 127.0.0.1 with a kernel-chosen port; returns the descriptor and the port.
    static func listen(backlog: Int32 = 256) throws -> (descriptor: Int32, port: UInt16) {
        let descriptor = try makeStreamSocket()

        var one: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))

        var address = loopbackAddress(port: 0)
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, Glibc.listen(descriptor, backlog) == 0 else {
            let error = HarnessError.system("bind/listen")
            close(descriptor)
            throw error
        }

        return (descriptor, try localPort(of: descriptor))
    }

    /// A port on 127.0.0.1 that nothing listens on: bound, read and released again.
    static func unusedPort() throws -> UInt16 {
        let (descriptor, port) = try listen()
        close(descriptor)
        return port
    }

    /// Connects to 127.0.0.1:`port`, blocking, with `timeout` on every later read and write.
    static func connect(port: UInt16, timeout: Duration) throws -> Int32 {
        let descriptor = try makeStreamSocket()
        try setTimeouts(descriptor, timeout)

        var address = loopbackAddress(port: port)
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            let error = HarnessError.system("connect to 127.0.0.1:\(port)")
            close(descriptor)
            throw error
        }

        var noDelay: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
        return descriptor
    }

    /// Accepts one connection; returns `nil` once the listening socket is shut down.
    static func accept(_ listener: Int32, timeout: Duration) throws -> Int32? {
        while true {
            let descriptor = Glibc.accept(listener, nil, nil)
            if descriptor >= 0 {
                _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
                try setTimeouts(descriptor, timeout)
                return descriptor
            }
            switch errno {
            case EINTR, ECONNABORTED:
                continue
            case EINVAL, EBADF:
                return nil
            default:
                throw HarnessError.system("accept")
            }
        }
    }

    /// Sets the receive and send timeouts of `descriptor`.
    static func setTimeouts(_ descriptor: Int32, _ timeout: Duration) throws {
        let (seconds, attoseconds) = timeout.components
        var value = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
        let size = socklen_t(MemoryLayout<timeval>.size)
        guard setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &value, size) == 0,
            setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &value, size) == 0
        else {
            throw HarnessError.system("setsockopt(SO_RCVTIMEO/SO_SNDTIMEO)")
        }
    }

    /// Reads what is there, up to `buffer.count` bytes: 0 at end of stream, `nil` when the timeout ran out.
    ///
    /// A reset by the peer reads as end of stream: for a test, both mean the connection is gone.
    static func read(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer) throws -> Int? {
        while true {
            let count = recv(descriptor, buffer.baseAddress, buffer.count, 0)
            if count >= 0 {
                return count
            }
            switch errno {
            case EINTR:
                continue
            case EAGAIN:
                return nil
            case ECONNRESET, EPIPE:
                return 0
            default:
                throw HarnessError.system("recv")
            }
        }
    }

    /// Writes all of `bytes`; throws when the peer is gone or the send timeout runs out.
    static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let count = send(descriptor, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            if count > 0 {
                offset += count
                continue
            }
            if count < 0 && errno == EINTR {
                continue
            }
            if count < 0 && errno == EAGAIN {
                throw HarnessError("send timed out after \(offset) of \(bytes.count) bytes")
            }
            throw HarnessError.system("send (after \(offset) of \(bytes.count) bytes)")
        }
    }

    private static func makeStreamSocket() throws -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else {
            throw HarnessError.system("socket")
        }
        return descriptor
    }

    private static func loopbackAddress(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }

    private static func localPort(of descriptor: Int32) throws -> UInt16 {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let result = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard result == 0 else {
            throw HarnessError.system("getsockname")
        }
        return UInt16(bigEndian: address.sin_port)
    }
}
