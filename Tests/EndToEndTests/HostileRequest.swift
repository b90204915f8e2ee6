import Testing

/// A request relevo must refuse, with what it must answer and how far it may get.
///
/// Every one is sent followed, in the same write, by a well-formed `GET /smuggled`: a proxy that misreads where
/// the hostile request ends would take that for a second request.
struct HostileRequest: Sendable, CustomTestStringConvertible {
    /// What is wrong with it, as the test's name shows it.
    let name: String

    /// The bytes sent, before the smuggled request.
    let bytes: String

    /// The status relevo must answer with.
    var expectedStatus = 400

    /// Whether the head may reach a backend before relevo sees the problem (errors inside a chunked body).
    var headMayReachBackend = false

    /// The request that follows each hostile one and must never reach a backend.
    static let smuggled = "GET /smuggled HTTP/1.1\r\nHost: e2e.test\r\n\r\n"

    /// The name Swift Testing shows for this argument.
    var testDescription: String {
        name
    }

    private static let post = "POST /hostile HTTP/1.1\r\nHost: e2e.test\r\n"
    private static let get = "GET /hostile HTTP/1.1\r\nHost: e2e.test\r\n"

    /// A `POST` with the given extra header lines (each ending in CRLF) and body.
    private static func post(_ fields: String, _ body: String) -> String {
        post + fields + "\r\n" + body
    }

    /// A chunked `POST` whose body is `chunks`; the head is valid, so it may reach a backend.
    private static func chunked(_ name: String, _ chunks: String) -> HostileRequest {
        HostileRequest(
            name: name,
            bytes: post + "Transfer-Encoding: chunked\r\n\r\n" + chunks,
            headMayReachBackend: true
        )
    }

    /// Ambiguous or invalid message framing.
    static let framing: [HostileRequest] = [
        HostileRequest(
            name: "Content-Length together with Transfer-Encoding",
            bytes: post("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n")
        ),
        HostileRequest(
            name: "Transfer-Encoding: chunked, (trailing comma)",
            bytes: post("Transfer-Encoding: chunked,\r\n", "0\r\n\r\n")
        ),
        HostileRequest(
            name: "Transfer-Encoding: gzip, chunked",
            bytes: post("Transfer-Encoding: gzip, chunked\r\n", "0\r\n\r\n")
        ),
        HostileRequest(
            name: "two Transfer-Encoding lines",
            bytes: post("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n")
        ),
        HostileRequest(
            name: "Transfer-Encoding: \\x0bchunked",
            bytes: post("Transfer-Encoding: \u{0B}chunked\r\n", "0\r\n\r\n")
        ),
        HostileRequest(
            name: "Transfer-Encoding on HTTP/1.0",
            bytes: "POST /hostile HTTP/1.0\r\nHost: e2e.test\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
        ),
        HostileRequest(name: "Content-Length: +5", bytes: post("Content-Length: +5\r\n", "hello")),
        HostileRequest(name: "Content-Length: -5", bytes: post("Content-Length: -5\r\n", "hello")),
        HostileRequest(name: "Content-Length: 0x5", bytes: post("Content-Length: 0x5\r\n", "hello")),
        HostileRequest(name: "Content-Length: 5, 6", bytes: post("Content-Length: 5, 6\r\n", "hello")),
        HostileRequest(
            name: "two different Content-Length lines",
            bytes: post("Content-Length: 5\r\nContent-Length: 6\r\n", "hello")
        ),
        HostileRequest(
            name: "Content-Length overflowing 64 bits",
            bytes: post("Content-Length: 18446744073709551621\r\n", "hello")
        ),
    ]

    /// Invalid chunked bodies behind valid heads.
    static let chunks: [HostileRequest] = [
        chunked("chunk size line ending in a bare LF", "5\nhello\r\n0\r\n\r\n"),
        chunked("chunk size with a leading space", " 5\r\nhello\r\n0\r\n\r\n"),
        chunked("chunk size with a space inside", "1 0\r\n0123456789abcdef\r\n0\r\n\r\n"),
        chunked("chunk size with a plus sign", "+5\r\nhello\r\n0\r\n\r\n"),
        chunked("chunk size with a minus sign", "-5\r\nhello\r\n0\r\n\r\n"),
        chunked("chunk size 0x5", "0x5\r\nhello\r\n0\r\n\r\n"),
        chunked("chunk size overflowing 64 bits", "10000000000000005\r\nhello\r\n0\r\n\r\n"),
        chunked("chunk data longer than its size", "3\r\nhello\r\n0\r\n\r\n"),
    ]

    /// Malformed heads.
    static let heads: [HostileRequest] = [
        HostileRequest(name: "space before a colon", bytes: get + "X-Test : 1\r\n\r\n"),
        HostileRequest(
            name: "space before the colon of Transfer-Encoding",
            bytes: post("Transfer-Encoding : chunked\r\n", "0\r\n\r\n")
        ),
        HostileRequest(name: "obs-fold (a line continued by a space)", bytes: get + "X-Test: a\r\n b\r\n\r\n"),
        HostileRequest(name: "bare CR in a value", bytes: get + "X-Test: a\rb\r\n\r\n"),
        HostileRequest(name: "NUL in a value", bytes: get + "X-Test: a\u{0}b\r\n\r\n"),
        HostileRequest(name: "no Host on HTTP/1.1", bytes: "GET /hostile HTTP/1.1\r\nX-Test: 1\r\n\r\n"),
        HostileRequest(name: "two Host lines", bytes: get + "Host: other.test\r\n\r\n"),
        HostileRequest(name: "request target without a slash", bytes: "GET hostile HTTP/1.1\r\nHost: e2e.test\r\n\r\n"),
        HostileRequest(
            name: "space inside the request target", bytes: "GET /hos tile HTTP/1.1\r\nHost: e2e.test\r\n\r\n"),
        HostileRequest(
            name: "control character in the request target",
            bytes: "GET /hos\u{7F}tile HTTP/1.1\r\nHost: e2e.test\r\n\r\n"
        ),
        HostileRequest(
            name: "one header field over 32 KiB",
            bytes: get + "X-Big: " + String(repeating: "a", count: 40 * 1024) + "\r\n\r\n",
            expectedStatus: 431
        ),
        HostileRequest(
            name: "header fields adding up to over 32 KiB",
            bytes: get + (1...1000).map { "X-Field-\($0): \(String(repeating: "b", count: 30))\r\n" }.joined() + "\r\n",
            expectedStatus: 431
        ),
    ]
}
