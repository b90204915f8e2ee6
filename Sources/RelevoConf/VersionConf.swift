/// One `version` block: a release of the application, its name, its backends and how they are probed.
public struct VersionConf: Sendable, Equatable {
    /// The version's name, e.g. `v42`: 1 to 64 of `A-Z a-z 0-9 . _ -`, unique in the conf.
    public var name: String

    /// The version's backends, in conf order; never empty, no two alike.
    public var backends: [BackendConf]

    /// Where the `version` directive is.
    public var location: SourceLocation

    /// `health_check`: the origin-form target (path and optional query) a backend's health probe requests
    /// with `GET`; any status below 500 is healthy. Default `/`.
    public var healthCheck: String

    /// A version `name` with `backends`, declared at `location`, probed at `healthCheck`.
    public init(name: String, backends: [BackendConf], location: SourceLocation, healthCheck: String = "/") {
        self.name = name
        self.backends = backends
        self.location = location
        self.healthCheck = healthCheck
    }
}
