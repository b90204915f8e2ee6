import Glibc
import RelevoIO
import RelevoProxy
import RelevoRelease
import Synchronization

/// The admin API (DESIGN.md, "Admin API"): HTTP/1.1 on the conf's `admin` address.
///
/// Runs off the event loops: one thread accepts, and each connection gets its own thread with
/// blocking reads and writes bounded by a timeout, so a slow reload never delays `/healthz` on
/// another connection. Connections beyond ``Limits/maximumConnections`` get 503 at once.
/// ``start()`` and ``stop()`` are called once each, from any one thread.
public final class AdminServer: Sendable {
    /// Sizes and timeouts of the server.
    public struct Limits: Sendable {
        /// Connections served at once; more are answered 503 and closed.
        public var maximumConnections: Int

        /// How long a request may take to arrive, an idle connection may stay open, and an answer
        /// may take to be written, in milliseconds.
        public var timeoutMilliseconds: Int64

        /// The largest request head, in bytes.
        public var maximumHeadSize: Int

        /// The largest request body, in bytes; larger ones get 413.
        public var maximumBodySize: Int

        /// Creates limits; the defaults suit an API that a few scripts and a scraper use.
        public init(
            maximumConnections: Int = 64, timeoutMilliseconds: Int64 = 10_000, maximumHeadSize: Int = 16 * 1024,
            maximumBodySize: Int = 64 * 1024
        ) {
            self.maximumConnections = maximumConnections
            self.timeoutMilliseconds = timeoutMilliseconds
            self.maximumHeadSize = maximumHeadSize
            self.maximumBodySize = maximumBodySize
        }
    }

    /// The address asked for; port 0 lets the kernel choose (see ``address``).
    public let requestedAddress: SocketAddress

    /// Sizes and timeouts.
    public let limits: Limits

    /// The routes, the access rules and the control behind them.
    let router: AdminRouter

    /// The listener, the threads and the open connections.
    let state = Mutex(ServerState())

    /// How long ``stop()`` waits for connection threads to end, in milliseconds.
    private static let stopPatience: Int64 = 5_000

    /// Creates a server for `control` on `address`; with a `token`, every path but `/healthz`
    /// needs it as a Bearer token and any peer may connect; without one, only loopback peers may.
    public init(address: SocketAddress, token: String?, control: any AdminControl, limits: Limits = Limits()) {
        self.requestedAddress = address
        self.limits = limits
        self.router = AdminRouter(token: token, control: control)
    }

    /// The address the server listens on, with the kernel's port; nil before ``start()``.
    public var address: SocketAddress? {
        state.withLock { $0.boundAddress }
    }

    /// Binds the address and starts accepting. Throws if the address cannot be bound (`bind`
    /// names the call, e.g. with `EADDRINUSE`).
    public func start() throws(IOError) {
        let listener = try Self.listen(on: requestedAddress)
        let wake: (reader: Int32, writer: Int32)
        do {
            wake = try Self.makeWakePipe()
        } catch {
            Syscall.close(descriptor: listener.descriptor)
            throw error
        }

        state.withLock {
            $0.boundAddress = listener.address
            $0.wakeWriter = wake.writer
        }
        let thread = OSThread.start(name: "relevo-admin") { [self] in
            acceptConnections(listener: listener, wakeReader: wake.reader)
        }
        state.withLock { $0.acceptThread = thread }
        Log.info("admin_listening", ["address": listener.address.description])
    }

    /// Stops accepting, closes every connection and waits (up to 5 s) for their threads to end.
    public func stop() {
        let (thread, wakeWriter) = state.withLock { state in
            state.isStopping = true
            return (state.acceptThread, state.wakeWriter)
        }
        guard let thread else { return }

        var byte: UInt8 = 1
        _ = write(wakeWriter, &byte, 1)
        OSThread.join(thread)
        Syscall.close(descriptor: wakeWriter)

        state.withLock { state in
            for descriptor in state.connections {
                _ = shutdown(descriptor, Int32(SHUT_RDWR))
            }
            state.acceptThread = nil
        }
        waitForConnectionsToEnd()
    }

    /// A listening socket on `address`, without `SO_REUSEPORT`, so a second relevo cannot share it.
    private static func listen(on address: SocketAddress) throws(IOError) -> AdminListener {
        let descriptor = try Syscall.socket(family: address.family)
        do {
            try Syscall.setOption(descriptor: descriptor, level: SOL_SOCKET, name: SO_REUSEADDR, value: 1)
            if address.family == AF_INET6 {
                try Syscall.setOption(descriptor: descriptor, level: Int32(IPPROTO_IPV6), name: IPV6_V6ONLY, value: 1)
            }
            try Syscall.bind(descriptor: descriptor, to: address)
            try Syscall.listen(descriptor: descriptor, backlog: 128)
            return AdminListener(descriptor: descriptor, address: try Syscall.localAddress(descriptor: descriptor))
        } catch {
            Syscall.close(descriptor: descriptor)
            throw error
        }
    }

    /// A close-on-exec pipe whose write end wakes the accepting thread.
    private static func makeWakePipe() throws(IOError) -> (reader: Int32, writer: Int32) {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw IOError(errnoCode: errno, call: "pipe") }
        for end in ends {
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        return (ends[0], ends[1])
    }

    /// Waits, in 5 ms steps and at most ``stopPatience``, until every connection thread has ended.
    private func waitForConnectionsToEnd() {
        let deadline = MonotonicClock.nanoseconds() + Self.stopPatience * 1_000_000
        while state.withLock({ !$0.connections.isEmpty }) && MonotonicClock.nanoseconds() < deadline {
            usleep(5_000)
        }
    }
}

/// The admin API's listening socket, bound without `SO_REUSEPORT`.
struct AdminListener: Sendable {
    /// The listening descriptor, closed by the accepting thread when it ends.
    let descriptor: Int32

    /// The bound address, with the kernel's port.
    let address: SocketAddress
}

/// What ``AdminServer`` shares between its threads, under its lock.
struct ServerState: Sendable {
    /// The bound address, once started.
    var boundAddress: SocketAddress?

    /// The accepting thread, while it runs.
    var acceptThread: pthread_t?

    /// The pipe end that wakes the accepting thread to stop.
    var wakeWriter: Int32 = -1

    /// Descriptors of the connections being served; each is closed under the lock, so ``AdminServer/stop()``
    /// never shuts down a descriptor number the process has reused.
    var connections: Set<Int32> = []

    /// Set by ``AdminServer/stop()``: no new connection is served.
    var isStopping = false
}
