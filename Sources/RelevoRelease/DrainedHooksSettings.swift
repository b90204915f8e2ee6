import Glibc
import RelevoIO
import Synchronization

/// The time limits and the retry schedule of the `on_drained` hooks, in milliseconds.
///
/// The defaults are relevo's; tests shorten them.
public struct DrainedHookSettings: Sendable, Equatable {
    /// How long an exec hook may run before its process group is killed (`SIGKILL`).
    public var execTimeout: Int64

    /// How long a webhook's TCP connect may take.
    public var connectTimeout: Int64

    /// How long a webhook may take to send the request and answer with a status line and headers.
    public var readTimeout: Int64

    /// The wait before a webhook's first retry; each later wait doubles, up to ``maximumRetryDelay``.
    public var firstRetryDelay: Int64

    /// The longest wait between two attempts of a webhook.
    public var maximumRetryDelay: Int64

    /// How many of an exec hook's last output lines (stdout and stderr) are kept for logs and status.
    public var outputLines: Int

    /// Settings with relevo's defaults: 60 s per command, 5 s to connect, 10 s for an answer, retries
    /// after 1 s, 2 s, 4 s … up to 60 s, and 20 output lines.
    public init(
        execTimeout: Int64 = 60_000, connectTimeout: Int64 = 5_000, readTimeout: Int64 = 10_000,
        firstRetryDelay: Int64 = 1_000, maximumRetryDelay: Int64 = 60_000, outputLines: Int = 20
    ) {
        self.execTimeout = execTimeout
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.firstRetryDelay = firstRetryDelay
        self.maximumRetryDelay = maximumRetryDelay
        self.outputLines = outputLines
    }

    /// The wait after failed attempt number `attempt` (1 for the first): `firstRetryDelay` doubled
    /// `attempt - 1` times, at most ``maximumRetryDelay``.
    public func retryDelay(afterAttempt attempt: Int) -> Int64 {
        let doublings = Int64(min(max(attempt - 1, 0), 40))
        let (delay, overflow) = firstRetryDelay.multipliedReportingOverflow(by: Int64(1) << doublings)
        return overflow ? maximumRetryDelay : min(delay, maximumRetryDelay)
    }
}

/// How one attempt of a hook ended.
enum DrainedHookAttemptResult: Sendable, Equatable {
    /// The command exited 0, or the webhook answered 2xx; `detail` says which.
    case delivered(detail: String)

    /// The command failed (exit status, signal, time-out, could not start): not retried.
    /// `output` holds its last lines.
    case failed(reason: String, output: [String])

    /// The webhook was not delivered (refused, timed out, not 2xx): retried after a delay.
    case retry(reason: String)

    /// The runner is shutting down and cut the attempt short: the hook stays pending, for a resume
    /// after the restart.
    case abandoned
}

/// When attempts in progress must give up because the runner shuts down.
///
/// Set once by ``DrainedHookRunner/shutdown(timeout:)``; read by the hook thread between waits of at
/// most ``DrainedHookAbandonment/slice`` milliseconds. Callable from any thread.
final class DrainedHookAbandonment: Sendable {
    /// The longest wait between two looks at the deadline, in milliseconds.
    static let slice: Int64 = 50

    /// The monotonic time (milliseconds) attempts must be over by; `Int64.max` while running.
    private let deadline = Atomic<Int64>(Int64.max)

    /// Creates a signal that is not set.
    init() {}

    /// Asks attempts to be over by `deadline` (monotonic milliseconds).
    func abandon(by deadline: Int64) {
        self.deadline.store(deadline, ordering: .releasing)
    }

    /// Whether attempts must give up at `now`.
    func isDue(now: Int64) -> Bool {
        now >= deadline.load(ordering: .acquiring)
    }
}

/// Waiting for a descriptor with a deadline, in slices, giving up when the runner shuts down.
enum DrainedHookWait {
    /// How a wait ended.
    enum Outcome {
        /// The descriptor is ready (or has an error or hang-up to report).
        case ready

        /// `deadline` passed first.
        case timedOut

        /// The runner is shutting down.
        case abandoned
    }

    /// Blocks until `descriptor` has one of `events`, `deadline` (monotonic milliseconds) passes, or
    /// `abandonment` is due.
    static func until(
        _ deadline: Int64, descriptor: Int32, events: Int16, abandonment: DrainedHookAbandonment
    ) -> Outcome {
        while true {
            let now = MonotonicClock.coarseMilliseconds()
            if abandonment.isDue(now: now) { return .abandoned }
            if now >= deadline { return .timedOut }

            var request = pollfd(fd: descriptor, events: events, revents: 0)
            let ready = poll(&request, 1, Int32(min(deadline - now, DrainedHookAbandonment.slice)))
            if ready > 0 { return .ready }
        }
    }
}
