/// Counters of one version as the workers see them, summed over workers by ``Proxy/collectStats(timeout:)``.
public struct VersionStats: Sendable, Equatable {
    /// Exchanges routed to the version and not yet finished, tunnels included.
    public var inflight = 0

    /// Open tunnels (WebSocket and other upgrades).
    public var tunnels = 0

    /// Finished exchanges by status code.
    public var requests: [Int: UInt64] = [:]

    /// Finished exchanges by duration: cumulative counts for ``ProxyStats/durationBuckets``, then all.
    public var durationCounts: [UInt64] = Array(repeating: 0, count: ProxyStats.durationBuckets.count + 1)

    /// Sum of the finished exchanges' durations, in seconds.
    public var durationSum: Double = 0

    /// Exchanges in flight per backend name.
    public var backendInflight: [String: Int] = [:]

    /// Whether each backend is up (not skipped after failed connects), by name.
    public var backendUp: [String: Bool] = [:]

    /// Creates empty counters.
    public init() {}

    /// Adds another worker's counters.
    public mutating func add(_ other: VersionStats) {
        inflight += other.inflight
        tunnels += other.tunnels
        requests.merge(other.requests, uniquingKeysWith: +)
        for index in durationCounts.indices {
            durationCounts[index] += other.durationCounts[index]
        }
        durationSum += other.durationSum
        backendInflight.merge(other.backendInflight, uniquingKeysWith: +)
        backendUp.merge(other.backendUp) { $0 && $1 }
    }
}

/// The proxy's counters at one moment, summed over its workers.
public struct ProxyStats: Sendable, Equatable {
    /// Upper bounds of the request duration histogram, in seconds.
    public static let durationBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    /// Counters per version name.
    public var versions: [String: VersionStats] = [:]

    /// Upstream failures by backend name and kind (`connect`, `timeout`, `closed`, …).
    public var upstreamErrors: [String: [String: UInt64]] = [:]

    /// Downstream connections open.
    public var connections = 0

    /// Creates empty counters.
    public init() {}

    /// Adds another worker's counters.
    public mutating func add(_ other: ProxyStats) {
        for (name, stats) in other.versions {
            versions[name, default: VersionStats()].add(stats)
        }
        for (backend, kinds) in other.upstreamErrors {
            upstreamErrors[backend, default: [:]].merge(kinds, uniquingKeysWith: +)
        }
        connections += other.connections
    }
}
