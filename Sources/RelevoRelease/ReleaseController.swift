import Glibc
import RelevoIO
import RelevoProxy
import Synchronization

/// Release control: drives every version through its life cycle, publishes the routing table to
/// the proxy, watches drains, and fires the drained signal.
///
/// It runs on a thread of its own that wakes every ``tickInterval``: it takes gate outcomes, expires
/// sessions, collects the workers' in-flight counts, moves draining versions to drained (by their
/// last session ending, or by `drain_deadline`), and publishes a new routing table whenever a
/// version's state changed. Gates run on threads of their own; nothing here runs on an event loop.
/// Callable from any thread.
public final class ReleaseController: @unchecked Sendable {
    /// How often the controller wakes, in milliseconds: the drained signal goes out within this
    /// much of a version's last session ending (plus the hook's own time).
    public static let tickInterval: Int64 = 250

    /// Where the controller's outside effects go.
    public struct Effects: Sendable {
        /// Fires the `on_drained` hooks for a version: name, backends, whether by force.
        public var fireDrained: @Sendable (_ version: String, _ backends: [String], _ forced: Bool) -> Void

        /// The hooks' outcomes for a version.
        public var hookStatuses: @Sendable (_ version: String) -> [HookStatus]

        /// The hooks' outcomes counted by version, hook and outcome, for metrics.
        public var hookOutcomes: @Sendable () -> [HookOutcomeKey: UInt64]

        /// Reads the conf again for a reload: the new plan, or the errors that refuse it.
        public var loadPlan: @Sendable () -> Result<ReleasePlan, ReloadErrors>

        /// Creates the effects.
        public init(
            fireDrained: @escaping @Sendable (String, [String], Bool) -> Void,
            hookStatuses: @escaping @Sendable (String) -> [HookStatus],
            hookOutcomes: @escaping @Sendable () -> [HookOutcomeKey: UInt64],
            loadPlan: @escaping @Sendable () -> Result<ReleasePlan, ReloadErrors>
        ) {
            self.fireDrained = fireDrained
            self.hookStatuses = hookStatuses
            self.hookOutcomes = hookOutcomes
            self.loadPlan = loadPlan
        }
    }

    struct State {
        var plan: ReleasePlan
        var track: ReleaseTrack
        var gates: [String: GateStatus] = [:]
        var gateQueue: [String] = []
        var gateRunning: String?
        var gateOutcomes: [(version: String, passed: Bool, report: String)] = []
        var stats = ProxyStats()
        var isServing = false
        var isStopping = false
        var needsPublish = true
    }

    /// The session table.
    public let ledger: any SessionStore

    let journal: StateJournal?
    let gateFiles: GateReportFiles?
    let effects: Effects
    let state: Mutex<State>
    private let proxy = Mutex<Proxy?>(nil)

    /// Held while a reload runs, so reloads never overlap.
    let reloading = Mutex(())
    private var thread: pthread_t?

    /// Creates release control from a plan and the state recovered from the state directory
    /// (nil on a first start). Call ``attach(_:)`` and ``start()`` next.
    public init(
        plan: ReleasePlan, recovered: RecoveredState?, ledger: any SessionStore, journal: StateJournal?,
        effects: Effects
    ) throws(ReleaseTrackError) {
        self.ledger = ledger
        self.journal = journal
        gateFiles = journal.map { GateReportFiles(directory: $0.directory + "/gates") }
        self.effects = effects
        let now = WallClock.coarseMilliseconds()
        let names = plan.versions.map(\.name)
        var track: ReleaseTrack
        var added: [String]
        if let recovered, !recovered.versions.isEmpty {
            track = try ReleaseTrack(restoring: recovered.versions)
            added = try track.applyConf(names, now: now).added
            // Touches are journaled at most once per idle timeout, so a restored session counts as
            // seen at the restart: a user active just before a crash keeps their session.
            ledger.restore(
                recovered.sessions.map { session in
                    var session = session
                    session.lastSeen = max(session.lastSeen, now)
                    return session
                })
        } else {
            track = try ReleaseTrack(firstStart: names, now: now)
            added = names
        }
        var initial = State(plan: plan, track: track)
        for record in track.versions where !added.contains(record.name) {
            initial.gates[record.name] = gateFiles?.load(version: record.name)
        }
        initial.gateQueue = added
        for name in added {
            initial.gates[name] = GateStatus(state: "pending", passed: 0, failed: 0)
        }
        state = Mutex(initial)
        for record in track.versions {
            journal?.append(.versionState(record))
        }
    }

    /// The routing table for the versions as they stand: the live and draining ones.
    func routingTable(_ state: State) -> RoutingTable {
        var versions: [VersionPlan] = []
        var live: Int?
        for record in state.track.versions where record.state == .live || record.state == .draining {
            guard let plan = state.plan.versions.first(where: { $0.name == record.name }) else { continue }
            if record.state == .live {
                live = versions.count
            }
            versions.append(plan.upstream)
        }
        return RoutingTable(versions: versions, live: live)
    }

    /// The first routing table, for creating the proxy.
    public func initialRoutingTable() -> RoutingTable {
        state.withLock { routingTable($0) }
    }

    /// Connects the proxy whose routing this controller drives.
    public func attach(_ proxy: Proxy) {
        self.proxy.withLock { $0 = proxy }
    }

    /// Starts the controller's thread and the first gates.
    public func start() {
        state.withLock { $0.isServing = true }
        thread = OSThread.start(name: "relevo-release") { [self] in
            run()
        }
    }

    /// Stops the controller and writes the state out. Call after the proxy has shut down.
    public func stop() {
        state.withLock { state in
            state.isServing = false
            state.isStopping = true
        }
        if let thread {
            OSThread.join(thread)
        }
        try? journal?.flush()
    }

    /// Marks relevo as stopping, so /healthz answers 503 while in-flight exchanges finish.
    public func beginStopping() {
        state.withLock { $0.isServing = false }
    }

    private func run() {
        while !state.withLock({ $0.isStopping }) {
            tick(now: WallClock.coarseMilliseconds())
            usleep(useconds_t(ReleaseController.tickInterval * 1000))
        }
    }

    /// One round of the controller's work.
    func tick(now: Int64) {
        startNextGate()
        takeGateOutcomes(now: now)
        publishIfNeeded()
        let expired = ledger.expire(now: now)
        for (version, count) in expired where count > 0 {
            Log.debug("sessions_expired", ["version": version, "count": "\(count)"])
        }
        let stats = proxy.withLock { $0 }?.collectStats(timeout: 500)
        if let stats {
            state.withLock { $0.stats = stats }
            checkDrains(stats: stats, now: now)
        }
        publishIfNeeded()
    }

    /// Applies track transitions: logs them, records them, and fires the drained signal.
    func record(_ transitions: [VersionTransition], in state: inout State) {
        for transition in transitions where transition.from != transition.to {
            Log.info(
                "version_state",
                [
                    "version": transition.version, "from": "\(transition.from)", "to": "\(transition.to)",
                    "event": "\(transition.event)", "forced": transition.isForced ? "yes" : "no",
                ])
            if let record = state.track.version(transition.version) {
                journal?.append(.versionState(record))
            }
            state.needsPublish = true
            if transition.firesDrainedHooks {
                let backends =
                    state.plan.versions.first { $0.name == transition.version }?.upstream.backends.map(\.name) ?? []
                effects.fireDrained(transition.version, backends, transition.isForced)
            }
        }
    }

    /// Publishes the routing table if a version's state changed since the last one.
    func publishIfNeeded() {
        let table: RoutingTable? = state.withLock { state in
            guard state.needsPublish else { return nil }
            state.needsPublish = false
            return routingTable(state)
        }
        if let table, let proxy = proxy.withLock({ $0 }) {
            proxy.publish(table)
        }
    }
}

/// Why a reload was refused: each error with its place in the conf.
public struct ReloadErrors: Error, Sendable {
    /// The errors.
    public var errors: [ReloadError]

    /// Creates the errors.
    public init(errors: [ReloadError]) {
        self.errors = errors
    }
}

extension ReleaseController {
    /// Everything the state directory keeps, for a compaction: version states and live sessions.
    public func snapshot() -> RecoveredState {
        let versions = state.withLock { $0.track.versions }
        return RecoveredState(versions: versions, sessions: ledger.snapshot(), hookEvents: [])
    }
}
