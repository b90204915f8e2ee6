import Glibc
import RelevoIO
import Testing

/// Runs `body` on a thread of its own, so the signal mask it changes is that thread's alone.
private func onOwnThread<Value: Sendable>(_ body: @escaping @Sendable () -> Value) -> Value? {
    let result = Recorder<Value>()
    let thread = TestThread { result.append(body()) }
    guard thread.join() else { return nil }
    return result.all.first
}

@Suite("Signals blocks signals and waits for them synchronously")
struct SignalsTests {
    @Test func aBlockedSignalRaisedInTheThreadIsReturnedByWait() {
        let received = onOwnThread { () -> Int32? in
            Signals.block([SIGUSR2])
            raise(SIGUSR2)
            return Signals.wait(for: [SIGUSR1, SIGUSR2], milliseconds: 1_000)
        }

        #expect(received == SIGUSR2)
    }

    @Test func waitReturnsNilWhenNoSignalComesInTime() {
        let outcome = onOwnThread { () -> (signal: Int32?, milliseconds: Int64) in
            Signals.block([SIGUSR2])
            let start = MonotonicClock.nanoseconds()
            let signal = Signals.wait(for: [SIGUSR2], milliseconds: 30)
            return (signal, (MonotonicClock.nanoseconds() - start) / 1_000_000)
        }

        #expect(outcome != nil)
        #expect(outcome?.signal == nil)
        #expect((outcome?.milliseconds ?? 0) >= 25)
    }

    @Test func aPendingSignalNotWaitedForStaysPending() {
        let received = onOwnThread { () -> [Int32?] in
            Signals.block([SIGUSR1, SIGUSR2])
            raise(SIGUSR1)
            let first = Signals.wait(for: [SIGUSR2], milliseconds: 10)
            let second = Signals.wait(for: [SIGUSR1], milliseconds: 1_000)
            return [first, second]
        }

        #expect(received == [nil, SIGUSR1])
    }
}
