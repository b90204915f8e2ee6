import RelevoIO

/// The `admin` directive: the address of the admin API and, optionally, the token it asks for.
public struct AdminConf: Sendable, Equatable, CustomStringConvertible {
    /// The address the admin API listens on; a loopback address unless ``token`` is set, and never a listen
    /// address. Port 0 asks the kernel for a free port.
    public var address: SocketAddress

    /// `token_file`: the absolute path of the file the token was read from; nil when there is none.
    public var tokenFile: String?

    /// The Bearer token every request but `GET /healthz` must carry, read from ``tokenFile`` when the conf was
    /// loaded: printable ASCII without spaces, its trailing newline trimmed. Nil without a `token_file`.
    public var token: String?

    /// Where the `admin` directive is.
    public var location: SourceLocation

    /// An admin API on `address`, declared at `location`, guarded by `token` read from `tokenFile` if given.
    public init(address: SocketAddress, tokenFile: String? = nil, token: String? = nil, location: SourceLocation) {
        self.address = address
        self.tokenFile = tokenFile
        self.token = token
        self.location = location
    }

    /// The admin API as the conf describes it, the token itself left out so that it never reaches a log.
    public var description: String {
        let guarded = tokenFile.map { ", token from \($0)" } ?? ""
        return "admin \(address)\(guarded) (\(location))"
    }
}
