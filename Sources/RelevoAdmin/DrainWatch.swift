import Glibc
import RelevoIO
import RelevoRelease

/// `relevo wait-drained VERSION`: polls `/versions/VERSION` until the version is drained or time runs out.
///
/// Prints a progress line at each poll (`v41 draining: 3 sessions, 1 in flight`): rewritten in place
/// on a terminal, otherwise a new line only when it changes, so a log of a two-hour wait stays short.
/// Once the version has been seen, a failed poll is retried until the timeout: relevo may be restarting.
public struct DrainWatch {
    /// How a wait ended.
    public enum Outcome: Sendable, Equatable {
        /// The version is drained.
        case drained
        /// The timeout passed first; the last status seen, if any.
        case timedOut(last: VersionStatus?)
        /// relevo knows no version of that name (or no longer does: it was removed from the conf).
        case unknownVersion
        /// The first poll failed: relevo cannot be reached, or refused.
        case failed(AdminClientError)

        /// The exit status of `relevo wait-drained`: 0 drained, 1 timed out or failed, 2 unknown version.
        public var exitStatus: Int32 {
            switch self {
            case .drained: 0
            case .timedOut, .failed: 1
            case .unknownVersion: 2
            }
        }
    }

    /// The admin API to poll.
    public let client: AdminClient

    /// The version waited for.
    public let version: String

    /// How long to wait in all, in milliseconds.
    public let timeoutMilliseconds: Int64

    /// How long between polls, in milliseconds.
    public let pollMilliseconds: Int64

    /// Whether output goes to a terminal, where the progress line is rewritten in place.
    public let rewritesLine: Bool

    /// Creates a watch; nothing is polled before ``run(progress:)``.
    public init(
        client: AdminClient, version: String, timeoutMilliseconds: Int64, pollMilliseconds: Int64 = 1_000,
        rewritesLine: Bool
    ) {
        self.client = client
        self.version = version
        self.timeoutMilliseconds = timeoutMilliseconds
        self.pollMilliseconds = pollMilliseconds
        self.rewritesLine = rewritesLine
    }

    /// Polls until the version is drained, unknown, or the timeout passes; `progress` receives the
    /// text to write to standard output as it goes (ending in a newline once the wait is over).
    public func run(progress: (String) -> Void) -> Outcome {
        let deadline = MonotonicClock.nanoseconds() + timeoutMilliseconds * 1_000_000
        var last: VersionStatus?
        var lastLine = ""
        var outcome: Outcome
        while true {
            if let ended = poll(&last) {
                outcome = ended
                break
            }
            if let current = last {
                show(Self.progressLine(current), previous: &lastLine, progress: progress)
            }

            let remaining = deadline - MonotonicClock.nanoseconds()
            guard remaining > 0 else {
                outcome = .timedOut(last: last)
                break
            }
            usleep(UInt32(min(remaining / 1_000, pollMilliseconds * 1_000)))
        }

        finish(outcome, last: last, previous: &lastLine, progress: progress)
        return outcome
    }

    /// One poll: the outcome if the wait is over, nil to poll again. Keeps the status in `last`.
    private func poll(_ last: inout VersionStatus?) -> Outcome? {
        do {
            guard let status = try client.version(named: version) else { return .unknownVersion }
            last = status
            return status.state == VersionState.drained.rawValue ? .drained : nil
        } catch {
            return last == nil ? .failed(error) : nil
        }
    }

    /// Writes `line` if it differs from the one shown; in place on a terminal.
    private func show(_ line: String, previous: inout String, progress: (String) -> Void) {
        guard line != previous else { return }
        previous = line
        progress(rewritesLine ? "\r\u{1B}[2K" + line : line + "\n")
    }

    /// Shows the last state and ends the rewritten line.
    private func finish(_ outcome: Outcome, last: VersionStatus?, previous: inout String, progress: (String) -> Void) {
        if outcome == .drained, let last {
            show(Self.progressLine(last), previous: &previous, progress: progress)
        }
        if rewritesLine && !previous.isEmpty {
            progress("\n")
        }
    }

    /// `v41 draining: 3 sessions, 1 in flight`; a drained version reads `v41 drained`.
    public static func progressLine(_ version: VersionStatus) -> String {
        if version.state == VersionState.drained.rawValue {
            return "\(version.name) drained"
        }
        let sessions = version.sessions == 1 ? "1 session" : "\(version.sessions) sessions"
        return "\(version.name) \(version.state): \(sessions), \(version.inflight) in flight"
    }
}
