import RelevoIO
import RelevoProxy

extension DrainedHookRunner {
    /// The hook thread's loop: attempt what is due, sleep until the next is, stop on shutdown.
    func runThread() {
        while true {
            let now = MonotonicClock.coarseMilliseconds()
            switch queue.withLock({ $0.nextStep(now: now) }) {
            case .stop:
                finished.signal()
                return
            case .wait(let milliseconds):
                _ = wakeUp.wait(milliseconds: Int(clamping: milliseconds))
            case .attempt(let delivery):
                let result = attempt(delivery)
                let done = MonotonicClock.coarseMilliseconds()
                let change = queue.withLock {
                    $0.record(
                        result, eventID: delivery.event.id, target: delivery.hook.target, now: done, settings: settings)
                }
                change.map(report)
            }
        }
    }

    /// Runs one attempt of `delivery`, blocking the hook thread until it ends.
    private func attempt(_ delivery: DrainedHookDelivery) -> DrainedHookAttemptResult {
        switch delivery.hook {
        case .exec(let command, let directory):
            let run = ExecHookAttempt(
                command: command, directory: directory, event: delivery.event, settings: settings,
                abandonment: abandonment)
            return run.run()
        case .webhook(let host, let port, let path, _):
            let post = WebhookAttempt(
                host: host, port: port, path: path, event: delivery.event, secret: secret, settings: settings,
                abandonment: abandonment)
            return post.run()
        }
    }

    /// Logs a change by the logging policy and acknowledges a delivery that is over.
    func report(_ change: DrainedHookChange) {
        log(change)
        if change.isFinal {
            onAcknowledged(change.delivery.event.id, change.delivery.hook.target)
        }
    }

    /// info when delivered, warn when retrying or cancelled, error when a command failed.
    private func log(_ change: DrainedHookChange) {
        let delivery = change.delivery
        let (version, hook, target, id) = (
            delivery.event.version, delivery.hook.kind, delivery.hook.target, delivery.event.id
        )
        let attempts = "\(delivery.attempts)"
        let detail = delivery.detail ?? ""

        switch delivery.outcome {
        case .delivered:
            Log.info(
                "drained_hook_delivered",
                [
                    "version": version, "hook": hook, "target": target, "event_id": id, "attempts": attempts,
                    "detail": detail,
                ])
        case .retrying:
            Log.warn(
                "drained_hook_retrying",
                [
                    "version": version, "hook": hook, "target": target, "event_id": id, "attempt": attempts,
                    "reason": detail, "retry_in_ms": "\(change.retryDelay ?? 0)",
                ])
        case .failed where change.wasCancelled:
            Log.warn(
                "drained_hook_cancelled",
                [
                    "version": version, "hook": hook, "target": target, "event_id": id, "attempts": attempts,
                    "detail": detail,
                ])
        case .failed:
            Log.error(
                "drained_hook_failed",
                [
                    "version": version, "hook": hook, "target": target, "event_id": id,
                    "reason": detail.prefix { $0 != "\n" }.description, "output": change.output.joined(separator: "\n"),
                ])
        case .pending:
            break
        }
    }
}
