import Glibc
import RelevoIO
import Testing

/// Whether the machine has an IPv6 loopback address to test with.
private let hasIPv6Loopback: Bool = {
    guard let address = SocketAddress("[::1]:0"), let listener = try? ListeningSocket(address: address) else {
        return false
    }
    listener.close()
    return true
}()

/// The integer value of a socket option.
private func option(_ name: Int32, level: Int32 = SOL_SOCKET, of descriptor: Int32) -> Int32 {
    var value: Int32 = 0
    var length = socklen_t(MemoryLayout<Int32>.size)
    _ = getsockopt(descriptor, level, name, &value, &length)
    return value
}

@Suite("ListeningSocket binds and listens")
struct ListeningSocketTests {
    @Test func portZeroGetsARealPortFromTheKernel() throws {
        let listener = try ListeningSocket(address: #require(SocketAddress("127.0.0.1:0")))
        defer { listener.close() }

        #expect(listener.address.port != 0)
        #expect(listener.address.host == "127.0.0.1")
        #expect(listener.address.isLoopback)
        #expect(listener.descriptor >= 0)
    }

    @Test func theSocketIsNonBlockingCloseOnExecAndHasItsOptions() throws {
        let listener = try ListeningSocket(address: #require(SocketAddress("127.0.0.1:0")))
        defer { listener.close() }

        #expect(fcntl(listener.descriptor, F_GETFL) & O_NONBLOCK != 0)
        #expect(fcntl(listener.descriptor, F_GETFD) & FD_CLOEXEC != 0)
        #expect(option(SO_REUSEADDR, of: listener.descriptor) != 0)
        #expect(option(SO_REUSEPORT, of: listener.descriptor) != 0)
        #expect(option(TCP_NODELAY, level: Int32(IPPROTO_TCP), of: listener.descriptor) != 0)
        #expect(option(SO_ACCEPTCONN, of: listener.descriptor) != 0)
    }

    @Test func twoSocketsCanBindTheSamePortWithReusePort() throws {
        let first = try ListeningSocket(address: #require(SocketAddress("127.0.0.1:0")))
        defer { first.close() }

        let second = try ListeningSocket(address: first.address)
        defer { second.close() }

        #expect(second.address == first.address)
        #expect(second.descriptor != first.descriptor)
    }

    @Test func aPortHeldWithoutReusePortCannotBeBoundAndTheErrorNamesBind() throws {
        let holder = try Syscall.socket(family: AF_INET)
        defer { Syscall.close(descriptor: holder) }
        try Syscall.bind(descriptor: holder, to: #require(SocketAddress("127.0.0.1:0")))
        try Syscall.listen(descriptor: holder, backlog: 1)
        let held = try Syscall.localAddress(descriptor: holder)

        let error = try #require(throws: IOError.self) { try ListeningSocket(address: held) }

        #expect(error.errnoCode == EADDRINUSE)
        #expect(error.call.description == "bind")
    }

    @Test func aListenerAcceptsAConnectionAndSeesTheClientsAddress() throws {
        let listener = try ListeningSocket(address: #require(SocketAddress("127.0.0.1:0")))
        defer { listener.close() }

        let connection = try LoopbackConnection(to: listener)
        defer { connection.close() }

        #expect(connection.peer == (try Syscall.localAddress(descriptor: connection.client)))
        #expect(connection.peer.isLoopback)
        #expect(option(TCP_NODELAY, level: Int32(IPPROTO_TCP), of: connection.server) != 0)
    }

    @Test(.enabled(if: hasIPv6Loopback, "no IPv6 loopback"))
    func anIPv6ListenerOnLoopbackGetsARealPort() throws {
        let listener = try ListeningSocket(address: #require(SocketAddress("[::1]:0")))
        defer { listener.close() }

        #expect(listener.address.family == AF_INET6)
        #expect(listener.address.port != 0)
        #expect(listener.address.description.hasPrefix("[::1]:"))
        #expect(option(IPV6_V6ONLY, level: Int32(IPPROTO_IPV6), of: listener.descriptor) != 0)

        let connection = try LoopbackConnection(to: listener)
        connection.close()
    }
}
