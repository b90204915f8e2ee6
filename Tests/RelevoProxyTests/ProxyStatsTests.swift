import Testing

@testable import RelevoProxy

@Suite("Counters")
struct ProxyStatsTests {
    @Test func aFinishedExchangeCountsItsStatusAndItsDurationBucket() {
        let version = VersionUpstreams(plan: VersionPlan(name: "v1", backends: []))
        version.inflight = 2

        version.exchangeEnded(status: 200, seconds: 0.003)
        version.exchangeEnded(status: 502, seconds: 0.2)

        let stats = version.stats(now: 0)
        #expect(stats.inflight == 0)
        #expect(stats.requests == [200: 1, 502: 1])
        #expect(stats.durationCounts.first == 1)
        #expect(stats.durationCounts[ProxyStats.durationBuckets.firstIndex(of: 0.25)!] == 2)
        #expect(stats.durationCounts.last == 2)
    }

    @Test func workersCountersAddUpPerVersion() {
        var first = ProxyStats()
        first.versions["v1"] = VersionStats()
        first.versions["v1"]!.inflight = 1
        first.versions["v1"]!.requests = [200: 3]
        first.upstreamErrors["b"] = ["connect": 1]
        var second = ProxyStats()
        second.versions["v1"] = VersionStats()
        second.versions["v1"]!.inflight = 2
        second.versions["v1"]!.requests = [200: 4, 404: 1]
        second.upstreamErrors["b"] = ["connect": 2, "timeout": 1]
        second.connections = 5

        first.add(second)

        #expect(first.versions["v1"]!.inflight == 3)
        #expect(first.versions["v1"]!.requests == [200: 7, 404: 1])
        #expect(first.upstreamErrors["b"] == ["connect": 3, "timeout": 1])
        #expect(first.connections == 5)
    }
}
