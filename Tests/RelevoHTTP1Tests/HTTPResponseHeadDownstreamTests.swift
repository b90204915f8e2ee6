import RelevoHTTP1
import Testing

@Suite("HTTPResponseHead.writeDownstream forwards fields byte for byte with relevo's framing")
struct HTTPResponseHeadDownstreamTests {
    @Test func severalSetCookieFieldsStaySeparateInOrderAndUnchanged() {
        let input = """
            HTTP/1.1 200 OK\r
            Set-Cookie: a=1; Path=/; HttpOnly\r
            Content-Type: text/html\r
            set-cookie: b=2; Expires=Wed, 21 Oct 2015 07:28:00 GMT\r
            Content-Length: 10\r
            SET-COOKIE:c=3\r
            \r

            """
        let expected = """
            HTTP/1.1 200 OK\r
            Set-Cookie: a=1; Path=/; HttpOnly\r
            Content-Type: text/html\r
            set-cookie: b=2; Expires=Wed, 21 Oct 2015 07:28:00 GMT\r
            SET-COOKIE: c=3\r
            Content-Length: 10\r
            \r

            """
        #expect(downstreamHead(input) == expected)
    }

    @Test func hopByHopFieldsAndFieldsNamedByConnectionAreDropped() {
        let input = """
            HTTP/1.1 200 OK\r
            Connection: keep-alive, X-Backend\r
            Keep-Alive: timeout=5\r
            X-Backend: 10.0.0.3\r
            Transfer-Encoding: chunked\r
            Trailer: X-Sum\r
            Server: app\r
            \r

            """
        let expected = "HTTP/1.1 200 OK\r\nServer: app\r\nTransfer-Encoding: chunked\r\n\r\n"
        #expect(downstreamHead(input) == expected)
    }

    @Test func anUntilCloseBodyReFramedAsChunkedSaysSo() {
        let output = downstreamHead("HTTP/1.0 200 OK\r\nServer: old\r\n\r\n", framing: .chunked)
        #expect(output == "HTTP/1.1 200 OK\r\nServer: old\r\nTransfer-Encoding: chunked\r\n\r\n")
    }

    @Test func anUntilCloseBodyAlwaysClosesTheDownstreamConnection() {
        let output = downstreamHead("HTTP/1.1 200 OK\r\n\r\n", framing: .untilClose, keepAlive: true)
        #expect(output == "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")
    }

    @Test(arguments: [
        (true, HTTPVersion.http11, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
        (false, HTTPVersion.http11, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
        (true, HTTPVersion.http10, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n"),
        (false, HTTPVersion.http10, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
    ])
    func connectionSaysWhetherTheDownstreamConnectionStays(keepAlive: Bool, version: HTTPVersion, expected: String) {
        let input = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        #expect(downstreamHead(input, keepAlive: keepAlive, requestVersion: version) == expected)
    }

    @Test func aHEADResponseKeepsTheUpstreamContentLength() {
        let output = downstreamHead("HTTP/1.1 200 OK\r\ncontent-length: 1234\r\n\r\n", method: .head)
        #expect(output == "HTTP/1.1 200 OK\r\ncontent-length: 1234\r\n\r\n")
    }

    @Test func aNotModifiedResponseKeepsTheUpstreamContentLength() {
        let output = downstreamHead("HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\nContent-Length: 99\r\n\r\n")
        #expect(output == "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\nContent-Length: 99\r\n\r\n")
    }

    @Test func aNoContentResponseHasNoFraming() {
        let output = downstreamHead("HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")
        #expect(output == "HTTP/1.1 204 No Content\r\n\r\n")
    }

    @Test func anInterimResponseIsItsStatusLineAndFieldsOnly() {
        let input = "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\nConnection: x\r\n\r\n"
        let output = downstreamHead(input, keepAlive: false, requestVersion: .http10)
        #expect(output == "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n")
    }

    @Test func switchingProtocolsKeepsUpgradeAndSaysConnectionUpgrade() {
        let input = """
            HTTP/1.1 101 Switching Protocols\r
            Upgrade: websocket\r
            Connection: Upgrade\r
            Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r
            \r

            """
        let expected = """
            HTTP/1.1 101 Switching Protocols\r
            Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r
            Upgrade: websocket\r
            Connection: upgrade\r
            \r

            """
        #expect(downstreamHead(input) == expected)
    }

    @Test(arguments: [
        ("HTTP/1.0 404 Missing\r\nContent-Length: 0\r\n\r\n", "HTTP/1.1 404 Missing\r\n"),
        ("HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n", "HTTP/1.1 200 OK\r\n"),
        ("HTTP/1.1 503\r\nContent-Length: 0\r\n\r\n", "HTTP/1.1 503 Service Unavailable\r\n"),
        ("HTTP/1.1 299\r\nContent-Length: 0\r\n\r\n", "HTTP/1.1 299 \r\n"),
    ])
    func theStatusLineSaysHTTP11AndFillsInAMissingReason(input: String, statusLine: String) throws {
        #expect(try #require(downstreamHead(input)).hasPrefix(statusLine))
    }

    @Test func extraHeadersGoJustBeforeTheEmptyLine() {
        let output = downstreamHead(
            "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", extraHeaders: "Set-Cookie: relevo=abc; Path=/\r\n")
        #expect(output == "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nSet-Cookie: relevo=abc; Path=/\r\n\r\n")
    }
}
