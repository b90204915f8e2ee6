/// One `version` block: a release of the application, its name and its backends.
public struct VersionConf: Sendable, Equatable {
    /// The version's name, e.g. `v42`: 1 to 64 of `A-Z a-z 0-9 . _ -`, unique in the conf.
    public var name: String

    /// The version's backends, in conf order; never empty, no two alike.
    public var backends: [BackendConf]

    /// Where the `version` directive is.
    public var location: SourceLocation

    /// A version `name` with `backends`, declared at `location`.
    public init(name: String, backends: [BackendConf], location: SourceLocation) {
        self.name = name
        self.backends = backends
        self.location = location
    }
}
