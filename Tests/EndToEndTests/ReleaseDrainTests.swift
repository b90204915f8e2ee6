import Foundation
import Testing

extension EndToEnd {
    /// Draining versions empty by themselves: the drain deadline moves what is left, and sessions end by timeout
    /// or by the application's end header.
    @Suite struct ReleaseDrains {
        @Test func pastTheDrainDeadlineTheVersionIsDrainedByForceAndItsSessionMovesToTheLiveVersionForGood() throws {
            var settings = ReleaseSettings()
            settings.drainDeadline = "2s"
            try withRelease([VersionSpec("v1")], settings: settings) { release in
                let user = release.browser()
                #expect(try user.get("/login").servedVersion == "v1")
                let v1Cookie = user.affinity

                let released = ContinuousClock.now
                try release.release(VersionSpec("v2", backends: 2))
                let beforeDeadline = try user.get("/seat-map")
                #expect(beforeDeadline.servedVersion == "v1", "before the deadline:\n\(beforeDeadline)")

                let delivery = try #require(
                    release.webhook.waitForAccepted("v1", timeout: .seconds(15)),
                    "no drained event for v1 within 15 s of a 2 s drain deadline")
                let v1Backends = release.backends(of: "v1").map(\.address)
                #expect(
                    delivery.problems(asDrainedEventOf: "v1", backends: v1Backends, forced: true, key: release.secret)
                        == [])
                #expect(
                    delivery.arrival - released >= .seconds(2),
                    "v1 was drained by force \(delivery.arrival - released) after the release, before its deadline")
                #expect(!release.relevo.lines(withEvent: "drain_deadline_passed").isEmpty, "\(release.relevoOutput)")
                let forced = try release.waitForStatus("v1 drained, its session moved to v2") {
                    $0.state(of: "v1") == "drained" && $0.sessions(of: "v1") == 0 && $0.sessions(of: "v2") == 1
                }
                #expect(forced.live == "v2", "\(forced.summary)")

                let moved = try user.get("/seat-map")
                #expect(moved.servedVersion == "v2", "the session's first request after the forced drain:\n\(moved)")
                #expect(
                    user.affinity?.hasPrefix("v2~") == true,
                    "relevo did not re-issue the moved session's cookie for v2; cookie now: \(user.affinity ?? "none")")
                for page in 0..<5 {
                    let answer = try user.get("/seat-map?page=\(page)")
                    #expect(
                        answer.servedVersion == "v2" && answer.servedBackend == moved.servedBackend,
                        "the moved session strayed from \(moved.servedBackend):\n\(answer)")
                }
                // A second tab still sending the cookie from before the move is the same session, now on v2.
                let secondTab = try release.get("/seat-map?tab=2", fields: ["Cookie: relevo=\(v1Cookie ?? "none")"])
                #expect(
                    secondTab.servedVersion == "v2" && secondTab.servedBackend == moved.servedBackend,
                    "the moved session's old cookie went elsewhere:\n\(secondTab)")
                let after = try release.status()
                #expect(after.sessions(of: "v2") == 1 && after.totalSessions == 1, "\(after.summary)")
                #expect(release.webhook.deliveries.value.count == 1, "one drained event, for v1")
                #expect(release.execLog.first?.hasPrefix("v1 \(delivery.eventID ?? "?") true") == true)
            }
        }

        @Test func anIdleSessionEndsAfterIdleTimeoutAndItsDrainingVersionDrains() throws {
            var settings = ReleaseSettings()
            settings.idleTimeout = "2s"
            settings.absoluteTimeout = "3s"
            try withRelease([VersionSpec("v1")], settings: settings) { release in
                let user = release.browser()
                #expect(try user.get("/login").servedVersion == "v1")
                let lastRequest = ContinuousClock.now
                try release.release(VersionSpec("v2"))
                try release.waitForStatus("v1 draining with its idle session") {
                    $0.state(of: "v1") == "draining" && $0.sessions(of: "v1") == 1
                }

                let delivery = try #require(
                    release.webhook.waitForAccepted("v1", timeout: .seconds(15)),
                    "no drained event for v1 within 15 s of its only session going idle (idle_timeout 2s)")
                let idle = delivery.arrival - lastRequest
                #expect(idle >= .seconds(2), "the session ended after only \(idle) idle")
                #expect(idle < .seconds(5), "the session ended \(idle) after its last request, idle_timeout is 2s")
                let backends = release.backends(of: "v1").map(\.address)
                #expect(
                    delivery.problems(asDrainedEventOf: "v1", backends: backends, forced: false, key: release.secret)
                        == [])
                let status = try release.status()
                #expect(status.state(of: "v1") == "drained" && status.totalSessions == 0, "\(status.summary)")
                #expect(try release.metrics().contains("relevo_sessions{version=\"v1\"} 0\n"))

                let next = try user.get("/search")
                #expect(next.servedVersion == "v2", "an expired session's next request:\n\(next)")
            }
        }

        @Test func aBusySessionEndsAtAbsoluteTimeoutAndItsDrainingVersionDrains() throws {
            var settings = ReleaseSettings()
            settings.idleTimeout = "2s"
            settings.absoluteTimeout = "3s"
            try withRelease([VersionSpec("v1")], settings: settings) { release in
                let user = release.browser()
                #expect(try user.get("/login").servedVersion == "v1")
                let started = ContinuousClock.now
                try release.release(VersionSpec("v2"))

                // A request every 300 ms keeps the session from idling; only absolute_timeout can end it.
                var answers: [(after: Duration, version: String)] = []
                while ContinuousClock.now - started < .seconds(10) {
                    let answer = try user.get("/search")
                    answers.append((ContinuousClock.now - started, answer.servedVersion))
                    if answer.servedVersion == "v2" {
                        break
                    }
                    Thread.sleep(forTimeInterval: 0.3)
                }
                let trace = answers.map { "\($0.after): \($0.version)" }.joined(separator: ", ")
                let firstOnV2 = answers.first { $0.version == "v2" }?.after
                #expect(
                    answers.allSatisfy { $0.version == "v1" || $0.after >= .milliseconds(2900) },
                    "the busy session left v1 before absolute_timeout (3s): \(trace)")
                #expect(
                    firstOnV2.map { $0 < .seconds(5) } == true,
                    "the busy session still routed to v1 long after absolute_timeout (3s): \(trace)")

                let delivery = release.webhook.waitForAccepted("v1", timeout: .seconds(10))
                #expect(delivery != nil, "no drained event for v1 after its only session reached absolute_timeout")
                let status = try release.waitForStatus("v1 drained, no session anywhere", timeout: .seconds(5)) {
                    $0.state(of: "v1") == "drained" && $0.sessions(of: "v1") == 0
                }
                #expect(status.totalSessions == 0, "\(status.summary)")
            }
        }

        @Test func aResponseWithTheEndHeaderEndsItsSessionAndItsDrainingVersionDrains() throws {
            try withRelease([VersionSpec("v1")]) { release in
                let user = release.browser()
                #expect(try user.get("/login").servedVersion == "v1")
                try release.release(VersionSpec("v2"))

                let end = try user.get("/end")
                #expect(end.servedVersion == "v1", "\(end)")
                #expect(end.header(AppBackend.endHeader) == nil, "relevo let the end header through:\n\(end)")
                #expect(
                    end.setCookies(named: Browser.affinityCookie).contains { $0.contains("Max-Age=0") },
                    "the answer that ends the session does not expire relevo's cookie:\n\(end)")
                #expect(release.webhook.waitForAccepted("v1", timeout: .seconds(10)) != nil, "no drained event for v1")
                let status = try release.status()
                #expect(status.state(of: "v1") == "drained" && status.totalSessions == 0, "\(status.summary)")
            }
        }
    }
}
