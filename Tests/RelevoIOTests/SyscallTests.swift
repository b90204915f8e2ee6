import Glibc
import RelevoIO
import Testing

/// A loopback address whose port is bound but not listening, so connections to it are refused and the
/// port cannot be taken by another test meanwhile. Close the returned descriptor when done.
private func refusingAddress() throws -> (descriptor: Int32, address: SocketAddress) {
    let descriptor = try Syscall.socket(family: AF_INET)
    do {
        try Syscall.bind(descriptor: descriptor, to: #require(SocketAddress("127.0.0.1:0")))
        return (descriptor, try Syscall.localAddress(descriptor: descriptor))
    } catch {
        Syscall.close(descriptor: descriptor)
        throw error
    }
}

/// Writes `chunk`-sized blocks until the socket would block; returns how many bytes went in.
private func fill(_ descriptor: Int32, chunk: Int = 65_536) throws -> (written: Int, blocked: Bool) {
    let block = [UInt8](repeating: 0x2A, count: chunk)
    var written = 0
    for _ in 0..<10_000 {
        let result = try block.withUnsafeBytes { try Syscall.write(descriptor: descriptor, from: $0) }
        guard let count = result.processedValue else { return (written, true) }
        written += count
    }
    return (written, false)
}

@Suite("Syscall wrappers return would-block as a value and throw IOError otherwise")
struct SyscallTests {
    @Test func readingAnEmptyNonBlockingSocketWouldBlock() throws {
        let pair = try SocketPair()
        defer { pair.close() }

        var bytes = [UInt8](repeating: 0, count: 16)
        let result = try bytes.withUnsafeMutableBytes { try Syscall.read(descriptor: pair.left, into: $0) }

        #expect(result.isWouldBlock)
    }

    @Test func readReturnsTheBytesWritten() throws {
        let pair = try SocketPair()
        defer { pair.close() }
        let written = try Array("ping".utf8).withUnsafeBytes { try Syscall.write(descriptor: pair.right, from: $0) }

        #expect(written.processedValue == 4)
        #expect(try receive(from: pair.left) == "ping")
    }

    @Test func writingToAFullNonBlockingSocketWouldBlock() throws {
        let pair = try SocketPair()
        defer { pair.close() }

        let (written, blocked) = try fill(pair.left)

        #expect(blocked)
        #expect(written > 0)
    }

    @Test func aPartialWriteReportsTheCountThatFit() throws {
        let pair = try SocketPair()
        defer { pair.close() }
        let large = 16 << 20

        let result = try [UInt8](repeating: 1, count: large).withUnsafeBytes {
            try Syscall.write(descriptor: pair.left, from: $0)
        }

        let count = try #require(result.processedValue)
        #expect(count > 0 && count < large)
        #expect(try fill(pair.left).blocked)
    }

    @Test func endOfStreamReadsAsProcessedZero() throws {
        let pair = try SocketPair()
        defer { Syscall.close(descriptor: pair.left) }

        Syscall.close(descriptor: pair.right)
        var bytes = [UInt8](repeating: 0, count: 16)
        let result = try bytes.withUnsafeMutableBytes { try Syscall.read(descriptor: pair.left, into: $0) }

        #expect(result.processedValue == 0)
    }

    @Test func shutdownWriteSendsEndOfStreamAfterTheQueuedBytes() throws {
        let pair = try SocketPair()
        defer { pair.close() }
        try send("last", to: pair.right)

        Syscall.shutdownWrite(descriptor: pair.right)

        #expect(try receive(from: pair.left) == "last")
        #expect(try receive(from: pair.left) == "")
        try send("back", to: pair.left)
        #expect(try receive(from: pair.right) == "back")
    }

    @Test func writingToAClosedPeerThrowsEPIPEWithoutKillingTheProcess() throws {
        let pair = try SocketPair()
        defer { Syscall.close(descriptor: pair.left) }
        Syscall.close(descriptor: pair.right)

        let error = try #require(throws: IOError.self) {
            try Array("x".utf8).withUnsafeBytes { try Syscall.write(descriptor: pair.left, from: $0) }
        }

        #expect(error.errnoCode == EPIPE)
        #expect(error.call.description == "write")
    }

    @Test func writevGathersEveryVectorInOrder() throws {
        let pair = try SocketPair()
        defer { pair.close() }
        let head = Array("HTTP/1.1 200 OK\r\n\r\n".utf8)
        let body = Array("hello".utf8)

        let result = try head.withUnsafeBytes { headBytes in
            try body.withUnsafeBytes { bodyBytes in
                let vectors = [
                    iovec(iov_base: UnsafeMutableRawPointer(mutating: headBytes.baseAddress), iov_len: headBytes.count),
                    iovec(iov_base: UnsafeMutableRawPointer(mutating: bodyBytes.baseAddress), iov_len: bodyBytes.count),
                ]
                return try vectors.withUnsafeBufferPointer {
                    try Syscall.writev(descriptor: pair.left, vectors: $0.baseAddress!, count: 2)
                }
            }
        }

        #expect(result.processedValue == head.count + body.count)
        #expect(try receive(from: pair.right) == "HTTP/1.1 200 OK\r\n\r\nhello")
    }

    @Test func acceptOnAListenerWithNoPendingConnectionWouldBlock() throws {
        let listener = try ListeningSocket(address: #require(SocketAddress("127.0.0.1:0")))
        defer { listener.close() }

        var peer = SocketAddress()
        let result = try Syscall.accept(descriptor: listener.descriptor, peer: &peer)

        #expect(result.isWouldBlock)
    }

    @Test func anAcceptedSocketIsNonBlockingAndCloseOnExec() throws {
        let listener = try ListeningSocket(address: #require(SocketAddress("127.0.0.1:0")))
        defer { listener.close() }

        let connection = try LoopbackConnection(to: listener)
        defer { connection.close() }

        #expect(fcntl(connection.server, F_GETFL) & O_NONBLOCK != 0)
        #expect(fcntl(connection.server, F_GETFD) & FD_CLOEXEC != 0)
        try send("hi", to: connection.client)
        #expect(waitFor(Int16(POLLIN), on: connection.server))
        #expect(try receive(from: connection.server) == "hi")
    }

    @Test func aConnectInProgressFinishesWithNoSocketError() throws {
        let listener = try ListeningSocket(address: #require(SocketAddress("127.0.0.1:0")))
        defer { listener.close() }
        let client = try Syscall.socket(family: AF_INET)
        defer { Syscall.close(descriptor: client) }

        let result = try Syscall.connect(descriptor: client, to: listener.address)

        #expect(result.isWouldBlock || result.processedValue == true)
        #expect(waitFor(Int16(POLLOUT), on: client))
        #expect(Syscall.socketError(descriptor: client) == 0)
    }

    @Test func connectingToAClosedPortEventuallyReportsConnectionRefused() throws {
        let (holder, address) = try refusingAddress()
        defer { Syscall.close(descriptor: holder) }
        let client = try Syscall.socket(family: AF_INET)
        defer { Syscall.close(descriptor: client) }

        var code: Int32
        do {
            let result = try Syscall.connect(descriptor: client, to: address)
            #expect(result.isWouldBlock)
            #expect(waitFor(Int16(POLLOUT), on: client))
            code = Syscall.socketError(descriptor: client)
        } catch {
            #expect(error.call.description == "connect")
            code = error.errnoCode
        }

        #expect(code == ECONNREFUSED)
    }

    @Test func socketErrorOfABadDescriptorIsTheErrnoOfGetsockopt() {
        #expect(Syscall.socketError(descriptor: -1) == EBADF)
    }

    @Test func aSocketIsNonBlockingAndCloseOnExec() throws {
        let descriptor = try Syscall.socket(family: AF_INET6)
        defer { Syscall.close(descriptor: descriptor) }

        #expect(fcntl(descriptor, F_GETFL) & O_NONBLOCK != 0)
        #expect(fcntl(descriptor, F_GETFD) & FD_CLOEXEC != 0)
    }

    @Test func setOptionSetsAnIntegerOption() throws {
        let descriptor = try Syscall.socket(family: AF_INET)
        defer { Syscall.close(descriptor: descriptor) }

        try Syscall.setOption(descriptor: descriptor, level: SOL_SOCKET, name: SO_KEEPALIVE, value: 1)

        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        #expect(getsockopt(descriptor, SOL_SOCKET, SO_KEEPALIVE, &value, &length) == 0)
        #expect(value == 1)
    }

    @Test func localAddressOfABoundSocketHasTheKernelsPort() throws {
        let (descriptor, address) = try refusingAddress()
        defer { Syscall.close(descriptor: descriptor) }

        #expect(address.host == "127.0.0.1")
        #expect(address.port != 0)
    }

    /// `Syscall.write` is documented as write(2) but calls send(2) with `MSG_NOSIGNAL`, which only works on
    /// sockets: on a pipe, a FIFO or a file it throws `ENOTSOCK` (errno 88) instead of writing.
    @Test(.bug(id: "relevo-io-3", "Syscall.write fails with ENOTSOCK on anything but a socket"))
    func writeWorksOnAPipeAsWriteTwoDoes() throws {
        var ends: [Int32] = [-1, -1]
        try #require(pipe(&ends) == 0)
        defer {
            Syscall.close(descriptor: ends[0])
            Syscall.close(descriptor: ends[1])
        }

        let result = try Array("x".utf8).withUnsafeBytes { try Syscall.write(descriptor: ends[1], from: $0) }
        #expect(result.processedValue == 1)
    }
}

@Suite("IOError keeps errno and the call that failed")
struct IOErrorTests {
    @Test func aFailedCallThrowsItsErrnoAndName() throws {
        var bytes = [UInt8](repeating: 0, count: 1)

        let read = try #require(throws: IOError.self) {
            try bytes.withUnsafeMutableBytes { try Syscall.read(descriptor: -1, into: $0) }
        }
        let socket = try #require(throws: IOError.self) { try Syscall.socket(family: 12_345) }
        let option = try #require(throws: IOError.self) {
            try Syscall.setOption(descriptor: -1, level: SOL_SOCKET, name: SO_KEEPALIVE, value: 1)
        }
        let address = try #require(throws: IOError.self) { try Syscall.localAddress(descriptor: -1) }
        let listen = try #require(throws: IOError.self) { try Syscall.listen(descriptor: -1, backlog: 1) }

        #expect(read.errnoCode == EBADF)
        #expect(read.call.description == "read")
        #expect(socket.errnoCode == EAFNOSUPPORT)
        #expect(socket.call.description == "socket")
        #expect(option.call.description == "setsockopt")
        #expect(address.call.description == "getsockname")
        #expect(listen.call.description == "listen")
    }

    @Test func theDescriptionNamesTheCallTheReasonAndTheErrno() {
        let error = IOError(errnoCode: ECONNREFUSED, call: "connect")

        #expect(error.reason == String(cString: strerror(ECONNREFUSED)))
        #expect(error.description == "connect: \(error.reason) (errno \(ECONNREFUSED))")
    }
}
