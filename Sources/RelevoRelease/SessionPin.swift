/// Where a session is pinned: a version and one of its backends, by name.
public struct SessionPin: Sendable, Hashable {
    /// The version's name, e.g. `v41`.
    public var version: String

    /// The backend as the conf names it, e.g. `127.0.0.1:9001`.
    public var backend: String

    /// Creates a pin.
    public init(version: String, backend: String) {
        self.version = version
        self.backend = backend
    }
}
