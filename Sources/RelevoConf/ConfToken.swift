/// One token of a conf file, with where it starts and where it ends.
struct ConfToken: Sendable, Equatable {
    /// What a token is.
    enum Kind: Sendable, Equatable {
        /// A bare word: `listen`, `127.0.0.1:8080`, `10s`.
        case word
        /// A double-quoted string; ``ConfToken/text`` holds it unquoted and unescaped.
        case string
        /// `;`, the end of a directive.
        case semicolon
        /// `{`, the start of a block.
        case openBrace
        /// `}`, the end of a block.
        case closeBrace
    }

    /// What the token is.
    var kind: Kind

    /// The token's value: the word, the string without its quotes and escapes, or the punctuation.
    var text: String

    /// The token exactly as written, quotes and escapes included; for messages.
    var spelling: String

    /// Where the token's first character is.
    var location: SourceLocation

    /// The column just past the token's last character, on the same line (tokens never span lines).
    var endColumn: Int

    /// Where a token that should have followed this one, with no space between, would start.
    var locationAfter: SourceLocation {
        SourceLocation(file: location.file, line: location.line, column: endColumn)
    }
}
