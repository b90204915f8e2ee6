/// Turns the tokens of one conf file into a tree of ``ConfDirective``s.
///
/// The grammar: `directive := NAME ARGUMENT* (';' | '{' directive* '}')`. The parser knows no directive's
/// meaning, only their names: a known name at the start of a line inside a directive's arguments
/// means the `;` before it is missing.
struct ConfParser {
    private var lexer: ConfLexer
    private let directory: String
    private let directiveNames: Set<String>

    /// A parser over `bytes` from `file`, whose relative paths resolve against `directory`.
    init(bytes: [UInt8], file: String, directory: String, directiveNames: Set<String>) {
        self.lexer = ConfLexer(bytes: bytes, file: file)
        self.directory = directory
        self.directiveNames = directiveNames
    }

    /// The file's top-level directives, up to the first syntax error if there is one.
    ///
    /// Directives complete before the error are kept; the one it interrupted is dropped.
    mutating func parse() -> (directives: [ConfDirective], error: ConfError?) {
        var directives: [ConfDirective] = []
        do {
            while let directive = try parseDirective(closing: nil) {
                directives.append(directive)
            }
            return (directives, nil)
        } catch {
            return (directives, error)
        }
    }

    // MARK: - Grammar

    /// The next directive, or nil at the `}` closing `closing` (or at the end of the file when there is none).
    private mutating func parseDirective(closing: ConfToken?) throws(ConfError) -> ConfDirective? {
        guard let token = try lexer.next() else {
            if let closing {
                throw ConfError(location: closing.location, message: "'{' is never closed")
            }
            return nil
        }
        switch token.kind {
        case .word:
            return try parseRest(of: token)
        case .closeBrace:
            guard closing != nil else {
                throw ConfError(location: token.location, message: "unbalanced '}': there is no open '{' to close")
            }
            return nil
        case .semicolon:
            throw ConfError(location: token.location, message: "unexpected ';' with no directive before it")
        case .openBrace:
            throw ConfError(location: token.location, message: "unexpected '{' with no directive name before it")
        case .string:
            throw ConfError(
                location: token.location,
                message: "expected a directive name, got the string \(token.spelling); names are never quoted"
            )
        }
    }

    /// The arguments and the `;` or block of the directive named by `name`.
    private mutating func parseRest(of name: ConfToken) throws(ConfError) -> ConfDirective {
        var arguments: [ConfToken] = []
        while true {
            let last = arguments.last ?? name
            guard let token = try lexer.next() else {
                throw missingSemicolon(name: name, arguments: arguments, atEnd: true)
            }
            switch token.kind {
            case .semicolon:
                return directive(name: name, arguments: arguments, block: nil)
            case .openBrace:
                let block = try parseBlock(opening: token)
                return directive(name: name, arguments: arguments, block: block)
            case .closeBrace:
                throw missingSemicolon(name: name, arguments: arguments, atEnd: false)
            case .word where token.location.line > last.location.line && directiveNames.contains(token.text):
                throw missingSemicolon(name: name, arguments: arguments, atEnd: false)
            case .word, .string:
                arguments.append(token)
            }
        }
    }

    /// The directives of a block, from just after its `{` through its `}`.
    private mutating func parseBlock(opening: ConfToken) throws(ConfError) -> [ConfDirective] {
        var directives: [ConfDirective] = []
        while let directive = try parseDirective(closing: opening) {
            directives.append(directive)
        }
        return directives
    }

    // MARK: - Results

    /// A directive from its tokens.
    private func directive(name: ConfToken, arguments: [ConfToken], block: [ConfDirective]?) -> ConfDirective {
        ConfDirective(
            name: name.text,
            arguments: arguments.map { ConfDirective.Argument(text: $0.text, location: $0.location) },
            block: block,
            location: name.location,
            directory: directory
        )
    }

    /// The error for a directive that is not ended by `;`, located just past its last token.
    private func missingSemicolon(name: ConfToken, arguments: [ConfToken], atEnd: Bool) -> ConfError {
        let last = arguments.last ?? name
        let written = ([name] + arguments).map(\.spelling).joined(separator: " ")
        let suffix = atEnd ? " (the file ends first)" : ""
        return ConfError(location: last.locationAfter, message: "expected ';' after '\(written)'\(suffix)")
    }
}
