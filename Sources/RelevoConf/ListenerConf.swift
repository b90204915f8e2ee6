import RelevoIO

/// One `listen` directive: an address relevo accepts downstream connections on.
public struct ListenerConf: Sendable, Equatable {
    /// The address to bind; `*:PORT` becomes `0.0.0.0:PORT`. Port 0 asks the kernel for a free port.
    public var address: SocketAddress

    /// Where the `listen` directive is.
    public var location: SourceLocation

    /// A listener on `address`, declared at `location`.
    public init(address: SocketAddress, location: SourceLocation) {
        self.address = address
        self.location = location
    }
}
