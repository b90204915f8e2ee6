/// One `backend` directive: an upstream server of a version.
public struct BackendConf: Sendable, Equatable {
    /// A numeric IPv4 address, an IPv6 address without its brackets (`::1`), or a DNS name, as written.
    public var host: String

    /// The port, 1 to 65535.
    public var port: UInt16

    /// Where the `backend` directive is.
    public var location: SourceLocation

    /// The address as written in the conf, e.g. `127.0.0.1:9001` or `[::1]:9001`; for logs and the admin API.
    public var text: String

    /// A backend at `host` and `port`, written as `text` at `location`.
    public init(host: String, port: UInt16, location: SourceLocation, text: String) {
        self.host = host
        self.port = port
        self.location = location
        self.text = text
    }
}
