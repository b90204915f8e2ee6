import RelevoRelease
import Synchronization

/// A stand-in for the running relevo: answers from fixed values that a test sets, and counts calls.
final class FakeControl: AdminControl {
    /// What the control answers, and what was asked of it.
    struct State {
        var isServing = true
        var status = FakeControl.sampleStatus
        var reloadResult = ReloadResult.applied(changes: ["version v43 added (candidate)"])
        var reports: [String: GateReport] = [:]
        var metrics = MetricsSnapshot()
        /// After this many polls of a version, that version reads as drained.
        var drainsAfterPolls: Int?
        var versionPolls = 0
        var reloads = 0
        var gateReruns: [String] = []
    }

    let state = Mutex(State())

    var isServing: Bool {
        state.withLock { $0.isServing }
    }

    func status() -> ReleaseStatus {
        state.withLock { $0.status }
    }

    func version(named name: String) -> VersionStatus? {
        state.withLock { state in
            state.versionPolls += 1
            guard var version = state.status.versions.first(where: { $0.name == name }) else { return nil }
            if let polls = state.drainsAfterPolls, state.versionPolls > polls {
                version.state = "drained"
                version.sessions = 0
                version.inflight = 0
            }
            return version
        }
    }

    func reload() -> ReloadResult {
        state.withLock { state in
            state.reloads += 1
            return state.reloadResult
        }
    }

    func gateReport(version: String) -> GateReport? {
        state.withLock { $0.reports[version] }
    }

    func rerunGate(version: String) -> GateStatus? {
        state.withLock { state in
            guard state.status.versions.contains(where: { $0.name == version }) else { return nil }
            state.gateReruns.append(version)
            return GateStatus(state: "running", passed: 0, failed: 0)
        }
    }

    func metrics() -> MetricsSnapshot {
        state.withLock { $0.metrics }
    }

    /// v42 live with two backends up, v41 draining with one of two up.
    static let sampleStatus = ReleaseStatus(
        live: "v42",
        versions: [
            VersionStatus(
                name: "v41", state: "draining", sessions: 3, inflight: 1,
                backends: [
                    BackendStatus(address: "127.0.0.1:9001", up: true, sessions: 3, inflight: 1),
                    BackendStatus(address: "127.0.0.1:9011", up: false, sessions: 0, inflight: 0),
                ],
                gate: GateStatus(state: "passed", passed: 12, failed: 0), since: "2026-12-03T10:00:00Z",
                drainDeadline: "2026-12-03T18:00:00Z", oldestSession: "2026-12-03T05:48:00Z"),
            VersionStatus(
                name: "v42", state: "live", sessions: 120, inflight: 4,
                backends: [
                    BackendStatus(address: "127.0.0.1:9002", up: true, sessions: 60, inflight: 2),
                    BackendStatus(address: "127.0.0.1:9012", up: true, sessions: 60, inflight: 2),
                ],
                gate: GateStatus(state: "passed", passed: 14, failed: 0, report: "14 checks passed"),
                since: "2026-12-03T10:00:00Z", oldestSession: "2026-12-03T10:00:05Z"),
        ])
}
