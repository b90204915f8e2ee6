/// Parses request heads strictly (RFC 9112), refusing every ambiguity a smuggling attack could use.
///
/// Incremental: ``parse(_:into:)`` is called with the same start and more bytes appended until it
/// returns true; it remembers how far it has scanned, so a head fed byte by byte costs O(n) in all.
/// One parser per downstream connection, used from its event loop only.
public struct HTTPRequestParser {
    /// The largest head accepted, in bytes, including leading empty lines and the final CRLF.
    public let maximumHeadSize: Int

    /// Progress towards the end of the current head.
    private var scanner: HeadScanner

    /// Creates a parser that answers 431 to heads over `maximumHeadSize` bytes.
    public init(maximumHeadSize: Int = 32 * 1024) {
        self.maximumHeadSize = min(maximumHeadSize, Int(Int32.max))
        self.scanner = HeadScanner(
            skipsLeadingEmptyLines: true,
            tooLarge: HTTPParseError(status: 431, reason: "request head too large"))
    }

    /// Looks for a complete request head at the start of `bytes`.
    ///
    /// Returns true and fills `head` when the head is complete (`head.headLength` is the bytes it
    /// takes, through the final CRLF; offsets in `head` are from the start of `bytes`), false when
    /// more bytes are needed. After true or a throw, the parser is ready for the next message.
    /// Throws 400 with a specific reason, 431 as soon as the head is known to exceed the limit, or
    /// 505 for an HTTP version other than 1.0 and 1.1.
    public mutating func parse(
        _ bytes: UnsafeRawBufferPointer, into head: inout HTTPRequestHead
    ) throws(HTTPParseError) -> Bool {
        let found = try scanner.findEnd(bytes, limit: maximumHeadSize, isValidFirstByte: HTTPBytes.isToken)
        guard let end = found else { return false }

        let start = scanner.messageStart
        scanner.reset()
        try Self.parseHead(bytes.baseAddress!, from: start, end: end, into: &head)
        return true
    }

    /// Forgets scan progress, before the next message.
    public mutating func reset() {
        scanner.reset()
    }

    /// Parses the complete head in `start..<end` (the caller found its CRLF CRLF) into `head`.
    private static func parseHead(
        _ base: UnsafeRawPointer, from start: Int, end: Int, into head: inout HTTPRequestHead
    ) throws(HTTPParseError) {
        head.headers.removeAll(keepingCapacity: true)
        head.headLength = end
        let fieldsStart = try RequestLine.parse(base, from: start, into: &head)

        let section = try FieldSection.parse(base, from: fieldsStart, end: end, into: &head.headers)
        head.hostIndex = section.hostIndex
        try checkHost(base, section: section, head: head)

        head.framing = try framing(of: section, version: head.version)
        head.keepAlive = head.version == .http11 ? !section.closes : section.keepsAlive && !section.closes
        head.isUpgrade = head.version == .http11 && section.hasUpgradeField && section.upgrades
        head.expectsContinue = head.version == .http11 && section.expectsContinue
    }

    /// Checks that an HTTP/1.1 request has a Host, and that any Host is a valid authority (RFC 9112 §3.2).
    private static func checkHost(
        _ base: UnsafeRawPointer, section: FieldSection, head: HTTPRequestHead
    ) throws(HTTPParseError) {
        guard let hostIndex = section.hostIndex else {
            if head.version == .http11 {
                throw .badRequest("missing Host")
            }
            return
        }

        let host = head.headers[hostIndex]
        let start = Int(host.valueStart)
        let end = start + Int(host.valueLength)
        guard start == end || Authority.isValid(base, from: start, to: end) else {
            throw .badRequest("invalid Host")
        }
    }

    /// The body's framing, refusing the combinations RFC 9112 §6.1 and §6.3 call faulty.
    private static func framing(
        of section: FieldSection, version: HTTPVersion
    ) throws(HTTPParseError) -> HTTPBodyFraming {
        if section.isChunked {
            guard section.contentLength == nil else { throw .badRequest("Content-Length with Transfer-Encoding") }
            guard version == .http11 else { throw .badRequest("Transfer-Encoding on HTTP/1.0") }
            return .chunked
        }
        if let contentLength = section.contentLength {
            return .contentLength(contentLength)
        }
        return .none
    }
}
