import RelevoHTTP1
import Testing

@Suite("HTTPRequestParser accepts valid request heads")
struct HTTPRequestParserTests {
    @Test func aSimpleGETIsParsedWithItsHostAndDefaults() throws {
        let input = "GET /index.html?q=1 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: test\r\n\r\n"
        let head = try #require(parseRequest(input).value)

        #expect(head.method == .get)
        #expect(head.methodText == "GET")
        #expect(head.target == "/index.html?q=1")
        #expect(head.version == .http11)
        #expect(head.authority == nil)
        #expect(!head.targetIsEmptyPath)
        #expect(head.framing == .none)
        #expect(head.keepAlive)
        #expect(!head.isUpgrade)
        #expect(!head.expectsContinue)
        #expect(head.hostIndex == 0)
        #expect(head.headLength == input.utf8.count)
        #expect(
            head.headers == [
                FieldSnapshot(name: "Host", value: "example.com", kind: .host, isHopByHop: false),
                FieldSnapshot(name: "User-Agent", value: "test", kind: .other, isHopByHop: false),
            ])
    }

    @Test func aHeadWithoutItsEmptyLineIsIncomplete() {
        #expect(parseRequest("GET / HTTP/1.1\r\nHost: a\r\n") == .incomplete)
        #expect(parseRequest("GET / HTTP/1.1\r\nHost: a\r\n\r") == .incomplete)
        #expect(parseRequest("") == .incomplete)
    }

    @Test func aPOSTWithContentLengthIsFramedByItAndTheFieldIsHopByHop() throws {
        let head = try #require(parseRequest("POST /form HTTP/1.1\r\nHost: a\r\nContent-Length: 42\r\n\r\n").value)

        #expect(head.method == .post)
        #expect(head.framing == .contentLength(42))
        #expect(
            head.headers[1]
                == FieldSnapshot(name: "Content-Length", value: "42", kind: .contentLength, isHopByHop: true))
    }

    @Test func aContentLengthOfZeroIsKeptAsZero() throws {
        let head = try #require(parseRequest("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n").value)
        #expect(head.framing == .contentLength(0))
    }

    @Test func identicalContentLengthLinesCountAsOne() throws {
        let input = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 7\r\ncontent-length: 007\r\n\r\n"
        let head = try #require(parseRequest(input).value)
        #expect(head.framing == .contentLength(7))
    }

    @Test func whitespaceAroundAContentLengthValueIsOptionalWhitespace() throws {
        let head = try #require(parseRequest("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \t 5 \t\r\n\r\n").value)
        #expect(head.framing == .contentLength(5))
    }

    @Test(arguments: ["chunked", "Chunked", "CHUNKED", " chunked\t"])
    func aChunkedRequestIsFramedAsChunked(value: String) throws {
        let head = try #require(parseRequest("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \(value)\r\n\r\n").value)

        #expect(head.framing == .chunked)
        #expect(head.headers[1].kind == .transferEncoding)
        #expect(head.headers[1].isHopByHop)
    }

    @Test func anHTTP10RequestMayLackHostAndDoesNotKeepAliveByDefault() throws {
        let head = try #require(parseRequest("GET / HTTP/1.0\r\n\r\n").value)

        #expect(head.version == .http10)
        #expect(head.hostIndex == nil)
        #expect(!head.keepAlive)
    }

    @Test(arguments: [
        ("GET / HTTP/1.1\r\nHost: a\r\n\r\n", true),
        ("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", false),
        ("GET / HTTP/1.1\r\nHost: a\r\nConnection: Keep-Alive, CLOSE\r\n\r\n", false),
        ("GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n", false),
        ("GET / HTTP/1.0\r\n\r\n", false),
        ("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true),
        ("GET / HTTP/1.0\r\nConnection: ,, Keep-Alive ,\r\n\r\n", true),
        ("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", false),
    ])
    func keepAliveFollowsTheVersionDefaultAndConnection(input: String, keepAlive: Bool) throws {
        let head = try #require(parseRequest(input).value)
        #expect(head.keepAlive == keepAlive)
    }

    @Test func anAbsoluteFormTargetRecordsItsAuthorityAndKeepsPathAndQuery() throws {
        let head = try #require(parseRequest("GET http://example.com:8080/a/b?c=d HTTP/1.1\r\nHost: x\r\n\r\n").value)

        #expect(head.authority == "example.com:8080")
        #expect(head.target == "/a/b?c=d")
        #expect(!head.targetIsEmptyPath)
    }

    @Test(arguments: [
        ("GET http://example.com HTTP/1.1\r\nHost: x\r\n\r\n", "example.com", ""),
        ("GET HTTPS://Example.com?x=1 HTTP/1.1\r\nHost: x\r\n\r\n", "Example.com", "?x=1"),
    ])
    func anAbsoluteFormTargetWithAnEmptyPathSaysSo(input: String, authority: String, target: String) throws {
        let head = try #require(parseRequest(input).value)

        #expect(head.authority == authority)
        #expect(head.target == target)
        #expect(head.targetIsEmptyPath)
    }

    @Test func anAsteriskTargetIsAcceptedForOPTIONS() throws {
        let head = try #require(parseRequest("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n").value)

        #expect(head.method == .options)
        #expect(head.target == "*")
    }

    @Test(arguments: [
        ("GET", HTTPMethod.get), ("HEAD", .head), ("POST", .post), ("PUT", .put), ("DELETE", .delete),
        ("OPTIONS", .options), ("PATCH", .patch), ("TRACE", .trace), ("PURGE", .other), ("get", .other),
        ("M-SEARCH", .other),
    ])
    func methodsAreRecognisedCaseSensitively(method: String, expected: HTTPMethod) throws {
        let head = try #require(parseRequest("\(method) / HTTP/1.1\r\nHost: a\r\n\r\n").value)

        #expect(head.method == expected)
        #expect(head.methodText == method)
    }

    @Test func pipelinedRequestsInOneBufferAreParsedOneAfterTheOther() throws {
        let first = "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
        let second = "POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\n"
        let input = bytes(first + second + "abc" + "GET /3 HTTP/1.1\r\n")

        let one = try #require(parseRequest(input).value)
        #expect(one.target == "/1")
        #expect(one.headLength == first.utf8.count)

        let rest = Array(input[one.headLength...])
        let two = try #require(parseRequest(rest).value)
        #expect(two.target == "/2")
        #expect(two.headLength == second.utf8.count)
        #expect(two.framing == .contentLength(3))
    }

    @Test func oneParserAndHeadAreReusedAcrossPipelinedRequests() throws {
        let input = bytes("GET /1 HTTP/1.1\r\nHost: a\r\nX-One: 1\r\n\r\nGET /2 HTTP/1.1\r\nHost: b\r\n\r\n")
        var parser = HTTPRequestParser()
        var head = HTTPRequestHead()

        let first = try input.withUnsafeBytes { all in try parser.parse(all, into: &head) }
        #expect(first)
        #expect(head.headers.count == 2)

        let rest = Array(input[head.headLength...])
        parser.reset()
        let second = try rest.withUnsafeBytes { all in try parser.parse(all, into: &head) }
        #expect(second)
        #expect(head.headers.count == 1)
        #expect(text(rest, head.targetRange) == "/2")
    }

    @Test func emptyLinesBeforeTheRequestLineAreSkippedAndCounted() throws {
        let input = "\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"
        let head = try #require(parseRequest(input).value)

        #expect(head.methodText == "GET")
        #expect(head.headLength == input.utf8.count)
    }

    @Test func optionalWhitespaceAroundValuesIsNotPartOfThem() throws {
        let head = try #require(parseRequest("GET / HTTP/1.1\r\nHost:example.com\r\nX-A: \t one two \t\r\n\r\n").value)

        #expect(head.value(of: "host") == "example.com")
        #expect(head.value(of: "x-a") == "one two")
    }

    @Test func emptyValuesTabsAndObsTextAreAllowedInValues() throws {
        let input =
            bytes("GET / HTTP/1.1\r\nHost: a\r\nX-Empty:\r\nX-Tab: a\tb\r\nX-Text: caf") + [0xC3, 0xA9]
            + bytes("\r\n\r\n")
        let head = try #require(parseRequest(input).value)

        #expect(head.value(of: "x-empty") == "")
        #expect(head.value(of: "x-tab") == "a\tb")
        #expect(head.value(of: "x-text") == "café")
    }

    @Test func longValuesAreScannedCorrectlyWhateverTheirLength() throws {
        for length in 0..<40 {
            let value = String(repeating: "v", count: length)
            let head = try #require(parseRequest("GET / HTTP/1.1\r\nHost: a\r\nCookie: \(value)\r\n\r\n").value)
            #expect(head.value(of: "cookie") == value)
        }
    }

    @Test func headerNamesAreRecognisedIgnoringCase() throws {
        let input = """
            GET / HTTP/1.1\r
            HOST: a\r
            te: trailers\r
            X-FORWARDED-FOR: 1.2.3.4\r
            x-forwarded-proto: https\r
            X-Forwarded-Host: b\r
            COOKIE: c=1\r
            Expect: nothing\r
            Keep-Alive: timeout=5\r
            Proxy-Connection: keep-alive\r
            Trailer: X\r
            \r

            """
        let head = try #require(parseRequest(input).value)

        let kinds = head.headers.map(\.kind)
        #expect(
            kinds == [
                .host, .te, .xForwardedFor, .xForwardedProto, .xForwardedHost, .cookie, .expect, .keepAlive,
                .proxyConnection, .trailer,
            ])
        #expect(head.headers.map(\.isHopByHop) == [false, true, false, false, false, false, false, true, true, true])
    }

    @Test func fieldsNamedByConnectionAreHopByHopWhereverTheyStand() throws {
        let input = """
            GET / HTTP/1.1\r
            X-Before: 1\r
            Host: a\r
            Connection: x-before, X-AFTER,  close\r
            X-After: 2\r
            X-Kept: 3\r
            \r

            """
        let head = try #require(parseRequest(input).value)

        let hopByHop = head.headers.filter(\.isHopByHop).map(\.name)
        #expect(hopByHop == ["X-Before", "Connection", "X-After"])
        #expect(!head.keepAlive)
    }

    @Test func aConnectionNamingHostOrContentLengthIsIgnoredForThem() throws {
        let input = "POST / HTTP/1.1\r\nHost: a\r\nConnection: host, content-length\r\nContent-Length: 1\r\n\r\n"
        let head = try #require(parseRequest(input).value)

        #expect(head.headers[0].isHopByHop == false)
        #expect(head.framing == .contentLength(1))
    }

    @Test func anUpgradeNeedsBothTheUpgradeFieldAndConnectionUpgrade() throws {
        let upgrade = "GET /chat HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
        let head = try #require(parseRequest(upgrade).value)
        #expect(head.isUpgrade)
        #expect(head.headers.filter(\.isHopByHop).map(\.name) == ["Upgrade", "Connection"])

        let withoutConnection = "GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n"
        #expect(try #require(parseRequest(withoutConnection).value).isUpgrade == false)

        let withoutField = "GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\n\r\n"
        #expect(try #require(parseRequest(withoutField).value).isUpgrade == false)

        let onHTTP10 = "GET / HTTP/1.0\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n"
        #expect(try #require(parseRequest(onHTTP10).value).isUpgrade == false)
    }

    @Test(arguments: [
        ("HTTP/1.1", "100-continue", true),
        ("HTTP/1.1", "100-Continue", true),
        ("HTTP/1.1", "100-continue-please", false),
        ("HTTP/1.1", "", false),
        ("HTTP/1.0", "100-continue", false),
    ])
    func expectContinueIsRecognisedOnHTTP11(version: String, value: String, expected: Bool) throws {
        let head = try #require(parseRequest("PUT / \(version)\r\nHost: a\r\nExpect: \(value)\r\n\r\n").value)
        #expect(head.expectsContinue == expected)
    }

    @Test(arguments: [
        "example.com", "example.com:8080", "127.0.0.1:80", "[::1]", "[2001:db8::1]:443", "a.b-c_d~e", "caf%C3%A9.fr",
        "example.com:", "",
    ])
    func validHostValuesAreAccepted(host: String) throws {
        let head = try #require(parseRequest("GET / HTTP/1.1\r\nHost: \(host)\r\n\r\n").value)
        #expect(head.value(of: "host") == host)
    }

    @Test func aHeadOfExactlyTheLimitIsAccepted() throws {
        let prefix = "GET / HTTP/1.1\r\nHost: a\r\nX: "
        let input = prefix + String(repeating: "x", count: 100 - prefix.utf8.count - 4) + "\r\n\r\n"
        #expect(input.utf8.count == 100)

        let head = try #require(parseRequest(input, maximumHeadSize: 100).value)
        #expect(head.headLength == 100)
    }

    @Test func manyFieldsAreAllKeptInOrder() throws {
        let fields = (0..<200).map { "X-\($0): \($0)\r\n" }.joined()
        let head = try #require(parseRequest("GET / HTTP/1.1\r\nHost: a\r\n\(fields)\r\n").value)

        #expect(head.headers.count == 201)
        #expect(head.headers.last?.name == "X-199")
    }
}
