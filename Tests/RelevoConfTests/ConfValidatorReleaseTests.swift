import RelevoConf
import RelevoIO
import Testing

/// The release-control directives: `admin`, `session`, `drain_deadline`, `on_drained` and `health_check`,
/// and the parts of the conf that are not supported yet.
@Suite struct ConfValidatorReleaseTests {
    // MARK: - Grammar

    @Test(
        "a misspelt release directive gets a suggestion in its own block",
        arguments: [
            ("drain_dedline 8h;", "relevo.conf:2:1", "drain_dedline", "drain_deadline"),
            ("on_drainde exec x;", "relevo.conf:2:1", "on_drainde", "on_drained"),
            ("session { afinity_cookie r; secret_file s; }", "relevo.conf:2:11", "afinity_cookie", "affinity_cookie"),
            ("admin 127.0.0.1:9900 { tokenfile t; }", "relevo.conf:2:24", "tokenfile", "token_file"),
            (
                "version v1 { backend 127.0.0.1:9001; healthcheck /; }", "relevo.conf:2:38", "healthcheck",
                "health_check"
            ),
        ]
    )
    func misspeltDirective(text: String, location: String, written: String, suggested: String) {
        #expect(
            confError(minimalConf + text)
                == "\(location): error: unknown directive '\(written)'; did you mean '\(suggested)'?")
    }

    @Test("a release directive in the wrong block is told where it belongs")
    func misplacedDirectives() {
        #expect(
            confError(minimalConf + "token_file t;")
                == "relevo.conf:2:1: error: 'token_file' is not allowed at top level; it belongs inside 'admin'")
        #expect(
            confError(minimalConf + "idle_timeout 5m;")
                == "relevo.conf:2:1: error: 'idle_timeout' is not allowed at top level; it belongs inside 'session'")
        #expect(
            confError(minimalConf + "session { secret_file s; drain_deadline 1h; }")
                == "relevo.conf:2:26: error: 'drain_deadline' is not allowed inside 'session'; it belongs at top level"
        )
        #expect(
            confError(minimalConf + "health_check /;")
                == "relevo.conf:2:1: error: 'health_check' is not allowed at top level; "
                + "it belongs inside a 'version' block"
        )
    }

    @Test("a directive with alternatives states them all when its arguments are wrong")
    func alternativesInUsage() {
        #expect(
            confError(minimalConf + "session { secret_file s; store redis a:1 b:2; }")
                == "relevo.conf:2:42: error: 'store' takes 1 or 2 arguments, got 3: "
                + "store local; or store redis HOST:PORT;"
        )
        #expect(
            confError(minimalConf + "on_drained \"scripts/retire.sh\";")
                == "relevo.conf:2:1: error: 'on_drained' takes 2 arguments, got 1: "
                + "on_drained exec COMMAND; or on_drained webhook URL;"
        )
    }

    @Test("block shapes: session needs a block, admin may have one, drain_deadline has none")
    func blockShapes() throws {
        #expect(
            confError(minimalConf + "session;")
                == "relevo.conf:2:1: error: 'session' needs a block: session { secret_file PATH; }")
        #expect(
            confError(minimalConf + "drain_deadline 1h { }")
                == "relevo.conf:2:1: error: 'drain_deadline' takes no block: drain_deadline DURATION|off;")
        #expect(try loadConf(minimalConf + "admin 127.0.0.1:9900;").admin?.address.description == "127.0.0.1:9900")
        #expect(try loadConf(minimalConf + "admin 127.0.0.1:9900 { }").admin?.tokenFile == nil)
    }

    @Test("a release directive written twice is a duplicate; on_drained may be repeated")
    func duplicates() {
        #expect(
            confError(minimalConf + "drain_deadline 1h;\ndrain_deadline 2h;")
                == "relevo.conf:3:1: error: duplicate directive 'drain_deadline' (first at relevo.conf:2:1)")
        #expect(
            confError(minimalConf + "admin 127.0.0.1:9900;\nadmin 127.0.0.1:9901;")
                == "relevo.conf:3:1: error: duplicate directive 'admin' (first at relevo.conf:2:1)")
        #expect(
            confError(minimalConf + "session { secret_file a; secret_file b; }")
                == "relevo.conf:2:26: error: duplicate directive 'secret_file' (first at relevo.conf:2:11)")
        #expect(
            confError(minimalConf + "version v1 { backend 127.0.0.1:1; health_check /a; health_check /b; }")
                == "relevo.conf:2:52: error: duplicate directive 'health_check' (first at relevo.conf:2:35)")
    }

    // MARK: - Not supported yet

    @Test("a TLS listener is reported at 'tls', with or without its block, and is not also a missing listen")
    func tlsListener() {
        #expect(
            confError("listen 0.0.0.0:8443 tls {\n    certificate a.crt;\n    certificate_key a.key;\n}")
                == "relevo.conf:1:21: error: TLS listeners are not supported yet")
        #expect(
            confError(minimalConf + "listen 0.0.0.0:8443 tls;")
                == "relevo.conf:2:21: error: TLS listeners are not supported yet")
    }

    @Test("a gate block is reported at its name, its content unchecked; at top level it is misplaced")
    func gateBlock() {
        let text =
            minimalConf + "version v42 {\n    backend 127.0.0.1:9002;\n    gate {\n        suite smoke.hurl;\n    }\n}"

        #expect(confError(text) == "relevo.conf:4:5: error: gate blocks are not supported yet")
        #expect(
            confError(minimalConf + "gate { }")
                == "relevo.conf:2:1: error: 'gate' is not allowed at top level; it belongs inside a 'version' block")
    }

    // MARK: - admin

    @Test("admin records its address and location; without a token_file it has no token")
    func adminWithoutToken() throws {
        let conf = try loadConf(minimalConf + "admin [::1]:9900;")

        #expect(
            conf.admin
                == AdminConf(
                    address: try #require(SocketAddress("[::1]:9900")),
                    location: SourceLocation(file: "relevo.conf", line: 2, column: 1)))
        #expect(try loadConf(minimalConf).admin == nil)
    }

    @Test("token_file resolves against the conf's directory; the token is read at load, line ends trimmed")
    func adminTokenFile() throws {
        let directory = try TemporaryDirectory()
        let tokenFile = try directory.write("conf/admin.token", "s3cr3t-T0ken\r\n\n")
        let text = minimalConf + "admin 0.0.0.0:9900 {\n    token_file conf/../conf/admin.token;\n}"

        let admin = try #require(try ConfLoader.load(text: text, file: "relevo.conf", directory: directory.path).admin)

        #expect(admin.tokenFile == tokenFile)
        #expect(admin.token == "s3cr3t-T0ken")
        #expect(!admin.description.contains("s3cr3t"))
    }

    @Test("a bad admin address is reported at the address")
    func badAdminAddress() {
        #expect(
            confError(minimalConf + "admin localhost:9900;")
                == "relevo.conf:2:7: error: bad admin address 'localhost:9900': "
                + "'localhost' is not a numeric IPv4 address; listen takes an IP address or '*', never a host name")
    }

    @Test("an admin address that is not loopback needs a token_file")
    func adminNotLoopbackWithoutToken() {
        #expect(
            confError(minimalConf + "admin *:9900;")
                == "relevo.conf:2:7: error: admin address '*:9900' is not loopback: "
                + "add 'token_file PATH;' in a block after it, or use 127.0.0.1 or [::1]")
    }

    @Test(
        "a token_file that gives no token is reported at its path",
        arguments: [
            ("", "is empty"),
            ("\n", "is empty"),
            ("two words\n", "must hold one token of printable ASCII without spaces"),
            ("t\u{7F}ken", "must hold one token of printable ASCII without spaces"),
            (String(repeating: "t", count: 4_097), "is over 4096 bytes; it should hold one token"),
        ]
    )
    func badTokenFile(content: String, reason: String) throws {
        let directory = try TemporaryDirectory()
        let tokenFile = try directory.write("admin.token", content)
        let text = minimalConf + "admin 127.0.0.1:9900 { token_file admin.token; }"

        #expect(
            confErrors(text, in: directory.path).map(\.description)
                == ["relevo.conf:2:35: error: token_file \(tokenFile) \(reason)"])
    }

    @Test("a token_file that cannot be read is reported at its path with the reason")
    func unreadableTokenFile() throws {
        let directory = try TemporaryDirectory()
        try directory.write("tokens/keep", "")

        #expect(
            confErrors(minimalConf + "admin 127.0.0.1:9900 { token_file missing.token; }", in: directory.path)
                .map(\.description) == [
                    "relevo.conf:2:35: error: cannot read token_file \(directory.path)/missing.token: "
                        + "No such file or directory"
                ])
        #expect(
            confErrors(minimalConf + "admin 127.0.0.1:9900 { token_file tokens; }", in: directory.path)
                .map(\.description) == [
                    "relevo.conf:2:35: error: cannot read token_file \(directory.path)/tokens: Is a directory"
                ])
    }

    @Test("a bad token_file is not also reported as a missing one for a non-loopback admin")
    func badTokenFileIsNotAlsoMissing() throws {
        let directory = try TemporaryDirectory()

        #expect(confErrors(minimalConf + "admin 0.0.0.0:9900 { token_file none; }", in: directory.path).count == 1)
    }

    @Test("the admin address may not be a listen address, in either order")
    func adminOnAListenAddress() {
        #expect(
            confError("listen 127.0.0.1:9900;\nadmin 127.0.0.1:9900;")
                == "relevo.conf:2:7: error: admin address '127.0.0.1:9900' is taken by 'listen 127.0.0.1:9900' "
                + "at relevo.conf:1:1; give the admin API a port of its own")
        #expect(
            confError("admin [::1]:9900;\nlisten [::]:9900;")
                == "relevo.conf:1:7: error: admin address '[::1]:9900' is taken by 'listen [::]:9900' "
                + "at relevo.conf:2:1; give the admin API a port of its own")
    }

    @Test("a wildcard listen on the admin's port takes the admin address too")
    func adminUnderAWildcardListen() {
        #expect(
            confError("listen *:9900;\nadmin 127.0.0.1:9900;")
                == "relevo.conf:2:7: error: admin address '127.0.0.1:9900' is taken by 'listen 0.0.0.0:9900' "
                + "at relevo.conf:1:1; give the admin API a port of its own")
    }

    @Test("the admin address may share a port with a listener of another address or family, or use port 0")
    func adminBesideListeners() throws {
        #expect(try loadConf("listen 10.0.0.1:9900;\nlisten [::]:9900;\nadmin 127.0.0.1:9900;").admin != nil)
        #expect(try loadConf("listen 127.0.0.1:0;\nadmin 127.0.0.1:0;").admin?.address.port == 0)
    }

    // MARK: - session

    @Test("without a session block: every default, the secret affinity.secret in the state directory")
    func sessionDefaults() throws {
        let conf = try loadConf(minimalConf + "state_dir /var/lib/relevo;")

        #expect(conf.session == SessionConf(secretFile: "/var/lib/relevo/affinity.secret"))
        #expect(conf.session.cookie == nil)
        #expect(conf.session.affinityCookie == "relevo")
        #expect(conf.session.idleTimeout == 1_800_000)
        #expect(conf.session.absoluteTimeout == nil)
        #expect(conf.session.endHeader == nil)
        #expect(conf.session.store == .local)
        #expect(conf.session.secretFileLocation == nil)
    }

    @Test("the default secret follows state_dir wherever it is written, relative paths made absolute")
    func defaultSecretFollowsStateDirectory() throws {
        let conf = try ConfLoader.load(text: "listen 127.0.0.1:8080;", file: "relevo.conf", directory: "conf")

        #expect(conf.session.secretFile == conf.stateDirectory + "/affinity.secret")
        #expect(conf.session.secretFile.hasPrefix("/"))
        #expect(
            try loadConf(minimalConf + "state_dir state;").session.secretFile == "/etc/relevo/state/affinity.secret")
    }

    @Test("a session block sets every value; secret_file is resolved, not read, and its location kept")
    func sessionBlock() throws {
        let text = """
            listen 127.0.0.1:8080;
            session {
                cookie           JSESSIONID;
                affinity_cookie  relevo_v2;
                secret_file      keys/../keys/affinity.secret;
                idle_timeout     45m;
                absolute_timeout 12h;
                end_header       X-Session-End;
                store            redis redis.internal:6379;
            }
            """

        #expect(
            try loadConf(text).session
                == SessionConf(
                    cookie: "JSESSIONID",
                    affinityCookie: "relevo_v2",
                    secretFile: "/etc/relevo/keys/affinity.secret",
                    secretFileLocation: SourceLocation(file: "relevo.conf", line: 5, column: 5),
                    idleTimeout: 2_700_000,
                    absoluteTimeout: 43_200_000,
                    endHeader: "X-Session-End",
                    store: .redis(host: "redis.internal", port: 6379)))
    }

    @Test("a session block keeps the defaults of what it leaves out")
    func sessionBlockKeepsDefaults() throws {
        let session = try loadConf(minimalConf + "session { secret_file /etc/keys/s; store local; }").session

        #expect(session == SessionConf(secretFile: "/etc/keys/s", secretFileLocation: session.secretFileLocation))
        #expect(session.secretFileLocation == SourceLocation(file: "relevo.conf", line: 2, column: 11))
    }

    @Test("a session block without secret_file is reported at 'session'")
    func sessionWithoutSecret() {
        #expect(
            confError(minimalConf + "session {\n    cookie JSESSIONID;\n}")
                == "relevo.conf:2:1: error: 'session' needs 'secret_file PATH;', "
                + "the key that signs affinity cookies ('relevo secret' makes one)")
    }

    @Test(
        "a cookie or header name that is not a token is reported at the name",
        arguments: [
            ("cookie \"JSESSION ID\";", "bad cookie name 'JSESSION ID'"),
            ("affinity_cookie \"relevo=1\";", "bad cookie name 'relevo=1'"),
            ("cookie \"sid;\";", "bad cookie name 'sid;'"),
            ("end_header \"X-End:\";", "bad header name 'X-End:'"),
            ("end_header \"\";", "bad header name ''"),
            ("end_header \"X-Énd\";", "bad header name 'X-Énd'"),
        ]
    )
    func badNames(directive: String, message: String) {
        #expect(
            confError(minimalConf + "session { secret_file s; \(directive) }")
                == "relevo.conf:2:\(26 + directive.prefix { $0 != " " }.count + 1): error: \(message): "
                + "use letters, digits and !#$%&'*+-.^_`|~")
    }

    @Test("the application's cookie and the affinity cookie must differ")
    func cookieNamesMustDiffer() {
        #expect(
            confError(minimalConf + "session { secret_file s; cookie sid; affinity_cookie sid; }")
                == "relevo.conf:2:54: error: the application's cookie and relevo's affinity cookie are both named "
                + "'sid': set 'affinity_cookie' to another name")
        #expect(
            confError(minimalConf + "session { secret_file s; cookie relevo; }")
                == "relevo.conf:2:33: error: the application's cookie and relevo's affinity cookie are both named "
                + "'relevo': set 'affinity_cookie' to another name")
    }

    @Test("session timeouts are durations of more than 0")
    func sessionTimeouts() {
        #expect(
            confError(minimalConf + "session { secret_file s; idle_timeout 0m; }")
                == "relevo.conf:2:39: error: 'idle_timeout' must be more than 0")
        #expect(
            confError(minimalConf + "session { secret_file s; absolute_timeout 12; }")
                == "relevo.conf:2:43: error: bad duration '12': duration needs a unit: ms, s, m, h or d")
    }

    @Test("store is local or redis HOST:PORT; every other form says why")
    func badStore() throws {
        let session = minimalConf + "session { secret_file s; store "

        #expect(try loadConf(session + "redis [::1]:6379; }").session.store == .redis(host: "::1", port: 6379))
        #expect(
            confError(session + "local 127.0.0.1:6379; }") == "relevo.conf:2:38: error: 'store local' takes no address")
        #expect(
            confError(session + "redis; }")
                == "relevo.conf:2:32: error: 'store redis' needs an address: store redis HOST:PORT;")
        #expect(
            confError(session + "memcached; }")
                == "relevo.conf:2:32: error: unknown store 'memcached': use 'local' or 'redis HOST:PORT'")
        #expect(
            confError(session + "redis 127.0.0.1:0; }")
                == "relevo.conf:2:38: error: bad redis address '127.0.0.1:0': port must be 1-65535")
    }

    // MARK: - drain_deadline

    @Test("drain_deadline is 8h by default, a duration, or off")
    func drainDeadline() throws {
        #expect(try loadConf(minimalConf).drainDeadline == 28_800_000)
        #expect(try loadConf(minimalConf + "drain_deadline 90m;").drainDeadline == 5_400_000)
        #expect(try loadConf(minimalConf + "drain_deadline off;").drainDeadline == nil)
    }

    @Test("a bad or zero drain_deadline is reported at the value, mentioning off")
    func badDrainDeadline() {
        #expect(
            confError(minimalConf + "drain_deadline forever;")
                == "relevo.conf:2:16: error: bad duration 'forever': expected a number and a unit, e.g. 10s; "
                + "write 'off' for no deadline")
        #expect(
            confError(minimalConf + "drain_deadline 0s;")
                == "relevo.conf:2:16: error: 'drain_deadline' must be more than 0; write 'off' for no deadline")
    }

    // MARK: - on_drained

    @Test("on_drained hooks keep conf order; exec keeps its command as written and its file's directory")
    func drainedHooks() throws {
        let text =
            minimalConf + """
                on_drained exec "scripts/retire.sh --version \\"$RELEVO_VERSION\\"";
                on_drained webhook http://127.0.0.1:7000/drained;
                on_drained webhook http://[::1]/hooks?event=drained;
                on_drained webhook HTTP://orchestrator.internal;
                """

        #expect(
            try loadConf(text).onDrained == [
                .exec(
                    command: #"scripts/retire.sh --version "$RELEVO_VERSION""#, directory: "/etc/relevo",
                    location: SourceLocation(file: "relevo.conf", line: 2, column: 1)),
                .webhook(
                    url: "http://127.0.0.1:7000/drained", host: "127.0.0.1", port: 7000, path: "/drained",
                    location: SourceLocation(file: "relevo.conf", line: 3, column: 1)),
                .webhook(
                    url: "http://[::1]/hooks?event=drained", host: "::1", port: 80, path: "/hooks?event=drained",
                    location: SourceLocation(file: "relevo.conf", line: 4, column: 1)),
                .webhook(
                    url: "HTTP://orchestrator.internal", host: "orchestrator.internal", port: 80, path: "/",
                    location: SourceLocation(file: "relevo.conf", line: 5, column: 1)),
            ])
        #expect(try loadConf(minimalConf).onDrained.isEmpty)
    }

    @Test("an exec hook in an included file runs in that file's directory")
    func execHookDirectoryIsItsFile() throws {
        let directory = try TemporaryDirectory()
        try directory.write("hooks/retire.conf", "on_drained exec ./retire.sh;\n")
        let main = try directory.write("relevo.conf", minimalConf + "include hooks/retire.conf;\n")

        let hooks = try ConfLoader.load(path: main).onDrained

        #expect(
            hooks.map(\.location) == [SourceLocation(file: directory.path + "/hooks/retire.conf", line: 1, column: 1)])
        guard case .exec(let command, let hookDirectory, _) = hooks.first else {
            Issue.record("expected an exec hook, got \(hooks)")
            return
        }
        #expect(command == "./retire.sh")
        #expect(hookDirectory == directory.path + "/hooks")
    }

    @Test("an unknown hook kind is reported at the kind")
    func unknownHookKind() {
        #expect(
            confError(minimalConf + "on_drained mail ops@example.com;")
                == "relevo.conf:2:12: error: unknown hook 'mail': use 'exec COMMAND' or 'webhook URL'")
    }

    @Test("an empty exec command, or one with control characters, is reported at the command")
    func badExecCommand() {
        #expect(
            confError(minimalConf + "on_drained exec \" \";")
                == "relevo.conf:2:17: error: the exec command is empty")
        #expect(
            confError(minimalConf + "on_drained exec \"retire\u{1B}[0m\";")
                == "relevo.conf:2:17: error: the exec command holds a control character")
    }

    @Test("an https webhook is not supported yet")
    func httpsWebhook() {
        #expect(
            confError(minimalConf + "on_drained webhook https://127.0.0.1:7000/drained;")
                == "relevo.conf:2:20: error: bad webhook URL 'https://127.0.0.1:7000/drained': "
                + "webhook URLs must be http:// for now")
    }

    @Test("a bad webhook URL is reported at the URL with the reason")
    func badWebhookURL() {
        #expect(
            confError(minimalConf + "on_drained webhook http://127.0.0.1:70000/drained;")
                == "relevo.conf:2:20: error: bad webhook URL 'http://127.0.0.1:70000/drained': port must be 0-65535")
        #expect(
            confError(minimalConf + "on_drained webhook 127.0.0.1:7000/drained;")
                == "relevo.conf:2:20: error: bad webhook URL '127.0.0.1:7000/drained': "
                + "expected http://HOST[:PORT]/PATH")
    }

    @Test("the same hook twice is reported at the second, naming the first")
    func duplicateHook() {
        #expect(
            confError(minimalConf + "on_drained exec retire;\non_drained webhook http://h/;\non_drained exec retire;")
                == "relevo.conf:4:17: error: duplicate on_drained hook (first at relevo.conf:2:1); it would run twice")
    }

    // MARK: - health_check

    @Test("health_check is / by default, or an origin-form path")
    func healthCheck() throws {
        let conf = try loadConf(
            minimalConf + "version a { backend 127.0.0.1:1; }\nversion b { health_check /health?deep=1; backend b:2; }")

        #expect(conf.versions.map(\.healthCheck) == ["/", "/health?deep=1"])
    }

    @Test(
        "a bad health_check path is reported at the path",
        arguments: [
            ("health", "the path must start with '/'"),
            ("http://app/health", "the path must start with '/'"),
            ("\"/he alth\"", "the path must be visible ASCII without spaces; percent-encode the rest"),
            ("\"/health#top\"", "a fragment ('#') is never sent; remove it"),
            ("/health%2", "'%' must start an escape of two hex digits, e.g. %20"),
        ]
    )
    func badHealthCheck(path: String, reason: String) {
        let written = path.hasPrefix("\"") ? String(path.dropFirst().dropLast()) : path

        #expect(
            confError(minimalConf + "version v1 { backend 127.0.0.1:1; health_check \(path); }")
                == "relevo.conf:2:48: error: bad health_check path '\(written)': \(reason)")
    }
}
