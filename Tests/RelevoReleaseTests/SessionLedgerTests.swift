import Glibc
import RelevoIO
import Synchronization
import Testing

@testable import RelevoRelease

/// The session key of test session `number`.
private func key(_ number: Int) -> LedgerKey {
    LedgerKey(high: UInt64(number) &* 0x9E37_79B9_7F4A_7C15, low: UInt64(number))
}

/// A pin of version `version` on backend `backend`.
private func pin(_ version: String, _ backend: String) -> SessionPin {
    SessionPin(version: version, backend: backend)
}

/// Milliseconds in `seconds` seconds.
private func seconds(_ seconds: Int64) -> Int64 {
    seconds * 1000
}

/// Records a ledger sends to its recorder, in order.
private final class RecordLog: Sendable {
    private let records = Mutex<[StateRecord]>([])

    /// Receives a record; callable from any thread.
    func record(_ record: StateRecord) {
        records.withLock { $0.append(record) }
    }

    /// Everything received so far.
    var all: [StateRecord] {
        records.withLock { $0 }
    }
}

@Suite("SessionLedger keeps sessions and their counts exact")
struct SessionLedgerTests {
    @Test func establishTouchAndEndKeepCountsExact() {
        let ledger = SessionLedger(idleTimeout: seconds(60))
        ledger.establish(key(1), pin: pin("v1", "b1"), now: 0)
        ledger.establish(key(2), pin: pin("v1", "b2"), now: 0)
        ledger.establish(key(3), pin: pin("v2", "b1"), now: 0)

        #expect(ledger.touch(key(2), now: seconds(1)) == pin("v1", "b2"))
        #expect(ledger.touch(key(4), now: seconds(1)) == nil)
        #expect(ledger.counts().sessionsPerVersion == ["v1": 2, "v2": 1])
        #expect(ledger.counts().sessionsPerBackend == [pin("v1", "b1"): 1, pin("v1", "b2"): 1, pin("v2", "b1"): 1])

        #expect(ledger.end(key(1)) == pin("v1", "b1"))
        #expect(ledger.end(key(1)) == nil)
        #expect(ledger.touch(key(1), now: seconds(2)) == nil)
        #expect(ledger.counts().sessionsPerVersion == ["v1": 1, "v2": 1])
        #expect(ledger.counts().total == 2)
    }

    @Test func establishingALiveKeyAgainKeepsItsFirstPin() {
        let ledger = SessionLedger(idleTimeout: seconds(60))

        let first = ledger.establish(key(1), pin: pin("v1", "b1"), now: 0)
        let second = ledger.establish(key(1), pin: pin("v2", "b9"), now: seconds(5))

        #expect(first == pin("v1", "b1") && second == pin("v1", "b1"))
        #expect(ledger.counts().sessionsPerBackend == [pin("v1", "b1"): 1])
    }

    @Test func aSessionEndsOnceIdleForTheIdleTimeoutAndNotBefore() {
        let ledger = SessionLedger(idleTimeout: seconds(30))
        ledger.establish(key(1), pin: pin("v1", "b1"), now: 500)

        #expect(ledger.expire(now: seconds(30)).isEmpty)
        #expect(ledger.touch(key(1), now: seconds(30)) != nil)
        #expect(ledger.expire(now: seconds(59)).isEmpty)
        #expect(ledger.expire(now: seconds(60)) == ["v1": 1])
        #expect(ledger.touch(key(1), now: seconds(60)) == nil)
        #expect(ledger.counts().total == 0)
    }

    @Test func aSessionEndsAtTheAbsoluteTimeoutHoweverBusy() {
        let ledger = SessionLedger(idleTimeout: seconds(30), absoluteTimeout: seconds(100))
        ledger.establish(key(1), pin: pin("v1", "b1"), now: 0)

        for second in stride(from: Int64(10), through: 90, by: 10) {
            #expect(ledger.touch(key(1), now: seconds(second)) != nil)
            #expect(ledger.expire(now: seconds(second)).isEmpty)
        }

        #expect(ledger.expire(now: seconds(99)).isEmpty)
        #expect(ledger.expire(now: seconds(100)) == ["v1": 1])
    }

    @Test func aSessionTouchedPastItsTimeoutIsEndedAndReportedByTheNextExpiry() {
        let ledger = SessionLedger(idleTimeout: seconds(30))
        ledger.establish(key(1), pin: pin("v1", "b1"), now: 0)

        #expect(ledger.touch(key(1), now: seconds(31)) == nil)
        #expect(ledger.counts().total == 0)
        #expect(ledger.expire(now: seconds(31)) == ["v1": 1])
        #expect(ledger.expire(now: seconds(32)).isEmpty)
    }

    @Test func anExpiredKeyEstablishedAgainIsANewSession() {
        let ledger = SessionLedger(idleTimeout: seconds(30))
        ledger.establish(key(1), pin: pin("v1", "b1"), now: 0)

        let again = ledger.establish(key(1), pin: pin("v2", "b1"), now: seconds(40))

        #expect(again == pin("v2", "b1"))
        #expect(ledger.counts().sessionsPerVersion == ["v2": 1])
        #expect(ledger.expire(now: seconds(40)) == ["v1": 1])
        #expect(ledger.touch(key(1), now: seconds(41)) == pin("v2", "b1"))
    }

    @Test func expiryVisitsOnlyTheBucketsThatAreDue() {
        let ledger = SessionLedger(idleTimeout: seconds(60))
        for number in 0..<1000 {
            ledger.establish(key(number), pin: pin("v1", "b1"), now: 0)
        }
        for number in 1000..<1010 {
            ledger.establish(key(number), pin: pin("v2", "b1"), now: seconds(30))
        }

        #expect(ledger.expire(now: seconds(59)).isEmpty)
        #expect(ledger.bucketEntriesVisited == 0)

        #expect(ledger.expire(now: seconds(60)) == ["v1": 1000])
        #expect(ledger.bucketEntriesVisited == 1000)

        #expect(ledger.expire(now: seconds(90)) == ["v2": 10])
        #expect(ledger.bucketEntriesVisited == 1010)
    }

    @Test func touchingDoesNotMoveASessionUntilItsBucketComes() {
        let ledger = SessionLedger(idleTimeout: seconds(60), shardCount: 1)
        ledger.establish(key(1), pin: pin("v1", "b1"), now: 0)
        for second in 1...50 {
            _ = ledger.touch(key(1), now: seconds(Int64(second)))
        }
        #expect(ledger.bucketCount == 1)

        #expect(ledger.expire(now: seconds(60)).isEmpty)
        #expect(ledger.bucketEntriesVisited == 1)
        #expect(ledger.bucketCount == 1)

        #expect(ledger.expire(now: seconds(110)) == ["v1": 1])
        #expect(ledger.bucketEntriesVisited == 2)
        #expect(ledger.bucketCount == 0)
    }

    @Test func anEndedSessionsBucketEntryIsSkippedAndAReusedKeyCountedOnce() {
        let ledger = SessionLedger(idleTimeout: seconds(60), shardCount: 1)
        ledger.establish(key(1), pin: pin("v1", "b1"), now: 0)
        ledger.end(key(1))
        ledger.establish(key(1), pin: pin("v2", "b1"), now: 0)

        #expect(ledger.expire(now: seconds(60)) == ["v2": 1])
        #expect(ledger.bucketEntriesVisited == 2)
        #expect(ledger.counts().total == 0)
    }

    @Test func movingAVersionRepinsEverySessionOfItAndNoOther() {
        let ledger = SessionLedger(idleTimeout: seconds(60))
        for number in 0..<10 {
            ledger.establish(key(number), pin: pin("v1", "b1"), now: 0)
        }
        for number in 10..<15 {
            ledger.establish(key(number), pin: pin("v1", "b2"), now: 0)
        }
        ledger.establish(key(99), pin: pin("v2", "c1"), now: 0)

        let moved = ledger.move(version: "v1") { old in pin("v2", old.backend == "b1" ? "c1" : "c2") }

        #expect(moved == 15)
        #expect(ledger.counts().sessionsPerVersion == ["v2": 16])
        #expect(ledger.counts().sessionsPerBackend == [pin("v2", "c1"): 11, pin("v2", "c2"): 5])
        #expect(ledger.touch(key(3), now: seconds(1)) == pin("v2", "c1"))
        #expect(ledger.touch(key(12), now: seconds(1)) == pin("v2", "c2"))
        #expect(ledger.move(version: "v1") { $0 } == 0)
    }

    @Test func sessionsMovedAndEstablishedAfterwardsStillCountExactly() {
        let ledger = SessionLedger(idleTimeout: seconds(60), shardCount: 1)
        ledger.establish(key(1), pin: pin("v1", "b1"), now: 0)
        ledger.establish(key(2), pin: pin("v2", "c1"), now: 0)
        _ = ledger.move(version: "v1") { _ in pin("v2", "c1") }

        ledger.establish(key(3), pin: pin("v1", "b1"), now: 0)
        ledger.establish(key(4), pin: pin("v2", "c1"), now: 0)
        ledger.end(key(1))

        #expect(ledger.counts().sessionsPerBackend == [pin("v1", "b1"): 1, pin("v2", "c1"): 2])
        #expect(ledger.expire(now: seconds(60)) == ["v1": 1, "v2": 2])
        #expect(ledger.counts().total == 0)
    }

    @Test func aRoundRobinMoveSpreadsSessionsOverTheNewBackends() {
        let ledger = SessionLedger(idleTimeout: seconds(60))
        for number in 0..<1000 {
            ledger.establish(key(number), pin: pin("v1", "b1"), now: 0)
        }

        var turn = 0
        _ = ledger.move(version: "v1") { _ in
            turn += 1
            return pin("v2", turn.isMultiple(of: 2) ? "c1" : "c2")
        }

        let perBackend = ledger.counts().sessionsPerBackend
        #expect(perBackend.values.reduce(0, +) == 1000)
        #expect((perBackend[pin("v2", "c1")] ?? 0) > 300 && (perBackend[pin("v2", "c2")] ?? 0) > 300)
    }

    @Test func countsGiveEachVersionsOldestSessionToTheMinute() {
        let ledger = SessionLedger(idleTimeout: seconds(3600))
        ledger.establish(key(1), pin: pin("v1", "b1"), now: seconds(200))
        ledger.establish(key(2), pin: pin("v1", "b2"), now: seconds(130))
        ledger.establish(key(3), pin: pin("v2", "b1"), now: seconds(400))

        #expect(ledger.counts().oldestSessionPerVersion == ["v1": seconds(120), "v2": seconds(360)])

        ledger.end(key(2))
        #expect(ledger.counts().oldestSessionPerVersion == ["v1": seconds(180), "v2": seconds(360)])
    }

    @Test func aSnapshotRestoredIntoAnotherLedgerGivesTheSameSessionsAndExpiry() {
        let ledger = SessionLedger(idleTimeout: seconds(600), absoluteTimeout: seconds(1000))
        for number in 0..<200 {
            ledger.establish(key(number), pin: pin("v\(number % 3)", "b\(number % 2)"), now: seconds(Int64(number)))
        }
        _ = ledger.touch(key(5), now: seconds(250))

        let restored = SessionLedger(idleTimeout: seconds(600), absoluteTimeout: seconds(1000))
        restored.restore(ledger.snapshot())

        #expect(Set(restored.snapshot()) == Set(ledger.snapshot()))
        #expect(restored.counts() == ledger.counts())
        let ended = ledger.expire(now: seconds(650))
        #expect(ended.values.reduce(0, +) == 50)
        #expect(restored.expire(now: seconds(650)) == ended)
        #expect(Set(restored.snapshot()) == Set(ledger.snapshot()))
        #expect(restored.touch(key(5), now: seconds(651)) == pin("v2", "b1"))
    }

    @Test func theRecorderGetsEveryChangeOfASessionInOrder() {
        let log = RecordLog()
        let ledger = SessionLedger(idleTimeout: seconds(60), recorder: log.record)
        ledger.establish(key(1), pin: pin("v1", "b1"), now: 0)
        _ = ledger.touch(key(1), now: seconds(10))
        _ = ledger.expire(now: seconds(60))
        _ = ledger.move(version: "v1") { _ in pin("v2", "c1") }
        ledger.end(key(1))

        let record = { (version: String, backend: String, lastSeen: Int64) in
            StateRecord.sessionEstablished(
                LedgerRecord(key: key(1), pin: pin(version, backend), createdAt: 0, lastSeen: lastSeen))
        }
        #expect(
            log.all == [
                record("v1", "b1", 0),
                record("v1", "b1", seconds(10)),
                record("v2", "c1", seconds(10)),
                .sessionEnded(key(1)),
            ])
    }

    @Test func fourThreadsAtOnceLeaveExactCounts() {
        let ledger = SessionLedger(idleTimeout: seconds(600), shardCount: 8)
        let perThread = 20_000

        let threads = (0..<4).map { thread in
            OSThread.start(name: "ledger-\(thread)") {
                for index in 0..<perThread {
                    let number = thread * perThread + index
                    ledger.establish(key(number), pin: pin("v\(thread % 2)", "b\(index % 3)"), now: 0)
                    _ = ledger.touch(key(number / 2), now: seconds(1))
                    if index.isMultiple(of: 4) {
                        ledger.end(key(number))
                    }
                }
            }
        }
        threads.forEach(OSThread.join)

        let counts = ledger.counts()
        #expect(counts.total == 4 * perThread * 3 / 4)
        #expect(counts.sessionsPerVersion == ["v0": 2 * perThread * 3 / 4, "v1": 2 * perThread * 3 / 4])
        #expect(ledger.snapshot().count == counts.total)
        #expect(ledger.expire(now: seconds(601)) == ["v0": 30_000, "v1": 30_000])
    }

    /// `RELEVO_LEDGER_BENCH=1`: the resident memory a million sessions take (bench/ledger_memory.sh).
    @Test(.enabled(if: getenv("RELEVO_LEDGER_BENCH") != nil))
    func aMillionSessionsFitInTheirMemoryBudget() {
        let count = 1_000_000
        let pins = (0..<6).map { pin("v\($0 / 3 + 41)", "127.0.0.1:90\($0 % 3)1") }
        let before = residentKilobytes()
        let start = MonotonicClock.nanoseconds()

        let ledger = SessionLedger(idleTimeout: seconds(1800), absoluteTimeout: seconds(43_200))
        for number in 0..<count {
            // Spread over 30 minutes, as sessions arriving over an idle timeout would be.
            ledger.establish(key(number), pin: pins[number % 6], now: seconds(Int64(number % 1800)))
        }

        let nanoseconds = Int(MonotonicClock.nanoseconds() - start) / count
        let growth = residentKilobytes() - before
        let megabytes = Double(growth) / 1024
        print(
            "ledger_memory sessions=\(count) rss_growth_mib=\(megabytes) bytes_per_session=\(growth * 1024 / count)",
            "establish_ns=\(nanoseconds)")
        #expect(ledger.counts().total == count)
        #expect(megabytes <= 150)
    }
}

/// VmRSS of this process, in KiB, from /proc/self/status.
private func residentKilobytes() -> Int {
    guard let file = fopen("/proc/self/status", "r") else { return 0 }
    defer { fclose(file) }

    var line = [CChar](repeating: 0, count: 256)
    while fgets(&line, Int32(line.count), file) != nil {
        let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if text.hasPrefix("VmRSS:") {
            return Int(text.dropFirst(6).filter(\.isNumber)) ?? 0
        }
    }
    return 0
}
