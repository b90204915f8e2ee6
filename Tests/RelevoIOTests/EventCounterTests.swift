import RelevoIO
import Testing

@Suite("EventCounter lets one thread wait for signals from others")
struct EventCounterTests {
    @Test func aSignalSentBeforeWaitLetsWaitReturnAtOnce() {
        let counter = EventCounter()
        counter.signal()

        let waiter = TestThread { counter.wait() }

        #expect(waiter.join())
    }

    @Test func waitBlocksUntilAnotherThreadSignals() {
        let counter = EventCounter()
        let woke = Flag()
        let waiter = TestThread {
            counter.wait()
            woke.raise()
        }

        pause(milliseconds: 50)
        #expect(!woke.isRaised)
        counter.signal()

        #expect(waiter.join())
        #expect(woke.isRaised)
    }

    @Test func signalsBeforeOneWaitAreAllConsumedByIt() {
        let counter = EventCounter()
        let waits = Recorder<Int>()
        counter.signal()
        counter.signal()
        let waiter = TestThread {
            counter.wait()
            waits.append(1)
            counter.wait()
            waits.append(2)
        }

        #expect(eventually { waits.count == 1 })
        pause(milliseconds: 50)
        #expect(waits.count == 1)
        counter.signal()

        #expect(waiter.join())
        #expect(waits.all == [1, 2])
    }
}
