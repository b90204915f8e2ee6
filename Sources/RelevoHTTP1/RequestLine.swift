/// The request line, `method SP request-target SP HTTP-version CRLF` (RFC 9112 §3), with exactly one
/// space between its parts.
enum RequestLine {
    /// Parses the request line at `start` into `head`'s method, target and version, and returns the
    /// offset of the line after it. The caller guarantees the head's CRLF CRLF lies ahead.
    static func parse(
        _ base: UnsafeRawPointer, from start: Int, into head: inout HTTPRequestHead
    ) throws(HTTPParseError) -> Int {
        var index = try parseMethod(base, from: start, into: &head)
        index = try parseTarget(base, from: index &+ 1, method: head.method, into: &head)
        index = try parseVersion(base, from: index &+ 1, into: &head)

        guard base[byte: index] == HTTPBytes.cr else { throw .badRequest("invalid HTTP version") }
        guard base[byte: index &+ 1] == HTTPBytes.lf else { throw .badRequest("bare CR") }
        return index &+ 2
    }

    /// Parses the method token and returns the offset of the space after it.
    private static func parseMethod(
        _ base: UnsafeRawPointer, from start: Int, into head: inout HTTPRequestHead
    ) throws(HTTPParseError) -> Int {
        var index = start
        while HTTPBytes.isToken(base[byte: index]) {
            index &+= 1
        }
        guard index > start && base[byte: index] == HTTPBytes.space else { throw .badRequest("invalid method") }

        head.methodRange = start..<index
        head.method = HTTPMethod(base, at: start, count: index &- start)
        guard head.method != .connect else { throw .badRequest("CONNECT is not supported") }
        return index
    }

    /// Parses the request target and returns the offset of the space after it.
    ///
    /// Accepts origin-form, absolute-form with an `http` or `https` scheme, and `*` for OPTIONS.
    private static func parseTarget(
        _ base: UnsafeRawPointer, from start: Int, method: HTTPMethod, into head: inout HTTPRequestHead
    ) throws(HTTPParseError) -> Int {
        var end = start
        while HTTPBytes.isTargetCharacter(base[byte: end]) {
            end &+= 1
        }
        try checkTargetEnd(base, start: start, end: end)

        head.targetIsEmptyPath = false
        head.absoluteAuthorityRange = nil
        switch base[byte: start] {
        case HTTPBytes.slash:
            head.targetRange = start..<end
        case HTTPBytes.asterisk where end &- start == 1:
            guard method == .options else { throw .badRequest("asterisk-form without OPTIONS") }
            head.targetRange = start..<end
        default:
            try parseAbsoluteForm(base, from: start, to: end, into: &head)
        }
        return end
    }

    /// Checks that the target running from `start` stops at a space and is not empty.
    private static func checkTargetEnd(_ base: UnsafeRawPointer, start: Int, end: Int) throws(HTTPParseError) {
        switch base[byte: end] {
        case HTTPBytes.space where end > start:
            return
        case HTTPBytes.hash:
            throw .badRequest("fragment in request target")
        case HTTPBytes.cr:
            throw .badRequest("missing HTTP version")
        default:
            throw .badRequest("invalid request target")
        }
    }

    /// Parses `http://authority[/path][?query]` (or https): the authority is recorded, and the path
    /// and query become the target (an empty path sets ``HTTPRequestHead/targetIsEmptyPath``).
    private static func parseAbsoluteForm(
        _ base: UnsafeRawPointer, from start: Int, to end: Int, into head: inout HTTPRequestHead
    ) throws(HTTPParseError) {
        let authorityStart: Int
        if end &- start > 7 && base.equalsIgnoringCase(at: start, count: 7, "http://") {
            authorityStart = start &+ 7
        } else if end &- start > 8 && base.equalsIgnoringCase(at: start, count: 8, "https://") {
            authorityStart = start &+ 8
        } else {
            throw .badRequest("invalid request target")
        }

        var authorityEnd = authorityStart
        while authorityEnd < end && base[byte: authorityEnd] != HTTPBytes.slash
            && base[byte: authorityEnd] != HTTPBytes.question
        {
            authorityEnd &+= 1
        }
        guard Authority.isValid(base, from: authorityStart, to: authorityEnd) else {
            throw .badRequest("invalid authority in request target")
        }

        head.absoluteAuthorityRange = authorityStart..<authorityEnd
        head.targetRange = authorityEnd..<end
        head.targetIsEmptyPath = authorityEnd == end || base[byte: authorityEnd] == HTTPBytes.question
    }

    /// Parses `HTTP/1.1` or `HTTP/1.0` and returns the offset after it; other versions get 505.
    private static func parseVersion(
        _ base: UnsafeRawPointer, from start: Int, into head: inout HTTPRequestHead
    ) throws(HTTPParseError) -> Int {
        // Each read happens only once every byte before it matched, so none passes the line's CR.
        guard
            base.equals(at: start, count: 5, "HTTP/") && HTTPBytes.isDigit(base[byte: start &+ 5])
                && base[byte: start &+ 6] == 0x2E && HTTPBytes.isDigit(base[byte: start &+ 7])
        else {
            throw .badRequest("invalid HTTP version")
        }

        switch (base[byte: start &+ 5], base[byte: start &+ 7]) {
        case (0x31, 0x31): head.version = .http11
        case (0x31, 0x30): head.version = .http10
        default: throw HTTPParseError(status: 505, reason: "HTTP version not supported")
        }
        return start &+ 8
    }
}

extension HTTPMethod {
    /// Recognises the method token in the `count` bytes at `offset` (methods are case-sensitive).
    @inline(__always)
    init(_ base: UnsafeRawPointer, at offset: Int, count: Int) {
        func spells(_ method: StaticString) -> Bool {
            base.equals(at: offset, count: count, method)
        }

        switch count {
        case 3 where spells("GET"): self = .get
        case 3 where spells("PUT"): self = .put
        case 4 where spells("POST"): self = .post
        case 4 where spells("HEAD"): self = .head
        case 5 where spells("PATCH"): self = .patch
        case 5 where spells("TRACE"): self = .trace
        case 6 where spells("DELETE"): self = .delete
        case 7 where spells("OPTIONS"): self = .options
        case 7 where spells("CONNECT"): self = .connect
        default: self = .other
        }
    }
}

/// RFC 3986's `authority` as HTTP allows it in Host and absolute-form targets: `host [":" port]`,
/// where host is a bracketed IP literal or a registered name (IPv4 included), and no user info.
enum Authority {
    /// Whether the bytes in `start..<end` are a valid, non-empty authority.
    static func isValid(_ base: UnsafeRawPointer, from start: Int, to end: Int) -> Bool {
        guard start < end else { return false }
        guard let hostEnd = hostEnd(base, from: start, to: end), hostEnd > start else { return false }
        guard hostEnd < end else { return true }
        guard base[byte: hostEnd] == HTTPBytes.colon && end &- hostEnd <= 6 else { return false }

        for index in (hostEnd &+ 1)..<end where !HTTPBytes.isDigit(base[byte: index]) {
            return false
        }
        return true
    }

    /// The offset after the host part starting at `start`, or nil if it is malformed.
    private static func hostEnd(_ base: UnsafeRawPointer, from start: Int, to end: Int) -> Int? {
        var index = start
        if base[byte: start] == HTTPBytes.openBracket {
            index &+= 1
            while index < end && (HTTPBytes.isRegName(base[byte: index]) || base[byte: index] == HTTPBytes.colon) {
                index &+= 1
            }
            guard index > start &+ 1 && index < end && base[byte: index] == HTTPBytes.closeBracket else { return nil }
            return index &+ 1
        }

        while index < end {
            let byte = base[byte: index]
            if HTTPBytes.isRegName(byte) {
                index &+= 1
            } else if byte == HTTPBytes.percent && index &+ 2 < end && HTTPBytes.isHexDigit(base[byte: index &+ 1])
                && HTTPBytes.isHexDigit(base[byte: index &+ 2])
            {
                index &+= 3
            } else {
                break
            }
        }
        return index
    }
}
