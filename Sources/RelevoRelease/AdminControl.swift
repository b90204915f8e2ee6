/// What the admin API asks of the running relevo.
///
/// The admin server (RelevoAdmin) calls it from its own threads, never from an event loop, and
/// possibly from several threads at once; ``reload()`` and ``rerunGate(version:)`` are called one
/// at a time. Every method must be callable from any thread.
public protocol AdminControl: AnyObject, Sendable {
    /// Whether relevo is serving: false while starting or stopping, when `/healthz` answers 503.
    var isServing: Bool { get }

    /// Every version's state, sessions, in-flight exchanges, backends and gate, as `/status` shows it.
    func status() -> ReleaseStatus

    /// One version's status with its drain progress; nil if relevo knows no version of that name.
    func version(named name: String) -> VersionStatus?

    /// Applies the conf file again, or changes nothing if it is invalid.
    ///
    /// Blocking: it reads files and may wait for the event loops. Called on an admin thread.
    func reload() -> ReloadResult

    /// The last gate report of a version as text and as JSON; nil if the version is unknown or its
    /// gate has not finished yet.
    func gateReport(version: String) -> GateReport?

    /// Starts the version's gate again and returns its status right after; nil if the version is unknown.
    func rerunGate(version: String) -> GateStatus?

    /// The counters and the request-duration histogram, summed over every worker.
    func metrics() -> MetricsSnapshot
}

/// What a reload did: applied, with one line per change, or refused, with every error of the conf.
public enum ReloadResult: Sendable, Equatable {
    /// The conf was applied; each change reads as a sentence, e.g. `version v43 added (candidate)`.
    case applied(changes: [String])

    /// The conf was invalid and nothing changed.
    case refused(errors: [ReloadError])
}

/// One error of a conf that a reload refused, at its place in a file.
///
/// Encodes as `{"file", "line", "column", "message"}`, the shape of `POST /reload`'s 400 answer.
public struct ReloadError: Sendable, Codable, Equatable, CustomStringConvertible {
    /// The conf file the error is in, as the conf names it.
    public var file: String

    /// The line, counted from 1.
    public var line: Int

    /// The column, counted from 1.
    public var column: Int

    /// What is wrong, e.g. `unknown directive 'listn'`.
    public var message: String

    /// Creates an error at `file:line:column`.
    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `FILE:LINE:COL: error: MESSAGE`, as `relevo check` and `relevo reload` print it.
    public var description: String {
        "\(file):\(line):\(column): error: \(message)"
    }
}

/// A finished gate run's report, as a person reads it and as a program reads it.
public struct GateReport: Sendable, Equatable {
    /// The report as text: each failed check by FILE:LINE, expected and actual, and how to retry.
    public var text: String

    /// The same report as a UTF-8 JSON document, served as is by `GET /versions/NAME/gate`.
    public var json: [UInt8]

    /// Creates a report.
    public init(text: String, json: [UInt8]) {
        self.text = text
        self.json = json
    }
}
