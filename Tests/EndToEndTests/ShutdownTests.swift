import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

extension EndToEnd {
    /// `SIGTERM`: stop accepting, finish what is in flight, exit 0.
    @Suite struct Shutdown {
        @Test func sigtermLetsEveryExchangeInFlightFinishAndExitsWithStatus0() throws {
            let inFlight = 6
            let release = Latch()
            let handler: TestBackend.Handler = { exchange in
                release.wait(timeout: .seconds(20))
                try TestBackend.summarize(exchange)
            }
            try withProxy(backends: [handler]) { proxy in
                defer { release.open() }
                let statuses = Monitor([String: String]())
                for index in 1...inFlight {
                    let port = proxy.port
                    Thread {
                        let outcome: String
                        do {
                            let client = try RawClient(port: port, timeout: .seconds(20))
                            let response = try client.exchange(
                                "GET /inflight/\(index) HTTP/1.1\r\nHost: e2e.test\r\n\r\n")
                            outcome = "\(response.status)"
                        } catch {
                            outcome = "\(error)"
                        }
                        statuses.withLock { $0["/inflight/\(index)"] = outcome }
                    }.start()
                }
                #expect(proxy.backend.waitForRequests(inFlight), "the exchanges never reached the backend")

                proxy.relevo.send(signal: SIGTERM)
                // Let relevo act on the signal (it logs it, or at least closes its listeners) before the backend
                // answers, so that the exchanges finish during the shutdown.
                let relevo = proxy.relevo
                let stopping = poll(timeout: .seconds(5)) {
                    relevo.outputText.contains("event=stopping")
                        || (try? RawClient(port: proxy.port, timeout: .seconds(1))) == nil
                }
                #expect(stopping, "relevo showed no sign of stopping 5 s after SIGTERM")
                release.open()

                #expect(statuses.wait(timeout: .seconds(20)) { $0.count == inFlight })
                let failed = statuses.value.filter { $0.value != "200" }
                #expect(failed.isEmpty, "exchanges in flight at SIGTERM failed: \(failed)")
                #expect(proxy.relevo.waitForExit(timeout: .seconds(15)) == 0, "\(proxy.relevoOutput)")
                #expect(!proxy.relevo.exitedBySignal)
            }
        }

        @Test func withAnAccessLogEveryExchangeIsLoggedAndSigtermStillExitsWithStatus0() throws {
            try withProxy(configure: { $0.writesAccessLog = true }) { proxy in
                let response = try proxy.get("/logged")
                #expect(response.status == 200, "\(response)")

                let relevo = proxy.relevo
                let logged = poll(timeout: .seconds(5)) { relevo.accessLogText.contains("GET /logged") }
                #expect(logged, "no access log line for GET /logged:\n\(relevo.accessLogText)")

                proxy.relevo.send(signal: SIGTERM)
                #expect(proxy.relevo.waitForExit(timeout: .seconds(15)) == 0, "\(proxy.relevoOutput)")
                #expect(!proxy.relevo.exitedBySignal, "relevo \(proxy.relevo.howItEnded):\n\(proxy.relevo.crashReport)")
            }
        }

        @Test func anIdleKeepAliveConnectionIsClosedAtShutdownAndDoesNotHoldItUp() throws {
            try withProxy { proxy in
                let client = try proxy.connect()
                let response = try client.exchange("GET /idle HTTP/1.1\r\nHost: e2e.test\r\n\r\n")
                #expect(response.status == 200, "\(response)")

                proxy.relevo.send(signal: SIGTERM)

                #expect(try client.waitForClose(within: .seconds(10)) == .closed)
                #expect(proxy.relevo.waitForExit(timeout: .seconds(15)) == 0, "\(proxy.relevoOutput)")
            }
        }
    }
}
