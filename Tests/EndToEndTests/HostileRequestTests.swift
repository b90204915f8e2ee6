import Testing

extension EndToEnd {
    /// Requests built to smuggle, confuse or overflow: relevo answers them itself, closes, and the backend sees
    /// nothing of them.
    @Suite struct HostileRequests {
        @Test(arguments: HostileRequest.framing)
        func aRequestWithAmbiguousFramingIsRefusedAndNeverForwarded(request: HostileRequest) throws {
            try check(request)
        }

        @Test(arguments: HostileRequest.chunks)
        func aRequestWithABadChunkedBodyIsRefusedAndTheConnectionClosed(request: HostileRequest) throws {
            try check(request)
        }

        @Test(arguments: HostileRequest.heads)
        func aRequestWithAMalformedHeadIsRefusedAndNeverForwarded(request: HostileRequest) throws {
            try check(request)
        }

        @Test func aRefusedRequestsBodyIsNeverReadAsTheNextRequest() throws {
            // Two Host lines make relevo answer 400 from the head alone; the body, a whole request, is still
            // on the wire and must not be taken for the next one.
            let body = HostileRequest.smuggled
            let request = HostileRequest(
                name: "two Host lines with a request as the body",
                bytes: "POST /hostile HTTP/1.1\r\nHost: e2e.test\r\nHost: other.test\r\n"
                    + "Content-Length: \(body.utf8.count)\r\n\r\n" + body
            )
            try check(request, followedBy: "")
        }

        @Test func aBodyLeftUnreadAfterA502IsNeverReadAsTheNextRequest() throws {
            try withProxy { proxy in
                proxy.backend.stop()
                let body = HostileRequest.smuggled
                let client = try proxy.connect()
                try client.send(
                    "POST /down HTTP/1.1\r\nHost: e2e.test\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body
                )
                let response = try client.readFinalResponse().final
                #expect(response.status == 502, "\(response)")

                // relevo may close, or skip the body and wait for a next request; it must not answer the body.
                let after = try client.waitForClose(within: .seconds(2))
                #expect(after.text.isEmpty, "a second answer came: \(after.text.debugDescription)")
            }
        }

        @Test func aRequestHeadThatNeverEndsIsDroppedAfterTheHeaderTimeout() throws {
            try withProxy { proxy in
                let client = try proxy.connect()
                try client.send("GET /never-ends HTTP/1.1\r\nHost: e2e.test\r\nX-Slow: 1\r\n")

                // request_header is 2s: relevo may answer 408 first, then it must close.
                var outcome = try client.waitForClose(within: .seconds(10))
                if case .bytes(let bytes) = outcome {
                    let text = String(decoding: bytes, as: UTF8.self)
                    #expect(text.hasPrefix("HTTP/1.1 408"), "relevo answered an unfinished head with \(text)")
                    outcome = try client.waitForClose(within: .seconds(10))
                }
                #expect(outcome == .closed, "the connection was still open 10 s after a head stalled")
                #expect(proxy.proxiedHeads.isEmpty, "the backend saw \(proxy.proxiedHeads)")
            }
        }

        @Test func aHeadJustUnderTheLimitIsForwarded() throws {
            try withProxy { proxy in
                let value = String(repeating: "v", count: 28 * 1024)
                let response = try proxy.get("/large-head", headers: "X-Large: \(value)\r\n")

                #expect(response.status == 200, "\(response)")
                #expect(proxy.proxiedHeads.first?.value("X-Large") == value)
            }
        }

        /// Sends `request` then `followedBy` in one write; expects one answer with the request's status, the
        /// connection closed, and no trace of either at the backend.
        private func check(_ request: HostileRequest, followedBy smuggled: String = HostileRequest.smuggled) throws {
            try withProxy { proxy in
                let client = try proxy.connect()
                try client.send(request.bytes + smuggled)

                let response = try client.readFinalResponse().final
                #expect(response.status == request.expectedStatus, "\(response)")
                #expect(response.header("Content-Type")?.hasPrefix("text/plain") == true, "\(response.head.text)")
                let after = try client.waitForClose()
                #expect(after == .closed, "after the \(response.status): \(after)")

                // A request that follows on a new connection is still served, and is all the backend saw.
                let next = try proxy.get("/after")
                #expect(next.status == 200, "\(next)")
                let targets = proxy.proxiedHeads.map(\.target)
                if request.headMayReachBackend {
                    #expect(!targets.contains("/smuggled"), "the backend saw \(targets)")
                    #expect(targets.last == "/after", "the backend saw \(targets)")
                } else {
                    #expect(targets == ["/after"], "the backend saw \(targets)")
                }
            }
        }
    }
}
