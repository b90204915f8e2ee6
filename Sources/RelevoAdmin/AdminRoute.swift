/// The admin API's paths, as DESIGN.md's table lists them.
enum AdminRoute: Equatable, Sendable {
    /// `GET /healthz`.
    case health
    /// `GET /status`.
    case status
    /// `GET /versions/NAME`.
    case version(String)
    /// `GET` or `POST /versions/NAME/gate`.
    case gate(String)
    /// `POST /reload`.
    case reload
    /// `GET /metrics`.
    case metrics

    /// Every path, for the 404 answer.
    static let pathList = "/healthz, /status, /versions/NAME, /versions/NAME/gate, /reload, /metrics"

    /// The route of `path`, or nil if there is none. A trailing slash is not accepted.
    init?(path: String) {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        guard segments.count >= 2, segments[0].isEmpty, segments.dropFirst().allSatisfy({ !$0.isEmpty }) else {
            return nil
        }

        switch (segments.count, segments[1]) {
        case (2, "healthz"): self = .health
        case (2, "status"): self = .status
        case (2, "reload"): self = .reload
        case (2, "metrics"): self = .metrics
        case (3, "versions"): self = .version(String(segments[2]))
        case (4, "versions") where segments[3] == "gate": self = .gate(String(segments[2]))
        default: return nil
        }
    }

    /// The methods the route answers; HEAD goes with GET.
    var allowedMethods: [String] {
        switch self {
        case .health, .status, .version, .metrics: ["GET", "HEAD"]
        case .gate: ["GET", "HEAD", "POST"]
        case .reload: ["POST"]
        }
    }
}
