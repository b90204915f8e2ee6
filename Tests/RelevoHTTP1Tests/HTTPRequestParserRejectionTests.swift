import RelevoHTTP1
import Testing

@Suite("HTTPRequestParser refuses what could be read two ways")
struct HTTPRequestParserRejectionTests {
    @Test(arguments: [
        Rejection.fields(
            "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "Content-Length with Transfer-Encoding"),
        Rejection.fields(
            "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", "Content-Length with Transfer-Encoding"),
        Rejection.fields(
            "Transfer-Encoding: chunked\r\nContent-Length: 0\r\n", "Content-Length with Transfer-Encoding"),
    ])
    func contentLengthWithTransferEncodingIsRefused(_ rejection: Rejection) {
        expectRefused(rejection)
    }

    @Test(arguments: [
        Rejection.fields("Transfer-Encoding: chunked,\r\n", "unsupported Transfer-Encoding"),
        Rejection.fields("Transfer-Encoding: gzip, chunked\r\n", "unsupported Transfer-Encoding"),
        Rejection.fields("Transfer-Encoding: chunked, chunked\r\n", "unsupported Transfer-Encoding"),
        Rejection.fields("Transfer-Encoding: gzip\r\n", "unsupported Transfer-Encoding"),
        Rejection.fields("Transfer-Encoding: identity\r\n", "unsupported Transfer-Encoding"),
        Rejection.fields("Transfer-Encoding: chunk\r\n", "unsupported Transfer-Encoding"),
        Rejection.fields("Transfer-Encoding: \"chunked\"\r\n", "unsupported Transfer-Encoding"),
        Rejection.fields("Transfer-Encoding:\r\n", "unsupported Transfer-Encoding"),
        Rejection.fields("Transfer-Encoding: \u{0B}chunked\r\n", "invalid character in header value"),
        Rejection.fields(
            "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", "multiple Transfer-Encoding fields"),
        Rejection("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "Transfer-Encoding on HTTP/1.0"),
    ])
    func anyTransferEncodingButOneChunkedOnHTTP11IsRefused(_ rejection: Rejection) {
        expectRefused(rejection)
    }

    @Test(arguments: [
        "", "+5", "-1", "0x5", "5, 6", "5, 5", "5,5", "5 5", "five", "5.0", "1_000", "1234567890123456789", "\u{FF}",
    ])
    func aContentLengthThatIsNotOneDecimalNumberIsRefused(value: String) {
        expectRefused(.fields("Content-Length: \(value)\r\n", "invalid Content-Length"))
    }

    @Test func contentLengthLinesWithDifferentValuesAreRefused() {
        expectRefused(.fields("Content-Length: 5\r\nContent-Length: 6\r\n", "conflicting Content-Length"))
    }

    @Test(arguments: [
        Rejection.fields("Content-Length : 5\r\n", "whitespace before colon"),
        Rejection.fields("Transfer-Encoding\t: chunked\r\n", "whitespace before colon"),
        Rejection.fields("X-A: 1\r\n continued\r\n", "obsolete line folding"),
        Rejection.fields("X-A: 1\r\n\tcontinued\r\n", "obsolete line folding"),
        Rejection("GET / HTTP/1.1\r\n Host: a\r\n\r\n", 400, "obsolete line folding"),
        Rejection.fields(": no-name\r\n", "empty header name"),
        Rejection.fields("No colon here\r\n", "invalid header name"),
        Rejection.fields("NoColon\r\n", "header line without colon"),
        Rejection.fields("X(A): 1\r\n", "invalid header name"),
        Rejection.fields("X\"A: 1\r\n", "invalid header name"),
        Rejection.fields("X/A: 1\r\n", "invalid header name"),
        Rejection.fields("Café: 1\r\n", "invalid header name"),
        Rejection.fields("X\u{0}A: 1\r\n", "invalid header name"),
        Rejection.fields("X\u{7F}A: 1\r\n", "invalid header name"),
        Rejection.fields("X-A: 1\u{0}2\r\n", "invalid character in header value"),
        Rejection.fields("X-A: 1\u{1}2\r\n", "invalid character in header value"),
        Rejection.fields("X-A: 1\u{1B}2\r\n", "invalid character in header value"),
        Rejection.fields("X-A: 1\u{7F}2\r\n", "invalid character in header value"),
        Rejection.fields("X-A: 12345678\u{7F}\r\n", "invalid character in header value"),
        Rejection.fields("X-A: 12345678901234567\u{0}\r\n", "invalid character in header value"),
    ])
    func malformedFieldLinesAreRefused(_ rejection: Rejection) {
        expectRefused(rejection)
    }

    @Test(arguments: [
        Rejection("GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r2\r\n\r\n", 400, "bare CR"),
        Rejection("GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\r\n\r\n", 400, "bare CR"),
        Rejection("GET / HTTP/1.1\r\nHost: a\r\nX-A\r: 1\r\n\r\n", 400, "bare CR"),
        Rejection("GET / HTTP/1.1\r\nHost: a\r\n\rX-A: 1\r\n\r\n", 400, "bare CR"),
        Rejection("GET / HTTP/1.1\r\r\nHost: a\r\n\r\n", 400, "bare CR"),
        Rejection("GET /\r HTTP/1.1\r\nHost: a\r\n\r\n", 400, "missing HTTP version"),
        Rejection("GET / HTTP/1.1\nHost: a\r\n\r\n", 400, "bare LF"),
        Rejection("GET / HTTP/1.1\r\nHost: a\n\r\n", 400, "bare LF"),
        Rejection("GET / HTTP/1.1\r\nHost: a\r\n\n", 400, "bare LF"),
        Rejection("GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\n2\r\n\r\n", 400, "bare LF"),
        Rejection("\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "invalid start of message"),
        Rejection("\r\n\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "invalid start of message"),
    ])
    func bareCarriageReturnsAndLineFeedsAreRefused(_ rejection: Rejection) {
        expectRefused(rejection)
    }

    @Test(arguments: [
        Rejection("GET / HTTP/1.1\r\n\r\n", 400, "missing Host"),
        Rejection("GET http://a/ HTTP/1.1\r\n\r\n", 400, "missing Host"),
        Rejection.fields("Host: b\r\n", "multiple Host fields"),
        Rejection.fields("host: a\r\n", "multiple Host fields"),
        Rejection("GET / HTTP/1.1\r\nHost: exa mple.com\r\n\r\n", 400, "invalid Host"),
        Rejection("GET / HTTP/1.1\r\nHost: user@example.com\r\n\r\n", 400, "invalid Host"),
        Rejection("GET / HTTP/1.1\r\nHost: example.com/path\r\n\r\n", 400, "invalid Host"),
        Rejection("GET / HTTP/1.1\r\nHost: example.com:80x\r\n\r\n", 400, "invalid Host"),
        Rejection("GET / HTTP/1.1\r\nHost: example.com:1234567\r\n\r\n", 400, "invalid Host"),
        Rejection("GET / HTTP/1.1\r\nHost: :80\r\n\r\n", 400, "invalid Host"),
        Rejection("GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", 400, "invalid Host"),
        Rejection("GET / HTTP/1.1\r\nHost: []\r\n\r\n", 400, "invalid Host"),
        Rejection("GET / HTTP/1.1\r\nHost: a%zz\r\n\r\n", 400, "invalid Host"),
        Rejection("GET / HTTP/1.1\r\nHost: caf\u{E9}\r\n\r\n", 400, "invalid Host"),
        Rejection("GET / HTTP/1.1\r\nHost: a\u{1}\r\n\r\n", 400, "invalid character in header value"),
    ])
    func aMissingDuplicateOrInvalidHostIsRefused(_ rejection: Rejection) {
        expectRefused(rejection)
    }

    @Test(arguments: [
        Rejection("GE(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "invalid method"),
        Rejection("GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", 400, "invalid method"),
        Rejection(" GET / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "invalid start of message"),
        Rejection("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "invalid request target"),
        Rejection("GET /  HTTP/1.1\r\nHost: a\r\n\r\n", 400, "invalid HTTP version"),
        Rejection("GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 400, "invalid HTTP version"),
        Rejection("GET /\r\nHost: a\r\n\r\n", 400, "missing HTTP version"),
        Rejection("GET\r\nHost: a\r\n\r\n", 400, "invalid method"),
        Rejection("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com\r\n\r\n", 400, "CONNECT is not supported"),
        Rejection("GET * HTTP/1.1\r\nHost: a\r\n\r\n", 400, "asterisk-form without OPTIONS"),
        Rejection("OPTIONS *x HTTP/1.1\r\nHost: a\r\n\r\n", 400, "invalid request target"),
        Rejection("GET example.com:443 HTTP/1.1\r\nHost: a\r\n\r\n", 400, "invalid request target"),
        Rejection("GET index.html HTTP/1.1\r\nHost: a\r\n\r\n", 400, "invalid request target"),
        Rejection("GET ftp://a/b HTTP/1.1\r\nHost: a\r\n\r\n", 400, "invalid request target"),
        Rejection("GET http:// HTTP/1.1\r\nHost: a\r\n\r\n", 400, "invalid request target"),
        Rejection("GET http:///path HTTP/1.1\r\nHost: a\r\n\r\n", 400, "invalid authority in request target"),
        Rejection("GET http://user@a/ HTTP/1.1\r\nHost: a\r\n\r\n", 400, "invalid authority in request target"),
        Rejection("GET http://a:b/ HTTP/1.1\r\nHost: a\r\n\r\n", 400, "invalid authority in request target"),
        Rejection("GET /a#frag HTTP/1.1\r\nHost: a\r\n\r\n", 400, "fragment in request target"),
        Rejection("GET /a\u{7F} HTTP/1.1\r\nHost: a\r\n\r\n", 400, "invalid request target"),
        Rejection("GET /caf\u{E9} HTTP/1.1\r\nHost: a\r\n\r\n", 400, "invalid request target"),
        Rejection("GET /a\u{0}b HTTP/1.1\r\nHost: a\r\n\r\n", 400, "invalid request target"),
        Rejection("GET /a\tb HTTP/1.1\r\nHost: a\r\n\r\n", 400, "invalid request target"),
    ])
    func malformedRequestLinesAreRefused(_ rejection: Rejection) {
        expectRefused(rejection)
    }

    @Test(arguments: [
        Rejection("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505, "HTTP version not supported"),
        Rejection("GET / HTTP/1.2\r\nHost: a\r\n\r\n", 505, "HTTP version not supported"),
        Rejection("GET / HTTP/0.9\r\nHost: a\r\n\r\n", 505, "HTTP version not supported"),
        Rejection("GET / http/1.1\r\nHost: a\r\n\r\n", 400, "invalid HTTP version"),
        Rejection("GET / HTTP/1\r\nHost: a\r\n\r\n", 400, "invalid HTTP version"),
        Rejection("GET / HTTP/1.1x\r\nHost: a\r\n\r\n", 400, "invalid HTTP version"),
        Rejection("GET / HTTP/11.1\r\nHost: a\r\n\r\n", 400, "invalid HTTP version"),
        Rejection("GET / HTTP/1.\r\nHost: a\r\n\r\n", 400, "invalid HTTP version"),
        Rejection("GET / HTTPS/1.1\r\nHost: a\r\n\r\n", 400, "invalid HTTP version"),
    ])
    func versionsOtherThan10And11AreRefused(_ rejection: Rejection) {
        expectRefused(rejection)
    }

    @Test(arguments: [
        Rejection.fields("Connection: close;x\r\n", "invalid Connection field"),
        Rejection.fields("Connection: keep-alive close\r\n", "invalid Connection field"),
        Rejection.fields("Connection: \"close\"\r\n", "invalid Connection field"),
        Rejection.fields(
            "Connection: " + (0...64).map { "x-\($0)" }.joined(separator: ", ") + "\r\n",
            "too many Connection options"),
    ])
    func malformedConnectionFieldsAreRefused(_ rejection: Rejection) {
        expectRefused(rejection)
    }

    @Test func aTLSHandshakeOnThePlainListenerIsRefusedAtItsFirstByte() {
        expectRefused(Rejection(bytes: [0x16, 0x03, 0x01, 0x02, 0x00], 400, "invalid start of message"))
    }

    @Test func anIncompleteHeadPastTheLimitIsRefusedWith431() {
        let input = "GET / HTTP/1.1\r\nHost: a\r\nX: " + String(repeating: "x", count: 200)
        #expect(parseRequest(input, maximumHeadSize: 100) == .failed(431, "request head too large"))
    }

    @Test func aCompleteHeadOneByteOverTheLimitIsRefusedWith431() {
        let prefix = "GET / HTTP/1.1\r\nHost: a\r\nX: "
        let input = prefix + String(repeating: "x", count: 101 - prefix.utf8.count - 4) + "\r\n\r\n"
        #expect(parseRequest(input, maximumHeadSize: 100) == .failed(431, "request head too large"))
    }

    @Test func endlessEmptyLinesBeforeTheRequestLineAreRefusedWith431() {
        let input = String(repeating: "\r\n", count: 100)
        #expect(parseRequest(input, maximumHeadSize: 100) == .failed(431, "request head too large"))
    }

    @Test func aParserThatRefusedAHeadStartsAfreshOnTheNextOne() throws {
        var parser = HTTPRequestParser()
        var head = HTTPRequestHead()
        let bad = bytes("GET / HTTP/1.1\nHost: a\r\n\r\n")
        let good = bytes("GET /next HTTP/1.1\r\nHost: a\r\n\r\n")

        bad.withUnsafeBytes { bytes in
            _ = #expect(throws: HTTPParseError.badRequest("bare LF")) { try parser.parse(bytes, into: &head) }
        }
        let complete = try good.withUnsafeBytes { bytes in try parser.parse(bytes, into: &head) }
        #expect(complete)
        #expect(text(good, head.targetRange) == "/next")
    }

    private func expectRefused(_ rejection: Rejection, sourceLocation: SourceLocation = #_sourceLocation) {
        let outcome = parseRequest(rejection.input, sourceLocation: sourceLocation)
        #expect(outcome == .failed(rejection.status, rejection.reason), sourceLocation: sourceLocation)
    }
}
