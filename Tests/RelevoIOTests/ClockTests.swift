import Glibc
import RelevoIO
import Testing

@Suite("Clocks: monotonic for deadlines, wall for logs")
struct ClockTests {
    @Test func monotonicNanosecondsNeverGoBackwards() {
        var previous = MonotonicClock.nanoseconds()

        for _ in 0..<10_000 {
            let now = MonotonicClock.nanoseconds()
            #expect(now >= previous)
            previous = now
        }
    }

    @Test func coarseMillisecondsTrailThePreciseClockByLessThanATick() {
        let coarse = MonotonicClock.coarseMilliseconds()
        let precise = MonotonicClock.nanoseconds() / 1_000_000

        #expect(coarse <= precise)
        #expect(precise - coarse < 50)
    }

    @Test func coarseMillisecondsAdvanceWithTime() {
        let before = MonotonicClock.coarseMilliseconds()

        pause(milliseconds: 30)

        #expect(MonotonicClock.coarseMilliseconds() - before >= 20)
    }

    @Test func wallClockIsSecondsAndNanosecondsSinceTheEpoch() {
        let now = WallClock.now()

        #expect(now.tv_sec > 1_700_000_000)
        #expect((0..<1_000_000_000).contains(now.tv_nsec))
    }

    @Test func coarseWallMillisecondsAgreeWithThePreciseWallClock() {
        let coarse = WallClock.coarseMilliseconds()
        let precise = WallClock.now()
        let preciseMilliseconds = Int64(precise.tv_sec) * 1_000 + Int64(precise.tv_nsec) / 1_000_000

        #expect(coarse <= preciseMilliseconds)
        #expect(preciseMilliseconds - coarse < 50)
    }
}
