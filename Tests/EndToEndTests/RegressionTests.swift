import Testing

extension EndToEnd {
    /// Each test here reproduces a problem found by trying to break relevo, and pins the fix.
    @Suite struct Regressions {
        @Test func aClientThatConnectsAndSendsNothingIsClosedQuietlyAndRelevoKeepsServing() throws {
            try withProxy { proxy in
                let silent = try proxy.connect()
                // request_header is 2 s in the test conf; the connection must end without a crash.
                let after = try silent.waitForClose(within: .seconds(6))
                #expect(after.text.isEmpty, "relevo answered a request that never came: \(after.text.debugDescription)")

                let response = try proxy.get("/still-serving")
                #expect(response.status == 200, "\(response)")
            }
        }

        @Test(arguments: [
            "5\r\nhello\r\nZZ\r\n",
            "5\r\nhello\r\nffffffffffffffffff\r\n",
            "5\r\nhello\r\n5;" + String(repeating: "x", count: 8_000) + "\r\n",
        ])
        func aBackendSendingAMalformedChunkedBodyCutsOnlyThatClientOff(body: String) throws {
            let handler: TestBackend.Handler = { exchange in
                if exchange.request.target == "/broken" {
                    try exchange.connection.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + body)
                    exchange.closesConnection = true
                } else {
                    try exchange.respond(status: 200, body: "fine")
                }
            }
            try withProxy(backends: [handler]) { proxy in
                let client = try proxy.connect()
                try client.send("GET /broken HTTP/1.1\r\nHost: e2e.test\r\n\r\n")
                let received = try client.waitForClose(within: .seconds(5))
                #expect(!received.text.contains("ZZ"), "the malformed framing reached the client")

                let response = try proxy.get("/after")
                #expect(response.status == 200, "\(response)")
            }
        }

        @Test func requestTrailersOfMoreThanOneBufferAreForwardedNotStalled() throws {
            let handler: TestBackend.Handler = { exchange in
                let body = try exchange.readBody()
                try exchange.respond(status: 200, body: "got \(body.bytes.count) bytes")
            }
            try withProxy(backends: [handler]) { proxy in
                let client = try proxy.connect()
                let trailer = "X-Trailer: " + String(repeating: "a", count: 20_000) + "\r\n"
                try client.send(
                    "POST /trailers HTTP/1.1\r\nHost: e2e.test\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "3\r\nabc\r\n0\r\n" + trailer + "\r\n")
                let response = try client.readFinalResponse(method: "POST").final

                #expect(response.status == 200, "\(response)")
                #expect(response.bodyText == "got 3 bytes", "\(response)")
            }
        }

        @Test func requestTrailersOverTheLimitAreRefusedByRelevoNotBlamedOnTheBackend() throws {
            try withProxy { proxy in
                let client = try proxy.connect()
                let trailer = "X-Trailer: " + String(repeating: "a", count: 40_000) + "\r\n"
                try client.send(
                    "POST /trailers HTTP/1.1\r\nHost: e2e.test\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "3\r\nabc\r\n0\r\n" + trailer + "\r\n")
                let response = try client.readFinalResponse(method: "POST").final

                #expect(response.status == 431 || response.status == 400, "\(response)")
            }
        }
    }
}
