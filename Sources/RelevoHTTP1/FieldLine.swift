/// One `name: value` line of a head or a trailer section, as offsets into its bytes.
struct FieldLine {
    /// Offset of the name's first byte.
    var nameStart: Int

    /// Offset one past the name's last byte (the colon).
    var nameEnd: Int

    /// Offset of the value's first byte, after optional whitespace.
    var valueStart: Int

    /// Offset one past the value's last byte, before optional whitespace.
    var valueEnd: Int

    /// Offset of the next line, past this line's CRLF.
    var next: Int

    /// Parses the field line at `lineStart`, refusing anything RFC 9112 §5 does not allow.
    ///
    /// The caller guarantees a CRLF between `lineStart` and `end`, and that the line does not start
    /// with CR (an empty line) nor with whitespace (obsolete line folding).
    @inline(__always)
    static func parse(_ base: UnsafeRawPointer, at lineStart: Int, end: Int) throws(HTTPParseError) -> FieldLine {
        var index = lineStart
        while HTTPBytes.isToken(base[byte: index]) {
            index &+= 1
        }
        try checkNameEnd(base, lineStart: lineStart, at: index)

        let nameEnd = index
        index &+= 1
        while HTTPBytes.isWhitespace(base[byte: index]) {
            index &+= 1
        }

        let valueStart = index
        let lineEnd = try findValueEnd(base, from: valueStart, end: end)
        var valueEnd = lineEnd
        while valueEnd > valueStart && HTTPBytes.isWhitespace(base[byte: valueEnd &- 1]) {
            valueEnd &-= 1
        }
        return FieldLine(
            nameStart: lineStart, nameEnd: nameEnd, valueStart: valueStart, valueEnd: valueEnd, next: lineEnd &+ 2)
    }

    /// Checks that the name running from `lineStart` stops at a colon, and says why not otherwise.
    @inline(__always)
    private static func checkNameEnd(
        _ base: UnsafeRawPointer, lineStart: Int, at index: Int
    ) throws(HTTPParseError) {
        let stop = base[byte: index]
        if stop == HTTPBytes.colon {
            if index == lineStart {
                throw .badRequest("empty header name")
            }
            return
        }
        if HTTPBytes.isWhitespace(stop) {
            var next = index &+ 1
            while HTTPBytes.isWhitespace(base[byte: next]) {
                next &+= 1
            }
            throw base[byte: next] == HTTPBytes.colon
                ? .badRequest("whitespace before colon") : .badRequest("invalid header name")
        }
        if stop == HTTPBytes.cr {
            throw base[byte: index &+ 1] == HTTPBytes.lf
                ? .badRequest("header line without colon") : .badRequest("bare CR")
        }
        throw .badRequest("invalid header name")
    }

    /// The offset of the CR that ends the value starting at `start`.
    ///
    /// Skips eight bytes at a time while none of them is a control byte; refuses a CR that no LF
    /// follows, and any control byte but HTAB, and DEL.
    @inline(__always)
    private static func findValueEnd(
        _ base: UnsafeRawPointer, from start: Int, end: Int
    ) throws(HTTPParseError) -> Int {
        var index = start
        while true {
            while index &+ 8 <= end
                && !HTTPBytes.hasControlByte(base.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            {
                index &+= 8
            }

            let byte = base[byte: index]
            if byte == HTTPBytes.cr {
                guard base[byte: index &+ 1] == HTTPBytes.lf else { throw .badRequest("bare CR") }
                return index
            }
            guard HTTPBytes.isFieldContent(byte) else { throw .badRequest("invalid character in header value") }
            index &+= 1
        }
    }
}

extension HTTPHeaderName {
    /// Recognises the name in the `count` bytes at `offset`, ignoring case; `.other` if relevo
    /// does not act on it. Switches on the length first, so most names cost one comparison or none.
    @inline(__always)
    init(_ base: UnsafeRawPointer, at offset: Int, count: Int) {
        @inline(__always)
        func spells(_ lowercase: StaticString) -> Bool {
            base.equalsIgnoringCase(at: offset, count: count, lowercase)
        }

        switch count {
        case 2 where spells("te"): self = .te
        case 4 where spells("host"): self = .host
        case 6 where spells("cookie"): self = .cookie
        case 6 where spells("expect"): self = .expect
        case 7 where spells("upgrade"): self = .upgrade
        case 7 where spells("trailer"): self = .trailer
        case 10 where spells("connection"): self = .connection
        case 10 where spells("keep-alive"): self = .keepAlive
        case 10 where spells("set-cookie"): self = .setCookie
        case 14 where spells("content-length"): self = .contentLength
        case 15 where spells("x-forwarded-for"): self = .xForwardedFor
        case 16 where spells("proxy-connection"): self = .proxyConnection
        case 16 where spells("x-forwarded-host"): self = .xForwardedHost
        case 17 where spells("transfer-encoding"): self = .transferEncoding
        case 17 where spells("x-forwarded-proto"): self = .xForwardedProto
        default: self = .other
        }
    }

    /// Whether a field of this name is hop-by-hop whatever Connection says (RFC 9110 §7.6.1).
    ///
    /// Content-Length counts too: relevo always writes its own framing.
    var isAlwaysHopByHop: Bool {
        switch self {
        case .connection, .keepAlive, .proxyConnection, .te, .trailer, .upgrade, .transferEncoding, .contentLength:
            true
        case .other, .host, .expect, .cookie, .setCookie, .xForwardedFor, .xForwardedProto, .xForwardedHost:
            false
        }
    }
}
