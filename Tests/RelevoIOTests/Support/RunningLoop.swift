import Glibc
import RelevoIO

/// An ``EventLoop`` running on a thread of its own, for tests that need a live loop.
///
/// Everything the test does to the loop goes through ``perform(_:)``, so it happens on the loop's thread.
final class RunningLoop: Sendable {
    /// The loop under test.
    let loop: EventLoop

    /// The thread running ``EventLoop/run()``.
    let thread: TestThread

    /// Creates a loop and starts running it.
    init() throws(IOError) {
        let loop = try EventLoop()
        self.loop = loop
        thread = TestThread(name: "relevo-test-loop") { loop.run() }
    }

    /// Runs `body` on the loop's thread and returns what it returned, or rethrows what it threw.
    ///
    /// Throws ``TimedOut`` if the loop does not run `body` within ``patience``.
    func perform<Value: Sendable>(_ body: @escaping @Sendable (EventLoop) throws -> Value) throws -> Value {
        let outcome = Recorder<Result<Value, any Error>>()
        let loop = loop
        loop.execute { outcome.append(Result { try body(loop) }) }
        guard eventually({ outcome.count > 0 }) else { throw TimedOut(what: "a task on the loop") }
        return try outcome.all[0].get()
    }

    /// Stops the loop and joins its thread; returns false, leaving the thread be, if ``EventLoop/run()``
    /// did not return in time.
    @discardableResult
    func stop() -> Bool {
        loop.stop()
        return thread.join()
    }
}

/// An ``EventHandler`` that records every call and can act on it.
///
/// Its actions are set before it is registered and run on the loop's thread; its records are read on any thread.
final class RecordingHandler: EventHandler, @unchecked Sendable {
    /// The events of every ``handleEvents(_:)`` call, in order.
    let events = Recorder<IOEvents>()

    /// The `now` of every ``handleTimer(now:)`` call, in order.
    let timers = Recorder<Int64>()

    /// Runs after each ``handleEvents(_:)`` call is recorded, on the loop's thread.
    var onEvents: (IOEvents) -> Void = { _ in }

    /// Runs after each ``handleTimer(now:)`` call is recorded, on the loop's thread.
    var onTimer: (Int64) -> Void = { _ in }

    func handleEvents(_ events: IOEvents) {
        self.events.append(events)
        onEvents(events)
    }

    func handleTimer(now: Int64) {
        timers.append(now)
        onTimer(now)
    }

    /// How many recorded calls carried `event`.
    func count(of event: IOEvents) -> Int {
        events.all.filter { $0.contains(event) }.count
    }
}

/// State that handler actions share on the loop's thread.
final class LoopState<Value>: @unchecked Sendable {
    /// The shared value; touch it only on the loop's thread.
    var value: Value

    /// Creates the state holding `value`.
    init(_ value: Value) {
        self.value = value
    }
}
