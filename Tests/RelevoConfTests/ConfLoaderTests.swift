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
            workers 4;
            access_log "logs/access log.txt";
            state_dir /var/lib/relevo;

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

            version v41 {
                backend 127.0.0.1:9001;
                backend app-41.internal.example:9011;
            }

            version "v42" {
                backend 127.0.0.1:9002;
            }

            include versions/*.conf;
            """
        let conf = try ConfLoader.load(text: text, file: "relevo.conf", directory: directory.path)

        #expect(conf.listeners.map(\.address.description) == ["0.0.0.0:8080", "[::1]:8081", "0.0.0.0:0"])
        #expect(conf.listeners[1].location == SourceLocation(file: "relevo.conf", line: 3, column: 1))
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
