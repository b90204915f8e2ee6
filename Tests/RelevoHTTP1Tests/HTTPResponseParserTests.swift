import RelevoHTTP1
import Testing

/// A response head, with the request method it answers, and what its framing must be.
struct FramingCase: Sendable, CustomTestStringConvertible {
    var method: HTTPMethod
    var input: String
    var framing: HTTPBodyFraming
    var keepAlive: Bool

    var testDescription: String {
        "\(method) → \(input.debugDescription)"
    }
}

@Suite("HTTPResponseParser frames responses without doubt")
struct HTTPResponseParserTests {
    @Test func aSimpleResponseIsParsedWithItsStatusReasonAndFields() throws {
        let input = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\n"
        let head = try #require(parseResponse(input).value)

        #expect(head.status == 200)
        #expect(head.reason == "OK")
        #expect(head.version == .http11)
        #expect(head.framing == .contentLength(5))
        #expect(head.keepAlive)
        #expect(!head.isInterim)
        #expect(head.headLength == input.utf8.count)
        #expect(
            head.headers == [
                FieldSnapshot(name: "Content-Type", value: "text/plain", kind: .other, isHopByHop: false),
                FieldSnapshot(name: "Content-Length", value: "5", kind: .contentLength, isHopByHop: true),
            ])
    }

    @Test(arguments: [
        FramingCase(
            method: .get, input: "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n", framing: .contentLength(7),
            keepAlive: true),
        FramingCase(
            method: .get, input: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", framing: .chunked,
            keepAlive: true),
        FramingCase(method: .get, input: "HTTP/1.1 200 OK\r\n\r\n", framing: .untilClose, keepAlive: false),
        FramingCase(
            method: .head, input: "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n", framing: .none, keepAlive: true),
        FramingCase(
            method: .head, input: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", framing: .none,
            keepAlive: true),
        FramingCase(method: .head, input: "HTTP/1.1 200 OK\r\n\r\n", framing: .none, keepAlive: true),
        FramingCase(method: .get, input: "HTTP/1.1 204 No Content\r\n\r\n", framing: .none, keepAlive: true),
        FramingCase(
            method: .get, input: "HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n", framing: .none,
            keepAlive: true),
        FramingCase(method: .get, input: "HTTP/1.1 100 Continue\r\n\r\n", framing: .none, keepAlive: true),
        FramingCase(
            method: .get, input: "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n", framing: .none, keepAlive: true),
        FramingCase(
            method: .get,
            input: "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n",
            framing: .none, keepAlive: true),
        FramingCase(
            method: .post, input: "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n", framing: .contentLength(0),
            keepAlive: true),
        FramingCase(
            method: .get, input: "HTTP/1.1 200 OK\r\nContent-Length: 7\r\nConnection: close\r\n\r\n",
            framing: .contentLength(7), keepAlive: false),
        FramingCase(
            method: .get, input: "HTTP/1.0 200 OK\r\nContent-Length: 7\r\n\r\n", framing: .contentLength(7),
            keepAlive: false),
        FramingCase(
            method: .get, input: "HTTP/1.0 200 OK\r\nContent-Length: 7\r\nConnection: Keep-Alive\r\n\r\n",
            framing: .contentLength(7), keepAlive: true),
        FramingCase(
            method: .get, input: "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\n", framing: .untilClose,
            keepAlive: false),
        FramingCase(
            method: .get, input: "HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n",
            framing: .contentLength(3), keepAlive: true),
    ])
    func framingFollowsTheMethodTheStatusAndTheFields(_ sample: FramingCase) throws {
        let head = try #require(parseResponse(sample.input, method: sample.method).value)

        #expect(head.framing == sample.framing)
        #expect(head.keepAlive == sample.keepAlive)
    }

    @Test(arguments: [
        ("HTTP/1.1 200 \r\n\r\n", 200, ""),
        ("HTTP/1.1 200\r\n\r\n", 200, ""),
        ("HTTP/1.1 404 Not  Found \r\n\r\n", 404, "Not  Found "),
        ("HTTP/1.1 599 X\tY\r\n\r\n", 599, "X\tY"),
        ("HTTP/1.1 100 Continue\r\n\r\n", 100, "Continue"),
    ])
    func theReasonPhraseMayBeEmptyOrMissing(input: String, status: Int, reason: String) throws {
        let head = try #require(parseResponse(input).value)

        #expect(head.status == status)
        #expect(head.reason == reason)
    }

    @Test func obsTextIsAllowedInTheReasonPhrase() throws {
        let input = bytes("HTTP/1.1 200 Tr") + [0xE8, 0x73] + bytes(" bien\r\n\r\n")
        let head = try #require(parseResponse(input).value)
        #expect(head.status == 200)
    }

    @Test func interimResponsesAreAllOneHundredsButOneHundredAndOne() throws {
        #expect(try #require(parseResponse("HTTP/1.1 100 Continue\r\n\r\n").value).isInterim)
        #expect(try #require(parseResponse("HTTP/1.1 103 Early Hints\r\n\r\n").value).isInterim)
        #expect(try #require(parseResponse("HTTP/1.1 101 Switching Protocols\r\n\r\n").value).isInterim == false)
    }

    @Test func severalSetCookieFieldsStaySeparateAndInOrder() throws {
        let input = """
            HTTP/1.1 200 OK\r
            Set-Cookie: a=1; Path=/\r
            set-cookie: b=2; Expires=Wed, 21 Oct 2015 07:28:00 GMT\r
            Content-Length: 0\r
            SET-COOKIE: c=3\r
            \r

            """
        let head = try #require(parseResponse(input).value)

        let cookies = head.headers.filter { $0.kind == .setCookie }.map(\.value)
        #expect(cookies == ["a=1; Path=/", "b=2; Expires=Wed, 21 Oct 2015 07:28:00 GMT", "c=3"])
    }

    @Test func fieldsNamedByConnectionAreHopByHop() throws {
        let input = "HTTP/1.1 200 OK\r\nX-Internal: 1\r\nConnection: X-Internal\r\nContent-Length: 0\r\n\r\n"
        let head = try #require(parseResponse(input).value)

        #expect(head.headers.map(\.isHopByHop) == [true, true, true])
    }

    @Test func aResponseHeadWithoutItsEmptyLineIsIncomplete() {
        #expect(parseResponse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n") == .incomplete)
    }

    @Test(arguments: [
        Rejection(
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 400,
            "Content-Length with Transfer-Encoding"),
        Rejection(
            "HTTP/1.1 304 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 400,
            "Content-Length with Transfer-Encoding"),
        Rejection("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 400, "unsupported Transfer-Encoding"),
        Rejection(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", 400,
            "multiple Transfer-Encoding fields"),
        Rejection("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "Transfer-Encoding on HTTP/1.0"),
        Rejection(
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400, "conflicting Content-Length"),
        Rejection("HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\n", 400, "invalid Content-Length"),
        Rejection("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", 400, "invalid Content-Length"),
        Rejection("HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\n\r\n", 400, "obsolete line folding"),
        Rejection("HTTP/1.1 200 OK\r\nX-A : 1\r\n\r\n", 400, "whitespace before colon"),
        Rejection("HTTP/1.1 200 OK\r\nX-A: 1\u{0}\r\n\r\n", 400, "invalid character in header value"),
        Rejection("HTTP/1.1 200 OK\r\nX-A: 1\r2\r\n\r\n", 400, "bare CR"),
        Rejection("HTTP/1.1 200 OK\nX-A: 1\r\n\r\n", 400, "bare LF"),
        Rejection("HTTP/1.1 200 OK\r\nX-A: 1\n\r\n", 400, "bare LF"),
        Rejection("HTTP/1.1 200 OK\r\n: 1\r\n\r\n", 400, "empty header name"),
    ])
    func malformedResponseHeadsAreRefusedAsStrictlyAsRequests(_ rejection: Rejection) {
        #expect(parseResponse(rejection.input) == .failed(rejection.status, rejection.reason))
    }

    @Test(arguments: [
        Rejection("HTTP/1.1 20 OK\r\n\r\n", 400, "invalid status code"),
        Rejection("HTTP/1.1 2000 OK\r\n\r\n", 400, "invalid status code"),
        Rejection("HTTP/1.1 099 Low\r\n\r\n", 400, "invalid status code"),
        Rejection("HTTP/1.1 600 High\r\n\r\n", 400, "invalid status code"),
        Rejection("HTTP/1.1 2x0 OK\r\n\r\n", 400, "invalid status code"),
        Rejection("HTTP/1.1  200 OK\r\n\r\n", 400, "invalid status code"),
        Rejection("HTTP/1.1 200\tOK\r\n\r\n", 400, "invalid status code"),
        Rejection("HTTP/1.1 200 O\u{1}K\r\n\r\n", 400, "invalid reason phrase"),
        Rejection("HTTP/1.1 200 O\u{7F}K\r\n\r\n", 400, "invalid reason phrase"),
        Rejection("HTTP/1.1 200 OK\r\r\n\r\n", 400, "bare CR"),
        Rejection("HTTP/1.2 200 OK\r\n\r\n", 400, "unsupported HTTP version"),
        Rejection("HTTP/2 200 OK\r\n\r\n", 400, "invalid status line"),
        Rejection("HTTP/1.1\r\n\r\n", 400, "invalid status line"),
        Rejection("http/1.1 200 OK\r\n\r\n", 400, "invalid start of message"),
        Rejection("HTTP/1.1_200 OK\r\n\r\n", 400, "invalid status line"),
        Rejection("\r\nHTTP/1.1 200 OK\r\n\r\n", 400, "invalid status line"),
        Rejection("<html>\r\n\r\n", 400, "invalid start of message"),
    ])
    func malformedStatusLinesAreRefused(_ rejection: Rejection) {
        #expect(parseResponse(rejection.input) == .failed(rejection.status, rejection.reason))
    }

    @Test func aResponseHeadPastTheLimitIsRefusedEvenIncomplete() {
        let input = "HTTP/1.1 200 OK\r\nX: " + String(repeating: "x", count: 300)
        #expect(parseResponse(input, maximumHeadSize: 128) == .failed(431, "response head too large"))
    }
}
