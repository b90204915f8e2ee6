import RelevoRelease
import Testing

@testable import RelevoAdmin

@Suite("GET /metrics reads as Prometheus text format 0.0.4")
struct PrometheusTextTests {
    /// A snapshot with a few of every counter and durations in three buckets.
    private var metrics: MetricsSnapshot {
        var metrics = MetricsSnapshot(
            requestsTotal: [RequestKey(version: "v42", code: 200): 7, RequestKey(version: "v41", code: 502): 1],
            upstreamErrorsTotal: [UpstreamErrorKey(backend: "127.0.0.1:9011", kind: "connect"): 2],
            drainedHooksTotal: [HookOutcomeKey(version: "v40", hook: "webhook", outcome: "delivered"): 1])
        metrics.requestDuration.record(nanoseconds: 3_000_000)
        metrics.requestDuration.record(nanoseconds: 40_000_000)
        metrics.requestDuration.record(nanoseconds: 12_000_000_000)
        return metrics
    }

    private var text: String {
        PrometheusText.render(status: FakeControl.sampleStatus, metrics: metrics)
    }

    @Test func everySampleFollowsTheHelpAndTypeOfItsFamily() throws {
        var described: [String: String] = [:]
        var helped: Set<String> = []
        for line in text.split(separator: "\n") {
            let words = line.split(separator: " ")
            if line.hasPrefix("# HELP ") {
                helped.insert(String(words[2]))
            } else if line.hasPrefix("# TYPE ") {
                #expect(helped.contains(String(words[2])))
                described[String(words[2])] = String(words[3])
            } else {
                let name = String(line.prefix { $0 != "{" && $0 != " " })
                let family = ["_bucket", "_sum", "_count"].reduce(name) { name, suffix in
                    described[name] == nil && name.hasSuffix(suffix) ? String(name.dropLast(suffix.count)) : name
                }
                #expect(described[family] != nil, "\(line) has no # TYPE before it")
                #expect(name.hasPrefix("relevo_"))
                #expect(Double(words.last ?? "") != nil, "\(line) has no value")
            }
        }

        #expect(described["relevo_sessions"] == "gauge")
        #expect(described["relevo_requests_total"] == "counter")
        #expect(described["relevo_request_duration_seconds"] == "histogram")
        #expect(described.count == 8)
    }

    @Test func gaugesComeFromTheReleaseStatus() {
        let lines = Set(text.split(separator: "\n").map(String.init))

        #expect(lines.contains(#"relevo_sessions{version="v41"} 3"#))
        #expect(lines.contains(#"relevo_inflight{version="v42"} 4"#))
        #expect(lines.contains(#"relevo_version_state{version="v41",state="draining"} 1"#))
        #expect(lines.contains(#"relevo_version_state{version="v41",state="live"} 0"#))
        #expect(lines.contains(#"relevo_backend_up{version="v41",backend="127.0.0.1:9011"} 0"#))
        #expect(lines.contains(#"relevo_backend_up{version="v42",backend="127.0.0.1:9002"} 1"#))
        #expect(text.split(separator: "\n").filter { $0.hasPrefix("relevo_version_state{") }.count == 10)
    }

    @Test func countersAreSortedByTheirLabels() {
        #expect(
            text.contains(
                #"relevo_requests_total{version="v41",code="502"} 1"# + "\n"
                    + #"relevo_requests_total{version="v42",code="200"} 7"# + "\n"))
        #expect(text.contains(#"relevo_upstream_errors_total{backend="127.0.0.1:9011",kind="connect"} 2"#))
        #expect(text.contains(#"relevo_drained_hooks_total{version="v40",hook="webhook",outcome="delivered"} 1"#))
    }

    @Test func theHistogramHasCumulativeBucketsASumAndACount() {
        let histogram = text.split(separator: "\n").filter { $0.hasPrefix("relevo_request_duration_seconds_") }

        #expect(
            histogram == [
                #"relevo_request_duration_seconds_bucket{le="0.005"} 1"#,
                #"relevo_request_duration_seconds_bucket{le="0.01"} 1"#,
                #"relevo_request_duration_seconds_bucket{le="0.025"} 1"#,
                #"relevo_request_duration_seconds_bucket{le="0.05"} 2"#,
                #"relevo_request_duration_seconds_bucket{le="0.1"} 2"#,
                #"relevo_request_duration_seconds_bucket{le="0.25"} 2"#,
                #"relevo_request_duration_seconds_bucket{le="0.5"} 2"#,
                #"relevo_request_duration_seconds_bucket{le="1"} 2"#,
                #"relevo_request_duration_seconds_bucket{le="2.5"} 2"#,
                #"relevo_request_duration_seconds_bucket{le="5"} 2"#,
                #"relevo_request_duration_seconds_bucket{le="10"} 2"#,
                #"relevo_request_duration_seconds_bucket{le="+Inf"} 3"#,
                "relevo_request_duration_seconds_sum 12.043",
                "relevo_request_duration_seconds_count 3",
            ])
    }

    @Test func labelValuesEscapeQuotesBackslashesAndNewlines() {
        var status = FakeControl.sampleStatus
        status.versions[0].name = "we\"ird\\name\nx"

        let text = PrometheusText.render(status: status, metrics: MetricsSnapshot())

        #expect(text.contains(#"relevo_sessions{version="we\"ird\\name\nx"} 3"# + "\n"))
        #expect(PrometheusText.escapedLabel("a\r\nb") == "a\r\\nb")
    }

    @Test func anEmptySnapshotStillDescribesEveryFamily() {
        let text = PrometheusText.render(status: ReleaseStatus(live: nil, versions: []), metrics: MetricsSnapshot())

        #expect(text.split(separator: "\n").filter { $0.hasPrefix("# TYPE") }.count == 8)
        #expect(text.contains("relevo_request_duration_seconds_count 0\n"))
        #expect(text.contains("relevo_request_duration_seconds_sum 0\n"))
    }

    @Test func nanosecondsReadAsDecimalSeconds() {
        #expect(PrometheusText.seconds(0) == "0")
        #expect(PrometheusText.seconds(5_000_000) == "0.005")
        #expect(PrometheusText.seconds(1_000_000_000) == "1")
        #expect(PrometheusText.seconds(2_500_000_000) == "2.5")
        #expect(PrometheusText.seconds(12_000_000_001) == "12.000000001")
    }
}
