import RelevoHTTP1
import Testing

@Suite("HTTPRequestHead.writeUpstream forwards what is end-to-end and rewrites the rest")
struct HTTPRequestHeadUpstreamTests {
    @Test func fieldsGoOutByteForByteInOrderWithForwardingFieldsAfterThem() {
        let input = "GET /a?b HTTP/1.1\r\nHost: example.com\r\nuser-agent:  t/1 \r\nAccept: */*\r\n\r\n"
        let expected = """
            GET /a?b HTTP/1.1\r
            Host: example.com\r
            user-agent: t/1\r
            Accept: */*\r
            X-Forwarded-For: 192.0.2.7\r
            X-Forwarded-Proto: http\r
            X-Forwarded-Host: example.com\r
            \r

            """
        #expect(upstreamHead(input) == expected)
    }

    @Test func hopByHopFieldsAndTheFieldsConnectionNamesAreDropped() {
        let input = """
            GET / HTTP/1.1\r
            Host: a\r
            Connection: keep-alive, X-Secret\r
            Keep-Alive: timeout=5\r
            Proxy-Connection: keep-alive\r
            TE: trailers\r
            Trailer: X-Sum\r
            Upgrade: h2c\r
            X-Secret: 1\r
            X-Kept: 2\r
            \r

            """
        let expected = """
            GET / HTTP/1.1\r
            Host: a\r
            X-Kept: 2\r
            X-Forwarded-For: 192.0.2.7\r
            X-Forwarded-Proto: http\r
            X-Forwarded-Host: a\r
            \r

            """
        #expect(upstreamHead(input) == expected)
    }

    @Test func aFieldTheProxyMarksHopByHopIsDropped() {
        let input = "GET / HTTP/1.1\r\nHost: a\r\nX-Relevo-Preview: v42\r\n\r\n"
        let output = upstreamHead(input) { head, _ in
            head.headers[1].isHopByHop = true
        }
        #expect(output?.contains("X-Relevo-Preview") == false)
    }

    @Test func receivedXForwardedForValuesAreJoinedAndTheClientAppended() {
        let input = """
            GET / HTTP/1.1\r
            X-Forwarded-For: 203.0.113.1\r
            Host: a\r
            X-Forwarded-Proto: https\r
            X-Forwarded-Host: spoofed\r
            x-forwarded-for: 203.0.113.2, 203.0.113.3\r
            \r

            """
        let expected = """
            GET / HTTP/1.1\r
            Host: a\r
            X-Forwarded-For: 203.0.113.1, 203.0.113.2, 203.0.113.3, 2001:db8::1\r
            X-Forwarded-Proto: https\r
            X-Forwarded-Host: a\r
            \r

            """
        #expect(upstreamHead(input, client: "2001:db8::1", scheme: "https") == expected)
    }

    @Test func anAbsoluteFormAuthorityReplacesHostWhereHostStood() {
        let input = "GET http://origin.example:8080/p?q HTTP/1.1\r\nAccept: */*\r\nHost: other\r\nX-A: 1\r\n\r\n"
        let expected = """
            GET /p?q HTTP/1.1\r
            Accept: */*\r
            Host: origin.example:8080\r
            X-A: 1\r
            X-Forwarded-For: 192.0.2.7\r
            X-Forwarded-Proto: http\r
            X-Forwarded-Host: origin.example:8080\r
            \r

            """
        #expect(upstreamHead(input) == expected)
    }

    @Test(arguments: [
        ("GET http://a HTTP/1.1\r\nHost: a\r\n\r\n", "GET / HTTP/1.1\r\n"),
        ("GET http://a?x=1 HTTP/1.1\r\nHost: a\r\n\r\n", "GET /?x=1 HTTP/1.1\r\n"),
        ("OPTIONS http://a HTTP/1.1\r\nHost: a\r\n\r\n", "OPTIONS * HTTP/1.1\r\n"),
        ("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", "OPTIONS * HTTP/1.1\r\n"),
        ("PURGE /x HTTP/1.0\r\n\r\n", "PURGE /x HTTP/1.1\r\n"),
    ])
    func theRequestLineAlwaysSaysHTTP11WithAnOriginFormTarget(input: String, requestLine: String) throws {
        let output = try #require(upstreamHead(input))
        #expect(output.hasPrefix(requestLine))
    }

    @Test func anHTTP10RequestWithoutHostGetsAnEmptyHostFirst() {
        let expected = """
            GET / HTTP/1.1\r
            Host: \r
            Accept: */*\r
            X-Forwarded-For: 192.0.2.7\r
            X-Forwarded-Proto: http\r
            \r

            """
        #expect(upstreamHead("GET / HTTP/1.0\r\nAccept: */*\r\n\r\n") == expected)
    }

    @Test(arguments: [
        ("POST / HTTP/1.1\r\nHost: a\r\ncontent-length: 005\r\n\r\n", "Content-Length: 5\r\n"),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n", "Transfer-Encoding: chunked\r\n"),
    ])
    func framingIsWrittenByRelevoInItsOwnWords(input: String, framing: String) throws {
        let output = try #require(upstreamHead(input))

        #expect(output.hasSuffix("X-Forwarded-Host: a\r\n\(framing)\r\n"))
        #expect(!output.contains("content-length"))
        #expect(!output.contains("Chunked"))
    }

    @Test func aReFramedBodyGetsTheFramingTheProxyChose() throws {
        let output = upstreamHead("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n") { head, _ in
            head.framing = .contentLength(12)
        }
        #expect(try #require(output).hasSuffix("Content-Length: 12\r\n\r\n"))
    }

    @Test func anUpgradeKeepsUpgradeAndSaysConnectionUpgrade() {
        let input = """
            GET /chat HTTP/1.1\r
            Host: a\r
            Connection: keep-alive, Upgrade\r
            Upgrade: websocket\r
            Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r
            Sec-WebSocket-Version: 13\r
            \r

            """
        let expected = """
            GET /chat HTTP/1.1\r
            Host: a\r
            Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r
            Sec-WebSocket-Version: 13\r
            Upgrade: websocket\r
            Connection: upgrade\r
            X-Forwarded-For: 192.0.2.7\r
            X-Forwarded-Proto: http\r
            X-Forwarded-Host: a\r
            \r

            """
        #expect(upstreamHead(input) == expected)
    }

    @Test func expectContinueIsForwardedAsReceived() throws {
        let output = upstreamHead("PUT / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n")
        #expect(try #require(output).contains("Expect: 100-continue\r\n"))
    }

    @Test func extraHeadersGoJustBeforeTheEmptyLine() throws {
        let output = upstreamHead("GET / HTTP/1.1\r\nHost: a\r\n\r\n", extraHeaders: "X-Request-Id: 7\r\n")
        #expect(try #require(output).hasSuffix("X-Forwarded-Host: a\r\nX-Request-Id: 7\r\n\r\n"))
    }

    @Test func anEmptyHostIsNotForwardedAsXForwardedHost() throws {
        let output = upstreamHead("GET / HTTP/1.1\r\nHost:\r\n\r\n")
        #expect(try #require(output).contains("X-Forwarded-Host") == false)
    }
}
