/// A whole conf, read, parsed and validated, with every default applied and every path made absolute.
///
/// Made by ``ConfLoader``; a value, safe to hand to any thread.
public struct Conf: Sendable, Equatable {
    /// The `listen` directives, in conf order; at least one, no two on the same address (port 0 aside).
    public var listeners: [ListenerConf]

    /// `admin`: where the admin API listens, and its token; nil, the default, for no admin API.
    public var admin: AdminConf?

    /// `workers N`: the number of event loops; nil for `workers auto` (one per core), the default.
    public var workers: Int?

    /// `access_log`: the absolute path of the access log; nil for `off`, the default.
    public var accessLogPath: String?

    /// `state_dir`: the absolute path of the state directory. Default `.relevo` next to the conf file.
    public var stateDirectory: String

    /// The `session` block, with defaults for what it leaves out; every default when there is none.
    public var session: SessionConf

    /// The `timeouts` block, with defaults for what it leaves out.
    public var timeouts: TimeoutsConf

    /// The `limits` block, with defaults for what it leaves out.
    public var limits: LimitsConf

    /// `drain_deadline`: how long a version may drain before its sessions are moved to the live version, in
    /// milliseconds, more than 0; nil for `off`. Default 8 hours.
    public var drainDeadline: Int64?

    /// The `on_drained` hooks, in conf order; empty, the default, for none.
    public var onDrained: [DrainedHookConf]

    /// The `version` blocks in conf order; the last is the target version. May be empty.
    public var versions: [VersionConf]

    /// Every file read, the main file first, each once, named as in error locations.
    public var files: [String]

    /// A conf made of these parts; ``ConfLoader`` is the usual way to get one. A nil `session` stands for a conf
    /// without a `session` block: ``SessionConf/defaults(stateDirectory:)``.
    public init(
        listeners: [ListenerConf],
        admin: AdminConf? = nil,
        workers: Int? = nil,
        accessLogPath: String? = nil,
        stateDirectory: String,
        session: SessionConf? = nil,
        timeouts: TimeoutsConf = TimeoutsConf(),
        limits: LimitsConf = LimitsConf(),
        drainDeadline: Int64? = 28_800_000,
        onDrained: [DrainedHookConf] = [],
        versions: [VersionConf] = [],
        files: [String] = []
    ) {
        self.listeners = listeners
        self.admin = admin
        self.workers = workers
        self.accessLogPath = accessLogPath
        self.stateDirectory = stateDirectory
        self.session = session ?? .defaults(stateDirectory: stateDirectory)
        self.timeouts = timeouts
        self.limits = limits
        self.drainDeadline = drainDeadline
        self.onDrained = onDrained
        self.versions = versions
        self.files = files
    }

    /// The target version: the last `version` block, or nil when there is none.
    public var targetVersion: VersionConf? {
        versions.last
    }
}
