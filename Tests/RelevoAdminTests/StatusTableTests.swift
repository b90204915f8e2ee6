import RelevoRelease
import Testing

@testable import RelevoAdmin

@Suite("relevo status renders a table a person reads at a glance")
struct StatusTableTests {
    /// 2026-12-03T17:05:00Z.
    let now = RFC3339.epochSeconds("2026-12-03T17:05:00Z")!

    @Test func eachVersionIsARowAndTheLiveOneIsMarked() {
        let table = StatusTable.render(FakeControl.sampleStatus, now: now)

        #expect(
            table == """
                live version: v42

                  VERSION  STATE     SESSIONS  IN FLIGHT  BACKENDS UP  OLDEST SESSION  DRAIN DEADLINE  GATE
                  v41      draining         3          1          1/2  11h17m          in 55m          passed
                * v42      live           120          4          2/2  7h04m           -               passed

                """)
    }

    @Test func anOverdueDeadlineAFailedGateAndNoSessionsReadPlainly() {
        var status = FakeControl.sampleStatus
        status.live = nil
        status.versions[0].drainDeadline = "2026-12-03T17:00:00Z"
        status.versions[1].state = "rejected"
        status.versions[1].sessions = 0
        status.versions[1].gate = GateStatus(state: "failed", passed: 12, failed: 2)

        let rows = StatusTable.render(status, now: now).split(separator: "\n")

        #expect(rows[0] == "no live version: new sessions get 503 until a gate passes")
        #expect(rows[2].hasSuffix("overdue         passed"))
        #expect(rows[3].hasPrefix("  v42      rejected"))
        #expect(rows[3].hasSuffix("-               -               failed: 2 of 14 checks failed"))
    }

    @Test func noVersionsSaySo() {
        #expect(
            StatusTable.render(ReleaseStatus(live: nil, versions: []), now: now)
                == "no live version: new sessions get 503 until a gate passes\nno versions in the conf\n")
    }
}
