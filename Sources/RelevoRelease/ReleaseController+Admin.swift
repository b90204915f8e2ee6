import RelevoIO
import RelevoProxy

extension ReleaseController: AdminControl {
    public var isServing: Bool {
        state.withLock { $0.isServing }
    }

    public func status() -> ReleaseStatus {
        let counts = ledger.counts()
        return state.withLock { state in
            let versions = state.track.versions.map { record in
                versionStatus(record, counts: counts, state: state)
            }
            return ReleaseStatus(live: state.track.live, versions: versions)
        }
    }

    public func version(named name: String) -> VersionStatus? {
        status().versions.first { $0.name == name }
    }

    private func versionStatus(_ record: VersionRecord, counts: LedgerCounts, state: State) -> VersionStatus {
        let plan = state.plan.versions.first { $0.name == record.name }
        let stats = state.stats.versions[record.name] ?? VersionStats()
        let backends = (plan?.upstream.backends ?? []).map { backend in
            BackendStatus(
                address: backend.name, up: stats.backendUp[backend.name] ?? true,
                sessions: counts.sessionsPerBackend[SessionPin(version: record.name, backend: backend.name)] ?? 0,
                inflight: stats.backendInflight[backend.name] ?? 0)
        }
        let deadline: String? =
            record.state == .draining
            ? state.plan.drainDeadline.map { UnixTime.rfc3339(milliseconds: record.since + $0) } : nil
        return VersionStatus(
            name: record.name, state: "\(record.state)", sessions: counts.sessions(of: record.name),
            inflight: stats.inflight, backends: backends,
            gate: state.gates[record.name] ?? GateStatus(state: "pending", passed: 0, failed: 0),
            since: UnixTime.rfc3339(milliseconds: record.since), drainDeadline: deadline,
            oldestSession: counts.oldestSessionPerVersion[record.name].map { UnixTime.rfc3339(milliseconds: $0) },
            hooks: effects.hookStatuses(record.name))
    }

    public func gateReport(version: String) -> GateReport? {
        state.withLock { state in
            guard let gate = state.gates[version], let text = gate.report else { return nil }
            var json = "{\"version\":"
            DrainedEventJSON.appendString(version, to: &json)
            json += ",\"state\":"
            DrainedEventJSON.appendString(gate.state, to: &json)
            json += ",\"passed\":\(gate.passed),\"failed\":\(gate.failed),\"report\":"
            DrainedEventJSON.appendString(text, to: &json)
            json += "}"
            return GateReport(text: text, json: Array(json.utf8))
        }
    }

    public func metrics() -> MetricsSnapshot {
        let stats = state.withLock { $0.stats }
        var snapshot = MetricsSnapshot()
        for (version, counters) in stats.versions {
            for (code, count) in counters.requests {
                snapshot.requestsTotal[RequestKey(version: version, code: code), default: 0] += count
            }
            var perBucket = counters.durationCounts
            for index in stride(from: perBucket.count - 1, to: 0, by: -1) {
                perBucket[index] -= perBucket[index - 1]
            }
            snapshot.requestDuration.merge(
                DurationHistogram(counts: perBucket, sumNanoseconds: UInt64(counters.durationSum * 1e9)))
        }
        for (backend, kinds) in stats.upstreamErrors {
            for (kind, count) in kinds {
                snapshot.upstreamErrorsTotal[UpstreamErrorKey(backend: backend, kind: kind), default: 0] += count
            }
        }
        snapshot.drainedHooksTotal = effects.hookOutcomes()
        return snapshot
    }

    // MARK: Reload

    /// Reloads one at a time, whether asked by SIGHUP or the admin API.
    public func reload() -> ReloadResult {
        reloading.withLock { _ in reloadNow() }
    }

    private func reloadNow() -> ReloadResult {
        switch effects.loadPlan() {
        case .failure(let errors):
            Log.warn(
                "reload_refused",
                ["errors": "\(errors.errors.count)", "first": errors.errors.first?.description ?? "-"])
            return .refused(errors: errors.errors)
        case .success(let plan):
            return apply(plan)
        }
    }

    /// Applies a new plan: new versions become candidates and are gated, removed ones leave (their
    /// sessions move to the live version), backends change at once.
    func apply(_ plan: ReleasePlan) -> ReloadResult {
        let now = WallClock.coarseMilliseconds()
        let result: ReloadResult = state.withLock { state in
            var track = state.track
            let reload: ReleaseTrack.Reload
            do {
                reload = try track.applyConf(plan.versions.map(\.name), now: now)
            } catch {
                let message = "\(error)"
                return .refused(errors: [ReloadError(file: "-", line: 0, column: 0, message: message)])
            }
            var changes: [String] = []
            for removed in reload.removed {
                let moved = moveSessions(of: removed.version, in: state)
                changes.append("version \(removed.version) removed (\(moved) sessions moved to the live version)")
            }
            state.track = track
            state.plan = plan
            record(reload.removed, in: &state)
            for name in reload.added {
                state.gateQueue.append(name)
                state.gates[name] = GateStatus(state: "pending", passed: 0, failed: 0)
                changes.append("version \(name) added (candidate, gate queued)")
            }
            state.needsPublish = true
            if changes.isEmpty {
                changes.append("no version added or removed; backends, health checks, drain deadline and hooks applied")
            }
            for setting in plan.needingRestart {
                changes.append("\(setting) changed: kept as it was until relevo restarts")
            }
            return .applied(changes: changes)
        }
        if case .applied(let changes) = result {
            Log.info("reloaded", ["changes": changes.joined(separator: "; ")])
        }
        publishIfNeeded()
        return result
    }
}
