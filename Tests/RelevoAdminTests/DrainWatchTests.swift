import RelevoIO
import Synchronization
import Testing

@testable import RelevoAdmin

@Suite("relevo wait-drained polls until the version is drained or time runs out")
struct DrainWatchTests {
    /// A watch of `version` on the fixture's server, polling every 20 ms.
    private func watch(_ fixture: AdminFixture, _ version: String, timeout: Int64 = 5_000, tty: Bool = false)
        -> DrainWatch
    {
        DrainWatch(
            client: fixture.client(), version: version, timeoutMilliseconds: timeout, pollMilliseconds: 20,
            rewritesLine: tty)
    }

    @Test func aVersionThatDrainsAfterTwoPollsExits0() throws {
        let control = FakeControl()
        control.state.withLock { $0.drainsAfterPolls = 2 }
        try withAdminServer(control: control) { fixture in
            var output = ""
            let outcome = watch(fixture, "v41").run { output += $0 }

            #expect(outcome == .drained)
            #expect(outcome.exitStatus == 0)
            #expect(output == "v41 draining: 3 sessions, 1 in flight\nv41 drained\n")
            #expect(control.state.withLock { $0.versionPolls } == 3)
        }
    }

    @Test func onATerminalTheLineIsRewrittenInPlace() throws {
        let control = FakeControl()
        control.state.withLock { $0.drainsAfterPolls = 2 }
        try withAdminServer(control: control) { fixture in
            var output = ""
            _ = watch(fixture, "v41", tty: true).run { output += $0 }

            #expect(output == "\r\u{1B}[2Kv41 draining: 3 sessions, 1 in flight\r\u{1B}[2Kv41 drained\n")
        }
    }

    @Test func aVersionStillDrainingAtTheTimeoutExits1() throws {
        try withAdminServer { fixture in
            let started = MonotonicClock.nanoseconds()
            let outcome = watch(fixture, "v41", timeout: 150).run { _ in }
            let elapsed = (MonotonicClock.nanoseconds() - started) / 1_000_000

            #expect(outcome == .timedOut(last: FakeControl.sampleStatus.versions[0]))
            #expect(outcome.exitStatus == 1)
            #expect(elapsed >= 150 && elapsed < 2_000)
        }
    }

    @Test func anUnknownVersionExits2() throws {
        try withAdminServer { fixture in
            let outcome = watch(fixture, "v99").run { _ in }

            #expect(outcome == .unknownVersion)
            #expect(outcome.exitStatus == 2)
        }
    }

    @Test func anUnreachableRelevoExits1AtOnce() throws {
        let fixture = try AdminFixture()
        fixture.stop()

        let outcome = watch(fixture, "v41").run { _ in }

        guard case .failed(let error) = outcome else {
            Issue.record("expected a failure, got \(outcome)")
            return
        }
        #expect(error.kind == .unreachable)
        #expect(outcome.exitStatus == 1)
    }

    @Test func theProgressLineCountsSessionsAndExchanges() {
        var version = FakeControl.sampleStatus.versions[0]
        version.sessions = 1
        #expect(DrainWatch.progressLine(version) == "v41 draining: 1 session, 1 in flight")

        version.state = "drained"
        #expect(DrainWatch.progressLine(version) == "v41 drained")
    }
}
