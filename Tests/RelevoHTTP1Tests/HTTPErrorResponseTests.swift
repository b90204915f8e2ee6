import RelevoHTTP1
import Testing

@Suite("HTTPErrorResponse writes relevo's own short answers")
struct HTTPErrorResponseTests {
    @Test func anErrorThatClosesSaysSoAndCountsItsBody() {
        let output = written { buffer, pool in
            HTTPErrorResponse.write(
                status: 400, detail: "bare LF", keepAlive: false, into: buffer, pool: pool)
        }
        let expected = """
            HTTP/1.1 400 Bad Request\r
            Content-Type: text/plain; charset=utf-8\r
            Content-Length: 8\r
            Connection: close\r
            \r
            bare LF

            """
        #expect(output == expected)
    }

    @Test func anErrorOnAKeptConnectionCarriesRetryAfterAndExtraHeaders() {
        let output = written { buffer, pool in
            bytes("X-Relevo: no live version\r\n").withUnsafeBytes { extra in
                HTTPErrorResponse.write(
                    status: 503, detail: "no live version", keepAlive: true, into: buffer, pool: pool,
                    retryAfter: 5, extraHeaders: extra)
            }
        }
        let expected = """
            HTTP/1.1 503 Service Unavailable\r
            Content-Type: text/plain; charset=utf-8\r
            Content-Length: 16\r
            Retry-After: 5\r
            X-Relevo: no live version\r
            \r
            no live version

            """
        #expect(output == expected)
    }

    @Test func theContentLengthCountsUTF8Bytes() {
        let output = written { buffer, pool in
            HTTPErrorResponse.write(
                status: 502, detail: "amont injoignable — réessayez", keepAlive: true, into: buffer, pool: pool)
        }
        let detailBytes = "amont injoignable — réessayez".utf8.count
        #expect(output.contains("Content-Length: \(detailBytes + 1)\r\n"))
        #expect(output.hasPrefix("HTTP/1.1 502 Bad Gateway\r\n"))
    }

    @Test(arguments: [
        (400, "Bad Request"), (408, "Request Timeout"), (413, "Content Too Large"),
        (431, "Request Header Fields Too Large"), (500, "Internal Server Error"), (502, "Bad Gateway"),
        (503, "Service Unavailable"), (504, "Gateway Timeout"), (505, "HTTP Version Not Supported"), (299, ""),
    ])
    func everyStatusRelevoAnswersHasItsStandardReasonPhrase(status: Int, phrase: String) {
        #expect(HTTPStatus.reasonPhrase(status).description == phrase)
    }
}
