/// What relevo knows of its versions at one moment, as the admin API and `relevo status` show it.
///
/// Field names follow DESIGN.md's `/status` answer; times are RFC 3339 UTC text.
public struct ReleaseStatus: Sendable, Equatable, Codable {
    /// The live version's name, or nil when none is live.
    public var live: String?

    /// Every version in conf order.
    public var versions: [VersionStatus]

    /// Creates a status.
    public init(live: String?, versions: [VersionStatus]) {
        self.live = live
        self.versions = versions
    }
}

/// One version's state, sessions, in-flight exchanges, backends, gate and drain progress.
public struct VersionStatus: Sendable, Equatable, Codable {
    /// The version's name, e.g. `v42`.
    public var name: String

    /// `candidate`, `live`, `draining`, `drained` or `rejected`.
    public var state: String

    /// Live sessions pinned to the version.
    public var sessions: Int

    /// Exchanges in flight plus open tunnels.
    public var inflight: Int

    /// The version's backends.
    public var backends: [BackendStatus]

    /// The last gate run.
    public var gate: GateStatus

    /// When the version entered its current state.
    public var since: String

    /// For a draining version: when `drain_deadline` forces it drained.
    public var drainDeadline: String?

    /// When the oldest live session of the version started.
    public var oldestSession: String?

    /// The `on_drained` hooks' outcomes, once the version is drained.
    public var hooks: [HookStatus]

    /// Creates a version status.
    public init(
        name: String, state: String, sessions: Int, inflight: Int, backends: [BackendStatus], gate: GateStatus,
        since: String, drainDeadline: String? = nil, oldestSession: String? = nil, hooks: [HookStatus] = []
    ) {
        self.name = name
        self.state = state
        self.sessions = sessions
        self.inflight = inflight
        self.backends = backends
        self.gate = gate
        self.since = since
        self.drainDeadline = drainDeadline
        self.oldestSession = oldestSession
        self.hooks = hooks
    }
}

/// One backend of a version.
public struct BackendStatus: Sendable, Equatable, Codable {
    /// The backend as the conf names it.
    public var address: String

    /// Whether its health probe or its connections succeed.
    public var up: Bool

    /// Live sessions pinned to it.
    public var sessions: Int

    /// Exchanges in flight to it.
    public var inflight: Int

    /// Creates a backend status.
    public init(address: String, up: Bool, sessions: Int, inflight: Int) {
        self.address = address
        self.up = up
        self.sessions = sessions
        self.inflight = inflight
    }
}

/// The last gate run of a version.
public struct GateStatus: Sendable, Equatable, Codable {
    /// `pending`, `running`, `passed` or `failed`.
    public var state: String

    /// Checks passed and failed so far.
    public var passed: Int
    public var failed: Int

    /// The report's text, once the gate has finished.
    public var report: String?

    /// Creates a gate status.
    public init(state: String, passed: Int, failed: Int, report: String? = nil) {
        self.state = state
        self.passed = passed
        self.failed = failed
        self.report = report
    }
}

/// The outcome of one `on_drained` hook.
public struct HookStatus: Sendable, Equatable, Codable {
    /// `exec` or `webhook`.
    public var kind: String

    /// The command or URL.
    public var target: String

    /// `pending`, `retrying`, `delivered` or `failed`.
    public var outcome: String

    /// Attempts made.
    public var attempts: Int

    /// The last error or exit status, if any.
    public var detail: String?

    /// Creates a hook status.
    public init(kind: String, target: String, outcome: String, attempts: Int, detail: String? = nil) {
        self.kind = kind
        self.target = target
        self.outcome = outcome
        self.attempts = attempts
        self.detail = detail
    }
}
