import Glibc
import Testing

@testable import RelevoRelease

/// A fresh directory under /tmp, removed with everything in it when the test ends.
private final class TemporaryDirectory {
    /// Its path.
    let path: String

    /// Creates it.
    init() {
        var template = Array("/tmp/relevo-state-test.XXXXXX".utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }

    deinit {
        for name in (try? StateFiles.names(in: path)) ?? [] {
            unlink(path + "/" + name)
        }
        rmdir(path)
    }

    /// The path of `name` in it.
    func file(_ name: String) -> String {
        path + "/" + name
    }
}

/// The bytes of file `path`.
private func contents(_ path: String) throws -> [UInt8] {
    let descriptor = try StateFiles.open(path, flags: O_RDONLY)
    defer { close(descriptor) }

    return try StateFiles.read(descriptor, count: Int(try StateFiles.size(descriptor, path: path)), at: 0, path: path)
}

/// Replaces file `path` with `bytes`.
private func overwrite(_ path: String, with bytes: [UInt8]) throws {
    let descriptor = try StateFiles.open(path, flags: O_WRONLY | O_TRUNC)
    defer { close(descriptor) }

    try StateFiles.write(descriptor, bytes, at: 0, path: path)
}

/// A session record.
private func session(_ number: UInt64, _ version: String = "v1", lastSeen: Int64 = 2_000) -> LedgerRecord {
    LedgerRecord(
        key: LedgerKey(high: number, low: ~number), pin: SessionPin(version: version, backend: "127.0.0.1:9001"),
        createdAt: 1_000, lastSeen: lastSeen)
}

/// `state` with its sessions sorted, to compare states.
private func sorted(_ state: RecoveredState) -> RecoveredState {
    var state = state
    state.sessions.sort { ($0.key.high, $0.key.low) < ($1.key.high, $1.key.low) }
    return state
}

/// The state `records` describe.
private func replayed(_ records: [StateRecord]) -> RecoveredState {
    var replay = StateReplay()
    records.forEach { replay.apply($0) }
    return sorted(replay.state())
}

/// One of each record, in an order where later ones override earlier ones.
private let everyKind: [StateRecord] = [
    .versionState(VersionRecord(name: "v41", state: .live, since: 10)),
    .versionState(VersionRecord(name: "v42", state: .candidate, since: 20)),
    .versionState(VersionRecord(name: "v43", state: .rejected, since: 25)),
    .sessionEstablished(session(1)),
    .sessionEstablished(session(2)),
    .sessionEstablished(session(3, "v42")),
    .sessionEnded(LedgerKey(high: 2, low: ~2)),
    .hookEvent(HookEvent(id: 7, version: "v40", payload: #"{"event":"drained","version":"v40"}"#)),
    .hookEvent(HookEvent(id: 8, version: "v39", payload: "")),
    .hookAcknowledged(8),
    .versionState(VersionRecord(name: "v42", state: .live, since: 30)),
    .versionState(VersionRecord(name: "v41", state: .draining, since: 30)),
    .versionRemoved("v43"),
    .sessionEstablished(session(1, lastSeen: 9_000)),
    .sessionEstablished(
        LedgerRecord(
            key: LedgerKey(high: .max, low: 0), pin: SessionPin(version: "vé 🚀", backend: "[::1]:80"),
            createdAt: -5, lastSeen: .max)),
]

@Suite("StateJournal brings the state back after a crash")
struct StateJournalTests {
    @Test func everyRecordKindComesBackAfterACleanClose() throws {
        let directory = TemporaryDirectory()
        let (journal, empty) = try StateJournal.open(directory: directory.path)
        #expect(empty == RecoveredState())

        everyKind.forEach(journal.append)
        try journal.close()
        let (reopened, state) = try StateJournal.open(directory: directory.path)
        defer { try? reopened.close() }

        #expect(sorted(state) == replayed(everyKind))
        #expect(state.versions.map(\.name) == ["v41", "v42"])
        #expect(state.sessions.count == 3)
        #expect(state.hookEvents.map(\.id) == [7])
    }

    @Test func theBackgroundThreadFlushesWithoutBeingAsked() throws {
        let directory = TemporaryDirectory()
        let (journal, _) = try StateJournal.open(directory: directory.path, flushInterval: 20)
        journal.append(.versionState(VersionRecord(name: "v1", state: .live, since: 1)))

        var waited = 0
        while try contents(directory.file("journal.0")).count == StateCodec.headerSize && waited < 5_000 {
            usleep(5_000)
            waited += 5
        }
        journal.simulateCrash()
        let (reopened, state) = try StateJournal.open(directory: directory.path)
        defer { try? reopened.close() }

        #expect(state.versions == [VersionRecord(name: "v1", state: .live, since: 1)])
    }

    @Test func aCrashLosesOnlyWhatWasNotFlushed() throws {
        let directory = TemporaryDirectory()
        let (journal, _) = try StateJournal.open(directory: directory.path, flushInterval: 600_000)
        journal.append(.sessionEstablished(session(1)))
        try journal.flush()
        journal.append(.sessionEstablished(session(2)))

        journal.simulateCrash()
        let (reopened, state) = try StateJournal.open(directory: directory.path)
        defer { try? reopened.close() }

        #expect(state.sessions == [session(1)])
    }

    @Test(arguments: [1, 5, 11, 12, 30])
    func aTornLastFlushIsDroppedAndEverythingBeforeItKept(cut: Int) throws {
        let directory = TemporaryDirectory()
        let (journal, _) = try StateJournal.open(directory: directory.path, flushInterval: 600_000)
        journal.append(.sessionEstablished(session(1)))
        try journal.flush()
        let kept = try contents(directory.file("journal.0")).count
        journal.append(.sessionEstablished(session(2)))
        journal.append(.sessionEstablished(session(3)))
        try journal.close()

        let whole = try contents(directory.file("journal.0"))
        try overwrite(directory.file("journal.0"), with: Array(whole.prefix(whole.count - cut)))
        let (reopened, state) = try StateJournal.open(directory: directory.path)

        #expect(state.sessions == [session(1)])
        #expect(try contents(directory.file("journal.0")).count == kept)

        reopened.append(.sessionEstablished(session(4)))
        try reopened.close()
        let (again, later) = try StateJournal.open(directory: directory.path)
        defer { try? again.close() }
        #expect(sorted(later).sessions == [session(1), session(4)])
    }

    @Test func aTornFlushThatLeftZerosIsDropped() throws {
        let directory = TemporaryDirectory()
        let (journal, _) = try StateJournal.open(directory: directory.path)
        journal.append(.sessionEstablished(session(1)))
        try journal.close()

        let whole = try contents(directory.file("journal.0"))
        try overwrite(directory.file("journal.0"), with: whole + [UInt8](repeating: 0, count: 4096))
        let (reopened, state) = try StateJournal.open(directory: directory.path)
        defer { try? reopened.close() }

        #expect(state.sessions == [session(1)])
    }

    @Test(arguments: [0, 3, 6, 10, 20])
    func damageBeforeAValidFrameIsAnErrorNamingTheFileAndOffset(damageAt: Int) throws {
        let directory = TemporaryDirectory()
        let (journal, _) = try StateJournal.open(directory: directory.path)
        journal.append(.sessionEstablished(session(1)))
        try journal.flush()
        let secondFrame = try contents(directory.file("journal.0")).count
        journal.append(.sessionEstablished(session(2)))
        try journal.flush()
        journal.append(.sessionEstablished(session(3)))
        try journal.close()

        var bytes = try contents(directory.file("journal.0"))
        bytes[secondFrame + damageAt] ^= 0x40
        try overwrite(directory.file("journal.0"), with: bytes)

        let error = #expect(throws: StateError.self) { try StateJournal.open(directory: directory.path) }
        #expect(error?.kind == .corrupt)
        #expect(error?.file == directory.file("journal.0"))
        #expect(error?.offset == Int64(secondFrame))
        #expect(error?.description.hasPrefix("state: \(directory.file("journal.0")) at byte \(secondFrame): ") == true)
    }

    @Test func compactionKeepsTheStateIdenticalAndEmptiesTheJournal() throws {
        let directory = TemporaryDirectory()
        let (journal, _) = try StateJournal.open(directory: directory.path)
        everyKind.forEach(journal.append)
        try journal.flush()

        try journal.compact { replayed(everyKind) }

        #expect(try StateFiles.names(in: directory.path).sorted() == ["journal.1", "lock", "snapshot"])
        #expect(try contents(directory.file("journal.1")).count == StateCodec.headerSize)
        try journal.close()
        let (reopened, state) = try StateJournal.open(directory: directory.path)
        defer { try? reopened.close() }
        #expect(sorted(state) == replayed(everyKind))
    }

    @Test func recordsAppendedDuringAndAfterACompactionAreKept() throws {
        let directory = TemporaryDirectory()
        let (journal, _) = try StateJournal.open(directory: directory.path, flushInterval: 600_000)
        journal.append(.sessionEstablished(session(1)))
        journal.append(.sessionEstablished(session(2)))

        try journal.compact {
            journal.append(.sessionEnded(session(1).key))
            return replayed([.sessionEstablished(session(1)), .sessionEstablished(session(2))])
        }
        journal.append(.sessionEstablished(session(3)))
        try journal.flush()
        journal.append(.hookEvent(HookEvent(id: 1, version: "v1", payload: "never flushed")))
        journal.simulateCrash()

        let (reopened, state) = try StateJournal.open(directory: directory.path)
        defer { try? reopened.close() }
        #expect(sorted(state).sessions == [session(2), session(3)])
        #expect(state.hookEvents.isEmpty)
    }

    @Test func journalsLeftOverFromAnInterruptedCompactionAreRemoved() throws {
        let directory = TemporaryDirectory()
        let (journal, _) = try StateJournal.open(directory: directory.path)
        journal.append(.sessionEstablished(session(1)))
        try journal.compact { replayed([.sessionEstablished(session(1))]) }
        try journal.close()
        let stale = try StateFiles.open(directory.file("journal.0"), flags: O_WRONLY | O_CREAT)
        close(stale)
        try overwrite(directory.file("journal.0"), with: Array("garbage".utf8))

        let (reopened, state) = try StateJournal.open(directory: directory.path)
        defer { try? reopened.close() }

        #expect(state.sessions == [session(1)])
        #expect(!StateFiles.exists(directory.file("journal.0")))
    }

    @Test func aSnapshotLargerThanOneFrameReadsBackWhole() throws {
        let directory = TemporaryDirectory()
        let (journal, _) = try StateJournal.open(directory: directory.path)
        let records = (0..<20_000).map { StateRecord.sessionEstablished(session(UInt64($0))) }

        try journal.compact { replayed(records) }
        try journal.close()
        let (reopened, state) = try StateJournal.open(directory: directory.path)
        defer { try? reopened.close() }

        #expect(try contents(directory.file("snapshot")).count > 1 << 20)
        #expect(sorted(state) == replayed(records))
    }

    @Test func aJournalWhoseCreationWasTornStartsAfresh() throws {
        let directory = TemporaryDirectory()
        let (journal, _) = try StateJournal.open(directory: directory.path)
        try journal.close()
        try overwrite(directory.file("journal.0"), with: [UInt8](repeating: 0, count: 10))

        let (reopened, state) = try StateJournal.open(directory: directory.path)
        reopened.append(.versionRemoved("v1"))
        try reopened.close()

        #expect(state == RecoveredState())
        #expect(try contents(directory.file("journal.0")).prefix(8) == ArraySlice(StateCodec.fileMagic))
        let (again, _) = try StateJournal.open(directory: directory.path)
        try again.close()
    }

    @Test func aDamagedSnapshotIsAnError() throws {
        let directory = TemporaryDirectory()
        let (journal, _) = try StateJournal.open(directory: directory.path)
        try journal.compact { replayed([.sessionEstablished(session(1)), .sessionEstablished(session(2))]) }
        try journal.close()
        let whole = try contents(directory.file("snapshot"))
        try overwrite(directory.file("snapshot"), with: Array(whole.prefix(whole.count - 3)))

        let error = #expect(throws: StateError.self) { try StateJournal.open(directory: directory.path) }

        #expect(error?.kind == .corrupt)
        #expect(error?.file == directory.file("snapshot"))
    }

    @Test func aRecordAppendedAfterCloseIsReportedByFlush() throws {
        let directory = TemporaryDirectory()
        let (journal, _) = try StateJournal.open(directory: directory.path)
        try journal.close()
        try journal.close()

        journal.append(.versionRemoved("v1"))
        let error = #expect(throws: StateError.self) { try journal.flush() }

        #expect(error?.kind == .closed)
    }

    @Test func aSecondOpenOfTheSameDirectoryIsRefused() throws {
        let directory = TemporaryDirectory()
        let (journal, _) = try StateJournal.open(directory: directory.path)
        defer { try? journal.close() }

        let error = #expect(throws: StateError.self) { try StateJournal.open(directory: directory.path) }

        #expect(error?.kind == .inUse)
    }

    @Test func aLedgerRecordingIntoTheJournalComesBackWholeAfterACrash() throws {
        let directory = TemporaryDirectory()
        let (journal, _) = try StateJournal.open(directory: directory.path, flushInterval: 600_000)
        let ledger = SessionLedger(idleTimeout: 1_800_000, recorder: journal.append)
        for number in 0..<500 {
            let key = LedgerKey(high: UInt64(number), low: 1)
            ledger.establish(key, pin: SessionPin(version: "v\(number % 2)", backend: "b\(number % 5)"), now: 5_000)
        }
        for number in stride(from: 0, to: 500, by: 7) {
            ledger.end(LedgerKey(high: UInt64(number), low: 1))
        }
        _ = ledger.move(version: "v0") { SessionPin(version: "v2", backend: $0.backend) }
        try journal.flush()
        journal.simulateCrash()

        let (reopened, state) = try StateJournal.open(directory: directory.path)
        defer { try? reopened.close() }
        let restored = SessionLedger(idleTimeout: 1_800_000)
        restored.restore(state.sessions)

        #expect(restored.counts() == ledger.counts())
        #expect(Set(restored.snapshot()) == Set(ledger.snapshot()))
    }
}
