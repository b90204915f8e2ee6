import CRelevoSystem
import Glibc

/// The one way relevo crosses into the kernel.
///
/// Each wrapper retries `EINTR`, returns would-block as ``IOResult/wouldBlock`` and throws
/// ``IOError`` with `errno` and the call's name for every other failure. Callable from any thread.
public enum Syscall {
    /// Runs `body` until it stops failing with `EINTR`; maps `EAGAIN` to `.wouldBlock`.
    @inline(__always)
    static func retrying<T: BinaryInteger & Sendable>(
        _ call: StaticString,
        blockingAllowed: Bool = true,
        _ body: () -> T
    ) throws(IOError) -> IOResult<T> {
        while true {
            let result = body()
            if result >= 0 {
                return .processed(result)
            }
            let code = errno
            switch code {
            case EINTR:
                continue
            case EAGAIN where blockingAllowed:
                return .wouldBlock
            default:
                throw IOError(errnoCode: code, call: call)
            }
        }
    }

    /// read(2) into `buffer`; `.processed(0)` is end of stream.
    @inline(__always)
    public static func read(
        descriptor: Int32,
        into buffer: UnsafeMutableRawBufferPointer
    ) throws(IOError) -> IOResult<Int> {
        try retrying("read") { Glibc.read(descriptor, buffer.baseAddress, buffer.count) }
    }

    /// send(2) with `MSG_NOSIGNAL` from `buffer` to a socket, write(2) to anything else (where the
    /// caller ignores `SIGPIPE`, see ``ignoreBrokenPipe()``).
    @inline(__always)
    public static func write(
        descriptor: Int32,
        from buffer: UnsafeRawBufferPointer
    ) throws(IOError) -> IOResult<Int> {
        try retrying("write") {
            let sent = Glibc.send(descriptor, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL))
            return sent < 0 && errno == ENOTSOCK ? Glibc.write(descriptor, buffer.baseAddress, buffer.count) : sent
        }
    }

    /// writev(2) of `count` vectors. The caller ignores `SIGPIPE` (see ``ignoreBrokenPipe()``).
    @inline(__always)
    public static func writev(
        descriptor: Int32,
        vectors: UnsafePointer<iovec>,
        count: Int
    ) throws(IOError) -> IOResult<Int> {
        try retrying("writev") { Glibc.writev(descriptor, vectors, Int32(count)) }
    }

    /// accept4(2) with `SOCK_NONBLOCK | SOCK_CLOEXEC`; the peer's address is written to `peer`.
    public static func accept(descriptor: Int32, peer: inout SocketAddress) throws(IOError) -> IOResult<Int32> {
        var length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        let flags = Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        return try withUnsafeMutablePointer(to: &peer.storage) { storage throws(IOError) in
            try storage.withMemoryRebound(to: sockaddr.self, capacity: 1) { address throws(IOError) in
                try retrying("accept4") { crelevo_accept4(descriptor, address, &length, flags) }
            }
        }
    }

    /// socket(2), non-blocking and close-on-exec.
    public static func socket(family: Int32, type: Int32 = Int32(SOCK_STREAM.rawValue)) throws(IOError) -> Int32 {
        let flags = type | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        return try processed(retrying("socket", blockingAllowed: false) { Glibc.socket(family, flags, 0) })
    }

    /// connect(2) on a non-blocking socket: `.processed(())` when connected at once,
    /// `.wouldBlock` while in progress (wait for writable, then check ``socketError(descriptor:)``).
    public static func connect(descriptor: Int32, to address: SocketAddress) throws(IOError) -> IOResult<Bool> {
        var storage = address.storage
        let result = withUnsafePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(descriptor, $0, address.length)
            }
        }
        if result == 0 {
            return .processed(true)
        }
        let code = errno
        if code == EINPROGRESS || code == EINTR {
            return .wouldBlock
        }
        throw IOError(errnoCode: code, call: "connect")
    }

    /// The pending error of a socket (`SO_ERROR`), 0 if none.
    public static func socketError(descriptor: Int32) -> Int32 {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        if getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &value, &length) != 0 {
            return errno
        }
        return value
    }

    /// setsockopt(2) of an integer option.
    public static func setOption(descriptor: Int32, level: Int32, name: Int32, value: Int32) throws(IOError) {
        var value = value
        if setsockopt(descriptor, level, name, &value, socklen_t(MemoryLayout<Int32>.size)) != 0 {
            throw IOError(errnoCode: errno, call: "setsockopt")
        }
    }

    /// bind(2).
    public static func bind(descriptor: Int32, to address: SocketAddress) throws(IOError) {
        var storage = address.storage
        let result = withUnsafePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.bind(descriptor, $0, address.length)
            }
        }
        if result != 0 {
            throw IOError(errnoCode: errno, call: "bind")
        }
    }

    /// listen(2).
    public static func listen(descriptor: Int32, backlog: Int32) throws(IOError) {
        if Glibc.listen(descriptor, backlog) != 0 {
            throw IOError(errnoCode: errno, call: "listen")
        }
    }

    /// The local address a socket is bound to.
    public static func localAddress(descriptor: Int32) throws(IOError) -> SocketAddress {
        var address = SocketAddress()
        var length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        let result = withUnsafeMutablePointer(to: &address.storage) { storage in
            storage.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        if result != 0 {
            throw IOError(errnoCode: errno, call: "getsockname")
        }
        return address
    }

    /// shutdown(2) of the write side: sends FIN once queued data has gone.
    public static func shutdownWrite(descriptor: Int32) {
        _ = Glibc.shutdown(descriptor, Int32(SHUT_WR))
    }

    /// close(2); errors are ignored, as the descriptor is gone either way.
    public static func close(descriptor: Int32) {
        _ = Glibc.close(descriptor)
    }

    /// Sets `SIGPIPE` to ignored for the process, so writes to closed sockets fail with `EPIPE`.
    public static func ignoreBrokenPipe() {
        _ = signal(SIGPIPE, SIG_IGN)
    }

    private static func processed<T>(_ result: IOResult<T>) throws(IOError) -> T {
        switch result {
        case .processed(let value):
            return value
        case .wouldBlock:
            throw IOError(errnoCode: EAGAIN, call: "socket")
        }
    }
}
