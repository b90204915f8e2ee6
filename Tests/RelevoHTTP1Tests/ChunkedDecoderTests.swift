import RelevoHTTP1
import Testing

/// A chunked body, as text, and what it must decode to.
struct ChunkedSample: Sendable, CustomTestStringConvertible {
    var input: String
    var data: String
    var trailers: String

    var testDescription: String {
        input.debugDescription
    }
}

@Suite("ChunkedDecoder reads chunked bodies strictly")
struct ChunkedDecoderTests {
    @Test(arguments: [
        ChunkedSample(input: "5\r\nhello\r\n0\r\n\r\n", data: "hello", trailers: ""),
        ChunkedSample(input: "0\r\n\r\n", data: "", trailers: ""),
        ChunkedSample(input: "5\r\nhello\r\n1\r\n \r\n6\r\nworld!\r\n0\r\n\r\n", data: "hello world!", trailers: ""),
        ChunkedSample(
            input: "A\r\n0123456789\r\na\r\nabcdefghij\r\n0\r\n\r\n", data: "0123456789abcdefghij", trailers: ""),
        ChunkedSample(input: "0005\r\nhello\r\n000\r\n\r\n", data: "hello", trailers: ""),
        ChunkedSample(input: "2\r\n\r\n\r\n0\r\n\r\n", data: "\r\n", trailers: ""),
    ])
    func chunkDataIsHandedBackInOrder(_ sample: ChunkedSample) throws {
        let body = try #require(decodeChunked(sample.input).value)

        #expect(body.data == sample.data)
        #expect(body.trailers == sample.trailers)
        #expect(body.consumed == sample.input.utf8.count)
    }

    @Test(arguments: [
        "5;name\r\nhello\r\n0\r\n\r\n",
        "5;name=value\r\nhello\r\n0\r\n\r\n",
        "5 ; name = value ;other\r\nhello\r\n0\r\n\r\n",
        "5;name=\"quoted; value\"\r\nhello\r\n0\r\n\r\n",
        "5;name=\"with \\\"escapes\\\" and\ttab\"\r\nhello\r\n0\r\n\r\n",
        "5;a=1;b=2;c\r\nhello\r\n0;last=yes\r\n\r\n",
    ])
    func chunkExtensionsAreValidatedThenIgnored(input: String) throws {
        let body = try #require(decodeChunked(input).value)
        #expect(body.data == "hello")
    }

    @Test func trailerFieldsAreHandedBackAsOneRangeOfLines() throws {
        let input = "3\r\nabc\r\n0\r\nX-Checksum: 42\r\nServer-Timing: db;dur=53\r\n\r\n"
        let body = try #require(decodeChunked(input).value)

        #expect(body.data == "abc")
        #expect(body.trailers == "X-Checksum: 42\r\nServer-Timing: db;dur=53\r\n")
        #expect(body.consumed == input.utf8.count)
    }

    @Test func bytesAfterTheBodyAreLeftAlone() throws {
        let body = "4\r\nabcd\r\n0\r\n\r\n"
        let decoded = try #require(decodeChunked(body + "GET / HTTP/1.1\r\n").value)

        #expect(decoded.data == "abcd")
        #expect(decoded.consumed == body.utf8.count)
    }

    @Test func anUnfinishedBodyNeedsMore() {
        #expect(decodeChunked("5\r\nhel") == .incomplete)
        #expect(decodeChunked("5\r\nhello\r\n0\r\nX: 1\r\n") == .incomplete)
        #expect(decodeChunked("5\r\nhello\r") == .incomplete)
        #expect(decodeChunked("5") == .incomplete)
    }

    @Test func aDataStepCoversOnlyTheBytesHeldAndTheRestOfTheChunkFollows() throws {
        var decoder = ChunkedDecoder()
        let first = bytes("a\r\n0123")
        let second = bytes("456789\r\n0\r\n\r\n")

        let step1 = try first.withUnsafeBytes { try decoder.decode($0) }
        #expect(step1 == .data(3..<7))
        let step2 = try [UInt8]().withUnsafeBytes { try decoder.decode($0) }
        #expect(step2 == .needMore(consumed: 0))
        let step3 = try second.withUnsafeBytes { try decoder.decode($0) }
        #expect(step3 == .data(0..<6))
        let step4 = try Array(second[6...]).withUnsafeBytes { try decoder.decode($0) }
        #expect(step4 == .end(consumed: 7, trailers: 5..<5))
    }

    @Test func aDecoderIsReadyForTheNextBodyAfterTheEnd() throws {
        var decoder = ChunkedDecoder()
        let input = bytes("1\r\na\r\n0\r\n\r\n")

        for _ in 0..<2 {
            #expect(try input.withUnsafeBytes { try decoder.decode($0) } == .data(3..<4))
            let rest = Array(input[4...])
            #expect(try rest.withUnsafeBytes { try decoder.decode($0) } == .end(consumed: 7, trailers: 5..<5))
        }
    }

    @Test func theLargestChunkSizeIsFifteenHexDigits() {
        #expect(decodeChunked("fffffffffffffff\r\nabc") == .incomplete)
        #expect(decodeChunked("1000000000000000\r\nabc") == .failed(400, "chunk size too large"))
        #expect(decodeChunked("ffffffffffffffffffff\r\nabc") == .failed(400, "chunk size too large"))
    }

    @Test(arguments: [
        Rejection("5\nhello\r\n0\r\n\r\n", 400, "bare LF"),
        Rejection("\n", 400, "bare LF"),
        Rejection("\r\n", 400, "invalid chunk size"),
        Rejection(" 5\r\nhello\r\n0\r\n\r\n", 400, "invalid chunk size"),
        Rejection("+5\r\nhello\r\n0\r\n\r\n", 400, "invalid chunk size"),
        Rejection("-5\r\nhello\r\n0\r\n\r\n", 400, "invalid chunk size"),
        Rejection("0x5\r\nhello\r\n0\r\n\r\n", 400, "invalid chunk size"),
        Rejection("g\r\nhello\r\n0\r\n\r\n", 400, "invalid chunk size"),
        Rejection("5g\r\nhello\r\n0\r\n\r\n", 400, "invalid chunk size"),
        Rejection("5\r\r\nhello\r\n0\r\n\r\n", 400, "invalid chunk size"),
        Rejection("5 \r\nhello\r\n0\r\n\r\n", 400, "invalid chunk extension"),
        Rejection("5;\r\nhello\r\n0\r\n\r\n", 400, "invalid chunk extension"),
        Rejection("5;a=\r\nhello\r\n0\r\n\r\n", 400, "invalid chunk extension"),
        Rejection("5;a \r\nhello\r\n0\r\n\r\n", 400, "invalid chunk extension"),
        Rejection("5;a=b c\r\nhello\r\n0\r\n\r\n", 400, "invalid chunk extension"),
        Rejection("5;a=\"open\r\nhello\r\n0\r\n\r\n", 400, "invalid chunk extension"),
        Rejection("5;a=\"bad\u{1}\"\r\nhello\r\n0\r\n\r\n", 400, "invalid chunk extension"),
        Rejection("5;(a)\r\nhello\r\n0\r\n\r\n", 400, "invalid chunk extension"),
        Rejection("5;a\u{0}\r\nhello\r\n0\r\n\r\n", 400, "invalid chunk extension"),
    ])
    func malformedChunkSizeLinesAreRefused(_ rejection: Rejection) {
        #expect(decodeChunked(rejection.input) == .failed(rejection.status, rejection.reason))
    }

    @Test(arguments: [
        Rejection("5\r\nhelloX\r\n0\r\n\r\n", 400, "missing CRLF after chunk data"),
        Rejection("5\r\nhello\n0\r\n\r\n", 400, "missing CRLF after chunk data"),
        Rejection("5\r\nhello\rX0\r\n\r\n", 400, "missing CRLF after chunk data"),
        Rejection("5\r\nhell\r\n0\r\n\r\n", 400, "missing CRLF after chunk data"),
    ])
    func chunkDataNotFollowedByExactlyCRLFIsRefused(_ rejection: Rejection) {
        #expect(decodeChunked(rejection.input) == .failed(rejection.status, rejection.reason))
    }

    @Test(arguments: [
        Rejection("0\r\nX: 1\n\r\n", 400, "bare LF"),
        Rejection("0\r\nX: 1\r\n\n", 400, "bare LF"),
        Rejection("0\r\nX: 1\r2\r\n\r\n", 400, "bare CR"),
        Rejection("0\r\n\rX: 1\r\n\r\n", 400, "bare CR"),
        Rejection("0\r\nX: 1\r\n folded\r\n\r\n", 400, "obsolete line folding"),
        Rejection("0\r\nX : 1\r\n\r\n", 400, "whitespace before colon"),
        Rejection("0\r\n: 1\r\n\r\n", 400, "empty header name"),
        Rejection("0\r\nNoColon\r\n\r\n", 400, "header line without colon"),
        Rejection("0\r\nX: a\u{7F}\r\n\r\n", 400, "invalid character in header value"),
        Rejection("0\r\nContent-Length: 5\r\n\r\n", 400, "forbidden trailer field"),
        Rejection("0\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "forbidden trailer field"),
        Rejection("0\r\nHost: evil\r\n\r\n", 400, "forbidden trailer field"),
        Rejection("0\r\nConnection: close\r\n\r\n", 400, "forbidden trailer field"),
    ])
    func malformedOrForbiddenTrailersAreRefused(_ rejection: Rejection) {
        #expect(decodeChunked(rejection.input) == .failed(rejection.status, rejection.reason))
    }

    @Test func aTrailerSectionOverThirtyTwoKibibytesIsRefused() {
        let line = "X-Filler: " + String(repeating: "f", count: 1000) + "\r\n"
        let input = "0\r\n" + String(repeating: line, count: 33)
        #expect(decodeChunked(input) == .failed(431, "trailer section too large"))
    }

    @Test func aTrailerSectionJustUnderTheLimitIsAccepted() throws {
        let line = "X-Filler: " + String(repeating: "f", count: 1000) + "\r\n"
        let input = "0\r\n" + String(repeating: line, count: 32) + "\r\n"
        let body = try #require(decodeChunked(input).value)
        #expect(body.trailers.utf8.count == 32 * line.utf8.count)
    }

    @Test func aChunkSizeLineOverFourKibibytesIsRefused() {
        let input = "5;" + String(repeating: "a", count: 5000)
        #expect(decodeChunked(input) == .failed(400, "chunk size line too long"))
    }
}
