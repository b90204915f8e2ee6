/// How an exchange ended, as the access log's `term` field shows it: two letters, who and when.
///
/// `--` is a normal end. Otherwise the first letter says who ended it — `C` the downstream client
/// closed or failed, `c` the client was too slow (timeout), `S` the upstream closed, refused or sent
/// something invalid, `s` the upstream was too slow, `R` relevo refused the request or was shutting
/// down — and the second says in which phase: `H` request head, `B` request body, `C` connecting
/// upstream, `W` waiting for the response head, `D` response body, `T` tunnel.
struct Termination: Equatable, CustomStringConvertible {
    /// Who ended the exchange.
    enum Cause: Character {
        case normal = "-"
        case downstreamClosed = "C"
        case downstreamTimeout = "c"
        case upstreamFailed = "S"
        case upstreamTimeout = "s"
        case relevo = "R"
    }

    /// The phase it ended in.
    enum Phase: Character {
        case none = "-"
        case requestHead = "H"
        case requestBody = "B"
        case connect = "C"
        case responseHead = "W"
        case responseBody = "D"
        case tunnel = "T"
    }

    var cause: Cause
    var phase: Phase

    /// An exchange that ended normally.
    static let normal = Termination(cause: .normal, phase: .none)

    var description: String {
        String(cause.rawValue) + String(phase.rawValue)
    }
}

/// Why an upstream connection failed an exchange.
enum UpstreamFailure: Equatable {
    /// connect(2) failed: refused, unreachable, reset.
    case connectFailed(Int32)
    /// No connection within `timeouts.connect`.
    case connectTimeout
    /// No byte from the backend within `timeouts.upstream_read`.
    case readTimeout
    /// The backend closed or reset the connection before the response was complete.
    case closed
    /// The response was malformed.
    case badResponse(StaticString)
    /// The backend answered 101 to a request that asked for no upgrade.
    case unexpectedUpgrade

    /// The status relevo answers with if no response head went downstream yet.
    var status: Int {
        switch self {
        case .connectTimeout, .readTimeout: 504
        default: 502
        }
    }

    /// A short reason for the error body and the log.
    var reason: String {
        switch self {
        case .connectFailed(let code): "upstream connect failed: \(IOErrorText.describe(code))"
        case .connectTimeout: "upstream connect timed out"
        case .readTimeout: "upstream timed out"
        case .closed: "upstream closed the connection"
        case .badResponse(let detail): "upstream sent an invalid response: \(detail)"
        case .unexpectedUpgrade: "upstream switched protocols unasked"
        }
    }

    /// The metric and log label for this kind of failure.
    var kind: String {
        switch self {
        case .connectFailed: "connect"
        case .connectTimeout: "connect_timeout"
        case .readTimeout: "timeout"
        case .closed: "closed"
        case .badResponse: "bad_response"
        case .unexpectedUpgrade: "unexpected_upgrade"
        }
    }

    static func == (lhs: UpstreamFailure, rhs: UpstreamFailure) -> Bool {
        lhs.kind == rhs.kind && lhs.reason == rhs.reason
    }

    /// Whether the failure happened before any connection existed.
    var isConnectFailure: Bool {
        switch self {
        case .connectFailed, .connectTimeout: true
        default: false
        }
    }
}
