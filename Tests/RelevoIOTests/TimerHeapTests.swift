import Testing

@testable import RelevoIO

/// Pops every entry due at `now`, in order.
private func popAll(_ heap: inout TimerHeap, now: Int64 = .max) -> [TimerEntry] {
    var popped: [TimerEntry] = []
    while let entry = heap.popDue(now: now) {
        popped.append(entry)
    }
    return popped
}

@Suite("TimerHeap yields timers earliest deadline first")
struct TimerHeapTests {
    @Test func anEmptyHeapHasNoDeadlineAndNothingDue() {
        var heap = TimerHeap()

        #expect(heap.isEmpty)
        #expect(heap.nextDeadline == nil)
        #expect(heap.popDue(now: .max) == nil)
    }

    @Test func theNextDeadlineIsTheEarliestPushed() {
        var heap = TimerHeap()

        heap.push(TimerEntry(deadline: 50, token: 1))
        #expect(heap.nextDeadline == 50)
        heap.push(TimerEntry(deadline: 70, token: 2))
        #expect(heap.nextDeadline == 50)
        heap.push(TimerEntry(deadline: 10, token: 3))
        #expect(heap.nextDeadline == 10)
        #expect(!heap.isEmpty)
    }

    @Test func anEntryIsDueWhenNowReachesItsDeadline() {
        var heap = TimerHeap()
        heap.push(TimerEntry(deadline: 100, token: 7))

        #expect(heap.popDue(now: 99) == nil)
        #expect(heap.nextDeadline == 100)
        #expect(heap.popDue(now: 100)?.token == 7)
        #expect(heap.isEmpty)
    }

    @Test func popDueStopsAtTheFirstEntryNotYetDue() {
        var heap = TimerHeap()
        for deadline: Int64 in [30, 10, 40, 20] {
            heap.push(TimerEntry(deadline: deadline, token: UInt64(deadline)))
        }

        let due = popAll(&heap, now: 25)

        #expect(due.map(\.deadline) == [10, 20])
        #expect(heap.nextDeadline == 30)
        #expect(heap.entries.count == 2)
    }

    @Test func manyEntriesInScrambledOrderComeOutSorted() {
        var heap = TimerHeap()
        // 37 and 1,009 are coprime, so this visits every deadline in 0..<1,009 once, scrambled.
        let deadlines = (0..<1_009).map { Int64($0 * 37 % 1_009) }
        for deadline in deadlines {
            heap.push(TimerEntry(deadline: deadline, token: UInt64(deadline)))
        }

        let popped = popAll(&heap)

        #expect(popped.map(\.deadline) == Array(0..<1_009))
        #expect(popped.allSatisfy { $0.token == UInt64($0.deadline) })
        #expect(heap.isEmpty)
    }

    @Test func duplicateAndNegativeDeadlinesAreAllKept() {
        var heap = TimerHeap()
        for deadline: Int64 in [5, -3, 5, 0, -3, 5] {
            heap.push(TimerEntry(deadline: deadline, token: 0))
        }

        #expect(popAll(&heap).map(\.deadline) == [-3, -3, 0, 5, 5, 5])
    }

    @Test func entriesPushedBetweenPopsKeepTheOrder() {
        var heap = TimerHeap()
        heap.push(TimerEntry(deadline: 10, token: 1))
        heap.push(TimerEntry(deadline: 30, token: 3))
        #expect(heap.popDue(now: 10)?.token == 1)

        heap.push(TimerEntry(deadline: 20, token: 2))
        heap.push(TimerEntry(deadline: 40, token: 4))

        #expect(popAll(&heap).map(\.token) == [2, 3, 4])
    }

    /// Three entries with one deadline pop as 1, 3, 2: after the root is popped the last entry moves
    /// to the root and, being no later than its child, stays there. ``EventLoop/schedule(after:_:)``
    /// gives tasks scheduled in one iteration with the same delay the same deadline, so they run out
    /// of the order they were scheduled in.
    @Test(.bug(id: "relevo-io-2", "entries with equal deadlines do not pop in the order pushed"))
    func entriesWithEqualDeadlinesPopInTheOrderPushed() {
        var heap = TimerHeap()
        for token: UInt64 in 1...3 {
            heap.push(TimerEntry(deadline: 10, token: token))
        }

        let tokens = popAll(&heap).map(\.token)

        #expect(tokens == [1, 2, 3])
    }
}
