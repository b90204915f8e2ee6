/// A whole conf, read, parsed and validated, with every default applied and every path made absolute.
///
/// Made by ``ConfLoader``; a value, safe to hand to any thread.
public struct Conf: Sendable, Equatable {
    /// The `listen` directives, in conf order; at least one, no two on the same address (port 0 aside).
    public var listeners: [ListenerConf]

    /// `workers N`: the number of event loops; nil for `workers auto` (one per core), the default.
    public var workers: Int?

    /// `access_log`: the absolute path of the access log; nil for `off`, the default.
    public var accessLogPath: String?

    /// `state_dir`: the absolute path of the state directory. Default `.relevo` next to the conf file.
    public var stateDirectory: String

    /// The `timeouts` block, with defaults for what it leaves out.
    public var timeouts: TimeoutsConf

    /// The `limits` block, with defaults for what it leaves out.
    public var limits: LimitsConf

    /// The `version` blocks in conf order; the last is the target version. May be empty.
    public var versions: [VersionConf]

    /// Every file read, the main file first, each once, named as in error locations.
    public var files: [String]

    /// A conf made of these parts; ``ConfLoader`` is the usual way to get one.
    public init(
        listeners: [ListenerConf],
        workers: Int? = nil,
        accessLogPath: String? = nil,
        stateDirectory: String,
        timeouts: TimeoutsConf = TimeoutsConf(),
        limits: LimitsConf = LimitsConf(),
        versions: [VersionConf] = [],
        files: [String] = []
    ) {
        self.listeners = listeners
        self.workers = workers
        self.accessLogPath = accessLogPath
        self.stateDirectory = stateDirectory
        self.timeouts = timeouts
        self.limits = limits
        self.versions = versions
        self.files = files
    }

    /// The target version: the last `version` block, or nil when there is none.
    public var targetVersion: VersionConf? {
        versions.last
    }
}
