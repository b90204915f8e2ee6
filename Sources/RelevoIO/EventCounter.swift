import CRelevoSystem
import Glibc

/// A blocking eventfd: one thread waits, any thread signals. For threads that are not event loops.
public final class EventCounter: Sendable {
    private let descriptor: Int32

    /// Creates the counter; traps if the kernel refuses an eventfd, as nothing can run without one.
    public init() {
        descriptor = eventfd(0, Int32(EFD_CLOEXEC))
        precondition(descriptor >= 0, "eventfd failed: errno \(errno)")
    }

    deinit {
        Glibc.close(descriptor)
    }

    /// Wakes the waiting thread, or the next one to wait. Callable from any thread.
    public func signal() {
        var one: UInt64 = 1
        _ = Glibc.write(descriptor, &one, 8)
    }

    /// Blocks until signalled or until `milliseconds` pass; returns whether it was signalled.
    public func wait(milliseconds: Int) -> Bool {
        var request = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let deadline = MonotonicClock.coarseMilliseconds() + Int64(milliseconds)
        while true {
            let remaining = Int32(clamping: max(0, deadline - MonotonicClock.coarseMilliseconds()))
            let ready = poll(&request, 1, remaining)
            if ready > 0 {
                wait()
                return true
            }
            if ready == 0 || (ready < 0 && errno != EINTR) {
                return false
            }
        }
    }

    /// Blocks until signalled at least once since the last wait.
    public func wait() {
        var counter: UInt64 = 0
        while Glibc.read(descriptor, &counter, 8) < 0 && errno == EINTR {}
    }
}
