import Foundation
import Testing

/// A running relevo in front of running test backends, as a test body sees it.
struct ProxyFixture {
    /// The relevo process.
    let relevo: RelevoProcess

    /// The backends of relevo's one version, in conf order.
    let backends: [TestBackend]

    /// The first backend.
    var backend: TestBackend {
        backends[0]
    }

    /// The port relevo listens on.
    var port: UInt16 {
        relevo.port
    }

    /// Opens a new downstream connection to relevo.
    func connect(timeout: Duration = .seconds(15)) throws -> RawClient {
        try RawClient(port: port, timeout: timeout)
    }

    /// Sends `GET target` with `Host: e2e.test` on a new connection and returns the final response.
    func get(_ target: String, headers: String = "") throws -> RawResponse {
        try connect().exchange("GET \(target) HTTP/1.1\r\nHost: e2e.test\r\n\(headers)\r\n")
    }

    /// The non-probe request heads every backend received, in backend order.
    var proxiedHeads: [HTTPHead] {
        backends.flatMap(\.proxiedHeads)
    }

    /// relevo's last output lines, for failure messages.
    var relevoOutput: Comment {
        "relevo output (last lines):\n\(relevo.outputTail())"
    }
}

/// Starts one ``TestBackend`` per handler and relevo in front of them, runs `body`, then stops everything.
///
/// relevo's conf is ``RelevoConfiguration``'s defaults with the backends filled in, then `configure`d. `body` runs
/// once the version is live (its gate passed), unless `waitsForLiveVersion` is false. Records an issue if relevo
/// died during the test or did not exit with status 0 on `SIGTERM` afterwards.
func withProxy(
    backends handlers: [TestBackend.Handler] = [TestBackend.summarize],
    configure: (inout RelevoConfiguration) -> Void = { _ in },
    waitsForLiveVersion: Bool = true,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: (ProxyFixture) throws -> Void
) throws {
    var backends: [TestBackend] = []
    defer {
        for backend in backends {
            backend.stop()
        }
    }
    for handler in handlers {
        backends.append(try TestBackend(handler: handler))
    }

    var configuration = RelevoConfiguration(backends: backends.map(\.address))
    configure(&configuration)
    let relevo = try RelevoProcess.start(configuration)
    let fixture = ProxyFixture(relevo: relevo, backends: backends)

    do {
        if waitsForLiveVersion {
            try relevo.waitForLiveVersion()
            try waitUntilRouting(fixture)
        }
        try body(fixture)
    } catch {
        try? finish(relevo, sourceLocation: sourceLocation)
        throw HarnessError("\(error)\n\(fixture.relevoOutput)")
    }
    try finish(relevo, sourceLocation: sourceLocation)
}

/// Sends readiness checks through relevo until three in a row reach a backend (bounded): a version can be logged
/// live a moment before every worker routes to it.
private func waitUntilRouting(_ fixture: ProxyFixture) throws {
    var successes = 0
    var last = "no answer"
    let isRouting = try poll(timeout: .seconds(15)) {
        let client = try fixture.connect(timeout: .seconds(5))
        let response = try client.exchange(
            "GET \(TestBackend.readinessPath) HTTP/1.1\r\nHost: e2e.test\r\nConnection: close\r\n\r\n")
        last = response.description
        successes = response.status == 200 ? successes + 1 : 0
        return successes >= 3
    }
    guard isRouting else {
        throw HarnessError("relevo logged a live version but did not route to it within 15 s; last answer:\n\(last)")
    }
}

/// Checks relevo is still running, stops it with `SIGTERM` and checks it exited with status 0.
///
/// With `RELEVO_E2E_VERBOSE` set in the environment, prints everything relevo wrote, for debugging a test.
private func finish(_ relevo: RelevoProcess, sourceLocation: SourceLocation) throws {
    defer {
        if ProcessInfo.processInfo.environment["RELEVO_E2E_VERBOSE"] != nil {
            print("--- relevo output (\(sourceLocation)) ---\n\(relevo.outputText)\n--- end of relevo output ---")
        }
    }
    if relevo.wasAskedToStop {
        relevo.terminate()
        return
    }
    if relevo.exitStatus != nil {
        let message = "relevo \(relevo.howItEnded) during the test:\n\(relevo.crashReport)"
        Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
        return
    }
    let status = relevo.terminate()
    if status != 0 || relevo.exitedBySignal {
        let how = status == nil ? "did not exit within 10 s and was killed" : relevo.howItEnded
        let message = "relevo \(how) after SIGTERM:\n\(relevo.crashReport)"
        Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
    }
}
