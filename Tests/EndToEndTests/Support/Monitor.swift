import Foundation

/// A value guarded by a lock and a condition variable: threads change it and others wait, bounded, until it
/// satisfies a condition.
///
/// Thread-safe. Every change wakes every waiter.
final class Monitor<State>: @unchecked Sendable {
    private let condition = NSCondition()
    private var state: State

    /// Creates a monitor holding `initial`.
    init(_ initial: State) {
        state = initial
    }

    /// Reads or changes the state under the lock, then wakes the waiters.
    @discardableResult
    func withLock<Result>(_ body: (inout State) throws -> Result) rethrows -> Result {
        condition.lock()
        defer {
            condition.broadcast()
            condition.unlock()
        }
        return try body(&state)
    }

    /// A copy of the state.
    var value: State {
        withLock { $0 }
    }

    /// Waits until `isSatisfied` holds, at most `timeout`; returns whether it held.
    @discardableResult
    func wait(timeout: Duration, until isSatisfied: (State) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout.seconds)
        condition.lock()
        defer { condition.unlock() }
        while !isSatisfied(state) {
            if !condition.wait(until: deadline) {
                return isSatisfied(state)
            }
        }
        return true
    }
}

/// A one-way gate that threads wait on, bounded, until a test opens it.
///
/// Thread-safe. Opening twice is harmless.
final class Latch: Sendable {
    private let isOpen = Monitor(false)

    /// Creates a closed latch.
    init() {}

    /// Opens the latch and releases every waiter.
    func open() {
        isOpen.withLock { $0 = true }
    }

    /// Waits until the latch is open, at most `timeout`; returns whether it opened.
    @discardableResult
    func wait(timeout: Duration) -> Bool {
        isOpen.wait(timeout: timeout) { $0 }
    }
}

extension Duration {
    /// The duration in seconds, as a `Double`.
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

/// Polls `condition` every 20 ms until it holds or `timeout` runs out; returns whether it held.
///
/// For conditions no one can signal (another process's state, a port being closed).
func poll(timeout: Duration, _ condition: () throws -> Bool) rethrows -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if try condition() {
            return true
        }
        Thread.sleep(forTimeInterval: 0.02)
    }
    return try condition()
}
