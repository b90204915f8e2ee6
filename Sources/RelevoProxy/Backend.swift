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

    /// The version this backend belongs to.
    unowned let version: VersionUpstreams

    /// Exchanges sent to this backend from this worker and not yet finished.
    var outstanding = 0

    /// Until when (loop milliseconds) new exchanges skip this backend; 0 when it is up.
    var downUntil: Int64 = 0

    /// Idle keep-alive connections, most recently used last.
    var idleConnections: [UpstreamConnection] = []

    /// How long a refused or failed connect keeps a backend skipped.
    static let downInterval: Int64 = 2_000

    init(plan: BackendPlan, version: VersionUpstreams) {
        address = plan.address
        name = plan.name
        self.version = version
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
                ["version": version.name, "backend": name, "reason": reason, "retry_in_ms": "\(Backend.downInterval)"])
        }
        downUntil = now + Backend.downInterval
    }

    /// Clears the down mark after a successful connect.
    func markUp() {
        if downUntil != 0 {
            downUntil = 0
            Log.info("backend_up", ["version": version.name, "backend": name])
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

/// One version as one worker sees it: its name and its backends.
final class VersionUpstreams {
    /// The version's name.
    let name: String

    /// Its backends, in conf order.
    private(set) var backends: [Backend] = []

    init(plan: VersionPlan) {
        name = plan.name
        backends = plan.backends.map { Backend(plan: $0, version: self) }
    }

    /// The backend for a new exchange: among those up, the one with the fewest outstanding
    /// exchanges (the earliest in conf order on a tie); if all are down, the one down longest ago.
    /// `excluding` skips a backend that just failed, when another exists.
    func pickBackend(now: Int64, excluding failed: Backend? = nil) -> Backend? {
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
}
