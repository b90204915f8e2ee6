import Foundation
import Testing

extension EndToEnd {
    /// relevo killed with `kill -9` in the middle of a drain comes back, from its state directory, as it was.
    @Suite struct ReleaseRestarts {
        @Test func afterKill9MidDrainRelevoKeepsStatesSessionsPinsAndGatesAndSignalsTheDrainExactlyOnce() throws {
            try withRelease([VersionSpec("v1", backends: 2)]) { release in
                let old = release.browser()
                let login = try old.get("/login")
                #expect(login.servedVersion == "v1")
                let backend = login.servedBackend
                try release.release(VersionSpec("v2"))
                let newcomer = release.browser()
                #expect(try newcomer.get("/login").servedVersion == "v2")
                let before = try release.waitForStatus("v1 draining with 1 session, v2 live with 1") {
                    $0.state(of: "v1") == "draining" && $0.sessions(of: "v1") == 1 && $0.sessions(of: "v2") == 1
                }
                let gateReports = try ["v1", "v2"].map { try release.admin("GET", "/versions/\($0)/gate") }
                // The journal is written every 50 ms; give it a few rounds before the crash.
                Thread.sleep(forTimeInterval: 0.3)
                let probesBefore = release.allBackends.map(\.healthProbes)

                try release.killAndRestart()

                let after = try release.waitForStatus("v2 live again after the restart", timeout: .seconds(5)) {
                    $0.live == "v2"
                }
                for version in before.versions {
                    let restored = after.version(version.name)
                    #expect(restored?.state == version.state, "\(version.name): \(before.summary) → \(after.summary)")
                    #expect(
                        restored?.sessions == version.sessions, "\(version.name): \(before.summary) → \(after.summary)")
                    #expect(restored?.gate == version.gate, "\(version.name)'s gate: \(after.text)")
                    #expect(restored?.since == version.since, "\(version.name) since: \(before.text) → \(after.text)")
                    #expect(
                        restored?.backends.map(\.sessions) == version.backends.map(\.sessions),
                        "\(version.name)'s backends: \(version.backends) → \(restored?.backends ?? [])")
                }

                for (name, before) in zip(["v1", "v2"], gateReports) {
                    let report = try release.admin("GET", "/versions/\(name)/gate")
                    #expect(
                        report.status == before.status && report.bodyText == before.bodyText,
                        "GET /versions/\(name)/gate before the crash:\n\(before)\nafter the restart:\n\(report)")
                }

                let pinned = try old.get("/booking")
                #expect(
                    pinned.servedVersion == "v1" && pinned.servedBackend == backend,
                    "the v1 session after the restart (pinned to \(backend)):\n\(pinned)")
                #expect(try newcomer.get("/booking").servedVersion == "v2")
                #expect(release.relevo.lines(withEvent: "gate_started").isEmpty, "a gate ran again after the restart")
                #expect(release.allBackends.map(\.healthProbes) == probesBefore, "health probes after the restart")

                let logout = try old.get("/logout")
                #expect(logout.servedVersion == "v1")
                let delivery = try #require(
                    release.webhook.waitForAccepted("v1", timeout: .seconds(10)),
                    "no drained event for v1 after its last session logged out on the restarted relevo")
                let backends = release.backends(of: "v1").map(\.address)
                #expect(
                    delivery.problems(asDrainedEventOf: "v1", backends: backends, forced: false, key: release.secret)
                        == [])

                // Once delivered, the event is done: another crash and restart must not send it again.
                Thread.sleep(forTimeInterval: 0.3)
                try release.killAndRestart()
                try release.waitForStatus("v2 live after the second restart", timeout: .seconds(5)) { $0.live == "v2" }
                Thread.sleep(forTimeInterval: 1.5)
                #expect(release.webhook.eventIDs(for: "v1").count == 1, "distinct drained events for v1")
                #expect(release.webhook.accepted(for: "v1").count == 1, "accepted deliveries for v1")
                #expect(release.webhook.eventIDs(for: "v2").isEmpty)
                #expect(try release.status().state(of: "v1") == "drained")
            }
        }

        @Test func aDrainedEventRefusedByTheReceiverBeforeKill9IsDeliveredAfterTheRestartUnderTheSameID() throws {
            try Self.checkPendingEventSurvivesKill9(afterRefusal: .milliseconds(500))
        }

        @Test func aDrainedEventInFlightAtKill9IsDeliveredAfterTheRestartUnderTheSameID() throws {
            try Self.checkPendingEventSurvivesKill9(afterRefusal: .zero)
        }

        /// Makes v1 drained while the receiver refuses the webhook (503), `kill -9`s relevo `afterRefusal` after the
        /// first refused POST arrived, lets the receiver accept, restarts relevo, and checks that the event is
        /// delivered, once, under the id it had.
        static func checkPendingEventSurvivesKill9(
            afterRefusal wait: Duration, sourceLocation: SourceLocation = #_sourceLocation
        ) throws {
            try withRelease([VersionSpec("v1")], sourceLocation: sourceLocation) { release in
                release.webhook.answerStatus.withLock { $0 = 503 }
                let user = release.browser()
                #expect(try user.get("/login").servedVersion == "v1", sourceLocation: sourceLocation)
                try release.release(VersionSpec("v2"))
                #expect(try user.get("/logout").servedVersion == "v1", sourceLocation: sourceLocation)

                let refused = release.webhook.deliveries.wait(timeout: .seconds(10)) { !$0.isEmpty }
                try #require(
                    refused, "relevo did not post v1's drained event within 10 s of the logout",
                    sourceLocation: sourceLocation)
                let firstID = release.webhook.deliveries.value.first?.eventID
                Thread.sleep(forTimeInterval: wait.seconds)
                try release.relevo.kill9()
                release.webhook.answerStatus.withLock { $0 = 200 }
                try release.startRelevo()

                let delivery = try #require(
                    release.webhook.waitForAccepted("v1", timeout: .seconds(20)),
                    "the restarted relevo did not deliver v1's pending drained event within 20 s",
                    sourceLocation: sourceLocation)
                let backends = release.backends(of: "v1").map(\.address)
                #expect(
                    delivery.problems(asDrainedEventOf: "v1", backends: backends, forced: false, key: release.secret)
                        == [], sourceLocation: sourceLocation)
                Thread.sleep(forTimeInterval: 1.5)
                let ids = release.webhook.deliveries.value.map { $0.eventID ?? "none" }
                #expect(
                    delivery.eventID == firstID && Set(ids).count == 1,
                    "kill -9 \(wait) after the first POST (refused) of event \(firstID ?? "?"); ids posted: \(ids)",
                    sourceLocation: sourceLocation)
                #expect(
                    release.webhook.accepted(for: "v1").count == 1, "accepted deliveries for v1",
                    sourceLocation: sourceLocation)
                #expect(try release.status().state(of: "v1") == "drained", sourceLocation: sourceLocation)
            }
        }
    }
}
