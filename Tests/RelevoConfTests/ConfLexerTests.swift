import RelevoConf
import Testing

/// Tokens: words, quoted strings, comments, and the line and column every error carries.
@Suite struct ConfLexerTests {
    @Test("a quoted string may hold spaces, ';', '{', '#', and the escapes \\\" and \\\\")
    func quotedStringsHoldAnything() throws {
        let conf = try loadConf(minimalConf + #"access_log "/var/log/my {relevo}; #1 \"x\" \\y.log";"#)

        #expect(conf.accessLogPath == #"/var/log/my {relevo}; #1 "x" \y.log"#)
    }

    @Test("a quoted value means the same as the bare one")
    func quotedValuesEqualBareOnes() throws {
        let quoted = try loadConf(#"listen "127.0.0.1:8080"; version "v1" { backend "127.0.0.1:9001"; }"#)
        let bare = try loadConf("listen 127.0.0.1:8080; version v1 { backend 127.0.0.1:9001; }")

        #expect(quoted.listeners.map(\.address) == bare.listeners.map(\.address))
        #expect(quoted.versions.map(\.name) == bare.versions.map(\.name))
        #expect(quoted.versions.map { $0.backends.map(\.text) } == bare.versions.map { $0.backends.map(\.text) })
    }

    @Test("comments may follow any token, fill whole lines, and split a directive across lines")
    func commentsGoEverywhere() throws {
        let text = """
            # relevo.conf
                # indented comment
            listen # the public side
                127.0.0.1:8080; # trailing
            timeouts { # opening
                # inside a block
                connect 3s;# no space before it
            } # closing
            #last line without newline
            """
        let conf = try loadConf(text)

        #expect(conf.listeners.map(\.address.description) == ["127.0.0.1:8080"])
        #expect(conf.timeouts.connect == 3_000)
    }

    @Test("an unterminated string is reported at its opening quote")
    func unterminatedStringPointsAtItsQuote() {
        let text = minimalConf + "access_log \"logs/access.log;\nworkers 2;\n"

        #expect(
            confError(text) == "relevo.conf:2:12: error: unterminated string: the closing '\"' must be on the same line"
        )
    }

    @Test("an unterminated string at the end of the file is reported at its opening quote")
    func unterminatedStringAtEndOfFile() {
        #expect(confError(minimalConf + "state_dir \"abc").hasPrefix("relevo.conf:2:11: error: unterminated string"))
    }

    @Test("a backslash at the end of a line leaves the string unterminated")
    func backslashAtEndOfLine() {
        let text = minimalConf + "access_log \"logs\\\nworkers 2;\n"

        #expect(confError(text).hasPrefix("relevo.conf:2:12: error: unterminated string"))
    }

    @Test("an escape other than \\\" and \\\\ is reported at its backslash")
    func unknownEscapeIsAnError() {
        let text = minimalConf + #"access_log "a\nb";"#

        #expect(
            confError(text) == #"relevo.conf:2:14: error: unknown escape '\n' in string; only \" and \\ are allowed"#)
    }

    @Test("a quote inside a bare word is an error at the quote")
    func quoteInsideAWord() {
        let text = minimalConf + #"access_log logs/"a".log;"#

        #expect(
            confError(text) == #"relevo.conf:2:17: error: unexpected '"' inside a word; quote the whole value instead"#
        )
    }

    @Test("a word glued to a closing quote is an error at the word")
    func wordAfterClosingQuote() {
        let text = minimalConf + #"access_log "logs/a".log;"#

        #expect(
            confError(text)
                == "relevo.conf:2:20: error: unexpected '.' right after a quoted string; put a space between them"
        )
    }

    @Test("columns count characters, not bytes")
    func columnsCountCharacters() {
        let text = minimalConf + #"access_log "café→.log"; bogus 1;"#

        #expect(confError(text) == "relevo.conf:2:25: error: unknown directive 'bogus'")
    }

    @Test("tabs count as one column and CRLF line ends count as one line")
    func tabsAndCarriageReturns() {
        let text = "listen 127.0.0.1:8080;\r\n\tworkers 0;\r\n"

        #expect(confError(text) == "relevo.conf:2:10: error: bad workers '0': expected 'auto' or a number 1-256")
    }

    @Test("a UTF-8 byte order mark at the start is skipped")
    func byteOrderMarkIsSkipped() throws {
        let conf = try loadConf("\u{FEFF}" + minimalConf)

        #expect(conf.listeners.count == 1)
    }
}
