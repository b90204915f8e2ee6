/// Chunk extensions, `*( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] )`
/// (RFC 9112 §7.1.1): relevo validates them and then ignores them.
enum ChunkExtensions {
    /// Checks the extensions in `start..<end`, the rest of a chunk-size line before its CR.
    static func validate(_ base: UnsafeRawPointer, from start: Int, to end: Int) throws(HTTPParseError) {
        var index = start
        while index < end {
            index = skipWhitespace(base, from: index, to: end)
            guard index < end && base[byte: index] == HTTPBytes.semicolon else {
                throw .badRequest("invalid chunk extension")
            }

            index = skipWhitespace(base, from: index &+ 1, to: end)
            index = try skipToken(base, from: index, to: end)

            // Whitespace is allowed before "=", never at the end of the line.
            let afterName = index
            index = skipWhitespace(base, from: index, to: end)
            guard index < end && base[byte: index] == HTTPBytes.equals else {
                index = afterName
                continue
            }
            index = try skipValue(base, from: skipWhitespace(base, from: index &+ 1, to: end), to: end)
        }
    }

    /// The offset of the first byte in `start..<end` that is not SP or HTAB.
    @inline(__always)
    private static func skipWhitespace(_ base: UnsafeRawPointer, from start: Int, to end: Int) -> Int {
        var index = start
        while index < end && HTTPBytes.isWhitespace(base[byte: index]) {
            index &+= 1
        }
        return index
    }

    /// The offset after the non-empty token at `start`.
    private static func skipToken(
        _ base: UnsafeRawPointer, from start: Int, to end: Int
    ) throws(HTTPParseError) -> Int {
        var index = start
        while index < end && HTTPBytes.isToken(base[byte: index]) {
            index &+= 1
        }
        guard index > start else { throw .badRequest("invalid chunk extension") }
        return index
    }

    /// The offset after the token or quoted string at `start`.
    private static func skipValue(
        _ base: UnsafeRawPointer, from start: Int, to end: Int
    ) throws(HTTPParseError) -> Int {
        guard start < end && base[byte: start] == HTTPBytes.quote else {
            return try skipToken(base, from: start, to: end)
        }

        var index = start &+ 1
        while index < end {
            let byte = base[byte: index]
            if byte == HTTPBytes.quote {
                return index &+ 1
            }
            if byte == HTTPBytes.backslash {
                guard index &+ 1 < end && HTTPBytes.isFieldContent(base[byte: index &+ 1]) else { break }
                index &+= 2
                continue
            }
            guard HTTPBytes.isQuotedText(byte) else { break }
            index &+= 1
        }
        throw .badRequest("invalid chunk extension")
    }
}

/// One field line of a chunked body's trailer section (RFC 9112 §7.1.2), validated like a header
/// line; fields that frame or route the message, or are hop-by-hop, are refused in trailers.
enum TrailerLine {
    /// Checks the line at `start`, whose CRLF ends just before `end`.
    static func validate(_ base: UnsafeRawPointer, from start: Int, end: Int) throws(HTTPParseError) {
        if HTTPBytes.isWhitespace(base[byte: start]) {
            throw .badRequest("obsolete line folding")
        }
        if base[byte: start] == HTTPBytes.cr {
            throw .badRequest("bare CR")
        }

        let line = try FieldLine.parse(base, at: start, end: end)
        let name = HTTPHeaderName(base, at: line.nameStart, count: line.nameEnd &- line.nameStart)
        guard !name.isAlwaysHopByHop && name != .host else { throw .badRequest("forbidden trailer field") }
    }
}
