/// The `timeouts` block. Every value is in milliseconds and more than zero.
public struct TimeoutsConf: Sendable, Equatable {
    /// `connect`: how long dialling a backend may take. Default 2 s.
    public var connect: Int64

    /// `request_header`: how long a downstream client may take to send a request head. Default 10 s.
    public var requestHeader: Int64

    /// `upstream_read`: how long a backend may stay silent while a response is awaited. Default 60 s.
    public var upstreamRead: Int64

    /// `client_idle`: how long an idle downstream keep-alive connection is kept. Default 75 s.
    public var clientIdle: Int64

    /// `upstream_idle`: how long an idle pooled upstream connection is kept. Default 60 s.
    public var upstreamIdle: Int64

    /// `shutdown`: how long a stopping relevo lets what is in flight finish. Default 30 s.
    public var shutdown: Int64

    /// The timeouts a conf gets for everything it leaves out; pass values to override them.
    public init(
        connect: Int64 = 2_000,
        requestHeader: Int64 = 10_000,
        upstreamRead: Int64 = 60_000,
        clientIdle: Int64 = 75_000,
        upstreamIdle: Int64 = 60_000,
        shutdown: Int64 = 30_000
    ) {
        self.connect = connect
        self.requestHeader = requestHeader
        self.upstreamRead = upstreamRead
        self.clientIdle = clientIdle
        self.upstreamIdle = upstreamIdle
        self.shutdown = shutdown
    }
}
