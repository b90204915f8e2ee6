import RelevoIO
import RelevoProxy

extension ReleaseController {
    // MARK: Gates

    /// Starts the next queued gate if none is running. Gates run one at a time, in the order the
    /// versions were released, so a first start goes through the versions as if released one by one.
    func startNextGate() {
        let next: ReleaseVersionPlan? = state.withLock { state in
            guard state.gateRunning == nil else { return nil }
            while !state.gateQueue.isEmpty {
                let name = state.gateQueue.removeFirst()
                guard state.track.version(name)?.state == .candidate,
                    let plan = state.plan.versions.first(where: { $0.name == name })
                else { continue }
                state.gateRunning = name
                state.gates[name] = GateStatus(state: "running", passed: 0, failed: 0)
                return plan
            }
            return nil
        }
        guard let next else { return }
        Log.info("gate_started", ["version": next.name, "checks": "\(next.upstream.backends.count)"])
        _ = OSThread.start(name: "relevo-gate") { [self] in
            runDefaultGate(next)
        }
    }

    /// The default gate: every backend answers its health probe with a status below 500.
    private func runDefaultGate(_ version: ReleaseVersionPlan) {
        var lines: [String] = []
        var passed = 0
        var failed = 0
        for backend in version.upstream.backends {
            let started = MonotonicClock.nanoseconds()
            let outcome = HealthProbe.probe(backend.address, path: version.healthCheck)
            let milliseconds = (MonotonicClock.nanoseconds() - started) / 1_000_000
            if outcome.passed {
                passed += 1
                lines.append(
                    "ok    GET \(version.healthCheck) on \(backend.name): \(outcome.status) in \(milliseconds) ms")
            } else {
                failed += 1
                lines.append(
                    "FAIL  GET \(version.healthCheck) on \(backend.name): expected a status below 500, got "
                        + "\(outcome.detail) after \(milliseconds) ms")
            }
        }
        let verdict = failed == 0 ? "passed" : "failed"
        var report = "gate of \(version.name) \(verdict): \(passed) passed, \(failed) failed\n"
        report += lines.joined(separator: "\n") + "\n"
        if failed > 0 {
            report += "retry: relevo gate \(version.name)\n"
        }
        let gate = GateStatus(state: verdict, passed: passed, failed: failed, report: report)
        gateFiles?.save(gate, version: version.name)
        state.withLock { state in
            state.gates[version.name] = gate
            state.gateOutcomes.append((version.name, failed == 0, report))
            state.gateRunning = nil
        }
    }

    /// Applies finished gates to the track.
    func takeGateOutcomes(now: Int64) {
        state.withLock { state in
            let outcomes = state.gateOutcomes
            state.gateOutcomes.removeAll()
            for outcome in outcomes {
                let event: VersionEvent = outcome.passed ? .gatePassed : .gateFailed
                if outcome.passed {
                    Log.info("gate_passed", ["version": outcome.version])
                } else {
                    Log.warn("gate_failed", ["version": outcome.version, "report": outcome.report])
                }
                do {
                    let transitions = try state.track.apply(event, to: outcome.version, now: now)
                    record(transitions, in: &state)
                } catch {
                    Log.warn("gate_outcome_ignored", ["version": outcome.version, "reason": "\(error)"])
                }
            }
        }
    }

    /// Runs a version's gate again (after the team fixed its backend); nil if the version is unknown.
    public func rerunGate(version name: String) -> GateStatus? {
        state.withLock { state -> GateStatus? in
            guard let version = state.track.version(name) else { return nil }
            if version.state == .rejected {
                if let transitions = try? state.track.apply(.gateRerun, to: name, now: WallClock.coarseMilliseconds()) {
                    record(transitions, in: &state)
                }
            }
            guard state.track.version(name)?.state == .candidate else { return state.gates[name] }
            if !state.gateQueue.contains(name) && state.gateRunning != name {
                state.gateQueue.append(name)
            }
            state.gates[name] = GateStatus(state: "pending", passed: 0, failed: 0)
            return state.gates[name]
        }
    }

    // MARK: Drains

    /// Moves draining versions to drained: by their last session and exchange ending, or by force
    /// once `drain_deadline` has passed (their sessions move to the live version).
    func checkDrains(stats: ProxyStats, now: Int64) {
        let counts = ledger.counts()
        state.withLock { state in
            for record in state.track.versions where record.state == .draining {
                let sessions = counts.sessions(of: record.name)
                let inflight = stats.versions[record.name]?.inflight ?? 0
                if sessions == 0 && inflight == 0 {
                    apply(.drainedConditionsMet, to: record.name, now: now, in: &state)
                } else if let deadline = state.plan.drainDeadline, now - record.since >= deadline {
                    let moved = moveSessions(of: record.name, in: state)
                    Log.warn(
                        "drain_deadline_passed",
                        ["version": record.name, "sessions_moved": "\(moved)", "inflight": "\(inflight)"])
                    apply(.drainDeadlinePassed, to: record.name, now: now, in: &state)
                }
            }
        }
    }

    private func apply(_ event: VersionEvent, to name: String, now: Int64, in state: inout State) {
        do {
            record(try state.track.apply(event, to: name, now: now), in: &state)
        } catch {
            Log.error("version_event_refused", ["version": name, "event": "\(event)", "reason": "\(error)"])
        }
    }

    /// Moves every session of `version` to the live version, spreading them over its backends.
    func moveSessions(of version: String, in state: State) -> Int {
        guard let live = state.track.live, let plan = state.plan.versions.first(where: { $0.name == live }),
            !plan.upstream.backends.isEmpty
        else { return 0 }
        let backends = plan.upstream.backends.map(\.name)
        var next = 0
        return ledger.move(version: version) { _ in
            next += 1
            return SessionPin(version: live, backend: backends[next % backends.count])
        }
    }
}
