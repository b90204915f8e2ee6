/// relevo's counters and request-duration histogram at one moment, for `GET /metrics`.
///
/// The gauges (sessions, in flight, version state, backend up) are not here: the admin API reads
/// them from ``ReleaseStatus``. A snapshot is a plain value: each worker can fill its own without
/// a lock and the collector sums them with ``merge(_:)``. Counters only grow while relevo runs.
public struct MetricsSnapshot: Sendable, Equatable {
    /// Exchanges answered, by version and status code.
    public var requestsTotal: [RequestKey: UInt64]

    /// How long exchanges took, from routing to the last byte of the response.
    public var requestDuration: DurationHistogram

    /// Upstream failures, by backend and kind (a short token such as `connect` or `timeout`).
    public var upstreamErrorsTotal: [UpstreamErrorKey: UInt64]

    /// `on_drained` hook runs that ended, by version, hook and outcome (`delivered` or `failed`).
    public var drainedHooksTotal: [HookOutcomeKey: UInt64]

    /// Creates a snapshot; each part left out starts empty.
    public init(
        requestsTotal: [RequestKey: UInt64] = [:], requestDuration: DurationHistogram = DurationHistogram(),
        upstreamErrorsTotal: [UpstreamErrorKey: UInt64] = [:], drainedHooksTotal: [HookOutcomeKey: UInt64] = [:]
    ) {
        self.requestsTotal = requestsTotal
        self.requestDuration = requestDuration
        self.upstreamErrorsTotal = upstreamErrorsTotal
        self.drainedHooksTotal = drainedHooksTotal
    }

    /// Adds every counter and bucket of `other` to this snapshot's.
    public mutating func merge(_ other: MetricsSnapshot) {
        requestsTotal.merge(other.requestsTotal, uniquingKeysWith: &+)
        requestDuration.merge(other.requestDuration)
        upstreamErrorsTotal.merge(other.upstreamErrorsTotal, uniquingKeysWith: &+)
        drainedHooksTotal.merge(other.drainedHooksTotal, uniquingKeysWith: &+)
    }
}

/// The labels of `relevo_requests_total`: a version and a status code.
public struct RequestKey: Sendable, Hashable {
    /// The version whose backend answered, as the conf names it.
    public var version: String

    /// The status code sent downstream.
    public var code: Int

    /// Creates a key.
    public init(version: String, code: Int) {
        self.version = version
        self.code = code
    }
}

/// The labels of `relevo_upstream_errors_total`: a backend and the kind of failure.
public struct UpstreamErrorKey: Sendable, Hashable {
    /// The backend as the conf names it, e.g. `127.0.0.1:9002`.
    public var backend: String

    /// What failed, as a short token.
    public var kind: String

    /// Creates a key.
    public init(backend: String, kind: String) {
        self.backend = backend
        self.kind = kind
    }
}

/// The labels of `relevo_drained_hooks_total`: a version, a hook and its outcome.
public struct HookOutcomeKey: Sendable, Hashable {
    /// The drained version.
    public var version: String

    /// The hook: `exec` or `webhook`.
    public var hook: String

    /// How the run ended.
    public var outcome: String

    /// Creates a key.
    public init(version: String, hook: String, outcome: String) {
        self.version = version
        self.hook = hook
        self.outcome = outcome
    }
}

/// Exchange durations in fixed buckets: 5 ms, 10 ms, 25 ms, 50 ms, 100 ms, 250 ms, 500 ms, 1 s,
/// 2.5 s, 5 s, 10 s and above.
///
/// Holds one count per bucket (not cumulative), so recording costs one increment; Prometheus's
/// cumulative counts are ``cumulativeCounts``. Times are integer nanoseconds: no rounding, and the
/// hot path never touches floating point.
public struct DurationHistogram: Sendable, Equatable {
    /// The buckets' inclusive upper bounds, in nanoseconds; a last bucket (`+Inf`) holds the rest.
    public static let upperBounds: [UInt64] = [
        5_000_000, 10_000_000, 25_000_000, 50_000_000, 100_000_000, 250_000_000, 500_000_000,
        1_000_000_000, 2_500_000_000, 5_000_000_000, 10_000_000_000,
    ]

    /// Durations per bucket: `counts[i]` are those in (`upperBounds[i-1]`, `upperBounds[i]`]; the
    /// last element, those above 10 s. Always `upperBounds.count + 1` elements.
    public private(set) var counts: [UInt64]

    /// The sum of every duration recorded, in nanoseconds.
    public private(set) var sumNanoseconds: UInt64

    /// Creates an empty histogram.
    public init() {
        counts = [UInt64](repeating: 0, count: Self.upperBounds.count + 1)
        sumNanoseconds = 0
    }

    /// A histogram with these per-bucket counts (``upperBounds``.count + 1 of them) and sum.
    public init(counts: [UInt64], sumNanoseconds: UInt64) {
        precondition(counts.count == Self.upperBounds.count + 1, "a duration histogram needs one count per bucket")
        self.counts = counts
        self.sumNanoseconds = sumNanoseconds
    }

    /// How many durations were recorded.
    public var count: UInt64 {
        counts.reduce(0, &+)
    }

    /// For each upper bound and then `+Inf`, the durations at or below it.
    public var cumulativeCounts: [UInt64] {
        var running: UInt64 = 0
        return counts.map { count in
            running &+= count
            return running
        }
    }

    /// Records one duration.
    public mutating func record(nanoseconds: UInt64) {
        var bucket = 0
        while bucket < Self.upperBounds.count && nanoseconds > Self.upperBounds[bucket] {
            bucket += 1
        }
        counts[bucket] &+= 1
        sumNanoseconds &+= nanoseconds
    }

    /// Adds `other`'s counts and sum to this histogram's.
    public mutating func merge(_ other: DurationHistogram) {
        for bucket in counts.indices {
            counts[bucket] &+= other.counts[bucket]
        }
        sumNanoseconds &+= other.sumNanoseconds
    }
}
