import RelevoProxy

/// What release control runs from: the conf's versions, drain deadline and hooks.
public struct ReleasePlan: Sendable {
    /// The versions in conf order; the last is the target version.
    public var versions: [ReleaseVersionPlan]

    /// How long a version may drain before its sessions move to the live version, in
    /// milliseconds; nil for no limit.
    public var drainDeadline: Int64?

    /// The `on_drained` hooks.
    public var hooks: [DrainedHook]

    /// Settings a reload found changed that only a restart applies (`listen`, `timeouts`, …).
    public var needingRestart: [String]

    /// Creates a plan.
    public init(
        versions: [ReleaseVersionPlan], drainDeadline: Int64?, hooks: [DrainedHook], needingRestart: [String] = []
    ) {
        self.versions = versions
        self.drainDeadline = drainDeadline
        self.hooks = hooks
        self.needingRestart = needingRestart
    }
}

/// One version of the plan: its backends and its health check.
public struct ReleaseVersionPlan: Sendable {
    /// The version and its backends, as the proxy routes to them.
    public var upstream: VersionPlan

    /// The path the default gate probes on each backend: `GET PATH`, any status below 500 passes.
    public var healthCheck: String

    /// Creates a version plan.
    public init(upstream: VersionPlan, healthCheck: String) {
        self.upstream = upstream
        self.healthCheck = healthCheck
    }

    /// The version's name.
    public var name: String {
        upstream.name
    }
}
