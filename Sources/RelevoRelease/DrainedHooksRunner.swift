import Glibc
import RelevoIO
import RelevoProxy
import Synchronization

/// Runs the `on_drained` hooks on a background thread of its own, never on an event loop.
///
/// ``deliver(_:hooks:)`` hands it an event and the conf's hooks; for each hook it runs the command
/// once (no retry) or POSTs to the webhook until a 2xx answer, backing off from 1 s to 60 s, for as
/// long as it takes. One attempt runs at a time; a webhook waiting for its retry holds nothing up.
///
/// Delivery is at least once across restarts: ``deliver(_:hooks:)`` calls `onQueued` before any
/// attempt, so the event can be journaled, and `onAcknowledged` once a hook of the event is done
/// with for good (delivered, failed command, or cancelled); after a restart, ``resume(_:hooks:acknowledged:)``
/// queues what was not acknowledged. The two closures run on the hook thread (or the caller's, for
/// `onQueued` and for cancellations) and must not call back into the runner.
///
/// Every method is callable from any thread. Call ``shutdown(timeout:)`` before dropping the runner:
/// its thread holds it until then.
public final class DrainedHookRunner: Sendable {
    /// Called with each event ``deliver(_:hooks:)`` queues, before any of its hooks runs.
    public typealias QueuedHandler = @Sendable (_ event: DrainedEvent) -> Void

    /// Called when the hook `target` (``DrainedHook/target``) of event `eventID` is done with for good.
    public typealias AcknowledgedHandler = @Sendable (_ eventID: String, _ target: String) -> Void

    /// Time limits and the retry schedule.
    let settings: DrainedHookSettings

    /// The key that signs webhook bodies (`X-Relevo-Signature`).
    let secret: AffinitySecret

    /// Journals a queued event.
    let onQueued: QueuedHandler

    /// Journals an acknowledged delivery.
    let onAcknowledged: AcknowledgedHandler

    /// The deliveries and the counters.
    let queue = Mutex(DrainedHookQueue())

    /// Wakes the hook thread when a delivery is queued or the runner shuts down.
    let wakeUp = EventCounter()

    /// Signalled by the hook thread as it ends.
    let finished = EventCounter()

    /// Cuts attempts short when the runner shuts down.
    let abandonment = DrainedHookAbandonment()

    /// The hook thread, until it is joined.
    private let thread = Mutex<pthread_t?>(nil)

    /// Creates a runner and starts its thread (`relevo-hooks`).
    ///
    /// `secret` signs webhook bodies; `onQueued` and `onAcknowledged` connect the runner to the state
    /// journal (see the type's documentation).
    public init(
        secret: AffinitySecret, settings: DrainedHookSettings = DrainedHookSettings(),
        onQueued: @escaping QueuedHandler = { _ in }, onAcknowledged: @escaping AcknowledgedHandler = { _, _ in }
    ) {
        self.secret = secret
        self.settings = settings
        self.onQueued = onQueued
        self.onAcknowledged = onAcknowledged

        let started = OSThread.start(name: "relevo-hooks") { [self] in runThread() }
        thread.withLock { $0 = started }
    }

    /// Queues `event` for every hook in `hooks`, after passing it to `onQueued`.
    ///
    /// A hook whose target the runner already holds for this event id is not queued again, so a
    /// delivered hook is never delivered twice by one runner. Returns at once.
    public func deliver(_ event: DrainedEvent, hooks: [DrainedHook]) {
        onQueued(event)
        let added = enqueue(event, hooks: hooks, acknowledged: [])
        Log.debug("drained_hooks_queued", ["version": event.version, "event_id": event.id, "hooks": "\(added)"])
    }

    /// Queues again, after a restart, an event the journal still holds: every hook of `hooks` whose
    /// target is not in `acknowledged`. `onQueued` is not called: the event is journaled already.
    public func resume(_ event: DrainedEvent, hooks: [DrainedHook], acknowledged: Set<String> = []) {
        let added = enqueue(event, hooks: hooks, acknowledged: acknowledged)
        guard added > 0 else { return }

        Log.info("drained_hooks_resumed", ["version": event.version, "event_id": event.id, "hooks": "\(added)"])
    }

    /// Stops delivering event `eventID`: its open deliveries end as failed (cancelled) and are
    /// acknowledged; an attempt in progress ends first, and still counts if it delivers.
    public func cancel(eventID: String) {
        let changes = queue.withLock { $0.cancel(eventID: eventID) }
        for change in changes {
            report(change)
        }
    }

    /// Forgets the finished deliveries of `version`, e.g. once the version has left the conf.
    public func forget(version: String) {
        queue.withLock { $0.forget(version: version) }
    }

    /// The hooks' outcomes for `version`'s drained events, in the order queued, as `/status` shows them.
    public func statuses(version: String) -> [HookStatus] {
        queue.withLock { $0.statuses(version: version) }
    }

    /// `relevo_drained_hooks_total`: attempts by version, hook (`exec`, `webhook`) and outcome
    /// (`delivered`, `failed`, `retrying`), for ``MetricsSnapshot/drainedHooksTotal``.
    public func outcomeCounts() -> [HookOutcomeKey: UInt64] {
        queue.withLock { $0.counts }
    }

    /// Stops the hook thread within `timeout` milliseconds; returns whether it stopped.
    ///
    /// No attempt starts any more; one in progress is cut short near the end of `timeout` (a command
    /// is killed) and, like every delivery not acknowledged, is left for ``resume(_:hooks:acknowledged:)``
    /// after the restart. Calling it again waits again for a thread that has not stopped yet.
    @discardableResult
    public func shutdown(timeout: Int64) -> Bool {
        queue.withLock { $0.isStopping = true }
        let now = MonotonicClock.coarseMilliseconds()
        abandonment.abandon(by: now + max(timeout - DrainedHookAbandonment.slice * 2, 0))
        wakeUp.signal()

        guard let running = thread.withLock({ $0 }) else { return true }
        guard finished.wait(milliseconds: Int(clamping: max(timeout, 0))) else { return false }

        OSThread.join(running)
        thread.withLock { $0 = nil }
        return true
    }

    /// Adds deliveries and wakes the hook thread; returns how many were added.
    private func enqueue(_ event: DrainedEvent, hooks: [DrainedHook], acknowledged: Set<String>) -> Int {
        let now = MonotonicClock.coarseMilliseconds()
        let added = queue.withLock { $0.add(event, hooks: hooks, acknowledged: acknowledged, now: now) }
        wakeUp.signal()
        return added
    }
}
