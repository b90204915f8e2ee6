/// The `session` block: how relevo recognises a user's session and how long one lasts.
///
/// A conf without a `session` block gets every default, with the secret in the state directory.
public struct SessionConf: Sendable, Equatable {
    /// `cookie`: the name of the application's own session cookie, an RFC 6265 token; nil, the default,
    /// when relevo keys sessions on its affinity cookie alone.
    public var cookie: String?

    /// `affinity_cookie`: the name of relevo's signed affinity cookie, an RFC 6265 token. Default `relevo`;
    /// never the same as ``cookie``.
    public var affinityCookie: String

    /// `secret_file`: the absolute path of the file holding the key that signs affinity cookies. Only the path
    /// is known here: the command line reads the file and checks the key, reporting at ``secretFileLocation``.
    /// Default `affinity.secret` in the state directory, which the command line creates when it is missing.
    public var secretFile: String

    /// Where the `secret_file` directive is; nil when ``secretFile`` is the default.
    public var secretFileLocation: SourceLocation?

    /// `idle_timeout`: how long a session lives without a request, in milliseconds, more than 0.
    /// Default 30 minutes.
    public var idleTimeout: Int64

    /// `absolute_timeout`: how long a session lives at most, however busy, in milliseconds, more than 0;
    /// nil, the default, for no limit.
    public var absoluteTimeout: Int64?

    /// `end_header`: the name of a response header, an HTTP token, that ends the session when a response
    /// carries it; nil, the default, for none.
    public var endHeader: String?

    /// `store`: where sessions are kept. Default ``SessionStoreConf/local``.
    public var store: SessionStoreConf

    /// The session settings a conf gets for everything it leaves out, the secret in `secretFile`; pass values
    /// to override them.
    public init(
        cookie: String? = nil,
        affinityCookie: String = "relevo",
        secretFile: String,
        secretFileLocation: SourceLocation? = nil,
        idleTimeout: Int64 = 1_800_000,
        absoluteTimeout: Int64? = nil,
        endHeader: String? = nil,
        store: SessionStoreConf = .local
    ) {
        self.cookie = cookie
        self.affinityCookie = affinityCookie
        self.secretFile = secretFile
        self.secretFileLocation = secretFileLocation
        self.idleTimeout = idleTimeout
        self.absoluteTimeout = absoluteTimeout
        self.endHeader = endHeader
        self.store = store
    }

    /// The settings of a conf without a `session` block: every default, the secret `affinity.secret` in
    /// `stateDirectory` (an absolute path).
    public static func defaults(stateDirectory: String) -> SessionConf {
        SessionConf(secretFile: ConfFileSystem.joining(stateDirectory, "affinity.secret"))
    }
}
