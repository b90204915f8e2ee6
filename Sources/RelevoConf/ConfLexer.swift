/// Splits the bytes of a conf file into tokens, one at a time, keeping line and column.
///
/// Whitespace separates tokens; `#` starts a comment that runs to the end of the line (outside strings);
/// `;`, `{` and `}` are tokens of their own; a string is double-quoted, stays on one line, and knows
/// two escapes, `\"` and `\\`. Everything else is a word. A leading UTF-8 byte order mark is skipped.
struct ConfLexer {
    private let bytes: [UInt8]
    private let file: String
    private var offset = 0
    private var line = 1
    private var column = 1

    /// A lexer over `bytes`, naming `file` in locations.
    init(bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            offset = 3
        }
    }

    /// The next token, or nil at the end of the file; throws at the first malformed token.
    mutating func next() throws(ConfError) -> ConfToken? {
        skipSpaceAndComments()
        guard offset < bytes.count else { return nil }

        let start = location
        let startOffset = offset
        switch bytes[offset] {
        case UInt8(ascii: ";"):
            advance()
            return token(.semicolon, text: ";", from: startOffset, at: start)
        case UInt8(ascii: "{"):
            advance()
            return token(.openBrace, text: "{", from: startOffset, at: start)
        case UInt8(ascii: "}"):
            advance()
            return token(.closeBrace, text: "}", from: startOffset, at: start)
        case UInt8(ascii: "\""):
            let text = try readString()
            return token(.string, text: text, from: startOffset, at: start)
        default:
            try readWord()
            return token(.word, text: spelling(from: startOffset), from: startOffset, at: start)
        }
    }

    // MARK: - Tokens

    /// Reads a quoted string from its opening quote through its closing one; returns it unescaped.
    private mutating func readString() throws(ConfError) -> String {
        let opening = location
        advance()
        var value: [UInt8] = []
        while offset < bytes.count, bytes[offset] != UInt8(ascii: "\n") {
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\"") {
                advance()
                try expectSeparator(after: "a quoted string")
                return String(decoding: value, as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") {
                // A backslash at the end of a line escapes nothing: the string is unterminated.
                guard offset + 1 < bytes.count, !isLineEnd(bytes[offset + 1]) else { break }
                value.append(try readEscape())
                continue
            }
            value.append(byte)
            advance()
        }
        throw ConfError(location: opening, message: "unterminated string: the closing '\"' must be on the same line")
    }

    /// Reads `\"` or `\\`, at a backslash that is not the last character of its line; returns the byte it
    /// stands for.
    private mutating func readEscape() throws(ConfError) -> UInt8 {
        let backslash = location
        advance()
        let byte = bytes[offset]
        guard byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else {
            let message = "unknown escape '\\\(characterAt(offset))' in string; only \\\" and \\\\ are allowed"
            throw ConfError(location: backslash, message: message)
        }
        advance()
        return byte
    }

    /// Reads a bare word up to whitespace, `;`, `{`, `}`, `#` or the end of the file.
    private mutating func readWord() throws(ConfError) {
        while offset < bytes.count, !isWordEnd(bytes[offset]) {
            advance()
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") {
            throw ConfError(location: location, message: "unexpected '\"' inside a word; quote the whole value instead")
        }
    }

    /// Throws unless what follows a closing quote can end a token.
    private func expectSeparator(after what: String) throws(ConfError) {
        guard offset < bytes.count, !isWordEnd(bytes[offset]) || bytes[offset] == UInt8(ascii: "\"") else { return }
        throw ConfError(
            location: location,
            message: "unexpected '\(characterAt(offset))' right after \(what); put a space between them"
        )
    }

    // MARK: - Bytes

    /// Skips spaces, tabs, line ends and comments.
    private mutating func skipSpaceAndComments() {
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte == UInt8(ascii: "#") {
                while offset < bytes.count, bytes[offset] != UInt8(ascii: "\n") {
                    advance()
                }
            } else if isSpace(byte) {
                advance()
            } else {
                return
            }
        }
    }

    /// Moves past one byte, keeping line and column; a column counts characters, not UTF-8 continuation bytes.
    private mutating func advance() {
        let byte = bytes[offset]
        offset += 1
        if byte == UInt8(ascii: "\n") {
            line += 1
            column = 1
        } else if byte & 0xC0 != 0x80 {
            column += 1
        }
    }

    /// The current position.
    private var location: SourceLocation {
        SourceLocation(file: file, line: line, column: column)
    }

    /// A token of `kind` from `startOffset` to the current position.
    private func token(_ kind: ConfToken.Kind, text: String, from startOffset: Int, at start: SourceLocation)
        -> ConfToken
    {
        ConfToken(kind: kind, text: text, spelling: spelling(from: startOffset), location: start, endColumn: column)
    }

    /// The source text from `startOffset` to the current position.
    private func spelling(from startOffset: Int) -> String {
        String(decoding: bytes[startOffset..<offset], as: UTF8.self)
    }

    /// The whole character starting at byte `index`, for messages.
    private func characterAt(_ index: Int) -> String {
        var end = index + 1
        while end < bytes.count, bytes[end] & 0xC0 == 0x80 {
            end += 1
        }
        return String(decoding: bytes[index..<end], as: UTF8.self)
    }

    private func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || isLineEnd(byte) || byte == 0x0B || byte == 0x0C
    }

    private func isLineEnd(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
    }

    private func isWordEnd(_ byte: UInt8) -> Bool {
        isSpace(byte) || byte == UInt8(ascii: ";") || byte == UInt8(ascii: "{") || byte == UInt8(ascii: "}")
            || byte == UInt8(ascii: "#") || byte == UInt8(ascii: "\"")
    }
}
