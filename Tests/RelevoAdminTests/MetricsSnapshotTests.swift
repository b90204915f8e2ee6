import RelevoRelease
import Testing

@Suite("MetricsSnapshot records durations in fixed buckets and merges workers' counters")
struct MetricsSnapshotTests {
    @Test func aDurationOnABoundGoesInThatBucket() {
        var histogram = DurationHistogram()
        histogram.record(nanoseconds: 5_000_000)
        histogram.record(nanoseconds: 5_000_001)
        histogram.record(nanoseconds: 10_000_000_001)

        #expect(histogram.counts == [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])
        #expect(histogram.cumulativeCounts == [1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3])
        #expect(histogram.count == 3)
        #expect(histogram.sumNanoseconds == 10_010_000_002)
    }

    @Test func mergingAddsEveryCounterAndBucket() {
        let key = RequestKey(version: "v42", code: 200)
        var first = MetricsSnapshot(requestsTotal: [key: 2])
        first.requestDuration.record(nanoseconds: 1_000)
        var second = MetricsSnapshot(
            requestsTotal: [key: 3, RequestKey(version: "v42", code: 404): 1],
            upstreamErrorsTotal: [UpstreamErrorKey(backend: "b", kind: "timeout"): 4])
        second.requestDuration.record(nanoseconds: 2_000_000_000)

        first.merge(second)

        #expect(first.requestsTotal == [key: 5, RequestKey(version: "v42", code: 404): 1])
        #expect(first.upstreamErrorsTotal == [UpstreamErrorKey(backend: "b", kind: "timeout"): 4])
        #expect(first.requestDuration.count == 2)
        #expect(first.requestDuration.sumNanoseconds == 2_000_001_000)
    }
}
