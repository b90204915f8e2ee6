import Testing

/// How a test frames a body it sends or asks for.
enum Framing: String, Sendable, CaseIterable, CustomTestStringConvertible {
    /// `Content-Length`.
    case contentLength

    /// `Transfer-Encoding: chunked`.
    case chunked

    /// The header field that announces a body of `length` bytes.
    func field(length: Int) -> String {
        switch self {
        case .contentLength: "Content-Length: \(length)\r\n"
        case .chunked: "Transfer-Encoding: chunked\r\n"
        }
    }

    /// The name Swift Testing shows for this argument.
    var testDescription: String {
        rawValue
    }
}

extension EndToEnd {
    /// Request and response bodies, from empty to larger than relevo's memory may grow.
    @Suite struct Bodies {
        /// The memory relevo may hold while 100 MiB stream through it.
        static let residentLimit = 100 << 20

        @Test(arguments: Framing.allCases, [0, 1, 1 << 20])
        func aRequestBodyReachesTheBackendIntact(framing: Framing, length: Int) throws {
            try withProxy { proxy in
                let response = try upload(length: length, framing: framing, to: proxy)

                #expect(response.status == 200, "\(response)")
                #expect(response.bodyText == "POST /upload \(Payload.digest(length: length))")
            }
        }

        @Test(arguments: Framing.allCases)
        func a100MiBRequestBodyStreamsThroughInBoundedMemory(framing: Framing) throws {
            let length = 100 << 20
            try withProxy { proxy in
                var largestSample = 0
                let response = try upload(length: length, framing: framing, to: proxy) {
                    largestSample = max(largestSample, proxy.relevo.residentBytes ?? 0)
                }

                #expect(response.status == 200, "\(response)")
                #expect(response.bodyText == "POST /upload \(Payload.digest(length: length))")
                let peak = max(largestSample, proxy.relevo.peakResidentBytes ?? 0)
                #expect(peak < Self.residentLimit, "relevo's resident memory peaked at \(peak >> 20) MiB")
            }
        }

        @Test(arguments: Framing.allCases, [0, 1, 1 << 20])
        func aResponseBodyReachesTheClientIntact(framing: Framing, length: Int) throws {
            try withProxy(backends: [payloadResponder]) { proxy in
                let response = try proxy.get("/download/\(framing.rawValue)/\(length)")

                #expect(response.status == 200, "\(response)")
                #expect(response.body.digest == Payload.digest(length: length))
            }
        }

        @Test(arguments: Framing.allCases)
        func a100MiBResponseBodyStreamsThroughInBoundedMemory(framing: Framing) throws {
            let length = 100 << 20
            try withProxy(backends: [payloadResponder]) { proxy in
                let response = try proxy.get("/download/\(framing.rawValue)/\(length)")

                #expect(response.status == 200, "\(response.head.text)")
                #expect(response.body.digest == Payload.digest(length: length))
                let peak = proxy.relevo.peakResidentBytes ?? 0
                #expect(peak < Self.residentLimit, "relevo's resident memory peaked at \(peak >> 20) MiB")
            }
        }

        /// Sends `POST /upload` with a payload body of `length` bytes; `progress` runs after each 64 KiB piece.
        private func upload(
            length: Int,
            framing: Framing,
            to proxy: ProxyFixture,
            progress: () -> Void = {}
        ) throws -> RawResponse {
            let client = try proxy.connect(timeout: .seconds(30))
            try client.send("POST /upload HTTP/1.1\r\nHost: e2e.test\r\n\(framing.field(length: length))\r\n")
            var pieces = 0
            try client.sendPayload(length: length, chunked: framing == .chunked) {
                pieces += 1
                if pieces % 16 == 0 {
                    progress()
                }
            }
            return try client.readFinalResponse().final
        }
    }
}

/// Answers `GET /download/FRAMING/LENGTH` with LENGTH bytes of payload, framed as asked.
private let payloadResponder: TestBackend.Handler = { exchange in
    let parts = exchange.request.target.split(separator: "/")
    guard parts.count == 3, let length = Int(parts[2]) else {
        try exchange.respond(status: 404, body: "no such download")
        return
    }
    try exchange.respondWithPayload(length: length, chunked: parts[1] == "chunked")
}
