/// Parses response heads from upstream, as strictly as requests: a response relevo cannot frame
/// without doubt is refused (the proxy answers 502).
///
/// Incremental in the same way as ``HTTPRequestParser``. One parser per upstream connection, used
/// from its event loop only.
public struct HTTPResponseParser {
    /// The largest head accepted, in bytes, including the final CRLF.
    public let maximumHeadSize: Int

    /// Progress towards the end of the current head.
    private var scanner: HeadScanner

    /// Creates a parser that refuses heads over `maximumHeadSize` bytes (status 431).
    public init(maximumHeadSize: Int = 64 * 1024) {
        self.maximumHeadSize = min(maximumHeadSize, Int(Int32.max))
        self.scanner = HeadScanner(
            skipsLeadingEmptyLines: false,
            tooLarge: HTTPParseError(status: 431, reason: "response head too large"))
    }

    /// Looks for a complete response head at the start of `bytes`.
    ///
    /// Same contract as ``HTTPRequestParser/parse(_:into:)``. `requestMethod` decides the framing:
    /// a response to HEAD, and 1xx, 204 and 304, have none; without Content-Length and not chunked
    /// the body runs until the upstream closes (`.untilClose`, and `keepAlive` is false).
    /// Errors are 400 (malformed) or 431 (too large).
    public mutating func parse(
        _ bytes: UnsafeRawBufferPointer, requestMethod: HTTPMethod, into head: inout HTTPResponseHead
    ) throws(HTTPParseError) -> Bool {
        let found = try scanner.findEnd(bytes, limit: maximumHeadSize) { $0 == 0x48 }
        guard let end = found else { return false }

        scanner.reset()
        try Self.parseHead(bytes.baseAddress!, end: end, requestMethod: requestMethod, into: &head)
        return true
    }

    /// Forgets scan progress, before the next message.
    public mutating func reset() {
        scanner.reset()
    }

    /// Parses the complete head in `0..<end` into `head`.
    private static func parseHead(
        _ base: UnsafeRawPointer, end: Int, requestMethod: HTTPMethod, into head: inout HTTPResponseHead
    ) throws(HTTPParseError) {
        head.headers.removeAll(keepingCapacity: true)
        head.headLength = end
        let fieldsStart = try StatusLine.parse(base, into: &head)

        let section = try FieldSection.parse(base, from: fieldsStart, end: end, into: &head.headers)
        head.framing = try framing(of: section, status: head.status, version: head.version, method: requestMethod)

        let keepAlive = head.version == .http11 ? !section.closes : section.keepsAlive && !section.closes
        head.keepAlive = keepAlive && head.framing != .untilClose
    }

    /// The body's framing; refuses Content-Length with Transfer-Encoding, and Transfer-Encoding on
    /// HTTP/1.0 (RFC 9112 §6.1), whatever the status.
    private static func framing(
        of section: FieldSection, status: Int, version: HTTPVersion, method: HTTPMethod
    ) throws(HTTPParseError) -> HTTPBodyFraming {
        if section.isChunked {
            guard section.contentLength == nil else { throw .badRequest("Content-Length with Transfer-Encoding") }
            guard version == .http11 else { throw .badRequest("Transfer-Encoding on HTTP/1.0") }
        }

        if method == .head || status < 200 || status == 204 || status == 304 {
            return .none
        }
        if section.isChunked {
            return .chunked
        }
        if let contentLength = section.contentLength {
            return .contentLength(contentLength)
        }
        return .untilClose
    }
}

/// The status line, `HTTP-version SP 3DIGIT SP reason-phrase CRLF` (RFC 9112 §4); a missing
/// `SP reason-phrase` is tolerated.
enum StatusLine {
    /// Parses the status line at the start of the head into `head` and returns the offset of the
    /// line after it.
    static func parse(_ base: UnsafeRawPointer, into head: inout HTTPResponseHead) throws(HTTPParseError) -> Int {
        // Each read happens only once every byte before it matched, so none passes the line's CR.
        guard base.equals(at: 0, count: 7, "HTTP/1."), base[byte: 8] == HTTPBytes.space else {
            throw .badRequest("invalid status line")
        }
        switch base[byte: 7] {
        case 0x31: head.version = .http11
        case 0x30: head.version = .http10
        default: throw .badRequest("unsupported HTTP version")
        }

        head.status = try parseStatus(base, at: 9)
        return try parseReason(base, from: 12, into: &head)
    }

    /// Parses the three-digit status code at `offset`: 100 to 599.
    private static func parseStatus(_ base: UnsafeRawPointer, at offset: Int) throws(HTTPParseError) -> Int {
        var status = 0
        for index in offset..<(offset &+ 3) {
            let byte = base[byte: index]
            guard HTTPBytes.isDigit(byte) else { throw .badRequest("invalid status code") }
            status = status &* 10 &+ Int(byte &- HTTPBytes.zero)
        }
        guard status >= 100 && status <= 599 else { throw .badRequest("invalid status code") }
        return status
    }

    /// Parses the optional ` reason-phrase` at `start`, through the CRLF, and returns the offset after it.
    private static func parseReason(
        _ base: UnsafeRawPointer, from start: Int, into head: inout HTTPResponseHead
    ) throws(HTTPParseError) -> Int {
        var index = start
        switch base[byte: index] {
        case HTTPBytes.space:
            index &+= 1
        case HTTPBytes.cr:
            break
        default:
            throw .badRequest("invalid status code")
        }

        let reasonStart = index
        while base[byte: index] != HTTPBytes.cr {
            guard HTTPBytes.isFieldContent(base[byte: index]) else { throw .badRequest("invalid reason phrase") }
            index &+= 1
        }
        guard base[byte: index &+ 1] == HTTPBytes.lf else { throw .badRequest("bare CR") }

        head.reasonRange = reasonStart..<index
        return index &+ 2
    }
}
