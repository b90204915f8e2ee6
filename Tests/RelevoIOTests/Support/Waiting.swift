import Glibc
import RelevoIO
import Synchronization

/// How long a test waits for something another thread should do before calling it a failure.
let patience: Int64 = 5_000

/// Polls `condition` every millisecond until it holds or `milliseconds` pass; returns whether it held.
///
/// Keeps every wait in a test bounded, so a broken loop fails the test instead of hanging the run.
func eventually(within milliseconds: Int64 = patience, _ condition: () -> Bool) -> Bool {
    let deadline = MonotonicClock.nanoseconds() + milliseconds * 1_000_000
    while !condition() {
        if MonotonicClock.nanoseconds() > deadline {
            return false
        }
        usleep(1_000)
    }
    return true
}

/// Sleeps the calling thread, to give another thread the chance to do what it must not do.
func pause(milliseconds: Int64) {
    usleep(UInt32(milliseconds * 1_000))
}

/// Values appended on one thread and read on another.
final class Recorder<Value: Sendable>: Sendable {
    private let values = Mutex<[Value]>([])

    /// Appends `value`. Callable from any thread.
    func append(_ value: Value) {
        values.withLock { $0.append(value) }
    }

    /// Everything appended so far, in order.
    var all: [Value] {
        values.withLock { $0 }
    }

    /// How many values were appended.
    var count: Int {
        values.withLock { $0.count }
    }
}

/// A flag one thread raises and another reads.
final class Flag: Sendable {
    private let value = Atomic<Bool>(false)

    /// Raises the flag. Callable from any thread.
    func raise() {
        value.store(true, ordering: .releasing)
    }

    /// Whether the flag was raised.
    var isRaised: Bool {
        value.load(ordering: .acquiring)
    }
}

/// A thread started with ``OSThread`` whose end can be awaited with a time limit.
struct TestThread: Sendable {
    /// The running thread.
    let thread: pthread_t

    private let finished = Flag()

    /// Starts `body` on a new thread named `name`.
    init(name: String = "relevo-test", _ body: @escaping @Sendable () -> Void) {
        let finished = finished
        thread = OSThread.start(name: name) {
            body()
            finished.raise()
        }
    }

    /// Whether the body has returned.
    var isFinished: Bool {
        finished.isRaised
    }

    /// Joins the thread if its body returns within `milliseconds`; returns false, leaving the thread be, if not.
    @discardableResult
    func join(within milliseconds: Int64 = patience) -> Bool {
        guard eventually(within: milliseconds, { finished.isRaised }) else { return false }
        OSThread.join(thread)
        return true
    }
}
