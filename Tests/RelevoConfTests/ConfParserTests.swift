import RelevoConf
import Testing

/// The generic grammar: directives end with ';', blocks balance, names are bare words.
@Suite struct ConfParserTests {
    @Test("a missing ';' before the next line's directive is reported just after the last argument")
    func missingSemicolonBeforeNextDirective() {
        let text = "listen 127.0.0.1:8080\nworkers 2;\n"

        #expect(confError(text) == "relevo.conf:1:22: error: expected ';' after 'listen 127.0.0.1:8080'")
    }

    @Test("a missing ';' before a '}' is reported just after the last argument")
    func missingSemicolonBeforeClosingBrace() {
        let text = minimalConf + "timeouts {\n    connect 2s\n}\n"

        #expect(confError(text) == "relevo.conf:3:15: error: expected ';' after 'connect 2s'")
    }

    @Test("a missing ';' at the end of the file says the file ends first")
    func missingSemicolonAtEndOfFile() {
        let text = minimalConf + "workers \"4\""

        #expect(confError(text) == "relevo.conf:2:12: error: expected ';' after 'workers \"4\"' (the file ends first)")
    }

    @Test("a missing ';' after a name alone is reported just after the name")
    func missingSemicolonAfterName() {
        #expect(
            confError(minimalConf + "version v1 { backend }") == "relevo.conf:2:21: error: expected ';' after 'backend'"
        )
    }

    @Test("a '}' with no open '{' is reported at the '}'")
    func unbalancedClosingBrace() {
        let text = minimalConf + "version v1 {\n    backend 127.0.0.1:9001;\n}\n}\n"

        #expect(confError(text) == "relevo.conf:5:1: error: unbalanced '}': there is no open '{' to close")
    }

    @Test("a '{' that is never closed is reported at the '{'")
    func unclosedOpeningBrace() {
        let text =
            minimalConf + "version v1 {\n    backend 127.0.0.1:9001;\nversion v2 {\n    backend 127.0.0.1:9002;\n}\n"

        #expect(confError(text) == "relevo.conf:2:12: error: '{' is never closed")
    }

    @Test("a ';' with no directive before it is an error")
    func straySemicolon() {
        #expect(
            confError(minimalConf + "workers 2;;")
                == "relevo.conf:2:11: error: unexpected ';' with no directive before it")
    }

    @Test("a '{' with no directive name before it is an error")
    func strayOpeningBrace() {
        #expect(
            confError(minimalConf + "{ }") == "relevo.conf:2:1: error: unexpected '{' with no directive name before it"
        )
    }

    @Test("a quoted directive name is an error")
    func quotedNameIsAnError() {
        #expect(
            confError(#""listen" 127.0.0.1:8080;"#)
                == #"relevo.conf:1:1: error: expected a directive name, got the string "listen"; "#
                + "names are never quoted"
        )
    }

    @Test("a syntax error stops its file, but the directives before it are still checked")
    func directivesBeforeASyntaxErrorAreChecked() {
        let errors = confErrors("listen 127.0.0.1:8080;\nworkers 999;\nlisten 127.0.0.1:8081\n")

        #expect(
            errors.map(\.description) == [
                "relevo.conf:3:22: error: expected ';' after 'listen 127.0.0.1:8081' (the file ends first)",
                "relevo.conf:2:9: error: bad workers '999': expected 'auto' or a number 1-256",
            ]
        )
    }

    @Test("a syntax error suppresses the 'no listen' check, since the listen may be in the lost part")
    func syntaxErrorSuppressesMissingListen() {
        #expect(confErrors("workers 2;\n}\nlisten 127.0.0.1:8080;\n").count == 1)
    }

    @Test("a directive's arguments may continue on the next line when that line starts with no directive name")
    func argumentsMayContinueOnTheNextLine() throws {
        let conf = try loadConf("listen\n    127.0.0.1:8080\n    ;\nversion\n  v1\n{\n backend 127.0.0.1:9001;\n}\n")

        #expect(conf.listeners.count == 1)
        #expect(conf.versions.map(\.name) == ["v1"])
    }
}
