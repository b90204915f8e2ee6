/// One hook's delivery of one event: its outcome so far and when it is next due.
struct DrainedHookDelivery: Sendable {
    /// Where a delivery stands; the raw values are ``HookStatus/outcome``'s words.
    enum Outcome: String, Sendable {
        /// Not attempted yet.
        case pending

        /// Attempted, not delivered, and due again later (webhooks only).
        case retrying

        /// The command exited 0, or the webhook answered 2xx.
        case delivered

        /// The command failed, or the delivery was cancelled: never attempted again.
        case failed
    }

    /// The event.
    let event: DrainedEvent

    /// The hook.
    let hook: DrainedHook

    /// Where it stands.
    var outcome = Outcome.pending

    /// Attempts made so far.
    var attempts = 0

    /// The last error, exit status or HTTP status.
    var detail: String?

    /// When the next attempt is due, in monotonic milliseconds.
    var dueAt: Int64

    /// Whether the hook thread is running an attempt of it now.
    var isRunning = false

    /// Whether ``DrainedHookRunner/cancel(eventID:)`` asked for no more attempts.
    var isCancelled = false

    /// Whether it still needs an attempt.
    var isOpen: Bool {
        outcome == .pending || outcome == .retrying
    }

    /// Whether it is `event`'s delivery to `hook`.
    func matches(eventID: String, target: String) -> Bool {
        event.id == eventID && hook.target == target
    }

    /// Its status, as `/status` shows it.
    var status: HookStatus {
        HookStatus(kind: hook.kind, target: hook.target, outcome: outcome.rawValue, attempts: attempts, detail: detail)
    }
}

/// What happened to a delivery at one step, for the runner to log and acknowledge outside the lock.
struct DrainedHookChange: Sendable {
    /// The delivery after the step.
    let delivery: DrainedHookDelivery

    /// For a retry, the wait before the next attempt, in milliseconds.
    var retryDelay: Int64?

    /// For a failed command, its last output lines.
    var output: [String] = []

    /// Whether the delivery ended because it was cancelled.
    var wasCancelled = false

    /// Whether the delivery is over for good (delivered, failed or cancelled): the runner
    /// acknowledges it and never attempts it again.
    var isFinal: Bool {
        !delivery.isOpen
    }
}

/// The runner's deliveries and counters, guarded by the runner's lock. Plain state, no threads.
struct DrainedHookQueue: Sendable {
    /// What the hook thread does next.
    enum Step {
        /// Attempt this delivery (now marked running).
        case attempt(DrainedHookDelivery)

        /// Sleep until woken or this many milliseconds pass.
        case wait(Int64)

        /// Stop: the runner is shutting down.
        case stop
    }

    /// Every delivery, in the order queued; finished ones stay for ``statuses(version:)``.
    private(set) var deliveries: [DrainedHookDelivery] = []

    /// `relevo_drained_hooks_total`: attempts' outcomes by version, hook kind and outcome.
    private(set) var counts: [HookOutcomeKey: UInt64] = [:]

    /// Whether the runner is shutting down: no attempt starts any more.
    var isStopping = false

    /// Queues `event` for each hook not queued for it already and not in `acknowledged` (targets);
    /// returns how many deliveries were added.
    mutating func add(_ event: DrainedEvent, hooks: [DrainedHook], acknowledged: Set<String>, now: Int64) -> Int {
        var added = 0
        for hook in hooks where !acknowledged.contains(hook.target) {
            guard !deliveries.contains(where: { $0.matches(eventID: event.id, target: hook.target) }) else { continue }

            deliveries.append(DrainedHookDelivery(event: event, hook: hook, dueAt: now))
            added += 1
        }
        return added
    }

    /// The next step at `now`: the earliest due delivery, else the wait until one is due.
    mutating func nextStep(now: Int64) -> Step {
        guard !isStopping else { return .stop }

        var earliest: Int?
        for index in deliveries.indices where deliveries[index].isOpen && !deliveries[index].isRunning {
            if earliest.map({ deliveries[index].dueAt < deliveries[$0].dueAt }) ?? true {
                earliest = index
            }
        }
        guard let index = earliest else { return .wait(60_000) }
        guard deliveries[index].dueAt <= now else { return .wait(deliveries[index].dueAt - now) }

        deliveries[index].isRunning = true
        return .attempt(deliveries[index])
    }

    /// Records how an attempt of `event`'s delivery to `target` ended; nil if it left nothing to
    /// report (abandoned, or forgotten meanwhile).
    mutating func record(
        _ result: DrainedHookAttemptResult, eventID: String, target: String, now: Int64, settings: DrainedHookSettings
    ) -> DrainedHookChange? {
        guard let index = deliveries.firstIndex(where: { $0.matches(eventID: eventID, target: target) }) else {
            return nil
        }
        deliveries[index].isRunning = false

        switch result {
        case .abandoned:
            return deliveries[index].isCancelled ? finishCancelled(at: index) : nil
        case .delivered(let detail):
            return finish(at: index, as: .delivered, detail: detail)
        case .failed(let reason, let output):
            var change = finish(at: index, as: .failed, detail: Self.detail(reason, output: output))
            change.output = output
            return change
        case .retry(let reason):
            return retry(at: index, reason: reason, now: now, settings: settings)
        }
    }

    /// Ends the open deliveries of `eventID` as failed (cancelled); a running one ends when its
    /// attempt does. Returns the deliveries ended now.
    mutating func cancel(eventID: String) -> [DrainedHookChange] {
        var changes: [DrainedHookChange] = []
        for index in deliveries.indices where deliveries[index].event.id == eventID && deliveries[index].isOpen {
            deliveries[index].isCancelled = true
            if !deliveries[index].isRunning {
                changes.append(finishCancelled(at: index))
            }
        }
        return changes
    }

    /// Drops the finished deliveries of `version`; open ones stay.
    mutating func forget(version: String) {
        deliveries.removeAll { $0.event.version == version && !$0.isOpen && !$0.isRunning }
    }

    /// The deliveries of `version`'s events, in the order queued.
    func statuses(version: String) -> [HookStatus] {
        deliveries.filter { $0.event.version == version }.map(\.status)
    }

    /// Counts one attempt's outcome of `delivery`.
    private mutating func count(_ outcome: DrainedHookDelivery.Outcome, of delivery: DrainedHookDelivery) {
        let key = HookOutcomeKey(version: delivery.event.version, hook: delivery.hook.kind, outcome: outcome.rawValue)
        counts[key, default: 0] &+= 1
    }

    /// Ends the delivery at `index` with `outcome` after one more attempt.
    private mutating func finish(
        at index: Int, as outcome: DrainedHookDelivery.Outcome, detail: String
    ) -> DrainedHookChange {
        deliveries[index].attempts += 1
        deliveries[index].outcome = outcome
        deliveries[index].detail = detail
        count(outcome, of: deliveries[index])
        return DrainedHookChange(delivery: deliveries[index])
    }

    /// Ends the delivery at `index` as failed because it was cancelled.
    private mutating func finishCancelled(at index: Int) -> DrainedHookChange {
        let last = deliveries[index].detail.map { "; last: \($0)" } ?? ""
        deliveries[index].outcome = .failed
        deliveries[index].detail = "cancelled after \(deliveries[index].attempts) attempts\(last)"
        count(.failed, of: deliveries[index])
        return DrainedHookChange(delivery: deliveries[index], wasCancelled: true)
    }

    /// Schedules the delivery at `index` again after a failed attempt, unless it was cancelled.
    private mutating func retry(
        at index: Int, reason: String, now: Int64, settings: DrainedHookSettings
    ) -> DrainedHookChange {
        deliveries[index].attempts += 1
        deliveries[index].detail = reason
        guard !deliveries[index].isCancelled else { return finishCancelled(at: index) }

        let delay = settings.retryDelay(afterAttempt: deliveries[index].attempts)
        deliveries[index].outcome = .retrying
        deliveries[index].dueAt = now + delay
        count(.retrying, of: deliveries[index])
        return DrainedHookChange(delivery: deliveries[index], retryDelay: delay)
    }

    /// A failed command's detail: the reason, then its last output lines, one per line.
    private static func detail(_ reason: String, output: [String]) -> String {
        ([reason] + output).joined(separator: "\n")
    }
}
