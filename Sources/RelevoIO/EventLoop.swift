import CRelevoSystem
import Glibc
import Synchronization

/// Something registered with an ``EventLoop``: a socket's handler.
///
/// Called only on the loop's thread.
public protocol EventHandler: AnyObject {
    /// The descriptor became readable, writable, or reported hang-up or an error.
    ///
    /// Registration is edge-triggered: the handler keeps its own note of readiness and reads or
    /// writes until the kernel says it would block.
    func handleEvents(_ events: IOEvents)

    /// A timer armed with ``EventLoop/armTimer(for:at:)`` is due. The handler checks its own
    /// deadline, which may have moved later, and re-arms if so.
    func handleTimer(now: Int64)
}

/// The readiness bits of one epoll event.
public struct IOEvents: OptionSet, Sendable {
    public let rawValue: UInt32

    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// Bytes can be read, or a connection accepted.
    public static let readable = IOEvents(rawValue: EPOLLIN.rawValue)

    /// Bytes can be written, or a non-blocking connect finished.
    public static let writable = IOEvents(rawValue: EPOLLOUT.rawValue)

    /// The peer shut down its write side.
    public static let peerClosed = IOEvents(rawValue: EPOLLRDHUP.rawValue)

    /// Hang-up: both directions are closed.
    public static let hangUp = IOEvents(rawValue: EPOLLHUP.rawValue)

    /// An error is pending on the socket.
    public static let error = IOEvents(rawValue: EPOLLERR.rawValue)
}

/// A handler's place in its loop: the descriptor and a generation that tells a reused descriptor
/// number from the one it replaced.
public struct Registration: Equatable, Sendable {
    /// The registered descriptor.
    public let descriptor: Int32

    let generation: UInt32

    /// The descriptor in the low 32 bits, the generation's low 31 bits above it; the top bit is
    /// left clear, as it marks scheduled tasks in the timer heap.
    var token: UInt64 {
        UInt64(UInt32(bitPattern: descriptor)) | UInt64(generation & 0x7FFF_FFFF) << 32
    }
}

/// One epoll event loop, run by one thread.
///
/// Handlers are found by descriptor in a table, so an event costs an array index, and a stale
/// event for a closed and reused descriptor is told apart by its generation. Timers live in a
/// min-heap. Other threads hand work in with ``execute(_:)``, which wakes the loop through an
/// eventfd. Everything but ``execute(_:)`` and ``stop()`` must be called on the loop's thread.
public final class EventLoop: @unchecked Sendable {
    private let epoll: Int32
    private let wakeup: Int32
    private var handlers: [EventHandler?] = []
    private var generations: [UInt32] = []
    private var timers = TimerHeap()
    private var scheduledTasks: [UInt64: () -> Void] = [:]
    private var nextTaskID: UInt64 = 1
    private var soon: [UInt64] = []
    private var soonRunning: [UInt64] = []
    private let pendingTasks = Mutex<[@Sendable () -> Void]>([])
    private let stopRequested = Atomic<Bool>(false)
    private let events: UnsafeMutablePointer<epoll_event>
    private let eventCapacity = 256

    /// The loop's buffer memory.
    public let bufferPool = BufferPool()

    /// When the buffer pool was last trimmed.
    private var lastTrim: Int64 = 0

    /// ``MonotonicClock/coarseMilliseconds()`` as of the last wake-up; cheap to read on the loop.
    public private(set) var now: Int64

    /// Creates a loop with its epoll and eventfd descriptors.
    public init() throws(IOError) {
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        if epoll < 0 {
            throw IOError(errnoCode: errno, call: "epoll_create1")
        }
        wakeup = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        if wakeup < 0 {
            let code = errno
            Glibc.close(epoll)
            throw IOError(errnoCode: code, call: "eventfd")
        }
        events = .allocate(capacity: eventCapacity)
        now = MonotonicClock.coarseMilliseconds()
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.u64 = UInt64.max
        if epoll_ctl(epoll, EPOLL_CTL_ADD, wakeup, &event) != 0 {
            throw IOError(errnoCode: errno, call: "epoll_ctl")
        }
    }

    deinit {
        events.deallocate()
        Glibc.close(wakeup)
        Glibc.close(epoll)
    }

    // MARK: Registration

    /// Registers `descriptor` for edge-triggered readable, writable and hang-up events.
    ///
    /// The registration lasts until ``forget(_:)``; closing the descriptor after that removes it
    /// from epoll without another system call.
    public func register(_ descriptor: Int32, handler: EventHandler) throws(IOError) -> Registration {
        let index = Int(descriptor)
        if index >= handlers.count {
            let newCount = max(index + 1, handlers.count * 2, 64)
            handlers.append(contentsOf: repeatElement(nil, count: newCount - handlers.count))
            generations.append(contentsOf: repeatElement(0, count: newCount - generations.count))
        }
        let registration = Registration(descriptor: descriptor, generation: generations[index])
        var event = epoll_event()
        event.events = EPOLLIN.rawValue | EPOLLOUT.rawValue | EPOLLRDHUP.rawValue | EPOLLET.rawValue
        event.data.u64 = registration.token
        if epoll_ctl(epoll, EPOLL_CTL_ADD, descriptor, &event) != 0 {
            throw IOError(errnoCode: errno, call: "epoll_ctl")
        }
        handlers[index] = handler
        return registration
    }

    /// Drops a registration; events and timers still queued for it are discarded.
    /// Close the descriptor afterwards.
    public func forget(_ registration: Registration) {
        let index = Int(registration.descriptor)
        guard index < handlers.count, generations[index] == registration.generation else { return }
        handlers[index] = nil
        generations[index] = (generations[index] &+ 1) & 0x7FFF_FFFF
    }

    // MARK: Timers and tasks

    /// Arms a timer that calls the handler's ``EventHandler/handleTimer(now:)`` at or after `deadline`.
    public func armTimer(for registration: Registration, at deadline: Int64) {
        timers.push(TimerEntry(deadline: deadline, token: registration.token))
    }

    /// Calls the handler's ``EventHandler/handleEvents(_:)`` with no events at the start of the next
    /// iteration, so a handler that stopped early to be fair to others can resume where it left off.
    public func callSoon(_ registration: Registration) {
        soon.append(registration.token)
    }

    /// Runs `task` on this loop after `milliseconds`. Call on the loop's thread.
    public func schedule(after milliseconds: Int64, _ task: @escaping () -> Void) {
        let id = nextTaskID
        nextTaskID += 1
        scheduledTasks[id] = task
        timers.push(TimerEntry(deadline: now + milliseconds, token: id | 1 << 63))
    }

    /// Runs `task` on this loop soon. Callable from any thread.
    public func execute(_ task: @escaping @Sendable () -> Void) {
        pendingTasks.withLock { $0.append(task) }
        var one: UInt64 = 1
        _ = Glibc.write(wakeup, &one, 8)
    }

    /// Asks ``run()`` to return after the current iteration. Callable from any thread.
    public func stop() {
        stopRequested.store(true, ordering: .releasing)
        execute {}
    }

    // MARK: Running

    /// Runs the loop on the calling thread until ``stop()``.
    public func run() {
        while !stopRequested.load(ordering: .acquiring) {
            runOnce()
        }
    }

    private func runOnce() {
        let timeout: Int32
        if !soon.isEmpty {
            timeout = 0
        } else if let deadline = timers.nextDeadline {
            timeout = Int32(clamping: max(0, deadline - MonotonicClock.coarseMilliseconds() + 1))
        } else {
            timeout = -1
        }
        let count = epoll_wait(epoll, events, Int32(eventCapacity), timeout)
        now = MonotonicClock.coarseMilliseconds()
        if count > 0 {
            dispatchEvents(count: Int(count))
        }
        if now - lastTrim >= BufferPool.trimInterval {
            lastTrim = now
            bufferPool.trim()
        }
        runSoon()
        fireTimers()
    }

    private func dispatchEvents(count: Int) {
        for index in 0..<count {
            let event = events[index]
            let token = event.data.u64
            if token == UInt64.max {
                runPendingTasks()
                continue
            }
            handler(for: token)?.handleEvents(IOEvents(rawValue: event.events))
        }
    }

    private func runSoon() {
        guard !soon.isEmpty else { return }
        swap(&soon, &soonRunning)
        for token in soonRunning {
            handler(for: token)?.handleEvents([])
        }
        soonRunning.removeAll(keepingCapacity: true)
    }

    @inline(__always)
    private func handler(for token: UInt64) -> EventHandler? {
        let descriptor = Int(UInt32(truncatingIfNeeded: token))
        guard descriptor < handlers.count, generations[descriptor] == UInt32(truncatingIfNeeded: token >> 32) else {
            return nil
        }
        return handlers[descriptor]
    }

    /// Timers fired per iteration at most, so tasks that keep scheduling themselves at once cannot
    /// keep the loop from polling.
    private static let timersPerIteration = 4096

    private func fireTimers() {
        var fired = 0
        while fired < EventLoop.timersPerIteration, let entry = timers.popDue(now: now) {
            fired += 1
            if entry.token & 1 << 63 != 0 {
                scheduledTasks.removeValue(forKey: entry.token & ~(1 << 63))?()
                continue
            }
            handler(for: entry.token)?.handleTimer(now: now)
        }
    }

    private func runPendingTasks() {
        var counter: UInt64 = 0
        _ = Glibc.read(wakeup, &counter, 8)
        let tasks = pendingTasks.withLock { tasks in
            let taken = tasks
            tasks.removeAll()
            return taken
        }
        for task in tasks {
            task()
        }
    }
}
