import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

extension EndToEnd {
    /// Releases and reloads while relevo is under load: no session changes version, no request fails.
    @Suite struct ReleaseUnderLoad {
        /// What the simulated users saw, gathered from every thread.
        struct Tally: Sendable {
            var logins = 0
            var usersDone = 0
            var loginsOn: [String: Int] = [:]
            var loginsWithoutAffinity: [String] = []
            var mixedSessions: [String] = []
            var failures: [String] = []
            var pagesOnV1AfterSwitch = 0
        }

        @Test func aThousandUsersBrowsingThroughASwitchAreEachServedByOneVersionAndBackendPerSession() throws {
            let threads = 50
            let usersPerThread = 20
            try withRelease([VersionSpec("v1", backends: 2)]) { release in
                let tally = Monitor(Tally())
                let switched = Latch()
                defer { switched.open() }
                let started = ContinuousClock.now
                let finished = Monitor(0)
                for thread in 0..<threads {
                    Thread {
                        defer { finished.withLock { $0 += 1 } }
                        // Two waves: the first browses on until the switch is over; the second starts after it.
                        for wave in 0..<2 {
                            let users = (0..<usersPerThread / 2).map { "u\(thread)-\(wave)-\($0)" }
                            Self.browse(as: users, release: release, tally: tally, until: switched)
                        }
                    }.start()
                }

                // Switch once a third of the users have logged in, while they keep browsing.
                let third = threads * usersPerThread / 3
                let reachedThird = tally.wait(timeout: .seconds(60)) { $0.logins >= third || !$0.failures.isEmpty }
                try #require(reachedThird, "\(third) logins did not happen within 60 s: \(tally.value.failures)")
                try release.release(VersionSpec("v2", backends: 2))
                switched.open()

                let allDone = finished.wait(timeout: .seconds(90)) { $0 == threads }
                let result = tally.value
                try #require(allDone, "the users did not finish within 90 s; \(result.usersDone) did")
                let took = ContinuousClock.now - started
                Self.report("\(result.usersDone) users in \(took); logins \(result.loginsOn)")
                Self.report("\(result.pagesOnV1AfterSwitch) pages on v1 after the switch")
                #expect(result.failures.isEmpty, "\(result.failures.count) failures: \(result.failures.prefix(10))")
                #expect(result.usersDone == threads * usersPerThread)
                let mixed = result.mixedSessions
                #expect(mixed.isEmpty, "\(mixed.count) sessions changed version or backend: \(mixed.prefix(9))")
                let bare = result.loginsWithoutAffinity
                #expect(bare.isEmpty, "\(bare.count) logins set no relevo cookie: \(bare.prefix(3))")
                #expect(
                    (result.loginsOn["v1"] ?? 0) >= third
                        && (result.loginsOn["v2"] ?? 0) >= threads * usersPerThread / 2,
                    "logins by version: \(result.loginsOn), release after \(third) logins; all done in \(took)")
                #expect(result.pagesOnV1AfterSwitch > 0, "no v1 session browsed after v2 went live")

                let drained = try release.waitForStatus("every session logged out, v1 drained") {
                    $0.totalSessions == 0 && $0.state(of: "v1") == "drained"
                }
                #expect(drained.live == "v2")
                #expect(release.webhook.waitForAccepted("v1", timeout: .seconds(10)) != nil, "no drained event for v1")
            }
        }

        /// Users `names`, each with a browser of their own, taking turns: each logs in, browses at least two pages,
        /// goes on browsing until `switched` opens (at most 60 s), browses two more pages and logs out. Records in
        /// `tally` who served each request.
        private static func browse(
            as names: [String], release: ReleaseFixture, tally: Monitor<Tally>, until switched: Latch
        ) {
            var users = names.map { (name: $0, browser: release.browser(), served: [String]()) }
            var alive = Array(users.indices)
            let started = ContinuousClock.now
            var round = 0
            var roundsAfterSwitch = 0
            var isLast = false
            while !isLast && !alive.isEmpty {
                let isSwitched = switched.wait(timeout: .zero) || ContinuousClock.now - started > .seconds(60)
                isLast = round >= 3 && roundsAfterSwitch >= 2
                let target = round == 0 ? "/login" : isLast ? "/logout" : "/browse"
                for index in alive {
                    do {
                        let answer = try users[index].browser.get("\(target)?user=\(users[index].name)&round=\(round)")
                        users[index].served.append("\(answer.servedVersion) \(answer.servedBackend)")
                        record(answer, of: users[index].name, at: target, afterSwitch: isSwitched, in: tally)
                    } catch {
                        tally.withLock { $0.failures.append("\(users[index].name), \(target): \(error)") }
                        alive.removeAll { $0 == index }
                    }
                }
                roundsAfterSwitch += isSwitched ? 1 : 0
                round += 1
            }
            tally.withLock { tally in
                for index in alive {
                    if Set(users[index].served).count != 1 {
                        tally.mixedSessions.append("\(users[index].name): \(users[index].served)")
                    }
                    tally.usersDone += 1
                }
            }
        }

        /// Records one answer to user `name`'s request for `target`.
        private static func record(
            _ answer: RawResponse, of name: String, at target: String, afterSwitch: Bool, in tally: Monitor<Tally>
        ) {
            let hasAffinity = answer.setCookies(named: Browser.affinityCookie).contains { !$0.contains("Max-Age=0") }
            tally.withLock { tally in
                if answer.status != 200 {
                    tally.failures.append("\(name), \(target): \(answer.status)")
                }
                if target == "/login" {
                    tally.logins += 1
                    tally.loginsOn[answer.servedVersion, default: 0] += 1
                    if !hasAffinity {
                        tally.loginsWithoutAffinity.append("\(name): \(answer.head.text)")
                    }
                } else if afterSwitch && answer.servedVersion == "v1" {
                    tally.pagesOnV1AfterSwitch += 1
                }
            }
        }

        @Test(.enabled(if: ExternalCommand.find("wrk") != nil, "wrk is not installed: 50 reloads under load not run"))
        func fiftyReloadsUnderWrkLoadFailNoRequestAndDropNoConnection() throws {
            let wrk = try #require(ExternalCommand.find("wrk"))
            try withRelease([VersionSpec("v1", backends: 2)]) { release in
                let extra = try AppBackend(version: "extra", label: "extra-a")
                defer { extra.stop() }
                let v1Backends = release.backends(of: "v1")
                let url = "http://127.0.0.1:\(release.port)/wrk"

                let outcome = Monitor<ExternalCommand.Outcome?>(nil)
                Thread {
                    let result = try? ExternalCommand.run(
                        wrk, ["-t2", "-c16", "-d30s", "--timeout", "5s", url], timeout: .seconds(60))
                    outcome.withLock { $0 = result ?? ExternalCommand.Outcome(status: nil, output: "wrk did not run") }
                }.start()
                Thread.sleep(forTimeInterval: 0.5)

                var refused: [String] = []
                let reloadsStarted = ContinuousClock.now
                var slowest = Duration.zero
                for reload in 0..<50 {
                    switch reload % 4 {
                    case 0:
                        release.setExtraConf(
                            "version extra {\n    backend \(extra.address);\n    health_check /health;\n}\n")
                    case 1:
                        release.setBackends(of: "v1", to: [v1Backends[0]])
                    case 2:
                        release.setExtraConf("")
                    default:
                        release.setBackends(of: "v1", to: v1Backends)
                    }
                    try release.writeConf()
                    let reloadStarted = ContinuousClock.now
                    if reload % 5 == 4 {
                        try Self.hangUp(release, expectingReloads: reload + 1)
                    } else {
                        let answer = try release.reload()
                        if answer.status != 200 {
                            refused.append("reload \(reload): \(answer)")
                        }
                    }
                    slowest = max(slowest, ContinuousClock.now - reloadStarted)
                    // Spread the reloads over at least 12 of wrk's 30 seconds.
                    let due = reloadsStarted + .milliseconds(240 * (reload + 1))
                    if ContinuousClock.now < due {
                        Thread.sleep(forTimeInterval: (due - ContinuousClock.now).seconds)
                    }
                }
                let reloadsTook = ContinuousClock.now - reloadsStarted
                Self.report("50 reloads took \(reloadsTook), the slowest \(slowest)")
                #expect(outcome.value == nil, "wrk ended before the 50 reloads did (they took \(reloadsTook))")

                let done = outcome.wait(timeout: .seconds(60)) { $0 != nil }
                let result = try #require(outcome.value, "wrk did not finish (done: \(done))")
                #expect(refused.isEmpty, "\(refused)")
                #expect(result.status == 0, "\(result.output)")
                let report = WrkReport(result.output)
                Self.report("50 reloads under wrk:\n\(result.output)")
                #expect(report.requests > 0, "\(result.output)")
                #expect(report.socketErrors == 0, "wrk socket errors during 50 reloads:\n\(result.output)")
                #expect(report.non2xx == 0, "wrk non-2xx answers during 50 reloads:\n\(result.output)")
                let status = try release.status()
                #expect(status.live == "v1", "\(status.summary)")
                #expect(release.relevo.lines(withEvent: "reloaded").count == 50, "reloads applied")
            }
        }

        /// Prints `text` when `RELEVO_E2E_VERBOSE` is set, for a person checking that the load was real.
        private static func report(_ text: String) {
            if ProcessInfo.processInfo.environment["RELEVO_E2E_VERBOSE"] != nil {
                print(text)
            }
        }

        /// Sends `SIGHUP` and waits (bounded) until relevo logged `expected` reloads in all.
        private static func hangUp(_ release: ReleaseFixture, expectingReloads expected: Int) throws {
            release.relevo.send(signal: SIGHUP)
            let applied = poll(timeout: .seconds(10)) { release.relevo.lines(withEvent: "reloaded").count >= expected }
            guard applied else {
                throw HarnessError("relevo did not log reload \(expected) within 10 s of SIGHUP")
            }
        }
    }
}
