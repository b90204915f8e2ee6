import Foundation
import Testing

extension EndToEnd {
    /// Sessions stay on the version and backend they started on while releases go by; each version that empties
    /// is signalled drained, once.
    @Suite struct ReleaseSessions {
        @Test func aSessionStaysOnItsVersionAndBackendAcrossAReleaseAndItsLogoutSignalsTheDrainOnce() throws {
            try withRelease([VersionSpec("v1", backends: 2)]) { release in
                let user = release.browser()
                let login = try user.get("/login")
                #expect(login.servedVersion == "v1", "\(login)")
                try #require(user.affinity != nil, "the login answer set no relevo cookie:\n\(login)")
                let backend = login.servedBackend
                for page in 0..<4 {
                    let answer = try user.get("/search?page=\(page)")
                    #expect(answer.servedVersion == "v1" && answer.servedBackend == backend, "\(answer)")
                }

                try release.release(VersionSpec("v2"))

                for page in 0..<6 {
                    let answer = try user.get("/booking/\(page)")
                    #expect(
                        answer.servedVersion == "v1" && answer.servedBackend == backend,
                        "a session that started on v1 (\(backend)) left it after v2 went live:\n\(answer)")
                }
                let newcomer = release.browser()
                let newLogin = try newcomer.get("/login")
                #expect(newLogin.servedVersion == "v2", "a new session did not land on the live version:\n\(newLogin)")
                #expect(try newcomer.get("/search").servedVersion == "v2")

                let status = try release.waitForStatus("v1 draining with 1 session, v2 live with 1") {
                    $0.live == "v2" && $0.state(of: "v1") == "draining" && $0.sessions(of: "v1") == 1
                        && $0.sessions(of: "v2") == 1
                }
                let v1Backends = status.version("v1")?.backends ?? []
                let pinned = release.backends(of: "v1").first { $0.label == backend }?.address
                #expect(
                    v1Backends.map { $0.address == pinned ? $0.sessions == 1 : $0.sessions == 0 } == [true, true],
                    "v1's backend sessions in /status: \(v1Backends)")
                let metrics = try release.metrics()
                #expect(metrics.contains("relevo_sessions{version=\"v1\"} 1\n"), "\(metrics)")
                #expect(metrics.contains("relevo_version_state{version=\"v1\",state=\"draining\"} 1\n"), "\(metrics)")
                #expect(release.webhook.deliveries.value.isEmpty, "a drained event while v1 still had a session")

                let logout = try user.get("/logout")
                let loggedOut = ContinuousClock.now
                #expect(logout.servedVersion == "v1" && logout.servedBackend == backend, "\(logout)")
                #expect(
                    logout.setCookies(named: Browser.affinityCookie).contains { $0.contains("Max-Age=0") },
                    "the logout answer does not expire relevo's cookie:\n\(logout)")

                let delivery = try #require(
                    release.webhook.waitForAccepted("v1", timeout: .seconds(10)),
                    "no drained event for v1 within 10 s of the logout")
                #expect(
                    delivery.arrival - loggedOut < .seconds(1),
                    "the drained event arrived \(delivery.arrival - loggedOut) after the logout")
                let addresses = release.backends(of: "v1").map(\.address)
                #expect(
                    delivery.problems(asDrainedEventOf: "v1", backends: addresses, forced: false, key: release.secret)
                        == [])

                let wait = try release.runCommand([
                    "wait-drained", "v1", "--admin", release.adminAddress, "--timeout", "10s",
                ])
                #expect(wait.status == 0, "relevo wait-drained v1: \(wait.output)")
                let drained = try release.status()
                #expect(drained.state(of: "v1") == "drained" && drained.sessions(of: "v1") == 0, "\(drained.summary)")
                #expect(try user.get("/search").servedVersion == "v2", "a logged-out user's next request")

                // Any second event would have arrived by now: relevo checks drains every 250 ms.
                Thread.sleep(forTimeInterval: 1)
                let all = release.webhook.deliveries.value
                #expect(
                    all.count == 1 && all.first?.version == "v1",
                    "webhook deliveries: \(all.map { String(decoding: $0.body, as: UTF8.self) })")
                let hookRuns = release.execLog
                #expect(
                    hookRuns.count == 1 && hookRuns.first?.hasPrefix("v1 \(delivery.eventID ?? "?") ") == true,
                    "exec hook runs: \(hookRuns)")
            }
        }

        @Test func threeVersionsDrainingAtOnceEachDrainWhenTheirOwnLastSessionEnds() throws {
            try withRelease([VersionSpec("v1")]) { release in
                var users: [String: Browser] = [:]
                for (current, next) in [("v1", "v2"), ("v2", "v3"), ("v3", "v4")] {
                    let user = release.browser()
                    let login = try user.get("/login")
                    #expect(login.servedVersion == current, "\(login)")
                    users[current] = user
                    try release.release(VersionSpec(next))
                }
                try release.waitForStatus("v1, v2 and v3 draining with a session each, v4 live") { status in
                    status.live == "v4"
                        && ["v1", "v2", "v3"].allSatisfy {
                            status.state(of: $0) == "draining" && status.sessions(of: $0) == 1
                        }
                }
                for (version, user) in users {
                    let answer = try user.get("/itinerary")
                    #expect(answer.servedVersion == version, "a session of \(version) after v4 went live:\n\(answer)")
                }

                var stillDraining: Set<String> = ["v1", "v2", "v3"]
                for version in ["v2", "v1", "v3"] {
                    let logout = try users[version]!.get("/logout")
                    #expect(logout.servedVersion == version, "\(logout)")
                    stillDraining.remove(version)

                    let delivery = release.webhook.waitForAccepted(version, timeout: .seconds(10))
                    let backends = release.backends(of: version).map(\.address)
                    #expect(
                        delivery?.problems(
                            asDrainedEventOf: version, backends: backends, forced: false, key: release.secret) == [],
                        "the drained event of \(version), once its session logged out")
                    let status = try release.status()
                    #expect(status.state(of: version) == "drained", "\(status.summary)")
                    for other in stillDraining {
                        #expect(
                            status.state(of: other) == "draining" && status.sessions(of: other) == 1,
                            "\(other) after \(version)'s last session ended: \(status.summary)")
                        #expect(release.webhook.eventIDs(for: other).isEmpty, "\(other) was signalled drained early")
                    }
                }

                Thread.sleep(forTimeInterval: 1)
                let deliveries = release.webhook.deliveries.value
                #expect(deliveries.compactMap(\.version).sorted() == ["v1", "v2", "v3"], "one event per version")
                #expect(Set(deliveries.compactMap(\.eventID)).count == 3, "each event has its own id")
                #expect(release.execLog.map { $0.split(separator: " ")[0] }.sorted() == ["v1", "v2", "v3"])
            }
        }
    }
}
