import Testing

extension EndToEnd {
    /// A short burst of load from wrk: no socket errors, no failed answers.
    @Suite struct Load {
        @Test(.enabled(if: ExternalCommand.find("wrk") != nil, "wrk is not installed"))
        func threeSecondsOfWrkWith32ConnectionsSeeNoErrors() throws {
            let wrk = try #require(ExternalCommand.find("wrk"))
            try withProxy(backends: [TestBackend.summarize, TestBackend.summarize]) { proxy in
                let outcome = try ExternalCommand.run(
                    wrk,
                    ["-t2", "-c32", "-d3s", "--timeout", "5s", "http://127.0.0.1:\(proxy.port)/wrk"],
                    timeout: .seconds(30)
                )

                #expect(outcome.status == 0, "\(outcome.output)")
                let report = WrkReport(outcome.output)
                #expect(report.requests > 0, "\(outcome.output)")
                #expect(report.socketErrors == 0, "\(outcome.output)")
                #expect(report.non2xx == 0, "\(outcome.output)")
            }
        }
    }
}

/// The numbers of a wrk run that the load test checks, read from wrk's text report.
struct WrkReport {
    /// Requests completed (`N requests in …`).
    var requests = 0

    /// Sum of the `Socket errors:` counts (connect, read, write, timeout); 0 when wrk printed none.
    var socketErrors = 0

    /// `Non-2xx or 3xx responses:`; 0 when wrk printed none.
    var non2xx = 0

    /// Reads a report.
    init(_ text: String) {
        for line in text.split(separator: "\n").map({ $0.trimmingWhitespace() }) {
            if line.contains(" requests in ") {
                requests = Int(line.split(separator: " ")[0]) ?? 0
            } else if line.hasPrefix("Socket errors:") {
                socketErrors = line.split(separator: ",").compactMap { Int($0.split(separator: " ").last ?? "") }
                    .reduce(0, +)
            } else if line.hasPrefix("Non-2xx or 3xx responses:") {
                non2xx = Int(line.split(separator: " ").last ?? "") ?? 0
            }
        }
    }
}
