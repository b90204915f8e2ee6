import Testing

@testable import RelevoIO

@Suite("BufferPool keeps what the loop recently needed")
struct BufferPoolTrimTests {
    @Test func chunksFreedAfterABurstStayUntilTheNextTrimAndThenGoBackToTheMinimum() {
        let pool = BufferPool(chunkSize: 4_096, minimumFreeChunks: 2, maximumFreeChunks: 100)
        let burst = (0..<10).map { _ in pool.take() }
        for chunk in burst {
            pool.give(chunk)
        }
        #expect(pool.freeCount == 10)

        pool.trim()
        #expect(pool.freeCount == 10, "the burst's peak is still the recent need")

        pool.trim()
        #expect(pool.freeCount == 2, "a quiet interval leaves only the minimum")
    }

    @Test func underSteadyLoadChunksAreReusedNotUnmapped() {
        let pool = BufferPool(chunkSize: 4_096, minimumFreeChunks: 0, maximumFreeChunks: 100)
        for _ in 0..<3 {
            let held = (0..<8).map { _ in pool.take() }
            for chunk in held {
                pool.give(chunk)
            }
            pool.trim()
            #expect(pool.freeCount == 8)
        }
    }
}
