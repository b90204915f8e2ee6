import Testing

extension EndToEnd {
    /// `Expect: 100-continue`, from the client through relevo to the backend and back.
    @Suite struct ExpectContinue {
        @Test func aClientWaitingFor100ContinueGetsItAndItsBodyArrives() throws {
            let handler: TestBackend.Handler = { exchange in
                if exchange.request.hasToken("100-continue", in: "Expect") {
                    try exchange.sendContinue()
                }
                try TestBackend.summarize(exchange)
            }
            try withProxy(backends: [handler]) { proxy in
                let body = Payload.bytes(length: 4096)
                let client = try proxy.connect()
                try client.send(
                    "POST /continue HTTP/1.1\r\nHost: e2e.test\r\nExpect: 100-continue\r\nContent-Length: 4096\r\n\r\n"
                )

                // An interim 100 must come before the client sends a single byte of its body.
                let interim = try client.readResponse()
                #expect(interim.status == 100, "\(interim)")

                try client.send(body)
                let response = try client.readFinalResponse().final
                #expect(response.status == 200, "\(response)")
                #expect(response.bodyText == "POST /continue \(Payload.digest(length: 4096))")
            }
        }

        @Test func aBackendRefusingAnAnnouncedBodyAnswersBeforeTheBodyIsSent() throws {
            let handler: TestBackend.Handler = { exchange in
                try exchange.respond(status: 403, headers: [("Connection", "close")], body: "not you")
                exchange.closesConnection = true
            }
            try withProxy(backends: [handler]) { proxy in
                let client = try proxy.connect()
                try client.send(
                    "POST /refused HTTP/1.1\r\nHost: e2e.test\r\nExpect: 100-continue\r\n"
                        + "Content-Length: 1000000\r\n\r\n"
                )
                let response = try client.readFinalResponse().final

                #expect(response.status == 403, "\(response)")
                #expect(response.bodyText == "not you")
            }
        }
    }
}
