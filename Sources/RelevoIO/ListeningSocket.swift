import CRelevoSystem
import Glibc

/// A bound, listening, non-blocking TCP socket.
///
/// Each event loop opens its own with `SO_REUSEPORT` on the same address, so the kernel spreads
/// new connections across loops and no loop takes a lock to accept.
public struct ListeningSocket: Sendable {
    /// The listening descriptor.
    public let descriptor: Int32

    /// The address it is bound to, with the port the kernel chose if 0 was asked for.
    public let address: SocketAddress

    /// Binds and listens on `address` with `SO_REUSEADDR`, `SO_REUSEPORT` and `TCP_NODELAY`
    /// (which accepted sockets inherit).
    public init(address: SocketAddress, backlog: Int32 = 4096) throws(IOError) {
        let descriptor = try Syscall.socket(family: address.family)
        do {
            try Syscall.setOption(descriptor: descriptor, level: SOL_SOCKET, name: SO_REUSEADDR, value: 1)
            try Syscall.setOption(descriptor: descriptor, level: SOL_SOCKET, name: SO_REUSEPORT, value: 1)
            try Syscall.setOption(descriptor: descriptor, level: Int32(IPPROTO_TCP), name: TCP_NODELAY, value: 1)
            if address.family == AF_INET6 {
                try Syscall.setOption(descriptor: descriptor, level: Int32(IPPROTO_IPV6), name: IPV6_V6ONLY, value: 1)
            }
            try Syscall.bind(descriptor: descriptor, to: address)
            try Syscall.listen(descriptor: descriptor, backlog: backlog)
            self.address = try Syscall.localAddress(descriptor: descriptor)
            self.descriptor = descriptor
        } catch {
            Syscall.close(descriptor: descriptor)
            throw error
        }
    }

    /// Throws `EADDRINUSE` if another socket already listens on `address` — another relevo, say,
    /// which `SO_REUSEPORT` would otherwise let share the port and split the traffic with. Binds a
    /// probe socket without `SO_REUSEPORT` and closes it. Port 0 is always free.
    public static func checkFree(_ address: SocketAddress) throws(IOError) {
        guard address.port != 0 else { return }
        let probe = try Syscall.socket(family: address.family)
        defer { Syscall.close(descriptor: probe) }
        // SO_REUSEADDR lets a restart bind past its old connections in TIME_WAIT; on Linux it never
        // lets two sockets bind where one listens.
        try Syscall.setOption(descriptor: probe, level: SOL_SOCKET, name: SO_REUSEADDR, value: 1)
        if address.family == AF_INET6 {
            try Syscall.setOption(descriptor: probe, level: Int32(IPPROTO_IPV6), name: IPV6_V6ONLY, value: 1)
        }
        try Syscall.bind(descriptor: probe, to: address)
    }

    /// Closes the socket; connections already accepted are not affected.
    public func close() {
        Syscall.close(descriptor: descriptor)
    }
}
