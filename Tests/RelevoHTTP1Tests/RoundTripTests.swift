import RelevoHTTP1
import Testing

/// The end-to-end fields of a request: what must survive forwarding unchanged.
private func endToEndFields(_ head: RequestSnapshot) -> [FieldSnapshot] {
    head.headers.filter { field in
        switch field.kind {
        case .host, .xForwardedFor, .xForwardedProto, .xForwardedHost: false
        default: !field.isHopByHop
        }
    }
}

/// The origin-form target relevo must send for `head`.
private func originFormTarget(_ head: RequestSnapshot) -> String {
    guard head.targetIsEmptyPath else { return head.target }
    return head.method == .options && head.target.isEmpty ? "*" : "/" + head.target
}

@Suite("A request written upstream parses back to the same request")
struct RoundTripTests {
    @Test(arguments: [
        "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n",
        "GET /search?q=a+b&x=%20 HTTP/1.1\r\nHost: example.com:8443\r\nAccept: */*\r\nUser-Agent: t\r\n\r\n",
        "POST /form HTTP/1.1\r\nHost: a\r\nContent-Type: text/plain\r\nContent-Length: 12\r\n\r\n",
        "PUT /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n",
        "GET / HTTP/1.0\r\nAccept: */*\r\n\r\n",
        "GET / HTTP/1.0\r\nHost: a\r\nConnection: keep-alive\r\n\r\n",
        "GET http://origin:81/p?q HTTP/1.1\r\nHost: ignored\r\nX-A: 1\r\n\r\n",
        "GET https://origin?only=query HTTP/1.1\r\nHost: origin\r\n\r\n",
        "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
        "OPTIONS http://a HTTP/1.1\r\nHost: a\r\n\r\n",
        "GET /chat HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: upgrade\r\n"
            + "Sec-WebSocket-Version: 13\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nConnection: X-Hop\r\nX-Hop: 1\r\nX-End: 2\r\n"
            + "Cookie: a=1; b=2\r\nCookie: c=3\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 10.0.0.1\r\nX-Forwarded-Proto: https\r\n"
            + "X-Space:   padded\t\r\n\r\n",
        "DELETE /item/7 HTTP/1.1\r\nHost: a\r\nTE: trailers\r\nKeep-Alive: 5\r\n"
            + "Authorization: Bearer x.y.z\r\n\r\n",
        "PATCH /x HTTP/1.1\r\nHost: [::1]:8080\r\nContent-Length: 0\r\n\r\n",
    ])
    func aForwardedRequestKeepsItsMethodTargetFieldsAndFraming(input: String) throws {
        let original = try #require(parseRequest(input).value)
        let forwarded = try #require(upstreamHead(input))
        let reparsed = try #require(parseRequest(forwarded).value)

        #expect(reparsed.methodText == original.methodText)
        #expect(reparsed.method == original.method)
        #expect(reparsed.target == originFormTarget(original))
        #expect(reparsed.version == .http11)
        #expect(endToEndFields(reparsed) == endToEndFields(original))
        #expect(reparsed.framing == original.framing)
        #expect(reparsed.isUpgrade == original.isUpgrade)
        #expect(reparsed.value(of: "host") == original.authority ?? original.value(of: "host") ?? "")
        #expect(reparsed.value(of: "x-forwarded-for")?.hasSuffix("192.0.2.7") == true)
        #expect(reparsed.headers.filter { $0.kind == .xForwardedFor }.count == 1)
    }
}
