import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The parts of relevo's conf that release tests vary; everything else is fixed by ``ReleaseFixture``.
struct ReleaseSettings: Sendable {
    /// `session { idle_timeout … }`.
    var idleTimeout = "30m"

    /// `session { absolute_timeout … }`, or none.
    var absoluteTimeout: String?

    /// `drain_deadline …`.
    var drainDeadline = "8h"

    /// `timeouts { client_idle … }`.
    var clientIdleTimeout = "30s"
}

/// A version a release test starts relevo with, or releases later: its name and how many backends it has.
struct VersionSpec: Sendable {
    /// The version's name, e.g. `v1`.
    let name: String

    /// How many backends it has (labelled `NAME-a`, `NAME-b`, …).
    let backends: Int

    /// A version `name` with `backends` backends.
    init(_ name: String, backends: Int = 1) {
        self.name = name
        self.backends = backends
    }
}

/// relevo in front of versions of the test application, with its admin API, a webhook receiver, an exec hook and
/// a state directory, as a release test sees them.
///
/// The test's temporary directory holds the conf (`relevo.conf`), the affinity secret (`secret`), the state
/// (`state/`), the exec hook's script and its log (`exec.log`). Versions are written in the order they were
/// released, so the last released is the target. Reached from the test's thread and, in load tests, from its
/// worker threads (hence the lock around what changes).
final class ReleaseFixture: @unchecked Sendable {
    /// The directory holding conf, secret, state and hook output.
    let directory: URL

    /// The affinity secret's bytes, as the file holds them (64 hex characters, no newline).
    let secret: [UInt8]

    /// The receiver of the `on_drained` webhook.
    let webhook: WebhookReceiver

    /// The conf's varying parts.
    let settings: ReleaseSettings

    private struct Mutable {
        var relevo: RelevoRun?
        var versions: [(name: String, backends: [AppBackend])] = []
        var extraConf = ""
    }

    private let mutable = Monitor(Mutable())

    private init(directory: URL, secret: [UInt8], webhook: WebhookReceiver, settings: ReleaseSettings) {
        self.directory = directory
        self.secret = secret
        self.webhook = webhook
        self.settings = settings
    }

    // MARK: Paths and processes

    /// The conf file's path.
    var confPath: String {
        directory.appendingPathComponent("relevo.conf").path
    }

    /// The running relevo (the latest one, after a restart).
    var relevo: RelevoRun {
        mutable.value.relevo!
    }

    /// The port of relevo's listener.
    var port: UInt16 {
        relevo.port
    }

    /// The admin API's address, `127.0.0.1:PORT`.
    var adminAddress: String {
        "127.0.0.1:\(relevo.adminPort)"
    }

    /// The backends of version `name`, in conf order (empty when there is no such version).
    func backends(of name: String) -> [AppBackend] {
        mutable.value.versions.first { $0.name == name }?.backends ?? []
    }

    /// Every backend of every version.
    var allBackends: [AppBackend] {
        mutable.value.versions.flatMap(\.backends)
    }

    /// A new browser talking to this relevo (and to the next one, after a restart).
    func browser() -> Browser {
        Browser { [self] in port }
    }

    /// relevo's last output lines, for failure messages.
    var relevoOutput: String {
        "relevo output (last lines):\n" + (mutable.value.relevo?.outputTail() ?? "(not started)")
    }

    // MARK: The conf

    /// The conf's text for the versions released so far.
    func renderConf() -> String {
        let state = mutable.value
        var text = """
            # Written by relevo's end-to-end release tests.
            listen 127.0.0.1:0;
            admin 127.0.0.1:0;
            workers 2;
            state_dir \(directory.appendingPathComponent("state").path);
            timeouts {
                connect 1s;
                upstream_read 10s;
                client_idle \(settings.clientIdleTimeout);
                shutdown 5s;
            }
            session {
                cookie \(AppBackend.sessionCookie);
                secret_file \(directory.appendingPathComponent("secret").path);
                idle_timeout \(settings.idleTimeout);

            """
        if let absolute = settings.absoluteTimeout {
            text += "    absolute_timeout \(absolute);\n"
        }
        text += """
                end_header \(AppBackend.endHeader);
            }
            drain_deadline \(settings.drainDeadline);
            on_drained webhook \(webhook.url);
            on_drained exec "sh retire.sh";

            """
        text += state.extraConf
        for version in state.versions {
            text += "version \(version.name) {\n"
            for backend in version.backends {
                text += "    backend \(backend.address);\n"
            }
            text += "    health_check /health;\n}\n"
        }
        return text
    }

    /// Writes the conf file for the versions released so far, plus `extraConf` before the version blocks.
    func writeConf() throws {
        try renderConf().write(toFile: confPath, atomically: true, encoding: .utf8)
    }

    /// Sets conf text that goes before the version blocks (e.g. an extra, harmless version), for the next
    /// ``writeConf()``.
    func setExtraConf(_ text: String) {
        mutable.withLock { $0.extraConf = text }
    }

    /// Starts the backends of `spec` and adds the version to the conf's end (it becomes the target); does not
    /// write the conf.
    @discardableResult
    func addVersion(_ spec: VersionSpec) throws -> [AppBackend] {
        var backends: [AppBackend] = []
        for index in 0..<spec.backends {
            let letter = String(UnicodeScalar(UInt8(ascii: "a") + UInt8(index)))
            backends.append(try AppBackend(version: spec.name, label: "\(spec.name)-\(letter)"))
        }
        mutable.withLock { $0.versions.append((spec.name, backends)) }
        return backends
    }

    /// Replaces the backends of version `name` in the conf (the backends stay running); does not write the conf.
    func setBackends(of name: String, to backends: [AppBackend]) {
        mutable.withLock { state in
            if let index = state.versions.firstIndex(where: { $0.name == name }) {
                state.versions[index].backends = backends
            }
        }
    }

    /// Releases `spec`: starts its backends, adds it as the target, reloads (`POST /reload`), waits until it is
    /// live and new sessions land on it.
    func release(_ spec: VersionSpec) throws {
        try addVersion(spec)
        try writeConf()
        let answer = try reload()
        guard answer.status == 200 else {
            throw HarnessError("POST /reload for \(spec.name) answered \(answer.status):\n\(answer)")
        }
        try waitUntilLive(spec.name)
    }

    // MARK: The admin API

    /// Sends `METHOD path` to the admin API on a new connection and returns the answer.
    func admin(_ method: String, _ path: String) throws -> RawResponse {
        let client = try RawClient(port: relevo.adminPort, timeout: .seconds(15))
        let length = method == "POST" ? "Content-Length: 0\r\n" : ""
        return try client.exchange(
            "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\(length)Connection: close\r\n\r\n")
    }

    /// `POST /reload`.
    func reload() throws -> RawResponse {
        try admin("POST", "/reload")
    }

    /// `GET /status`, decoded.
    func status() throws -> AdminStatus {
        let answer = try admin("GET", "/status")
        guard answer.status == 200 else {
            throw HarnessError("GET /status answered \(answer.status):\n\(answer)")
        }
        return try AdminStatus(body: answer.body.bytes)
    }

    /// `GET /metrics`, as text.
    func metrics() throws -> String {
        let answer = try admin("GET", "/metrics")
        guard answer.status == 200 else {
            throw HarnessError("GET /metrics answered \(answer.status):\n\(answer)")
        }
        return answer.bodyText
    }

    /// Polls `/status` every 50 ms until `condition` holds (at most `timeout`); returns the last status, or throws
    /// naming `what` and the last status.
    @discardableResult
    func waitForStatus(
        _ what: String,
        timeout: Duration = .seconds(15),
        until condition: (AdminStatus) -> Bool
    ) throws -> AdminStatus {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var last = try status()
        while !condition(last) {
            guard clock.now < deadline else {
                throw HarnessError("\(what): not so within \(timeout); last /status: \(last.summary)\n\(last.text)")
            }
            Thread.sleep(forTimeInterval: 0.05)
            last = try status()
        }
        return last
    }

    /// Waits until `/status` shows `name` live and three requests in a row without a session land on it.
    func waitUntilLive(_ name: String, timeout: Duration = .seconds(20)) throws {
        try waitForStatus("\(name) is live", timeout: timeout) { $0.live == name }
        var inARow = 0
        var last = "no answer"
        let routes = try poll(timeout: timeout) {
            let answer = try RawClient(port: port, timeout: .seconds(5)).exchange(
                "GET /which-version HTTP/1.1\r\nHost: booking.test\r\nConnection: close\r\n\r\n")
            last = answer.description
            inARow = answer.servedVersion == name ? inARow + 1 : 0
            return inARow >= 3
        }
        guard routes else {
            throw HarnessError("/status shows \(name) live, but new requests do not land on it; last:\n\(last)")
        }
    }

    /// Sends `GET target` to relevo's listener on a new connection, with `fields` (whole header lines, without
    /// line endings) after `Host`, and returns the answer.
    func get(_ target: String, fields: [String]) throws -> RawResponse {
        let lines = fields.map { $0 + "\r\n" }.joined()
        return try RawClient(port: port, timeout: .seconds(15)).exchange(
            "GET \(target) HTTP/1.1\r\nHost: booking.test\r\n\(lines)Connection: close\r\n\r\n")
    }

    /// The request heads for `target` that reached any backend, in backend order.
    func heads(reaching target: String) -> [HTTPHead] {
        allBackends.flatMap(\.proxiedHeads).filter { $0.target == target }
    }

    /// Runs the `relevo` executable with `arguments` (bounded) and returns what it did.
    func runCommand(_ arguments: [String], timeout: Duration = .seconds(30)) throws -> ExternalCommand.Outcome {
        try ExternalCommand.run(RelevoProcess.executableURL().path, arguments, timeout: timeout)
    }

    // MARK: The exec hook

    /// The lines the exec hook wrote so far: `VERSION EVENT_ID FORCED BACKENDS…` each.
    var execLog: [String] {
        let text = (try? String(contentsOf: directory.appendingPathComponent("exec.log"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init)
    }

    // MARK: Life cycle

    /// Starts relevo on the conf as it is; the state directory is kept from any earlier run.
    func startRelevo() throws {
        let run = try RelevoRun.start(confPath: confPath)
        mutable.withLock { $0.relevo = run }
    }

    /// `kill -9`s relevo and starts it again on the same conf and state directory.
    func killAndRestart() throws {
        try relevo.kill9()
        try startRelevo()
    }

    /// Makes the directory, the secret and the exec hook's script, and starts the webhook receiver.
    fileprivate static func start(settings: ReleaseSettings) throws -> ReleaseFixture {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("relevo-e2e-release-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)

        let secret = Array(randomHex(byteCount: 32).utf8)
        try Data(secret).write(to: directory.appendingPathComponent("secret"))
        let script = """
            line="$RELEVO_VERSION $RELEVO_EVENT_ID $RELEVO_FORCED $RELEVO_BACKENDS"
            printf '%s\\n' "$line" >> exec.log

            """
        try script.write(to: directory.appendingPathComponent("retire.sh"), atomically: true, encoding: .utf8)

        let fixture = ReleaseFixture(
            directory: directory, secret: secret, webhook: try WebhookReceiver(), settings: settings)
        return fixture
    }

    /// Stops relevo (checking it exits 0 on `SIGTERM` and did not die before), the backends and the receiver, and
    /// removes the directory.
    fileprivate func finish(sourceLocation: SourceLocation) {
        if let relevo = mutable.value.relevo {
            if ProcessInfo.processInfo.environment["RELEVO_E2E_VERBOSE"] != nil {
                print("--- relevo output (\(sourceLocation)) ---\n\(relevo.outputText)\n--- end ---")
            }
            if !relevo.isRunning {
                Issue.record(
                    "relevo ended during the test (status \(relevo.exitStatus ?? -1)):\n\(relevoOutput)",
                    sourceLocation: sourceLocation)
            } else {
                let status = relevo.terminate()
                if status != 0 || relevo.exitedBySignal {
                    Issue.record(
                        "relevo did not exit 0 after SIGTERM (\(String(describing: status))):\n\(relevoOutput)",
                        sourceLocation: sourceLocation)
                }
            }
        }
        for backend in allBackends {
            backend.stop()
        }
        webhook.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// `byteCount` random bytes as lower-case hex.
    static func randomHex(byteCount: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<byteCount).map { _ in
            let byte = UInt8.random(in: 0...255, using: &generator)
            return String(byte >> 4, radix: 16) + String(byte & 0x0F, radix: 16)
        }.joined()
    }
}

/// Starts relevo with `versions` (the last is the target) behind it, a webhook receiver and an exec hook, runs
/// `body` once the target is live and routed to, then stops everything.
///
/// Records an issue if relevo died during the test or did not exit 0 on `SIGTERM` afterwards; an error thrown by
/// `body` comes back with relevo's last output lines.
func withRelease(
    _ versions: [VersionSpec] = [VersionSpec("v1")],
    settings: ReleaseSettings = ReleaseSettings(),
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: (ReleaseFixture) throws -> Void
) throws {
    let fixture = try ReleaseFixture.start(settings: settings)
    defer { fixture.finish(sourceLocation: sourceLocation) }
    do {
        for version in versions {
            try fixture.addVersion(version)
        }
        try fixture.writeConf()
        try fixture.startRelevo()
        if let target = versions.last {
            try fixture.waitUntilLive(target.name)
        }
        try body(fixture)
    } catch {
        throw HarnessError("\(error)\n\(fixture.relevoOutput)")
    }
}
