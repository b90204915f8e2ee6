import Glibc
import RelevoIO
import Synchronization

/// How much a log line matters, by the logging policy in docs/logging.md.
public enum LogLevel: Int, Sendable, Comparable, CustomStringConvertible {
    /// Detail for finding bugs; off unless asked for.
    case debug
    /// Start, stop, reload, version changes.
    case info
    /// relevo recovered: a retry, a failover, a backend marked down.
    case warn
    /// A request or an operation failed.
    case error

    public var description: String {
        switch self {
        case .debug: "debug"
        case .info: "info"
        case .warn: "warn"
        case .error: "error"
        }
    }

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}

/// relevo's operational log: key=value lines on stderr.
///
/// A line reads `time=2026-12-03T13:00:00.123Z level=info event=listening address=127.0.0.1:8080`.
/// Lines are built only when their level is enabled, and written by a background thread
/// (``LogWriter``), so an event loop never blocks on stderr. Callable from any thread.
public enum Log {
    private static let minimumLevel = Atomic<Int>(LogLevel.info.rawValue)

    /// The writer that lines go through; stderr.
    public static let writer = LogWriter(descriptor: 2)

    /// Sets the lowest level written.
    public static func setMinimumLevel(_ level: LogLevel) {
        minimumLevel.store(level.rawValue, ordering: .relaxed)
    }

    /// Whether lines at `level` are written.
    @inline(__always)
    public static func isEnabled(_ level: LogLevel) -> Bool {
        level.rawValue >= minimumLevel.load(ordering: .relaxed)
    }

    /// Writes `event` with `fields` at `level`; the fields are built only if the level is enabled.
    @inline(__always)
    public static func write(
        _ level: LogLevel, _ event: StaticString, _ fields: @autoclosure () -> KeyValuePairs<String, String> = [:]
    ) {
        guard isEnabled(level) else { return }
        var line = "time=\(timestamp()) level=\(level) event=\(event)"
        for (key, value) in fields() {
            line += " \(key)=\(quoted(value))"
        }
        line += "\n"
        writer.append(line)
    }

    /// `info`: start, stop, reload, version changes.
    public static func info(_ event: StaticString, _ fields: @autoclosure () -> KeyValuePairs<String, String> = [:]) {
        write(.info, event, fields())
    }

    /// `warn`: relevo recovered from something.
    public static func warn(_ event: StaticString, _ fields: @autoclosure () -> KeyValuePairs<String, String> = [:]) {
        write(.warn, event, fields())
    }

    /// `error`: a request or an operation failed.
    public static func error(_ event: StaticString, _ fields: @autoclosure () -> KeyValuePairs<String, String> = [:]) {
        write(.error, event, fields())
    }

    /// `debug`: detail, off by default.
    public static func debug(_ event: StaticString, _ fields: @autoclosure () -> KeyValuePairs<String, String> = [:]) {
        write(.debug, event, fields())
    }

    /// The value as is if it is a plain token, else double-quoted with `"` and `\` escaped.
    static func quoted(_ value: String) -> String {
        let plain = !value.isEmpty && value.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x3D }
        if plain {
            return value
        }
        var result = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    /// Now as RFC 3339 UTC with milliseconds.
    public static func timestamp() -> String {
        let now = WallClock.now()
        var seconds = time_t(now.tv_sec)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let milliseconds = Int(now.tv_nsec / 1_000_000)
        let fraction =
            milliseconds < 10 ? "00\(milliseconds)" : milliseconds < 100 ? "0\(milliseconds)" : "\(milliseconds)"
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).\(fraction)Z"
    }
}
