import Testing

extension EndToEnd {
    /// Backends that are down, slow or broken: relevo answers for them.
    @Suite struct UpstreamFailures {
        @Test func aBackendThatRefusesConnectionsGets502() throws {
            try withProxy { proxy in
                // The backend was up for the gate; now it is gone and its port refuses connections.
                proxy.backend.stop()
                let response = try proxy.get("/down")

                #expect(response.status == 502, "\(response)")
                #expect(response.header("Content-Type")?.hasPrefix("text/plain") == true, "\(response.head.text)")
                #expect(!response.bodyText.isEmpty)
            }
        }

        @Test func relevosOwnAnswerToAHEADCarriesNoBody() throws {
            try withProxy { proxy in
                proxy.backend.stop()
                let client = try proxy.connect()
                try client.send("HEAD /down HTTP/1.1\r\nHost: e2e.test\r\n\r\n")
                let response = try client.readFinalResponse(method: "HEAD").final

                #expect(response.status == 502, "\(response)")
                let after = try client.waitForClose(within: .seconds(1))
                #expect(after.text.isEmpty, "a body followed the HEAD answer: \(after.text.debugDescription)")
            }
        }

        @Test func beforeAnyVersionIsLiveRequestsGet503WithRetryAfterAndHEADGetsNoBody() throws {
            let unused = try TestSocket.unusedPort()
            let configure: (inout RelevoConfiguration) -> Void = { $0.backends = ["127.0.0.1:\(unused)"] }
            try withProxy(configure: configure, waitsForLiveVersion: false) { proxy in
                let response = try proxy.get("/not-yet")
                #expect(response.status == 503, "\(response)")
                #expect(response.header("Retry-After") != nil, "\(response.head.text)")

                let client = try proxy.connect()
                try client.send("HEAD /not-yet HTTP/1.1\r\nHost: e2e.test\r\n\r\n")
                let head = try client.readFinalResponse(method: "HEAD").final
                #expect(head.status == 503, "\(head)")
                let after = try client.waitForClose(within: .seconds(1))
                #expect(after.text.isEmpty, "a body followed the HEAD answer: \(after.text.debugDescription)")
            }
        }

        @Test func aBackendTooSlowToAnswerGets504() throws {
            let release = Latch()
            let handler: TestBackend.Handler = { exchange in
                release.wait(timeout: .seconds(20))
                try exchange.respond(status: 200, body: "too late")
            }
            try withProxy(backends: [handler]) { proxy in
                defer { release.open() }
                let clock = ContinuousClock()
                let started = clock.now
                let response = try proxy.get("/slow")
                let waited = clock.now - started

                #expect(response.status == 504, "\(response)")
                #expect(response.header("Content-Type")?.hasPrefix("text/plain") == true, "\(response.head.text)")
                #expect(waited >= .milliseconds(1500), "504 after \(waited), upstream_read is 2s")
                #expect(waited < .seconds(10), "504 after \(waited), upstream_read is 2s")
            }
        }

        @Test func a101ToARequestThatAskedForNoUpgradeGets502() throws {
            let handler: TestBackend.Handler = { exchange in
                try exchange.respond(status: 101, headers: [("Connection", "Upgrade"), ("Upgrade", "websocket")])
                exchange.closesConnection = true
            }
            try withProxy(backends: [handler]) { proxy in
                let response = try proxy.get("/no-upgrade")

                #expect(response.status == 502, "\(response)")
            }
        }

        @Test func aBackendAnsweringSomethingOtherThanHTTPGets502() throws {
            let handler: TestBackend.Handler = { exchange in
                try exchange.connection.write("SSH-2.0-OpenSSH_9.2\r\n\r\n")
                exchange.closesConnection = true
            }
            try withProxy(backends: [handler]) { proxy in
                let response = try proxy.get("/not-http")

                #expect(response.status == 502, "\(response)")
            }
        }

        @Test func aBackendClosingWithoutAnAnswerGets502() throws {
            let handler: TestBackend.Handler = { exchange in
                exchange.closesConnection = true
            }
            try withProxy(backends: [handler]) { proxy in
                let response = try proxy.get("/hang-up")

                #expect(response.status == 502, "\(response)")
            }
        }
    }
}
