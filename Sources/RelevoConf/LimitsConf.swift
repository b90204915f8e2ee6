/// The `limits` block.
public struct LimitsConf: Sendable, Equatable {
    /// `request_header`: the largest request head accepted, in bytes; past it the answer is 431.
    /// Default 32 KiB; 1 KiB to 1 MiB.
    public var requestHeaderSize: Int

    /// `upstream_idle_connections`: idle keep-alive connections kept per backend per worker.
    /// Default 32; 0 to 10,000 (0 closes every upstream connection after its exchange).
    public var upstreamIdleConnections: Int

    /// The limits a conf gets for everything it leaves out; pass values to override them.
    public init(requestHeaderSize: Int = 32 * 1024, upstreamIdleConnections: Int = 32) {
        self.requestHeaderSize = requestHeaderSize
        self.upstreamIdleConnections = upstreamIdleConnections
    }
}
