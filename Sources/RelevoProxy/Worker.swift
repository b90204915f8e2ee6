import Glibc
import RelevoHTTP1
import RelevoIO

/// One event loop and everything it owns: its listening sockets, its downstream connections, its
/// view of the versions and their backends, and its upstream pools. Nothing here is shared with
/// other workers, so the hot path takes no lock.
///
/// Created on the main thread, then used only on its loop's thread (``run()``); other threads talk
/// to it through ``EventLoop/execute(_:)``.
final class Worker {
    let index: Int

    /// How many workers the proxy runs.
    let workerCount: Int
    let loop: EventLoop
    let timeouts: Timeouts
    let limits: Limits
    let accessLog: AccessLog?

    /// The routing table in force, and this worker's view of each of its versions.
    private(set) var table: RoutingTable
    private(set) var versions: [VersionUpstreams]

    /// Versions dropped from the table that still have exchanges in flight here.
    private var retiredVersions: [VersionUpstreams] = []

    /// Decides where exchanges go and what responses do to sessions.
    let router: ExchangeRouter

    /// Header lines the router adds to the response being started; scratch, reused.
    let extraHeaders = ByteBuffer()

    /// Scratch heads that parsers fill; read right after, never kept across events.
    var requestHead = HTTPRequestHead()
    var responseHead = HTTPResponseHead()

    private(set) var isShuttingDown = false
    private var acceptors: [Acceptor] = []
    private var connections: [DownstreamConnection?] = []
    private(set) var connectionCount = 0
    private let vectors = UnsafeMutablePointer<iovec>.allocate(capacity: 2)
    private let discardBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 16 * 1024, alignment: 16)

    init(
        index: Int, configuration: ProxyConfiguration, table: RoutingTable, router: ExchangeRouter,
        sockets: [ListeningSocket], accessLogWriter: LogWriter?
    ) throws(IOError) {
        self.index = index
        workerCount = configuration.workers
        let loop = try EventLoop()
        self.loop = loop
        timeouts = configuration.timeouts
        limits = configuration.limits
        self.table = table
        versions = table.versions.map { VersionUpstreams(plan: $0) }
        self.router = router
        accessLog = accessLogWriter.map { AccessLog(writer: $0, pool: loop.bufferPool) }
        for socket in sockets {
            let acceptor = Acceptor(socket: socket, worker: self)
            try acceptor.start()
            acceptors.append(acceptor)
        }
    }

    deinit {
        vectors.deallocate()
        discardBuffer.deallocate()
    }

    /// Runs the loop on the calling thread until shutdown completes.
    func run() {
        if accessLog != nil {
            scheduleAccessLogFlush()
        }
        loop.run()
        accessLog?.flush()
    }

    private func scheduleAccessLogFlush() {
        loop.schedule(after: AccessLog.flushInterval) { [unowned self] in
            accessLog?.flush()
            scheduleAccessLogFlush()
        }
    }

    // MARK: Routing

    /// Puts a new routing table in force. Versions and backends that stay keep their pools and
    /// counters; exchanges under way finish where they were routed.
    func apply(_ newTable: RoutingTable) {
        let old = versions + retiredVersions
        versions = newTable.versions.map { plan in
            guard let existing = old.first(where: { $0.name == plan.name }) else { return VersionUpstreams(plan: plan) }
            existing.update(plan)
            return existing
        }
        retiredVersions = old.filter { version in
            version.inflight > 0 && !versions.contains { $0.name == version.name }
        }
        for version in old where !versions.contains(where: { $0.name == version.name }) {
            version.closeIdleConnections()
        }
        table = newTable
    }

    /// This worker's counters.
    func stats() -> ProxyStats {
        var stats = ProxyStats()
        stats.connections = connectionCount
        for version in versions + retiredVersions {
            stats.versions[version.name, default: VersionStats()].add(version.stats(now: loop.now))
            for backend in version.backends where !backend.failures.isEmpty {
                stats.upstreamErrors[backend.name, default: [:]].merge(backend.failures, uniquingKeysWith: +)
            }
        }
        return stats
    }

    // MARK: Connections

    private var idleContexts: [ExchangeContext] = []

    /// Exchange contexts kept for reuse; more are freed.
    static let maximumIdleContexts = 1024

    /// An exchange context for a connection that has a request in hand.
    func takeContext() -> ExchangeContext {
        idleContexts.popLast() ?? ExchangeContext(maximumHeadSize: limits.requestHeaderSize)
    }

    /// Takes back the context of a connection gone idle.
    func giveBack(_ context: ExchangeContext) {
        context.reset(pool: loop.bufferPool)
        if idleContexts.count < Worker.maximumIdleContexts {
            idleContexts.append(context)
        }
    }

    /// Takes a freshly accepted connection.
    func accepted(descriptor: Int32, peer: SocketAddress) {
        let connection = DownstreamConnection(descriptor: descriptor, peer: peer, worker: self)
        do {
            try connection.start()
        } catch {
            Syscall.close(descriptor: descriptor)
            return
        }
        let index = Int(descriptor)
        if index >= connections.count {
            connections.append(
                contentsOf: repeatElement(nil, count: max(index + 1, connections.count * 2) - connections.count))
        }
        connections[index] = connection
        connectionCount += 1
    }

    /// A downstream connection closed.
    func connectionClosed(_ connection: DownstreamConnection) {
        let index = Int(connection.descriptor)
        if index < connections.count, connections[index] === connection {
            connections[index] = nil
            connectionCount -= 1
        }
        if isShuttingDown && connectionCount == 0 {
            finishShutdown()
        }
    }

    // MARK: Shutdown

    /// Stops accepting; idle connections close now, busy ones after their current exchange.
    /// The loop stops once no connection is left. Call on the loop's thread.
    func beginShutdown() {
        guard !isShuttingDown else { return }
        isShuttingDown = true
        for acceptor in acceptors {
            acceptor.stop()
        }
        acceptors.removeAll()
        for version in versions {
            version.closeIdleConnections()
        }
        for case let connection? in connections {
            connection.closeAfterExchange = true
            if connection.phase == .readingHead && connection.inbound.isEmpty {
                connection.closeIdle()
            }
        }
        if connectionCount == 0 {
            finishShutdown()
        }
    }

    private func finishShutdown() {
        accessLog?.flush()
        loop.stop()
    }

    // MARK: System calls with scratch memory

    /// What a vectored write gave.
    enum WriteResult {
        case processed(Int)
        case wouldBlock
        case failed
    }

    /// Writes `first` then `second` with one writev(2).
    func writeVectors(descriptor: Int32, _ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer?)
        -> WriteResult
    {
        var count = 0
        if first.count > 0 {
            vectors[count] = iovec(iov_base: UnsafeMutableRawPointer(mutating: first.baseAddress), iov_len: first.count)
            count += 1
        }
        if let second, second.count > 0 {
            vectors[count] = iovec(
                iov_base: UnsafeMutableRawPointer(mutating: second.baseAddress), iov_len: second.count)
            count += 1
        }
        guard count > 0 else { return .processed(0) }
        do {
            switch try Syscall.writev(descriptor: descriptor, vectors: vectors, count: count) {
            case .processed(let written):
                return .processed(written)
            case .wouldBlock:
                return .wouldBlock
            }
        } catch {
            return .failed
        }
    }

    /// Reads and throws away what a closing client still sends.
    func discard(descriptor: Int32) -> DownstreamConnection.ReadOutcome {
        do {
            switch try Syscall.read(descriptor: descriptor, into: discardBuffer) {
            case .processed(0):
                return .endOfStream
            case .processed(let count):
                return count < discardBuffer.count ? .wouldBlock : .data
            case .wouldBlock:
                return .wouldBlock
            }
        } catch {
            return .failed
        }
    }
}
