import Glibc
import RelevoIO
import Synchronization

/// The running proxy: its workers, one event loop thread each, and their listening sockets.
///
/// Create it (which binds every listener, so address errors surface before anything runs), then
/// ``start()``, then ``shutdown(timeout:)``. Methods are called from one controlling thread.
public final class Proxy: @unchecked Sendable {
    private let configuration: ProxyConfiguration
    private var workers: [Worker] = []
    private var threads: [pthread_t] = []
    private let finishedWorkers = Atomic<Int>(0)
    private let accessLogWriter: LogWriter?

    /// The addresses the listeners are bound to, with kernel-chosen ports filled in.
    public let boundAddresses: [SocketAddress]

    /// Binds every listener once per worker with `SO_REUSEPORT` and prepares the workers.
    ///
    /// `table` is the first routing table (by default every version of the configuration, the
    /// last one live); `makeRouter` makes each worker's router (by default one that sends every
    /// exchange to the live version).
    public init(
        configuration: ProxyConfiguration, table: RoutingTable? = nil,
        makeRouter: (Int) -> ExchangeRouter = { _ in LiveVersionRouter() }
    ) throws(ProxyStartError) {
        let table =
            table
            ?? RoutingTable(
                versions: configuration.versions,
                live: configuration.versions.isEmpty ? nil : configuration.versions.count - 1)
        self.configuration = configuration
        Syscall.ignoreBrokenPipe()
        accessLogWriter = try configuration.accessLogPath.map { path throws(ProxyStartError) in
            let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
            if descriptor < 0 {
                throw ProxyStartError(what: "access log \(path)", cause: IOError(errnoCode: errno, call: "open"))
            }
            return LogWriter(descriptor: descriptor)
        }

        var socketsPerWorker = Array(repeating: [ListeningSocket](), count: configuration.workers)
        var bound: [SocketAddress] = []
        do throws(ProxyStartError) {
            for plan in configuration.listeners {
                do {
                    try ListeningSocket.checkFree(plan.address)
                } catch {
                    throw ProxyStartError(what: "listener \(plan.address)", cause: error)
                }
                var address = plan.address
                for worker in 0..<configuration.workers {
                    let socket = try Self.listen(on: address)
                    address = socket.address
                    socketsPerWorker[worker].append(socket)
                }
                bound.append(address)
            }
            boundAddresses = bound
            for index in 0..<configuration.workers {
                do {
                    workers.append(
                        try Worker(
                            index: index, configuration: configuration, table: table, router: makeRouter(index),
                            sockets: socketsPerWorker[index], accessLogWriter: accessLogWriter))
                } catch {
                    throw ProxyStartError(what: "event loop", cause: error)
                }
            }
        } catch {
            for socket in socketsPerWorker.joined() {
                socket.close()
            }
            throw error
        }
    }

    private static func listen(on address: SocketAddress) throws(ProxyStartError) -> ListeningSocket {
        do {
            return try ListeningSocket(address: address)
        } catch {
            throw ProxyStartError(what: "listener \(address)", cause: error)
        }
    }

    /// Starts one thread per worker.
    public func start() {
        for worker in workers {
            for address in boundAddresses {
                Log.info("listening", ["address": address.description, "worker": "\(worker.index)"])
            }
            let box = UncheckedBox(worker)
            let thread = OSThread.start(name: "relevo-w\(worker.index)") { [self] in
                box.value.run()
                finishedWorkers.add(1, ordering: .releasing)
            }
            threads.append(thread)
        }
    }

    /// Puts a new routing table in force on every worker. Callable from any thread; each worker
    /// switches between two events, so no exchange sees half a table.
    public func publish(_ table: RoutingTable) {
        for worker in workers {
            let box = UncheckedBox(worker)
            worker.loop.execute { box.value.apply(table) }
        }
    }

    /// The workers' counters, summed; nil if a worker did not answer within `timeout` milliseconds.
    /// Callable from any thread but a worker's.
    public func collectStats(timeout: Int64 = 1_000) -> ProxyStats? {
        let collected = Mutex<(ProxyStats, Int)>((ProxyStats(), 0))
        let done = EventCounter()
        for worker in workers {
            let box = UncheckedBox(worker)
            worker.loop.execute {
                let stats = box.value.stats()
                let finished = collected.withLock { collected in
                    collected.0.add(stats)
                    collected.1 += 1
                    return collected.1
                }
                if finished == box.value.workerCount {
                    done.signal()
                }
            }
        }
        guard done.wait(milliseconds: Int(timeout)) else { return nil }
        return collected.withLock { $0.0 }
    }

    /// Stops accepting, lets in-flight exchanges finish for up to `timeout` milliseconds, and
    /// returns whether every worker finished in time.
    public func shutdown(timeout: Int64) -> Bool {
        for worker in workers {
            let box = UncheckedBox(worker)
            worker.loop.execute { box.value.beginShutdown() }
        }
        let deadline = MonotonicClock.coarseMilliseconds() + timeout
        while finishedWorkers.load(ordering: .acquiring) < workers.count {
            if MonotonicClock.coarseMilliseconds() >= deadline {
                Log.warn("shutdown_timeout", ["timeout_ms": "\(timeout)"])
                for worker in workers {
                    worker.loop.stop()
                }
                return false
            }
            usleep(10_000)
        }
        for thread in threads {
            OSThread.join(thread)
        }
        return true
    }
}

/// The proxy could not start: what failed, and the system error behind it.
public struct ProxyStartError: Error, CustomStringConvertible {
    /// What relevo was setting up, e.g. `listener 0.0.0.0:8080`.
    public let what: String

    /// The failed system call.
    public let cause: IOError

    public var description: String {
        "\(what): \(cause.call): \(cause.reason)"
    }
}

/// Carries a loop-confined object to its own loop through a `@Sendable` closure.
struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value

    init(_ value: Value) {
        self.value = value
    }
}
