import Glibc
import RelevoIO

/// Why a read, a write or a connect on an ``AdminSocket`` stopped.
enum AdminSocketError: Error, Sendable {
    /// The deadline passed first.
    case timedOut

    /// The kernel refused: reset, refused, unreachable.
    case failed(IOError)
}

/// One TCP connection of the admin API, server or client side, used as a blocking socket: each
/// call waits in `poll(2)` until it can go on or its deadline passes.
///
/// The descriptor itself is non-blocking (as ``Syscall`` makes them); `poll` gives the deadlines
/// that a plain blocking read lacks. Used by one thread at a time; the owner closes it.
struct AdminSocket {
    /// The connected descriptor.
    let descriptor: Int32

    /// Bytes read per call.
    private static let chunkSize = 16 * 1024

    /// Connects to `address`, waiting until `deadline` (monotonic nanoseconds).
    static func connect(to address: SocketAddress, deadline: Int64) throws(AdminSocketError) -> AdminSocket {
        let descriptor: Int32
        do {
            descriptor = try Syscall.socket(family: address.family)
        } catch {
            throw .failed(error)
        }
        let socket = AdminSocket(descriptor: descriptor)

        do throws(AdminSocketError) {
            try socket.finishConnecting(to: address, deadline: deadline)
            return socket
        } catch {
            socket.close()
            throw error
        }
    }

    /// Starts the connect and, when the kernel says it is in progress, waits for its outcome.
    private func finishConnecting(to address: SocketAddress, deadline: Int64) throws(AdminSocketError) {
        let result: IOResult<Bool>
        do {
            result = try Syscall.connect(descriptor: descriptor, to: address)
        } catch {
            throw .failed(error)
        }
        guard case .wouldBlock = result else { return }

        try wait(for: Int16(POLLOUT), deadline: deadline)
        let code = Syscall.socketError(descriptor: descriptor)
        if code != 0 {
            throw .failed(IOError(errnoCode: code, call: "connect"))
        }
    }

    /// Appends what the peer sent next to `buffer`; returns the count, 0 at end of stream.
    func read(appendingTo buffer: inout [UInt8], deadline: Int64) throws(AdminSocketError) -> Int {
        let start = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: Self.chunkSize))
        var count = 0
        defer { buffer.removeLast(Self.chunkSize - count) }

        while true {
            try wait(for: Int16(POLLIN), deadline: deadline)
            let outcome = buffer.withUnsafeMutableBytes { bytes in
                Result { () throws(IOError) in
                    try Syscall.read(
                        descriptor: descriptor, into: UnsafeMutableRawBufferPointer(rebasing: bytes[start...]))
                }
            }
            let result: IOResult<Int>
            do {
                result = try outcome.get()
            } catch {
                throw .failed(error)
            }
            if case .processed(let read) = result {
                count = read
                return read
            }
        }
    }

    /// Writes all of `bytes`, waiting for room until `deadline`.
    func write(_ bytes: [UInt8], deadline: Int64) throws(AdminSocketError) {
        var written = 0
        while written < bytes.count {
            let outcome = bytes.withUnsafeBytes { all in
                Result { () throws(IOError) in
                    try Syscall.write(descriptor: descriptor, from: UnsafeRawBufferPointer(rebasing: all[written...]))
                }
            }
            let result: IOResult<Int>
            do {
                result = try outcome.get()
            } catch {
                throw .failed(error)
            }

            switch result {
            case .processed(let count):
                written += count
            case .wouldBlock:
                try wait(for: Int16(POLLOUT), deadline: deadline)
            }
        }
    }

    /// Closes the descriptor.
    func close() {
        Syscall.close(descriptor: descriptor)
    }

    /// Waits until the socket is ready for `events` (or has failed or closed, which the next call reports).
    private func wait(for events: Int16, deadline: Int64) throws(AdminSocketError) {
        var entry = pollfd(fd: descriptor, events: events, revents: 0)
        while true {
            let remaining = (deadline - MonotonicClock.nanoseconds() + 999_999) / 1_000_000
            guard remaining > 0 else { throw .timedOut }

            let result = poll(&entry, 1, Int32(clamping: remaining))
            if result > 0 {
                return
            }
            if result < 0 && errno != EINTR {
                throw .failed(IOError(errnoCode: errno, call: "poll"))
            }
        }
    }

    /// The monotonic time `milliseconds` from now, in nanoseconds: a deadline for the calls above.
    static func deadline(afterMilliseconds milliseconds: Int64) -> Int64 {
        MonotonicClock.nanoseconds() + milliseconds * 1_000_000
    }
}
