import RelevoIO
import Testing

@testable import RelevoProxy

@Suite("A version picks the backend for a new exchange")
struct BackendSelectionTests {
    private func version(_ count: Int) -> VersionUpstreams {
        let backends = (0..<count).map { index in
            BackendPlan(address: SocketAddress("127.0.0.1:\(9001 + index)")!, name: "127.0.0.1:\(9001 + index)")
        }
        return VersionUpstreams(plan: VersionPlan(name: "v1", backends: backends))
    }

    @Test func theBackendWithTheFewestOutstandingExchangesIsPicked() {
        let version = version(3)
        version.backends[0].outstanding = 2
        version.backends[1].outstanding = 1
        version.backends[2].outstanding = 3

        #expect(version.pickBackend(now: 0) === version.backends[1])
    }

    @Test func aTieGoesToTheFirstBackendInConfOrder() {
        let version = version(3)

        #expect(version.pickBackend(now: 0) === version.backends[0])
    }

    @Test func aPinnedBackendThatIsUpIsPickedWhateverItsLoad() {
        let version = version(2)
        version.backends[1].outstanding = 10

        #expect(version.pickBackend(now: 0, preferred: 1) === version.backends[1])
    }

    @Test func aPinnedBackendThatIsDownGivesWayToAnotherOfTheSameVersion() {
        let version = version(2)
        version.backends[1].markDown(now: 100, reason: "test")

        #expect(version.pickBackend(now: 200, preferred: 1) === version.backends[0])
    }

    @Test func aBackendMarkedDownIsSkippedUntilItsIntervalPasses() {
        let version = version(2)
        version.backends[0].markDown(now: 1_000, reason: "test")

        #expect(version.pickBackend(now: 1_500) === version.backends[1])
        #expect(version.pickBackend(now: 1_000 + Backend.downInterval) === version.backends[0])
    }

    @Test func whenEveryBackendIsDownTheOneDownLongestAgoIsTried() {
        let version = version(2)
        version.backends[0].markDown(now: 2_000, reason: "test")
        version.backends[1].markDown(now: 1_000, reason: "test")

        #expect(version.pickBackend(now: 2_100) === version.backends[1])
    }

    @Test func aBackendThatJustFailedIsNotPickedAgainWhenAnotherExists() {
        let version = version(2)

        #expect(version.pickBackend(now: 0, excluding: version.backends[0]) === version.backends[1])
    }

    @Test func anUpdateKeepsTheBackendsThatStayAndTheirCounts() {
        let version = version(2)
        let kept = version.backends[1]
        kept.outstanding = 4
        let plan = VersionPlan(
            name: "v1",
            backends: [
                BackendPlan(address: SocketAddress("127.0.0.1:9002")!, name: "127.0.0.1:9002"),
                BackendPlan(address: SocketAddress("127.0.0.1:9009")!, name: "127.0.0.1:9009"),
            ])

        version.update(plan)

        #expect(version.backends.count == 2)
        #expect(version.backends[0] === kept)
        #expect(version.backends[0].outstanding == 4)
        #expect(version.backends[1].name == "127.0.0.1:9009")
    }
}
