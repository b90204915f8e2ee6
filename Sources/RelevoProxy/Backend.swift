import RelevoIO

/// One backend as one worker sees it: its address, its idle upstream connections, how many
/// exchanges it has outstanding here, and whether it is being skipped after failed connects.
///
/// Owned by one worker; used only on that worker's loop, so nothing here takes a lock.
final class Backend {
    /// Where to connect.
    let address: SocketAddress

    /// The backend as the conf wrote it.
    let name: String

    /// The name of the version this backend belongs to.
    let versionName: String

    /// Upstream failures by kind, for metrics.
    var failures: [String: UInt64] = [:]

    /// Exchanges sent to this backend from this worker and not yet finished.
    var outstanding = 0

    /// Until when (loop milliseconds) new exchanges skip this backend; 0 when it is up.
    var downUntil: Int64 = 0

    /// Idle keep-alive connections, most recently used last.
    var idleConnections: [UpstreamConnection] = []

    /// How long a refused or failed connect keeps a backend skipped.
    static let downInterval: Int64 = 2_000

    init(plan: BackendPlan, versionName: String) {
        address = plan.address
        name = plan.name
        self.versionName = versionName
    }

    /// Whether new exchanges may go here at `now`.
    @inline(__always)
    func isUp(now: Int64) -> Bool {
        downUntil <= now
    }

    /// Skips this backend for a while after a failed connect; logs only when it goes from up to down.
    func markDown(now: Int64, reason: String) {
        if isUp(now: now) {
            Log.warn(
                "backend_down",
                ["version": versionName, "backend": name, "reason": reason, "retry_in_ms": "\(Backend.downInterval)"])
        }
        downUntil = now + Backend.downInterval
    }

    /// Clears the down mark after a successful connect.
    func markUp() {
        if downUntil != 0 {
            downUntil = 0
            Log.info("backend_up", ["version": versionName, "backend": name])
        }
    }

    /// The most recently used idle connection that is still open, taken out of the pool.
    func takeIdleConnection() -> UpstreamConnection? {
        while let connection = idleConnections.popLast() {
            if connection.isReusable {
                return connection
            }
        }
        return nil
    }

    /// Removes a pooled connection that closed or timed out while idle.
    func removeIdleConnection(_ connection: UpstreamConnection) {
        if let index = idleConnections.firstIndex(where: { $0 === connection }) {
            idleConnections.remove(at: index)
        }
    }
}

/// One version as one worker sees it: its name, its backends, and its counters on this worker.
final class VersionUpstreams {
    /// The version's name.
    let name: String

    /// Its backends, in conf order.
    private(set) var backends: [Backend] = []

    /// Exchanges routed here and not finished, tunnels included.
    var inflight = 0

    /// Open tunnels.
    var tunnels = 0

    /// Finished exchanges by status code, and by duration (see ``ProxyStats/durationBuckets``).
    var requests: [Int: UInt64] = [:]
    var durationCounts: [UInt64] = Array(repeating: 0, count: ProxyStats.durationBuckets.count + 1)
    var durationSum: Double = 0

    init(plan: VersionPlan) {
        name = plan.name
        update(plan)
    }

    /// Takes the backends of `plan`, keeping the pools and counts of those that stay.
    func update(_ plan: VersionPlan) {
        let old = backends
        backends = plan.backends.map { backendPlan in
            let existing = old.first { $0.name == backendPlan.name && $0.address == backendPlan.address }
            return existing ?? Backend(plan: backendPlan, versionName: plan.name)
        }
        for backend in old where !backends.contains(where: { $0 === backend }) {
            while let idle = backend.idleConnections.popLast() {
                idle.close()
            }
        }
    }

    /// The backend for a new exchange: `preferred` if it is up; else, among those up, the one with
    /// the fewest outstanding exchanges (the earliest in conf order on a tie); if all are down, the
    /// one down longest ago. `excluding` skips a backend that just failed, when another exists.
    func pickBackend(now: Int64, preferred: Int? = nil, excluding failed: Backend? = nil) -> Backend? {
        if let preferred, preferred < backends.count, backends[preferred] !== failed,
            backends[preferred].isUp(now: now)
        {
            return backends[preferred]
        }
        var best: Backend?
        for backend in backends where backend !== failed && backend.isUp(now: now) {
            if best == nil || backend.outstanding < best!.outstanding {
                best = backend
            }
        }
        if let best {
            return best
        }
        return backends.filter { $0 !== failed }.min { $0.downUntil < $1.downUntil } ?? failed
    }

    /// Closes every idle pooled connection of the version's backends.
    func closeIdleConnections() {
        for backend in backends {
            while let idle = backend.idleConnections.popLast() {
                idle.close()
            }
        }
    }

    /// Counts a finished exchange.
    func exchangeEnded(status: Int, seconds: Double) {
        inflight -= 1
        requests[status, default: 0] += 1
        var bucket = 0
        while bucket < ProxyStats.durationBuckets.count && seconds > ProxyStats.durationBuckets[bucket] {
            bucket += 1
        }
        for index in bucket..<durationCounts.count {
            durationCounts[index] += 1
        }
        durationSum += seconds
    }

    /// This worker's counters for the version.
    func stats(now: Int64) -> VersionStats {
        var stats = VersionStats()
        stats.inflight = inflight
        stats.tunnels = tunnels
        stats.requests = requests
        stats.durationCounts = durationCounts
        stats.durationSum = durationSum
        for backend in backends {
            stats.backendInflight[backend.name] = backend.outstanding
            stats.backendUp[backend.name] = backend.isUp(now: now)
        }
        return stats
    }
}
