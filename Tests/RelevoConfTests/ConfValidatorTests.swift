import RelevoConf
import Testing

/// The meaning of each directive: where it may be written, its arguments, and the checks across directives.
@Suite struct ConfValidatorTests {
    // MARK: - Directives

    @Test("an unknown directive is reported at its name")
    func unknownDirective() {
        #expect(confError(minimalConf + "  frobnicate on;") == "relevo.conf:2:3: error: unknown directive 'frobnicate'")
    }

    @Test("a misspelt directive gets a suggestion")
    func misspeltDirectiveGetsASuggestion() {
        #expect(
            confError(minimalConf + "timeouts { conect 2s; }")
                == "relevo.conf:2:12: error: unknown directive 'conect'; did you mean 'connect'?"
        )
    }

    @Test("too many arguments are reported at the first one too many")
    func tooManyArguments() {
        #expect(
            confError("listen 127.0.0.1:8080 127.0.0.1:8081;")
                == "relevo.conf:1:23: error: 'listen' takes 1 argument, got 2: listen ADDRESS;"
        )
    }

    @Test("too few arguments are reported at the directive's name")
    func tooFewArguments() {
        #expect(
            confError(minimalConf + "workers;")
                == "relevo.conf:2:1: error: 'workers' takes 1 argument, got 0: workers auto|N;")
    }

    @Test("a block directive given arguments is reported at the first argument")
    func blockDirectiveWithArguments() {
        #expect(
            confError(minimalConf + "timeouts fast { }")
                == "relevo.conf:2:10: error: 'timeouts' takes no arguments, got 1: timeouts { … }"
        )
    }

    @Test("a block directive ended with ';' is told it needs a block")
    func blockDirectiveWithoutBlock() {
        #expect(
            confError(minimalConf + "version v1;")
                == "relevo.conf:2:1: error: 'version' needs a block: version NAME { backend HOST:PORT; }"
        )
    }

    @Test("a simple directive given a block is told it takes none")
    func simpleDirectiveWithBlock() {
        #expect(
            confError(minimalConf + "workers 2 { }")
                == "relevo.conf:2:1: error: 'workers' takes no block: workers auto|N;"
        )
    }

    @Test("a directive written twice is reported at the second, naming the first")
    func duplicateDirective() {
        #expect(
            confError(minimalConf + "workers 2;\nworkers 4;")
                == "relevo.conf:3:1: error: duplicate directive 'workers' (first at relevo.conf:2:1)"
        )
    }

    @Test("a sub-directive written twice in a block is a duplicate too")
    func duplicateSubDirective() {
        #expect(
            confError(minimalConf + "limits {\n  request_header 8k;\n  request_header 16k;\n}")
                == "relevo.conf:4:3: error: duplicate directive 'request_header' (first at relevo.conf:3:3)"
        )
    }

    @Test("a block written twice is a duplicate")
    func duplicateBlock() {
        #expect(
            confError(minimalConf + "timeouts { }\ntimeouts { }")
                == "relevo.conf:3:1: error: duplicate directive 'timeouts' (first at relevo.conf:2:1)"
        )
    }

    @Test("a backend at top level is told it belongs inside a version block")
    func backendAtTopLevel() {
        #expect(
            confError(minimalConf + "backend 127.0.0.1:9001;")
                == "relevo.conf:2:1: error: 'backend' is not allowed at top level; it belongs inside a 'version' block"
        )
    }

    @Test("a top-level directive inside a block is told it belongs at top level")
    func listenInsideVersion() {
        #expect(
            confError(minimalConf + "version v1 {\n    backend 127.0.0.1:9001;\n    listen 127.0.0.1:8081;\n}")
                == "relevo.conf:4:5: error: 'listen' is not allowed inside a 'version' block; it belongs at top level"
        )
    }

    @Test("a name used in two blocks is told both places")
    func requestHeaderAtTopLevel() {
        #expect(
            confError(minimalConf + "request_header 10s;")
                == "relevo.conf:2:1: error: 'request_header' is not allowed at top level; "
                + "it belongs inside 'timeouts' or inside 'limits'"
        )
    }

    @Test("include inside a block is told it belongs at top level")
    func includeInsideABlock() {
        #expect(
            confError(minimalConf + "version v1 { backend 127.0.0.1:9001; include x.conf; }")
                == "relevo.conf:2:38: error: 'include' is not allowed inside a 'version' block; it belongs at top level"
        )
    }

    @Test("every semantic mistake is reported, in conf order")
    func everyMistakeIsReported() {
        let text = "listen 127.0.0.1:99999;\nworkers many;\ntimeouts { connect 2; shutdown 1x; }\nbogus;\n"

        #expect(
            confErrors(text).map(\.description) == [
                "relevo.conf:1:8: error: bad address '127.0.0.1:99999': port must be 0-65535",
                "relevo.conf:2:9: error: bad workers 'many': expected 'auto' or a number 1-256",
                "relevo.conf:3:20: error: bad duration '2': duration needs a unit: ms, s, m, h or d",
                "relevo.conf:3:32: error: bad duration '1x': unknown unit 'x'; use ms, s, m, h or d",
                "relevo.conf:4:1: error: unknown directive 'bogus'",
            ]
        )
    }

    // MARK: - listen

    @Test("a conf without listen is reported at the main file's start")
    func noListen() {
        #expect(
            confError("workers 2;\n")
                == "relevo.conf:1:1: error: no 'listen' directive: add one, e.g. 'listen 0.0.0.0:8080;'"
        )
    }

    @Test("a listen with a bad address does not also count as a missing listen")
    func badListenIsNotAlsoMissing() {
        #expect(confError("listen localhost:8080;").hasPrefix("relevo.conf:1:8: error: bad address 'localhost:8080'"))
    }

    @Test("two listens on the same address are reported at the second address, naming the first")
    func duplicateListen() {
        #expect(
            confError("listen 0.0.0.0:8080;\nlisten *:8080;")
                == "relevo.conf:2:8: error: duplicate listen address '0.0.0.0:8080' (first at relevo.conf:1:1)"
        )
    }

    @Test("several listens on port 0 are not duplicates: each gets its own free port")
    func portZeroListensAreNotDuplicates() throws {
        let conf = try loadConf("listen 127.0.0.1:0;\nlisten 127.0.0.1:0;")

        #expect(conf.listeners.map(\.address.port) == [0, 0])
    }

    @Test(
        "a bad listen address is reported at the address with the reason",
        arguments: [
            ("127.0.0.1:99999", "port must be 0-65535"),
            ("127.0.0.1", "expected HOST:PORT, e.g. 127.0.0.1:8080"),
            (
                "localhost:8080",
                "'localhost' is not a numeric IPv4 address; listen takes an IP address or '*', never a host name"
            ),
            ("::1:8080", "write an IPv6 address in brackets, e.g. [::1]:8080"),
            ("[::1:8080", "missing ']' after the IPv6 address"),
            ("[::g]:8080", "'::g' is not a valid IPv6 address"),
            (
                "256.0.0.1:80",
                "'256.0.0.1' is not a numeric IPv4 address; listen takes an IP address or '*', never a host name"
            ),
        ]
    )
    func badListenAddress(address: String, reason: String) {
        #expect(confError("listen \(address);") == "relevo.conf:1:8: error: bad address '\(address)': \(reason)")
    }

    // MARK: - workers, paths

    @Test("workers takes auto or 1 to 256")
    func workersRange() throws {
        #expect(try loadConf(minimalConf + "workers auto;").workers == nil)
        #expect(try loadConf(minimalConf + "workers 1;").workers == 1)
        #expect(try loadConf(minimalConf + "workers 256;").workers == 256)
        #expect(
            confError(minimalConf + "workers 257;")
                == "relevo.conf:2:9: error: bad workers '257': expected 'auto' or a number 1-256")
    }

    @Test("access_log and state_dir resolve against the conf file's directory unless absolute")
    func pathsResolveAgainstTheConfDirectory() throws {
        let relative = try loadConf(minimalConf + "access_log logs/../logs/./access.log;\nstate_dir state;")
        let absolute = try loadConf(minimalConf + "access_log /var/log/relevo.log;\nstate_dir /var/lib/relevo/;")
        let off = try loadConf(minimalConf + "access_log off;")

        #expect(relative.accessLogPath == "/etc/relevo/logs/access.log")
        #expect(relative.stateDirectory == "/etc/relevo/state")
        #expect(absolute.accessLogPath == "/var/log/relevo.log")
        #expect(absolute.stateDirectory == "/var/lib/relevo")
        #expect(off.accessLogPath == nil)
    }

    @Test("an empty path is an error")
    func emptyPath() {
        #expect(
            confError(minimalConf + #"state_dir "";"#)
                == "relevo.conf:2:11: error: 'state_dir' needs a path, got an empty string")
    }

    // MARK: - timeouts, limits

    @Test("a bad duration is reported at the value with the reason")
    func badDuration() {
        #expect(
            confError(minimalConf + "timeouts {\n    upstream_read 10x;\n}")
                == "relevo.conf:3:19: error: bad duration '10x': unknown unit 'x'; use ms, s, m, h or d"
        )
    }

    @Test("a zero timeout is an error")
    func zeroTimeout() {
        #expect(
            confError(minimalConf + "timeouts { shutdown 0s; }")
                == "relevo.conf:2:21: error: 'shutdown' must be more than 0")
    }

    @Test("a bad size is reported at the value with the reason")
    func badSize() {
        #expect(
            confError(minimalConf + "limits { request_header 16x; }")
                == "relevo.conf:2:25: error: bad size '16x': unknown unit 'x'; use k, m or g, or none for bytes"
        )
    }

    @Test("request_header size must be 1k to 1m")
    func requestHeaderSizeRange() throws {
        #expect(try loadConf(minimalConf + "limits { request_header 1k; }").limits.requestHeaderSize == 1024)
        #expect(try loadConf(minimalConf + "limits { request_header 1m; }").limits.requestHeaderSize == 1_048_576)
        #expect(
            confError(minimalConf + "limits { request_header 1023; }")
                == "relevo.conf:2:25: error: 'request_header' must be 1k-1m, got 1023"
        )
        #expect(
            confError(minimalConf + "limits { request_header 2m; }")
                == "relevo.conf:2:25: error: 'request_header' must be 1k-1m, got 2m"
        )
    }

    @Test("upstream_idle_connections must be 0 to 10000")
    func upstreamIdleConnectionsRange() throws {
        #expect(
            try loadConf(minimalConf + "limits { upstream_idle_connections 0; }").limits.upstreamIdleConnections == 0)
        #expect(
            confError(minimalConf + "limits { upstream_idle_connections 10001; }")
                == "relevo.conf:2:36: error: 'upstream_idle_connections' must be 0-10000, got 10001"
        )
        #expect(
            confError(minimalConf + "limits { upstream_idle_connections 5k; }")
                == "relevo.conf:2:36: error: bad count '5k': expected a whole number"
        )
    }

    // MARK: - version, backend

    @Test("a version without backend is reported at the version directive")
    func versionWithoutBackend() {
        #expect(
            confError(minimalConf + "version v42 {\n    # nothing yet\n}")
                == "relevo.conf:2:1: error: version 'v42' has no backend: add at least one 'backend HOST:PORT;'"
        )
    }

    @Test("a version whose only backend is bad is not also reported as having no backend")
    func badBackendIsNotAlsoMissing() {
        #expect(confErrors(minimalConf + "version v1 { backend 127.0.0.1:0; }").count == 1)
    }

    @Test("a duplicate version is reported at its name, naming the first")
    func duplicateVersion() {
        let text = minimalConf + "version v1 { backend 127.0.0.1:9001; }\nversion v1 { backend 127.0.0.1:9002; }"

        #expect(confError(text) == "relevo.conf:3:9: error: duplicate version 'v1' (first at relevo.conf:2:1)")
    }

    @Test("a duplicate backend within a version is reported at its address, naming the first")
    func duplicateBackend() {
        let text = minimalConf + "version v1 {\n    backend app.local:9001;\n    backend APP.local:9001;\n}"

        #expect(
            confError(text)
                == "relevo.conf:4:13: error: duplicate backend 'APP.local:9001' in version 'v1' "
                + "(first at relevo.conf:3:5)"
        )
    }

    @Test("two spellings of the same IPv6 backend are duplicates")
    func duplicateIPv6Backend() {
        let text = minimalConf + "version v1 { backend [::1]:9001; backend [0:0::1]:9001; }"

        #expect(
            confError(text)
                == "relevo.conf:2:42: error: duplicate backend '[0:0::1]:9001' in version 'v1' "
                + "(first at relevo.conf:2:14)"
        )
    }

    @Test("a version's mistakes are all reported, in conf order")
    func versionMistakesInOrder() {
        let text = minimalConf + "version v/1 {\n    backend 127.0.0.1:0;\n}\nversion v2 { }"

        #expect(
            confErrors(text).map(\.description) == [
                "relevo.conf:2:9: error: bad version name 'v/1': use 1 to 64 letters, digits, '.', '_' or '-'",
                "relevo.conf:3:13: error: bad backend address '127.0.0.1:0': port must be 1-65535",
                "relevo.conf:5:1: error: version 'v2' has no backend: add at least one 'backend HOST:PORT;'",
            ]
        )
    }

    @Test("the same backend in two versions is fine")
    func sameBackendInTwoVersions() throws {
        let text = minimalConf + "version v1 { backend 127.0.0.1:9001; }\nversion v2 { backend 127.0.0.1:9001; }"

        #expect(try loadConf(text).versions.count == 2)
    }

    @Test(
        "a bad version name is reported at the name",
        arguments: ["", "v 42", "v/42", String(repeating: "v", count: 65)])
    func badVersionName(name: String) {
        let text = minimalConf + "version \"\(name)\" { backend 127.0.0.1:9001; }"

        #expect(
            confError(text)
                == "relevo.conf:2:9: error: bad version name '\(name)': use 1 to 64 letters, digits, '.', '_' or '-'"
        )
    }

    @Test("a bad backend address is reported at the address with the reason")
    func badBackendAddress() {
        #expect(
            confError(minimalConf + "version v1 { backend 127.0.0.1:99999; }")
                == "relevo.conf:2:22: error: bad backend address '127.0.0.1:99999': port must be 0-65535"
        )
        #expect(
            confError(minimalConf + "version v1 { backend -app.local:80; }")
                == "relevo.conf:2:22: error: bad backend address '-app.local:80': "
                + "host name label '-app' must not start or end with '-'"
        )
    }

    @Test("versions keep conf order and the last is the target version")
    func versionsKeepConfOrder() throws {
        let text = minimalConf + "version b { backend 127.0.0.1:1; }\nversion a { backend 127.0.0.1:2; }"
        let conf = try loadConf(text)

        #expect(conf.versions.map(\.name) == ["b", "a"])
        #expect(conf.targetVersion?.name == "a")
    }
}
