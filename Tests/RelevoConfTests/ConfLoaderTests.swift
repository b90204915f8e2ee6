import RelevoConf
import RelevoIO
import Testing

/// Whole confs: every directive at once, the defaults, and the shape of errors.
@Suite struct ConfLoaderTests {
    @Test("a conf with every directive loads into the model")
    func everyDirective() throws {
        let directory = try TemporaryDirectory()
        try directory.write("versions/v43.conf", "version v43 { backend [::1]:9003; }\n")
        let text = """
            # relevo.conf: every directive relevo knows
            listen 0.0.0.0:8080;
            listen [::1]:8081;                  # IPv6 loopback
            listen *:0;                         # any free port
            admin 127.0.0.1:9900;
            workers 4;
            access_log "logs/access log.txt";
            state_dir /var/lib/relevo;

            session {
                cookie           sid;
                affinity_cookie  pin;
                secret_file      "keys/affinity secret";
                idle_timeout     20m;
                absolute_timeout 1d;
                end_header       X-Logout;
                store            redis [::1]:6379;
            }

            timeouts {
                connect         250ms;
                request_header  5s;
                upstream_read   2m;
                client_idle     1h;
                upstream_idle   30s;
                shutdown        1d;
            }

            limits {
                request_header  64k;
                upstream_idle_connections 0;
            }

            drain_deadline off;
            on_drained exec "scripts/retire.sh";
            on_drained webhook http://hooks.internal/drained;

            version v41 {
                backend 127.0.0.1:9001;
                backend app-41.internal.example:9011;
                health_check /ping;
            }

            version "v42" {
                backend 127.0.0.1:9002;
            }

            include versions/*.conf;
            """
        let conf = try ConfLoader.load(text: text, file: "relevo.conf", directory: directory.path)

        #expect(conf.listeners.map(\.address.description) == ["0.0.0.0:8080", "[::1]:8081", "0.0.0.0:0"])
        #expect(conf.listeners[1].location == SourceLocation(file: "relevo.conf", line: 3, column: 1))
        #expect(conf.admin?.address.description == "127.0.0.1:9900")
        #expect(conf.admin?.location == SourceLocation(file: "relevo.conf", line: 5, column: 1))
        #expect(conf.workers == 4)
        #expect(conf.accessLogPath == directory.path + "/logs/access log.txt")
        #expect(conf.stateDirectory == "/var/lib/relevo")
        #expect(
            conf.timeouts
                == TimeoutsConf(
                    connect: 250, requestHeader: 5_000, upstreamRead: 120_000, clientIdle: 3_600_000,
                    upstreamIdle: 30_000, shutdown: 86_400_000)
        )
        #expect(conf.limits == LimitsConf(requestHeaderSize: 65_536, upstreamIdleConnections: 0))
        #expect(
            conf.session
                == SessionConf(
                    cookie: "sid", affinityCookie: "pin", secretFile: directory.path + "/keys/affinity secret",
                    secretFileLocation: SourceLocation(file: "relevo.conf", line: 13, column: 5),
                    idleTimeout: 1_200_000, absoluteTimeout: 86_400_000, endHeader: "X-Logout",
                    store: .redis(host: "::1", port: 6379))
        )
        #expect(conf.drainDeadline == nil)
        #expect(
            conf.onDrained == [
                .exec(
                    command: "scripts/retire.sh", directory: directory.path,
                    location: SourceLocation(file: "relevo.conf", line: 35, column: 1)),
                .webhook(
                    url: "http://hooks.internal/drained", host: "hooks.internal", port: 80, path: "/drained",
                    location: SourceLocation(file: "relevo.conf", line: 36, column: 1)),
            ]
        )
        #expect(conf.versions.map(\.healthCheck) == ["/ping", "/", "/"])
        #expect(conf.versions.map(\.name) == ["v41", "v42", "v43"])
        #expect(conf.versions[0].backends.map(\.text) == ["127.0.0.1:9001", "app-41.internal.example:9011"])
        #expect(
            conf.versions[2].backends
                == [
                    BackendConf(
                        host: "::1", port: 9003,
                        location: SourceLocation(file: directory.path + "/versions/v43.conf", line: 1, column: 15),
                        text: "[::1]:9003")
                ]
        )
        #expect(conf.targetVersion?.name == "v43")
        #expect(conf.files == ["relevo.conf", directory.path + "/versions/v43.conf"])
    }

    @Test("a conf of one listen gets every default")
    func defaultsApplied() throws {
        let conf = try loadConf("listen 127.0.0.1:8080;")

        #expect(
            conf
                == Conf(
                    listeners: [
                        ListenerConf(
                            address: try #require(SocketAddress("127.0.0.1:8080")),
                            location: SourceLocation(file: "relevo.conf", line: 1, column: 1))
                    ],
                    workers: nil,
                    accessLogPath: nil,
                    stateDirectory: "/etc/relevo/.relevo",
                    timeouts: TimeoutsConf(
                        connect: 2_000, requestHeader: 10_000, upstreamRead: 60_000, clientIdle: 75_000,
                        upstreamIdle: 60_000, shutdown: 30_000),
                    limits: LimitsConf(requestHeaderSize: 32_768, upstreamIdleConnections: 32),
                    versions: [],
                    files: ["relevo.conf"]
                )
        )
        #expect(conf.admin == nil)
        #expect(conf.session == SessionConf(secretFile: "/etc/relevo/.relevo/affinity.secret"))
        #expect(conf.drainDeadline == 28_800_000)
        #expect(conf.onDrained.isEmpty)
    }

    @Test("the example of DESIGN.md loads into the model, but for its TLS listener and gate block")
    func designExample() throws {
        let directory = try TemporaryDirectory()
        try directory.write("conf/admin.token", "0123456789abcdef\n")
        let text = """
            listen 0.0.0.0:8080;
            admin 127.0.0.1:9900 {                 # loopback only unless a token_file is set
                token_file conf/admin.token;        # optional: Bearer token for all but /healthz
            }
            state_dir .relevo;
            workers auto;                           # one event loop per core

            session {
                cookie          JSESSIONID;         # the application's session cookie; omit to use only relevo's
                affinity_cookie relevo;             # relevo's signed cookie
                secret_file     conf/affinity.secret;
                idle_timeout    30m;                # the application's own session timeout
                absolute_timeout 12h;               # optional: no session outlives this
                end_header      X-Session-End;      # optional
                store           local;  # or: store redis 127.0.0.1:6379; to share sessions between instances
            }

            timeouts {
                connect         2s;
                request_header  10s;
                upstream_read   60s;
                client_idle     75s;
                shutdown        30s;
            }

            drain_deadline 8h;
            on_drained exec "scripts/retire.sh";    # environment: RELEVO_VERSION, RELEVO_BACKENDS
            on_drained webhook http://127.0.0.1:7000/drained;

            version v41 {
                backend 127.0.0.1:9001;
                backend 127.0.0.1:9011;
                health_check /health;               # default: GET /, any status below 500
            }

            version v42 {                           # the last block is the target version
                backend 127.0.0.1:9002;
            }
            """
        let path = directory.path
        let file = "relevo.conf"

        let conf = try ConfLoader.load(text: text, file: file, directory: path)

        #expect(
            conf
                == Conf(
                    listeners: [
                        ListenerConf(
                            address: try #require(SocketAddress("0.0.0.0:8080")),
                            location: SourceLocation(file: file, line: 1, column: 1))
                    ],
                    admin: AdminConf(
                        address: try #require(SocketAddress("127.0.0.1:9900")), tokenFile: path + "/conf/admin.token",
                        token: "0123456789abcdef", location: SourceLocation(file: file, line: 2, column: 1)),
                    workers: nil,
                    stateDirectory: path + "/.relevo",
                    session: SessionConf(
                        cookie: "JSESSIONID", affinityCookie: "relevo", secretFile: path + "/conf/affinity.secret",
                        secretFileLocation: SourceLocation(file: file, line: 11, column: 5), idleTimeout: 1_800_000,
                        absoluteTimeout: 43_200_000, endHeader: "X-Session-End", store: .local),
                    timeouts: TimeoutsConf(),
                    drainDeadline: 28_800_000,
                    onDrained: [
                        .exec(
                            command: "scripts/retire.sh", directory: path,
                            location: SourceLocation(file: file, line: 27, column: 1)),
                        .webhook(
                            url: "http://127.0.0.1:7000/drained", host: "127.0.0.1", port: 7000, path: "/drained",
                            location: SourceLocation(file: file, line: 28, column: 1)),
                    ],
                    versions: [
                        VersionConf(
                            name: "v41",
                            backends: [
                                BackendConf(
                                    host: "127.0.0.1", port: 9001,
                                    location: SourceLocation(file: file, line: 31, column: 5),
                                    text: "127.0.0.1:9001"),
                                BackendConf(
                                    host: "127.0.0.1", port: 9011,
                                    location: SourceLocation(file: file, line: 32, column: 5),
                                    text: "127.0.0.1:9011"),
                            ],
                            location: SourceLocation(file: file, line: 30, column: 1), healthCheck: "/health"),
                        VersionConf(
                            name: "v42",
                            backends: [
                                BackendConf(
                                    host: "127.0.0.1", port: 9002,
                                    location: SourceLocation(file: file, line: 37, column: 5),
                                    text: "127.0.0.1:9002")
                            ],
                            location: SourceLocation(file: file, line: 36, column: 1)),
                    ],
                    files: [file]
                )
        )
    }

    @Test("a block that sets some values keeps the defaults of the others")
    func partialBlocksKeepDefaults() throws {
        let conf = try loadConf(minimalConf + "timeouts { connect 5s; }\nlimits { upstream_idle_connections 8; }")

        #expect(conf.timeouts == TimeoutsConf(connect: 5_000))
        #expect(conf.limits == LimitsConf(upstreamIdleConnections: 8))
    }

    @Test("a relative conf directory is made absolute against the working directory")
    func relativeDirectoryBecomesAbsolute() throws {
        let conf = try ConfLoader.load(text: minimalConf, file: "conf/relevo.conf", directory: "conf")

        #expect(conf.stateDirectory.hasPrefix("/"))
        #expect(conf.stateDirectory.hasSuffix("/conf/.relevo"))
    }

    @Test("errors print as FILE:LINE:COL: error: MESSAGE, one per line")
    func errorsPrintOnePerLine() {
        let errors = ConfErrors(errors: confErrors("workers 0;\nbogus;"))

        #expect(
            errors.description == """
                relevo.conf:1:9: error: bad workers '0': expected 'auto' or a number 1-256
                relevo.conf:2:1: error: unknown directive 'bogus'
                relevo.conf:1:1: error: no 'listen' directive: add one, e.g. 'listen 0.0.0.0:8080;'
                """
        )
    }

    @Test("an empty conf needs a listen and nothing else")
    func emptyConf() {
        #expect(confErrors("# nothing here\n").map(\.message).first?.hasPrefix("no 'listen' directive") == true)
    }
}
