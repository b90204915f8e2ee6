import RelevoRelease

/// `GET /metrics`: relevo's gauges and counters in the Prometheus text format, version 0.0.4.
///
/// Every family has its `# HELP` and `# TYPE` lines, even with no samples yet; samples are sorted
/// by their labels, so two scrapes of the same state read the same.
enum PrometheusText {
    /// The Content-Type of the format.
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// The gauges of `status` and the counters and histogram of `metrics`, as one document.
    static func render(status: ReleaseStatus, metrics: MetricsSnapshot) -> String {
        var text = ""
        renderGauges(status, into: &text)
        renderRequests(metrics, into: &text)
        renderFailures(metrics, into: &text)
        return text
    }

    /// Sessions, in flight, version state and backend health, from the release status.
    private static func renderGauges(_ status: ReleaseStatus, into text: inout String) {
        let versions = status.versions
        family("sessions", "gauge", "Live sessions pinned to the version.", into: &text)
        for version in versions {
            sample("sessions", [("version", version.name)], "\(version.sessions)", into: &text)
        }

        family("inflight", "gauge", "Exchanges in flight and open tunnels of the version.", into: &text)
        for version in versions {
            sample("inflight", [("version", version.name)], "\(version.inflight)", into: &text)
        }

        family("version_state", "gauge", "1 for the version's current state, 0 for the others.", into: &text)
        for version in versions {
            for state in VersionState.allCases {
                let value = version.state == state.rawValue ? "1" : "0"
                sample("version_state", [("version", version.name), ("state", state.rawValue)], value, into: &text)
            }
        }

        family("backend_up", "gauge", "1 while the backend answers its health probe, else 0.", into: &text)
        for version in versions {
            for backend in version.backends {
                let labels = [("version", version.name), ("backend", backend.address)]
                sample("backend_up", labels, backend.up ? "1" : "0", into: &text)
            }
        }
    }

    /// Requests by version and code, and the request-duration histogram.
    private static func renderRequests(_ metrics: MetricsSnapshot, into text: inout String) {
        family("requests_total", "counter", "Exchanges answered, by version and status code.", into: &text)
        let requests = metrics.requestsTotal.sorted { ($0.key.version, $0.key.code) < ($1.key.version, $1.key.code) }
        for (key, count) in requests {
            sample("requests_total", [("version", key.version), ("code", "\(key.code)")], "\(count)", into: &text)
        }

        let histogram = metrics.requestDuration
        let name = "request_duration_seconds"
        family(name, "histogram", "Time from routing to the last byte of the response.", into: &text)
        let bounds = DurationHistogram.upperBounds.map(seconds) + ["+Inf"]
        for (bound, count) in zip(bounds, histogram.cumulativeCounts) {
            sample(name + "_bucket", [("le", bound)], "\(count)", into: &text)
        }
        sample(name + "_sum", [], seconds(histogram.sumNanoseconds), into: &text)
        sample(name + "_count", [], "\(histogram.count)", into: &text)
    }

    /// Upstream errors and drained-hook outcomes.
    private static func renderFailures(_ metrics: MetricsSnapshot, into text: inout String) {
        family("upstream_errors_total", "counter", "Upstream failures, by backend and kind.", into: &text)
        let errors = metrics.upstreamErrorsTotal.sorted {
            ($0.key.backend, $0.key.kind) < ($1.key.backend, $1.key.kind)
        }
        for (key, count) in errors {
            sample("upstream_errors_total", [("backend", key.backend), ("kind", key.kind)], "\(count)", into: &text)
        }

        family("drained_hooks_total", "counter", "on_drained hook runs, by version, hook and outcome.", into: &text)
        let hooks = metrics.drainedHooksTotal.sorted {
            ($0.key.version, $0.key.hook, $0.key.outcome) < ($1.key.version, $1.key.hook, $1.key.outcome)
        }
        for (key, count) in hooks {
            let labels = [("version", key.version), ("hook", key.hook), ("outcome", key.outcome)]
            sample("drained_hooks_total", labels, "\(count)", into: &text)
        }
    }

    /// The `# HELP` and `# TYPE` lines of `relevo_NAME`.
    private static func family(_ name: String, _ type: String, _ help: String, into text: inout String) {
        text += "# HELP relevo_\(name) \(escapedHelp(help))\n# TYPE relevo_\(name) \(type)\n"
    }

    /// One sample line: `relevo_NAME{label="value",…} VALUE`.
    private static func sample(_ name: String, _ labels: [(String, String)], _ value: String, into text: inout String) {
        text += "relevo_" + name
        if !labels.isEmpty {
            text += "{" + labels.map { "\($0.0)=\"\(escapedLabel($0.1))\"" }.joined(separator: ",") + "}"
        }
        text += " " + value + "\n"
    }

    /// A label value with `\`, `"` and newline escaped, as the format requires (scalar by scalar, so a
    /// CRLF pair is escaped too).
    static func escapedLabel(_ value: String) -> String {
        var escaped = ""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    /// Help text with `\` and newline escaped.
    private static func escapedHelp(_ help: String) -> String {
        help.replacing("\\", with: "\\\\").replacing("\n", with: "\\n")
    }

    /// Integer nanoseconds as decimal seconds without trailing zeros: `0.005`, `1`, `2.5`.
    static func seconds(_ nanoseconds: UInt64) -> String {
        let whole = nanoseconds / 1_000_000_000
        var fraction = nanoseconds % 1_000_000_000
        guard fraction > 0 else { return "\(whole)" }

        var digits = 9
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        let text = "\(fraction)"
        return "\(whole)." + String(repeating: "0", count: digits - text.count) + text
    }
}
