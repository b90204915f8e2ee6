import RelevoRelease
import Testing

@testable import RelevoAdmin

@Suite("The admin API answers each route of DESIGN.md's table")
struct AdminRouteTests {
    @Test func healthzAnswersOkWhileServingAndStoppingOtherwise() throws {
        try withAdminServer { fixture in
            let serving = try fixture.client().send("GET", "/healthz")
            #expect(serving.status == 200)
            #expect(serving.text == "ok\n")
            #expect(serving.contentType == "text/plain; charset=utf-8")

            fixture.control.state.withLock { $0.isServing = false }
            let stopping = try fixture.client().send("GET", "/healthz")
            #expect(stopping.status == 503)
            #expect(stopping.text == "stopping\n")
        }
    }

    @Test func statusIsTheReleaseStatusWithDesignsFieldNames() throws {
        let control = FakeControl()
        control.state.withLock { state in
            state.status.versions.removeLast()
            state.status.versions[0].backends.removeLast()
        }
        try withAdminServer(control: control) { fixture in
            let reply = try fixture.client().send("GET", "/status")

            #expect(reply.status == 200)
            #expect(reply.contentType == "application/json")
            #expect(
                reply.text
                    == #"{"live":"v42","versions":[{"#
                    + #""backends":[{"address":"127.0.0.1:9001","inflight":1,"sessions":3,"up":true}],"#
                    + #""drainDeadline":"2026-12-03T18:00:00Z","gate":{"failed":0,"passed":12,"state":"passed"},"#
                    + #""hooks":[],"inflight":1,"name":"v41","oldestSession":"2026-12-03T05:48:00Z","#
                    + #""sessions":3,"since":"2026-12-03T10:00:00Z","state":"draining"}]}"# + "\n")
        }
    }

    @Test func statusDecodesBackToTheSameReleaseStatus() throws {
        try withAdminServer { fixture in
            let reply = try fixture.client().send("GET", "/status")

            #expect(AdminJSON.decode(ReleaseStatus.self, from: reply.body) == FakeControl.sampleStatus)
        }
    }

    @Test func aVersionPathAnswersThatVersionAndAnUnknownOne404NamingTheKnownOnes() throws {
        try withAdminServer { fixture in
            let known = try fixture.client().send("GET", "/versions/v41")
            #expect(known.status == 200)
            #expect(AdminJSON.decode(VersionStatus.self, from: known.body) == FakeControl.sampleStatus.versions[0])

            let unknown = try fixture.client().send("GET", "/versions/v99")
            #expect(unknown.status == 404)
            #expect(unknown.text == #"{"error":"relevo has no version named v99 (known: v41, v42)"}"# + "\n")
        }
    }

    @Test func theGateReportIsJSONOrTextAsAsked() throws {
        let control = FakeControl()
        control.state.withLock {
            $0.reports["v42"] = GateReport(text: "14 checks passed\n", json: Array(#"{"passed":14}"#.utf8))
        }
        try withAdminServer(control: control) { fixture in
            let json = try fixture.client().send("GET", "/versions/v42/gate")
            #expect(json.status == 200)
            #expect(json.contentType == "application/json")
            #expect(json.text == #"{"passed":14}"#)

            let text = try fixture.client().send("GET", "/versions/v42/gate?format=text")
            #expect(text.text == "14 checks passed\n")
            #expect(text.contentType == "text/plain; charset=utf-8")

            let connection = try fixture.connect()
            try connection.request("GET", "/versions/v42/gate", headers: ["Accept: text/plain"])
            #expect(try connection.readReply().body == "14 checks passed\n")
        }
    }

    @Test func aGateReportThatIsMissingOrAskedInAnUnknownFormatIsAnError() throws {
        try withAdminServer { fixture in
            let notYet = try fixture.client().send("GET", "/versions/v41/gate")
            #expect(notYet.status == 404)
            #expect(notYet.text.contains("v41 has no gate report yet"))

            #expect(try fixture.client().send("GET", "/versions/v99/gate").status == 404)
            #expect(try fixture.client().send("GET", "/versions/v41/gate?format=xml").status == 400)
        }
    }

    @Test func postingToTheGateRunsItAgainAndAnswers202() throws {
        try withAdminServer { fixture in
            let reply = try fixture.client().send("POST", "/versions/v41/gate")

            #expect(reply.status == 202)
            #expect(reply.text == #"{"failed":0,"passed":0,"state":"running"}"# + "\n")
            #expect(fixture.control.state.withLock { $0.gateReruns } == ["v41"])
            #expect(try fixture.client().send("POST", "/versions/v99/gate").status == 404)
        }
    }

    @Test func anAppliedReloadAnswersItsChanges() throws {
        try withAdminServer { fixture in
            let reply = try fixture.client().send("POST", "/reload")

            #expect(reply.status == 200)
            #expect(reply.text == #"{"changes":["version v43 added (candidate)"]}"# + "\n")
            #expect(fixture.control.state.withLock { $0.reloads } == 1)
        }
    }

    @Test func aRefusedReloadAnswers400WithEveryError() throws {
        let control = FakeControl()
        control.state.withLock {
            $0.reloadResult = .refused(errors: [
                ReloadError(file: "conf/relevo.conf", line: 3, column: 5, message: "unknown directive 'listn'"),
                ReloadError(file: "conf/v43.conf", line: 1, column: 9, message: "backend needs HOST:PORT"),
            ])
        }
        try withAdminServer(control: control) { fixture in
            let reply = try fixture.client().send("POST", "/reload")

            #expect(reply.status == 400)
            #expect(
                reply.text
                    == #"{"errors":[{"column":5,"file":"conf/relevo.conf","line":3,"#
                    + #""message":"unknown directive 'listn'"},"#
                    + #"{"column":9,"file":"conf/v43.conf","line":1,"message":"backend needs HOST:PORT"}]}"# + "\n")
        }
    }

    @Test func aWrongMethodGets405WithAllow() throws {
        try withAdminServer { fixture in
            let connection = try fixture.connect()
            try connection.request("GET", "/reload")
            let reload = try connection.readReply()
            #expect(reload.status == 405)
            #expect(reload.headers["allow"] == "POST")
            #expect(reload.body == #"{"error":"GET is not allowed on /reload; use POST"}"# + "\n")

            try connection.request("DELETE", "/status")
            let status = try connection.readReply()
            #expect(status.status == 405)
            #expect(status.headers["allow"] == "GET, HEAD")
        }
    }

    @Test func anUnknownPathGets404ListingThePaths() throws {
        try withAdminServer { fixture in
            for path in ["/", "/statuses", "/status/", "/versions", "/versions/v41/gate/x"] {
                let reply = try fixture.client().send("GET", path)
                #expect(reply.status == 404, "\(path)")
                #expect(reply.text.hasPrefix(#"{"error":"no such path: \#(path); the admin API has /healthz"#))
            }
        }
    }

    @Test func headAnswersTheHeadOfGetWithoutItsBody() throws {
        try withAdminServer { fixture in
            let connection = try fixture.connect()
            try connection.request("HEAD", "/healthz")
            let head = try connection.readReply(headOnly: true)
            #expect(head.status == 200)
            #expect(head.headers["content-length"] == "3")

            try connection.request("GET", "/healthz")
            #expect(try connection.readReply().body == "ok\n")
        }
    }

    @Test func metricsAreServedInThePrometheusTextFormat() throws {
        try withAdminServer { fixture in
            let reply = try fixture.client().send("GET", "/metrics")

            #expect(reply.status == 200)
            #expect(reply.contentType == "text/plain; version=0.0.4; charset=utf-8")
            #expect(reply.text.hasPrefix("# HELP relevo_sessions "))
            #expect(reply.text.contains("relevo_sessions{version=\"v42\"} 120\n"))
        }
    }
}
