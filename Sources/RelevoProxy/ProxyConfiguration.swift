import RelevoIO

/// Everything the proxy layer needs to run, already validated by the conf layer.
///
/// Durations are in milliseconds, sizes in bytes.
public struct ProxyConfiguration: Sendable {
    /// Addresses to accept downstream connections on.
    public var listeners: [ListenerPlan]

    /// Event loops to run, one thread each.
    public var workers: Int

    /// Where to write one line per exchange, or nil for no access log.
    public var accessLogPath: String?

    /// Time limits.
    public var timeouts: Timeouts

    /// Size and count limits.
    public var limits: Limits

    /// The versions in conf order; the last is the target version.
    public var versions: [VersionPlan]

    /// Creates a configuration.
    public init(
        listeners: [ListenerPlan], workers: Int, accessLogPath: String? = nil, timeouts: Timeouts = Timeouts(),
        limits: Limits = Limits(), versions: [VersionPlan]
    ) {
        self.listeners = listeners
        self.workers = workers
        self.accessLogPath = accessLogPath
        self.timeouts = timeouts
        self.limits = limits
        self.versions = versions
    }
}

/// One listener: an address and the scheme downstream clients use on it.
public struct ListenerPlan: Sendable {
    /// The address to bind; port 0 asks the kernel for one.
    public var address: SocketAddress

    /// Creates a plain HTTP listener.
    public init(address: SocketAddress) {
        self.address = address
    }
}

/// One version and its backends' resolved addresses.
public struct VersionPlan: Sendable {
    /// The version's name, e.g. `v42`.
    public var name: String

    /// Its backends, in conf order.
    public var backends: [BackendPlan]

    /// Creates a version.
    public init(name: String, backends: [BackendPlan]) {
        self.name = name
        self.backends = backends
    }
}

/// One backend: its address and how it is named in logs.
public struct BackendPlan: Sendable {
    /// The resolved address to connect to.
    public var address: SocketAddress

    /// The backend as the conf wrote it, for logs and metrics.
    public var name: String

    /// Creates a backend.
    public init(address: SocketAddress, name: String) {
        self.address = address
        self.name = name
    }
}

/// Time limits, in milliseconds.
public struct Timeouts: Sendable {
    /// Connecting to a backend.
    public var connect: Int64 = 2_000

    /// Receiving a whole request head, from its first byte (or from the connection's start).
    public var requestHeader: Int64 = 10_000

    /// Waiting between bytes from a backend, once the request is sent.
    public var upstreamRead: Int64 = 60_000

    /// An idle keep-alive downstream connection, or a client that stops reading or sending.
    public var clientIdle: Int64 = 75_000

    /// An idle pooled upstream connection.
    public var upstreamIdle: Int64 = 60_000

    /// Finishing in-flight exchanges at shutdown.
    public var shutdown: Int64 = 30_000

    /// Creates the defaults.
    public init() {}
}

/// Size and count limits.
public struct Limits: Sendable {
    /// Largest request head accepted; past it the answer is 431.
    public var requestHeaderSize: Int = 32 * 1024

    /// Idle keep-alive connections kept per backend per worker.
    public var upstreamIdleConnections: Int = 32

    /// Creates the defaults.
    public init() {}
}
