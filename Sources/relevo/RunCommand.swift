import Glibc
import RelevoAdmin
import RelevoConf
import RelevoIO
import RelevoProxy
import RelevoRelease
import Synchronization

/// `relevo run [-c FILE]`: runs the proxy until SIGTERM or SIGINT; SIGHUP reloads the conf.
enum RunCommand {
    static func main(_ arguments: [String]) -> Int32 {
        let path = Usage.confPath(arguments)
        let conf: Conf
        let configuration: ProxyConfiguration
        do {
            conf = try ConfLoader.load(path: path)
            configuration = try ProxyPlan.make(from: conf)
        } catch {
            Console.error("\(error)")
            return 1
        }
        Signals.block([SIGTERM, SIGINT, SIGHUP])
        let instance: RelevoInstance
        do {
            instance = try RelevoInstance(conf: conf, configuration: configuration, confPath: path)
        } catch {
            Log.error("start_failed", ["conf": path, "reason": error.description])
            Log.writer.flush()
            Console.error("relevo: \(error.description)")
            return 1
        }
        return instance.serve()
    }

    /// Runs a proxy without release control (the built-in demo): every exchange to the last version.
    static func serve(_ configuration: ProxyConfiguration, conf: String) -> Int32 {
        let stopSignals = [SIGTERM, SIGINT, SIGHUP]
        Signals.block(stopSignals)
        let proxy: Proxy
        do {
            proxy = try Proxy(configuration: configuration)
        } catch {
            Log.error("start_failed", ["conf": conf, "reason": error.description])
            return 1
        }
        proxy.start()
        Log.info("started", ["conf": conf, "workers": "\(configuration.workers)"])
        while true {
            guard let signal = Signals.wait(for: stopSignals, milliseconds: 1_000), signal != SIGHUP else { continue }
            Log.info("stopping", ["signal": signal == SIGTERM ? "SIGTERM" : "SIGINT"])
            let clean = proxy.shutdown(timeout: configuration.timeouts.shutdown)
            Log.info("stopped", ["clean": clean ? "yes" : "no"])
            return 0
        }
    }
}

/// A running relevo: the proxy, release control, the state journal, the hooks and the admin API.
final class RelevoInstance {
    let confPath: String
    let configuration: ProxyConfiguration
    let journal: StateJournal
    let hooks: DrainedHookRunner
    let pendingHookEvents: PendingHookEvents
    let controller: ReleaseController
    let proxy: Proxy
    let admin: AdminServer?

    /// Opens the state directory, recovers state, and binds every listener; nothing runs yet.
    init(conf: Conf, configuration: ProxyConfiguration, confPath: String) throws(StartError) {
        self.confPath = confPath
        self.configuration = configuration
        if case .redis = conf.session.store {
            // Refused rather than run with sessions that other instances cannot see.
            throw StartError(
                description: "session store redis is not supported by this build; use store local (one instance)")
        }
        let secret = try Self.loadSecret(conf.session)
        let (journal, recovered) = try Self.openJournal(conf.stateDirectory)
        self.journal = journal
        let ledger = SessionLedger(
            idleTimeout: conf.session.idleTimeout, absoluteTimeout: conf.session.absoluteTimeout,
            recorder: { journal.append($0) })
        let pending = PendingHookEvents(recovered?.hookEvents ?? [])
        pendingHookEvents = pending
        hooks = Self.makeHooks(secret: secret, journal: journal, pending: pending, hookCount: conf.onDrained.count)
        let plan = ReleasePlanning.plan(from: conf, proxy: configuration)
        let hooks = self.hooks
        let effects = ReleaseController.Effects(
            fireDrained: { version, backends, forced in
                hooks.deliver(DrainedEvent(version: version, backends: backends, forced: forced), hooks: plan.hooks)
            },
            hookStatuses: { hooks.statuses(version: $0) },
            hookOutcomes: { hooks.outcomeCounts() },
            loadPlan: { ReleasePlanning.reload(path: confPath, running: conf) })
        do {
            controller = try ReleaseController(
                plan: plan, recovered: recovered, ledger: ledger, journal: journal, effects: effects)
        } catch {
            throw StartError(description: "state in \(conf.stateDirectory) does not fit the conf: \(error)")
        }
        Self.resumeHooks(recovered, hooks: hooks, plan: plan)
        let routing = SessionRouting(
            ledger: ledger, secret: secret, affinityCookie: conf.session.affinityCookie,
            applicationCookie: conf.session.cookie, endHeader: conf.session.endHeader)
        do {
            proxy = try Proxy(
                configuration: configuration, table: controller.initialRoutingTable(),
                makeRouter: { _ in SessionRouter(shared: routing) })
        } catch {
            throw StartError(description: error.description)
        }
        let control = controller
        admin = conf.admin.map { AdminServer(address: $0.address, token: $0.token, control: control) }
    }

    /// Runs until SIGTERM or SIGINT; SIGHUP reloads. Returns the exit status.
    func serve() -> Int32 {
        controller.attach(proxy)
        proxy.start()
        controller.start()
        if let admin {
            do {
                try admin.start()
            } catch {
                Log.error("admin_failed", ["reason": error.description])
                Log.writer.flush()
                Console.error("relevo: the admin API cannot listen: \(error)")
                _ = stop(signal: "admin failure")
                return 1
            }
        }
        Log.info(
            "started",
            [
                "conf": confPath, "workers": "\(configuration.workers)", "versions": "\(configuration.versions.count)",
                "state_dir": journal.directory,
            ])
        let signals = [SIGTERM, SIGINT, SIGHUP]
        var lastCompaction = MonotonicClock.coarseMilliseconds()
        while true {
            guard let signal = Signals.wait(for: signals, milliseconds: 1_000) else {
                if MonotonicClock.coarseMilliseconds() - lastCompaction >= Self.compactionInterval {
                    lastCompaction = MonotonicClock.coarseMilliseconds()
                    compactState()
                }
                continue
            }
            if signal == SIGHUP {
                Log.info("reload_requested", ["signal": "SIGHUP"])
                _ = controller.reload()
                continue
            }
            return stop(signal: signal == SIGTERM ? "SIGTERM" : "SIGINT")
        }
    }

    private func stop(signal: String) -> Int32 {
        Log.info("stopping", ["signal": signal])
        controller.beginStopping()
        let clean = proxy.shutdown(timeout: configuration.timeouts.shutdown)
        controller.stop()
        admin?.stop()
        _ = hooks.shutdown(timeout: 1_000)
        compactState()
        do {
            try journal.close()
        } catch {
            Log.error("state_save_failed", ["reason": error.description])
        }
        Log.info("stopped", ["clean": clean ? "yes" : "no"])
        return 0
    }

    /// How often the state journal is folded into a new snapshot, in milliseconds, so it never
    /// grows without bound and a restart replays little.
    static let compactionInterval: Int64 = 10 * 60 * 1000

    /// Writes a snapshot of versions, sessions and pending drained events, and starts a new journal.
    private func compactState() {
        let pending = pendingHookEvents
        let controller = self.controller
        do {
            try journal.compact {
                var snapshot = controller.snapshot()
                snapshot.hookEvents = pending.events
                return snapshot
            }
        } catch {
            Log.error("state_save_failed", ["reason": error.description])
        }
    }

    private static func loadSecret(_ session: SessionConf) throws(StartError) -> AffinitySecret {
        if session.secretFileLocation == nil && access(session.secretFile, F_OK) != 0 {
            createSecret(at: session.secretFile)
        }
        do {
            return try AffinitySecret.load(path: session.secretFile)
        } catch {
            let place = session.secretFileLocation.map { "\($0): error: " } ?? ""
            throw StartError(description: "\(place)\(error.description)")
        }
    }

    /// Writes a fresh secret to the default path in the state directory (mode 0600).
    private static func createSecret(at path: String) {
        let directory = String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)])
        _ = mkdir(directory, 0o700)
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return }
        var text = AffinitySecret.generate() + "\n"
        text.withUTF8 { _ = write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
        Log.info("secret_created", ["path": path])
    }

    private static func openJournal(_ directory: String) throws(StartError) -> (StateJournal, RecoveredState?) {
        do {
            let (journal, recovered) = try StateJournal.open(directory: directory)
            return (journal, recovered.versions.isEmpty ? nil : recovered)
        } catch {
            throw StartError(description: error.description)
        }
    }

    private static func makeHooks(
        secret: AffinitySecret, journal: StateJournal, pending: PendingHookEvents, hookCount: Int
    ) -> DrainedHookRunner {
        DrainedHookRunner(
            secret: secret,
            onQueued: { event in
                let record = HookEvent(id: event.journalID, version: event.version, payload: event.json)
                pending.add(record)
                journal.append(.hookEvent(record))
                // The event and the drained state must be on disk before any hook runs: a crash
                // then resends this event, under this id, instead of draining the version again.
                do {
                    try journal.flush()
                } catch {
                    Log.error("state_save_failed", ["reason": "\(error)"])
                }
            },
            onAcknowledged: { eventID, target in
                let id = DrainedEvent.journalID(of: eventID)
                if pending.acknowledge(id, target: target, of: hookCount) {
                    journal.append(.hookAcknowledged(id))
                }
            })
    }

    private static func resumeHooks(_ recovered: RecoveredState?, hooks: DrainedHookRunner, plan: ReleasePlan) {
        for pending in recovered?.hookEvents ?? [] {
            guard let event = DrainedEvent(json: pending.payload) else { continue }
            Log.info("drained_signal_resumed", ["version": event.version, "event_id": event.id])
            hooks.resume(event, hooks: plan.hooks)
        }
    }
}

/// relevo could not start: a sentence saying why.
struct StartError: Error, CustomStringConvertible {
    let description: String
}

extension DrainedEvent {
    /// The event's id as the state journal keys it: its first 16 hex digits.
    var journalID: UInt64 {
        Self.journalID(of: id)
    }

    static func journalID(of id: String) -> UInt64 {
        UInt64(id.prefix(16), radix: 16) ?? UInt64(truncatingIfNeeded: id.hashValue)
    }
}

/// The drained events whose hooks are not all done, kept for compactions of the state journal.
final class PendingHookEvents: Sendable {
    private let state: Mutex<(events: [UInt64: HookEvent], done: [UInt64: Set<String>])>

    init(_ events: [HookEvent]) {
        state = Mutex((Dictionary(events.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first }), [:]))
    }

    /// The pending events.
    var events: [HookEvent] {
        state.withLock { Array($0.events.values) }
    }

    func add(_ event: HookEvent) {
        state.withLock { $0.events[event.id] = event }
    }

    /// Marks one hook of an event done; returns true when all `count` are, and forgets the event.
    func acknowledge(_ id: UInt64, target: String, of count: Int) -> Bool {
        state.withLock { state in
            state.done[id, default: []].insert(target)
            guard state.done[id]!.count >= count else { return false }
            state.events[id] = nil
            state.done[id] = nil
            return true
        }
    }
}
