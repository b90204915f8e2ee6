import Glibc
import RelevoIO
import Synchronization
import Testing

@testable import RelevoRelease

@Suite("on_drained hooks: the event, exec hooks, webhooks with retries, and at-least-once delivery")
struct DrainedHooksTests {
    /// The affinity secret's key in these tests.
    private static let key = [UInt8](repeating: 0x5A, count: 32)

    /// Short limits, so retries and time-outs take milliseconds.
    private static let settings = DrainedHookSettings(
        execTimeout: 5_000, connectTimeout: 1_000, readTimeout: 2_000, firstRetryDelay: 20, maximumRetryDelay: 80)

    /// An event with fixed fields.
    private static let event = DrainedEvent(
        id: "00112233445566778899aabbccddeeff", version: "v41", at: 1_796_306_400_000,
        backends: ["127.0.0.1:9001", "127.0.0.1:9011"], forced: false)

    // MARK: The event

    @Test func theEventsJSONHasTheDocumentedFieldsInOrder() {
        let expected =
            #"{"event":"drained","version":"v41","at":"2026-12-03T14:00:00.000Z","#
            + #""backends":["127.0.0.1:9001","127.0.0.1:9011"],"id":"00112233445566778899aabbccddeeff","forced":false}"#
        #expect(Self.event.json == expected)

        var forced = Self.event
        forced.forced = true
        forced.backends = []
        #expect(forced.json.hasSuffix(#""backends":[],"id":"00112233445566778899aabbccddeeff","forced":true}"#))
    }

    @Test func aNewEventHasARandom32HexIDAndTheTimeNow() {
        let first = DrainedEvent(version: "v41", backends: [], forced: false)
        let second = DrainedEvent(version: "v41", backends: [], forced: false)
        let now = WallClock.now()
        let nowMilliseconds = Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000

        #expect(SessionID(hex: first.id) != nil)
        #expect(first.id != second.id)
        #expect(abs(nowMilliseconds - first.at) < 5_000)
    }

    @Test func timestampsAreRFC3339UTCWithMillisecondsAndReadBack() {
        #expect(UnixTime.rfc3339(milliseconds: 0) == "1970-01-01T00:00:00.000Z")
        #expect(UnixTime.rfc3339(milliseconds: 1_796_306_400_000) == "2026-12-03T14:00:00.000Z")
        #expect(UnixTime.rfc3339(milliseconds: 951_868_799_007) == "2000-02-29T23:59:59.007Z")
        #expect(UnixTime.rfc3339(milliseconds: -1) == "1969-12-31T23:59:59.999Z")

        for milliseconds in stride(from: Int64(-86_400_000), to: 4_102_444_800_000, by: 7_919_999_999) {
            #expect(UnixTime.milliseconds(rfc3339: UnixTime.rfc3339(milliseconds: milliseconds)) == milliseconds)
        }
        #expect(UnixTime.milliseconds(rfc3339: "2026-12-03T14:00:00Z") == nil)
        #expect(UnixTime.milliseconds(rfc3339: "2026-13-03T14:00:00.000Z") == nil)
    }

    @Test func theJSONReadsBackToTheSameEventWhateverItsTextHolds() {
        let odd = DrainedEvent(
            id: "abc", version: "v\"4\\1\n\t\u{01}é😀", at: 1_796_306_400_123, backends: ["a b", "\"x\""], forced: true)
        #expect(odd.json.contains(#""version":"v\"4\\1\n\t\u0001é😀""#))
        #expect(DrainedEvent(json: odd.json) == odd)
        #expect(DrainedEvent(json: Self.event.json) == Self.event)

        let reordered =
            #" { "forced" : false , "id":"i", "backends":[ "\u0062\ud83d\ude00" ], "at":"2026-12-03T14:00:00.000Z","#
            + #" "version":"v1", "event":"drained", "extra":"ignored" } "#
        #expect(
            DrainedEvent(json: reordered)
                == DrainedEvent(id: "i", version: "v1", at: 1_796_306_400_000, backends: ["b😀"], forced: false))

        for broken in [
            "", "{}",
            #"{"event":"other","version":"v","at":"2026-12-03T14:00:00.000Z","backends":[],"id":"i","forced":false}"#,
            String(Self.event.json.dropLast()), Self.event.json + "x", #"{"event":"drained","version":"\ud83d"}"#,
        ] {
            #expect(DrainedEvent(json: broken) == nil, "\(broken)")
        }
    }

    @Test func webhookURLsSplitIntoHostPortAndPath() {
        #expect(
            DrainedHook(webhookURL: "http://127.0.0.1:7000/drained")
                == .webhook(host: "127.0.0.1", port: 7000, path: "/drained", url: "http://127.0.0.1:7000/drained"))
        #expect(
            DrainedHook(webhookURL: "HTTP://hooks.example")
                == .webhook(host: "hooks.example", port: 80, path: "/", url: "HTTP://hooks.example"))
        #expect(
            DrainedHook(webhookURL: "http://[::1]:81?a=1#top")
                == .webhook(host: "::1", port: 81, path: "/?a=1", url: "http://[::1]:81?a=1#top"))

        for invalid in [
            "https://a/", "http://", "http://:80/", "http://a:0/", "http://a:99999/", "http://u@a/", "ftp://a",
        ] {
            #expect(DrainedHook(webhookURL: invalid) == nil, "\(invalid)")
        }
        #expect(DrainedHook.exec(command: "retire.sh", directory: "").target == "retire.sh")
    }

    @Test func retryDelaysDoubleFromTheFirstAndStopAtTheMaximum() {
        let standard = DrainedHookSettings()
        #expect(
            (1...8).map { standard.retryDelay(afterAttempt: $0) } == [
                1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000,
            ])
        #expect(standard.retryDelay(afterAttempt: 1_000) == 60_000)
    }

    @Test func theOutputTailKeepsTheLastLinesAndAnUnfinishedOne() {
        var tail = OutputTail(lineLimit: 3)
        Array("one\ntwo\r\nthree\nfour\nfi".utf8).withUnsafeBytes { tail.append($0) }
        #expect(tail.lines == ["three", "four", "fi"])
        Array("ve\n".utf8).withUnsafeBytes { tail.append($0) }
        #expect(tail.lines == ["three", "four", "five"])
    }

    // MARK: Webhooks

    @Test func aWebhookIsDeliveredOnceWithTheBodyTheHeadersAndAVerifiableSignature() throws {
        let receiver = try Receiver()
        defer { receiver.stop() }
        let journal = Journal()
        let runner = Self.runner(journal)
        defer { runner.shutdown(timeout: 2_000) }

        let hook = Self.webhook(port: receiver.port, path: "/hooks/drained")
        runner.deliver(Self.event, hooks: [hook])

        #expect(Self.eventually { runner.statuses(version: "v41").first?.outcome == "delivered" })
        Self.pause(milliseconds: 100)
        let requests = receiver.requests
        try #require(requests.count == 1)
        let request = requests[0]
        #expect(request.line == "POST /hooks/drained HTTP/1.1")
        #expect(String(decoding: request.body, as: UTF8.self) == Self.event.json)
        #expect(request.headers["host"] == "127.0.0.1:\(receiver.port)")
        #expect(request.headers["content-type"] == "application/json")
        #expect(request.headers["content-length"] == "\(request.body.count)")
        #expect(request.headers["x-relevo-event"] == "drained")
        #expect(request.headers["x-relevo-event-id"] == Self.event.id)
        #expect(request.headers["connection"] == "close")
        #expect(request.headers["x-relevo-signature"] == "sha256=" + Self.hexHMAC(of: request.body))

        #expect(
            runner.statuses(version: "v41") == [
                HookStatus(kind: "webhook", target: hook.target, outcome: "delivered", attempts: 1, detail: "HTTP 200")
            ])
        #expect(journal.queued == [Self.event.id])
        #expect(journal.acknowledged == [Self.event.id + " " + hook.target])
        #expect(runner.outcomeCounts() == [HookOutcomeKey(version: "v41", hook: "webhook", outcome: "delivered"): 1])
    }

    @Test func aWebhookAnswering500TwiceIsDeliveredOnTheThirdAttempt() throws {
        let receiver = try Receiver { $0 < 2 ? 500 : 204 }
        defer { receiver.stop() }
        let journal = Journal()
        let runner = Self.runner(journal)
        defer { runner.shutdown(timeout: 2_000) }

        runner.deliver(Self.event, hooks: [Self.webhook(port: receiver.port)])

        #expect(Self.eventually { runner.statuses(version: "v41").first?.outcome == "delivered" })
        Self.pause(milliseconds: 100)
        #expect(receiver.requests.count == 3)
        #expect(runner.statuses(version: "v41").first?.attempts == 3)
        #expect(runner.statuses(version: "v41").first?.detail == "HTTP 204")
        #expect(journal.acknowledged.count == 1)
        let counts = runner.outcomeCounts()
        #expect(counts[HookOutcomeKey(version: "v41", hook: "webhook", outcome: "retrying")] == 2)
        #expect(counts[HookOutcomeKey(version: "v41", hook: "webhook", outcome: "delivered")] == 1)
    }

    @Test func aWebhookThatIsDownIsRetriedUntilItComesUp() throws {
        let port = try Self.freePort()
        let journal = Journal()
        let runner = Self.runner(journal)
        defer { runner.shutdown(timeout: 2_000) }

        runner.deliver(Self.event, hooks: [Self.webhook(port: port)])
        #expect(Self.eventually { (runner.statuses(version: "v41").first?.attempts ?? 0) >= 3 })
        let waiting = try #require(runner.statuses(version: "v41").first)
        #expect(waiting.outcome == "retrying")
        #expect(waiting.detail?.contains("Connection refused") == true)
        #expect(journal.acknowledged.isEmpty)

        let receiver = try Receiver(port: port)
        defer { receiver.stop() }
        #expect(Self.eventually { runner.statuses(version: "v41").first?.outcome == "delivered" })
        #expect(receiver.requests.count == 1)
        #expect(journal.acknowledged.count == 1)
    }

    @Test func aCancelledWebhookStopsRetryingAndIsAcknowledged() throws {
        let receiver = try Receiver { _ in 503 }
        defer { receiver.stop() }
        let journal = Journal()
        let runner = Self.runner(journal)
        defer { runner.shutdown(timeout: 2_000) }

        let hook = Self.webhook(port: receiver.port)
        runner.deliver(Self.event, hooks: [hook])
        #expect(Self.eventually { receiver.requests.count >= 2 })
        runner.cancel(eventID: Self.event.id)

        #expect(Self.eventually { runner.statuses(version: "v41").first?.outcome == "failed" })
        let requestsAtCancel = receiver.requests.count
        Self.pause(milliseconds: 200)
        #expect(receiver.requests.count == requestsAtCancel)
        #expect(runner.statuses(version: "v41").first?.detail?.hasPrefix("cancelled after") == true)
        #expect(journal.acknowledged == [Self.event.id + " " + hook.target])
    }

    @Test func shutdownLeavesRetriesForResumeAndNothingDeliveredIsSentTwice() throws {
        let port = try Self.freePort()
        let hook = Self.webhook(port: port)
        let firstJournal = Journal()
        let first = Self.runner(firstJournal)
        first.deliver(Self.event, hooks: [hook])
        #expect(Self.eventually { first.statuses(version: "v41").first?.outcome == "retrying" })

        let started = MonotonicClock.coarseMilliseconds()
        #expect(first.shutdown(timeout: 2_000))
        #expect(MonotonicClock.coarseMilliseconds() - started < 1_000)
        #expect(firstJournal.queued == [Self.event.id])
        #expect(firstJournal.acknowledged.isEmpty)

        let receiver = try Receiver(port: port)
        defer { receiver.stop() }
        let journal = Journal()
        let second = Self.runner(journal)
        defer { second.shutdown(timeout: 2_000) }
        let other = Self.webhook(port: port, path: "/other")
        second.resume(Self.event, hooks: [hook, other], acknowledged: [other.target])

        #expect(Self.eventually { second.statuses(version: "v41").first?.outcome == "delivered" })
        second.resume(Self.event, hooks: [hook])
        second.deliver(Self.event, hooks: [hook])
        Self.pause(milliseconds: 150)
        #expect(receiver.requests.map(\.line) == ["POST /drained HTTP/1.1"])
        #expect(journal.queued == [Self.event.id])
        #expect(journal.acknowledged == [Self.event.id + " " + hook.target])
        #expect(second.statuses(version: "v41").count == 1)
    }

    // MARK: Exec hooks

    @Test func anExecHookSeesTheEventInItsEnvironmentAndRunsInItsDirectory() throws {
        let directory = try Self.makeDirectory()
        defer { Self.removeDirectory(directory, files: ["env.txt", "pwd.txt"]) }
        let journal = Journal()
        let runner = Self.runner(journal)
        defer { runner.shutdown(timeout: 2_000) }

        let hook = DrainedHook.exec(command: "env > env.txt; pwd > pwd.txt", directory: directory)
        runner.deliver(Self.event, hooks: [hook])

        #expect(Self.eventually { runner.statuses(version: "v41").first?.outcome == "delivered" })
        let environment = Self.readFile(directory + "/env.txt").split(separator: "\n").map(String.init)
        #expect(environment.contains("RELEVO_VERSION=v41"))
        #expect(environment.contains("RELEVO_BACKENDS=127.0.0.1:9001 127.0.0.1:9011"))
        #expect(environment.contains("RELEVO_EVENT_ID=\(Self.event.id)"))
        #expect(environment.contains("RELEVO_FORCED=false"))
        #expect(environment.contains { $0.hasPrefix("PATH=") })
        #expect(Self.readFile(directory + "/pwd.txt") == directory + "\n")
        #expect(runner.statuses(version: "v41").first?.detail == "exit status 0")
        #expect(journal.acknowledged == [Self.event.id + " " + hook.target])
    }

    @Test func aFailingCommandFailsWithItsExitStatusAndLastOutputAndIsNotRetried() {
        let journal = Journal()
        let runner = Self.runner(journal)
        defer { runner.shutdown(timeout: 2_000) }

        let hook = DrainedHook.exec(command: "echo first; echo 'no such backend' >&2; exit 3", directory: "")
        runner.deliver(Self.event, hooks: [hook])

        #expect(Self.eventually { runner.statuses(version: "v41").first?.outcome == "failed" })
        Self.pause(milliseconds: 150)
        let status = runner.statuses(version: "v41").first
        #expect(status?.attempts == 1)
        #expect(status?.detail == "exit status 3\nfirst\nno such backend")
        #expect(journal.acknowledged == [Self.event.id + " " + hook.target])
        #expect(runner.outcomeCounts() == [HookOutcomeKey(version: "v41", hook: "exec", outcome: "failed"): 1])
    }

    @Test func aCommandThatHangsIsKilledAtTheTimeout() {
        var settings = Self.settings
        settings.execTimeout = 300
        let runner = DrainedHookRunner(secret: AffinitySecret(key: Self.key)!, settings: settings)
        defer { runner.shutdown(timeout: 2_000) }

        let started = MonotonicClock.coarseMilliseconds()
        runner.deliver(Self.event, hooks: [.exec(command: "echo started; sleep 30 & wait", directory: "")])

        #expect(Self.eventually { runner.statuses(version: "v41").first?.outcome == "failed" })
        #expect(MonotonicClock.coarseMilliseconds() - started < 3_000)
        #expect(runner.statuses(version: "v41").first?.detail == "killed after 300 ms (exec time-out)\nstarted")
    }

    @Test func aCommandInADirectoryThatIsMissingFailsWithoutRunning() {
        let runner = DrainedHookRunner(secret: AffinitySecret(key: Self.key)!, settings: Self.settings)
        defer { runner.shutdown(timeout: 2_000) }

        runner.deliver(Self.event, hooks: [.exec(command: "echo ran", directory: "/nonexistent/relevo'dir")])

        #expect(Self.eventually { runner.statuses(version: "v41").first?.outcome == "failed" })
        let detail = runner.statuses(version: "v41").first?.detail ?? ""
        #expect(detail.hasPrefix("exit status 126\n"))
        #expect(!detail.contains("\nran"))
    }
}

// MARK: - Support

extension DrainedHooksTests {
    /// What a runner passed to its journal closures.
    final class Journal: Sendable {
        private let queuedIDs = Mutex<[String]>([])
        private let acknowledgements = Mutex<[String]>([])

        /// The ids of the events queued, in order.
        var queued: [String] { queuedIDs.withLock { $0 } }

        /// `EVENT-ID TARGET` of each acknowledgement, in order.
        var acknowledged: [String] { acknowledgements.withLock { $0 } }

        /// The runner's `onQueued`.
        func recordQueued(_ event: DrainedEvent) {
            queuedIDs.withLock { $0.append(event.id) }
        }

        /// The runner's `onAcknowledged`.
        func recordAcknowledged(_ eventID: String, _ target: String) {
            acknowledgements.withLock { $0.append(eventID + " " + target) }
        }
    }

    /// A runner with the short settings, recording into `journal`.
    private static func runner(_ journal: Journal) -> DrainedHookRunner {
        DrainedHookRunner(
            secret: AffinitySecret(key: key)!, settings: settings, onQueued: { journal.recordQueued($0) },
            onAcknowledged: { journal.recordAcknowledged($0, $1) })
    }

    /// A webhook to `path` on 127.0.0.1:`port`.
    private static func webhook(port: UInt16, path: String = "/drained") -> DrainedHook {
        .webhook(host: "127.0.0.1", port: port, path: path, url: "http://127.0.0.1:\(port)\(path)")
    }

    /// The lower-case hex HMAC-SHA256 of `body` under ``key``.
    private static func hexHMAC(of body: [UInt8]) -> String {
        let mac = key.withUnsafeBytes { HMACSHA256(key: $0) }
        let tag = body.withUnsafeBytes { mac.authenticate($0) }
        let digits = Array("0123456789abcdef")
        return String(
            (0..<HMACSHA256.tagByteCount).flatMap { [digits[Int(tag[$0] >> 4)], digits[Int(tag[$0] & 0x0F)]] })
    }

    /// Polls `condition` every 5 ms until it holds or 10 s pass.
    private static func eventually(_ condition: () -> Bool) -> Bool {
        let deadline = MonotonicClock.coarseMilliseconds() + 10_000
        while !condition() {
            guard MonotonicClock.coarseMilliseconds() < deadline else { return false }
            usleep(5_000)
        }
        return true
    }

    /// Sleeps, to give the runner the chance to do what it must not.
    private static func pause(milliseconds: UInt32) {
        usleep(milliseconds * 1_000)
    }

    /// A port on 127.0.0.1 that nothing listens on (one a receiver just gave back).
    private static func freePort() throws -> UInt16 {
        let receiver = try Receiver()
        receiver.stop()
        return receiver.port
    }

    /// A new directory under /tmp whose name holds a space and a quote.
    private static func makeDirectory() throws -> String {
        var template = Array("/tmp/relevo hooks's-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        try #require(made != nil)
        return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Removes `files` from `directory`, then the directory.
    private static func removeDirectory(_ directory: String, files: [String]) {
        for file in files {
            unlink(directory + "/" + file)
        }
        rmdir(directory)
    }

    /// The whole file at `path`, or "" if it cannot be read.
    private static func readFile(_ path: String) -> String {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return "" }
        defer { close(descriptor) }

        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while case let count = read(descriptor, &chunk, chunk.count), count > 0 {
            bytes += chunk[..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension DrainedHooksTests {
    /// An HTTP/1.1 receiver on 127.0.0.1: a thread accepting on a blocking socket, recording each
    /// request and answering with the status its `status` closure gives for the request's index.
    final class Receiver: Sendable {
        /// One request as received.
        struct Request: Sendable {
            /// The request line, e.g. `POST /drained HTTP/1.1`.
            var line: String

            /// Header values by lower-cased name.
            var headers: [String: String]

            /// The body, as long as Content-Length says.
            var body: [UInt8]
        }

        /// The port it listens on.
        let port: UInt16

        private let descriptor: Int32
        private let status: @Sendable (Int) -> Int
        private let received = Mutex<[Request]>([])
        private let thread = Mutex<pthread_t?>(nil)

        /// Listens on 127.0.0.1:`port` (0: any free port) and starts accepting.
        init(port: UInt16 = 0, status: @escaping @Sendable (Int) -> Int = { _ in 200 }) throws {
            self.status = status
            descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            try #require(descriptor >= 0)
            var one: Int32 = 1
            setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            try Syscall.bind(descriptor: descriptor, to: SocketAddress(host: "127.0.0.1", port: port)!)
            try Syscall.listen(descriptor: descriptor, backlog: 16)
            self.port = try Syscall.localAddress(descriptor: descriptor).port

            let started = OSThread.start(name: "test-receiver") { [self] in acceptLoop() }
            thread.withLock { $0 = started }
        }

        /// The requests received so far, in order.
        var requests: [Request] {
            received.withLock { $0 }
        }

        /// Stops accepting and closes the socket; waits for the thread.
        func stop() {
            guard
                let running = thread.withLock({ value in
                    defer { value = nil }; return value
                })
            else { return }
            shutdown(descriptor, Int32(SHUT_RDWR))
            OSThread.join(running)
            close(descriptor)
        }

        private func acceptLoop() {
            while true {
                let connection = accept(descriptor, nil, nil)
                guard connection >= 0 else {
                    if errno == EINTR { continue }
                    return
                }
                serve(connection)
                close(connection)
            }
        }

        private func serve(_ connection: Int32) {
            var timeout = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            guard let request = Self.readRequest(connection) else { return }

            let index = received.withLock { requests in
                requests.append(request)
                return requests.count - 1
            }
            let answer = Array("HTTP/1.1 \(status(index)) Test\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8)
            _ = answer.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }

        private static func readRequest(_ connection: Int32) -> Request? {
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 4096)
            while true {
                if let request = parse(bytes) {
                    return request
                }
                let count = read(connection, &chunk, chunk.count)
                guard count > 0 else { return nil }
                bytes += chunk[..<count]
            }
        }

        /// The request in `bytes` once its head and whole body are there.
        private static func parse(_ bytes: [UInt8]) -> Request? {
            let terminator: [UInt8] = [13, 10, 13, 10]
            guard bytes.count >= 4,
                let end = (0...(bytes.count - 4)).first(where: { Array(bytes[$0..<($0 + 4)]) == terminator })
            else { return nil }

            let head = String(decoding: bytes[..<end], as: UTF8.self)
            let lines = head.split(separator: "\r\n" as Character).map(String.init)
            var headers: [String: String] = [:]
            for line in lines.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingSpaces
            }
            let length = Int(headers["content-length"] ?? "0") ?? 0
            guard bytes.count >= end + 4 + length else { return nil }

            return Request(line: lines[0], headers: headers, body: Array(bytes[(end + 4)..<(end + 4 + length)]))
        }
    }
}

extension Substring {
    /// The text without leading and trailing spaces.
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
