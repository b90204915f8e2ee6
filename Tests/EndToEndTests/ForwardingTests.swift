import Testing

extension EndToEnd {
    /// Ordinary exchanges: what relevo passes on, changes and leaves alone.
    @Suite struct Forwarding {
        @Test func aGETReachesTheBackendAndItsResponseComesBack() throws {
            try withProxy { proxy in
                let response = try proxy.get("/hello?name=e2e")

                #expect(response.status == 200, "\(response)")
                #expect(response.bodyText == "GET /hello?name=e2e \(Payload.digest(length: 0))")
                #expect(proxy.proxiedHeads.map(\.target) == ["/hello?name=e2e"])
            }
        }

        @Test func curlGetsAnOrdinaryResponseThroughRelevo() throws {
            let curl = try #require(ExternalCommand.find("curl"), "curl is not installed")
            try withProxy { proxy in
                let outcome = try ExternalCommand.run(
                    curl,
                    ["-sS", "--max-time", "10", "http://127.0.0.1:\(proxy.port)/curl"],
                    timeout: .seconds(20)
                )

                #expect(outcome.status == 0, "\(outcome.output)")
                #expect(outcome.output == "GET /curl \(Payload.digest(length: 0))")
            }
        }

        @Test func aHEADResponseKeepsItsContentLengthAndCarriesNoBody() throws {
            try withProxy(backends: [headAware]) { proxy in
                let client = try proxy.connect()
                try client.send("HEAD /head HTTP/1.1\r\nHost: e2e.test\r\n\r\n")
                let head = try client.readFinalResponse(method: "HEAD").final

                #expect(head.status == 200, "\(head)")
                #expect(head.header("Content-Length") == "1234")

                // The next response on the connection must start right where the HEAD response ended.
                let next = try client.exchange("GET /after-head HTTP/1.1\r\nHost: e2e.test\r\n\r\n")
                #expect(next.status == 200, "\(next)")
                #expect(next.body.length == 1234)
            }
        }

        @Test(arguments: [204, 304])
        func aResponseWithoutABodyStatusCarriesNoBody(status: Int) throws {
            let handler: TestBackend.Handler = { exchange in
                if exchange.request.target == "/bodiless" {
                    // A 304 may announce the length of the representation it stands for; no body follows.
                    let headers = status == 304 ? [("ETag", "\"v1\""), ("Content-Length", "100")] : []
                    try exchange.respond(status: status, headers: headers)
                } else {
                    try TestBackend.summarize(exchange)
                }
            }
            try withProxy(backends: [handler]) { proxy in
                let client = try proxy.connect()
                let bodiless = try client.exchange("GET /bodiless HTTP/1.1\r\nHost: e2e.test\r\n\r\n")

                #expect(bodiless.status == status, "\(bodiless)")
                #expect(bodiless.body.length == 0)

                let next = try client.exchange("GET /after HTTP/1.1\r\nHost: e2e.test\r\n\r\n")
                #expect(next.status == 200, "\(next)")
                #expect(next.bodyText == "GET /after \(Payload.digest(length: 0))")
            }
        }

        @Test func severalSetCookieFieldsArePreservedInOrderByteForByte() throws {
            let cookies = [
                "session=abc123; Path=/; HttpOnly",
                "theme=dark; Expires=Wed, 21 Oct 2037 07:28:00 GMT; Secure",
                "quoted=\"a b,c\"; SameSite=Lax; Max-Age=60",
            ]
            let handler: TestBackend.Handler = { exchange in
                try exchange.respond(status: 200, headers: cookies.map { ("Set-Cookie", $0) }, body: "cookies")
            }
            try withProxy(backends: [handler]) { proxy in
                let response = try proxy.get("/cookies")

                #expect(response.status == 200, "\(response)")
                // relevo may add its own affinity cookie (named `relevo`); the backend's must pass untouched.
                let setCookies = response.head.values("Set-Cookie").filter { !$0.hasPrefix("relevo=") }
                #expect(setCookies == cookies, "\(response.head.text)")
            }
        }

        @Test func hopByHopFieldsAreRemovedAndForwardingFieldsAreSet() throws {
            let handler: TestBackend.Handler = { exchange in
                try exchange.respond(
                    status: 200,
                    headers: [
                        ("Connection", "X-Backend-Hop"), ("X-Backend-Hop", "1"), ("Keep-Alive", "timeout=9"),
                        ("X-End-To-End", "kept"),
                    ],
                    body: "hop"
                )
            }
            try withProxy(backends: [handler]) { proxy in
                let response = try proxy.connect().exchange(
                    "GET /hop HTTP/1.1\r\nHost: booking.example:8080\r\n"
                        + "Connection: keep-alive, X-Client-Hop\r\nX-Client-Hop: secret\r\n"
                        + "Keep-Alive: timeout=5\r\nProxy-Connection: keep-alive\r\nTE: trailers\r\n"
                        + "X-Forwarded-For: 203.0.113.7\r\nX-Request-Id: r-1\r\n\r\n"
                )
                #expect(response.status == 200, "\(response)")

                let seen = try #require(proxy.proxiedHeads.first)
                for name in ["X-Client-Hop", "Keep-Alive", "Proxy-Connection", "TE"] {
                    #expect(!seen.contains(name), "\(name) reached the backend:\n\(seen.text)")
                }
                #expect(!seen.values("Connection").joined().lowercased().contains("x-client-hop"), "\(seen.text)")
                #expect(seen.value("X-Request-Id") == "r-1")
                #expect(seen.value("Host") == "booking.example:8080")

                let forwardedFor = seen.values("X-Forwarded-For").joined(separator: ",").split(separator: ",")
                #expect(forwardedFor.last?.trimmingWhitespace() == "127.0.0.1", "\(seen.text)")
                #expect(seen.values("X-Forwarded-Proto") == ["http"], "\(seen.text)")
                #expect(seen.values("X-Forwarded-Host") == ["booking.example:8080"], "\(seen.text)")

                #expect(!response.head.contains("X-Backend-Hop"), "\(response.head.text)")
                #expect(!response.head.values("Keep-Alive").contains("timeout=9"), "\(response.head.text)")
                #expect(response.header("X-End-To-End") == "kept")
            }
        }
    }
}

/// Answers `HEAD` with `Content-Length: 1234` and no body, anything else with 1234 bytes of payload.
private let headAware: TestBackend.Handler = { exchange in
    if exchange.request.method == "HEAD" {
        try exchange.respond(status: 200, headers: [("Content-Length", "1234")])
    } else {
        try exchange.respondWithPayload(length: 1234, chunked: false)
    }
}
