import Glibc
import RelevoIO
import Synchronization

/// relevo's state in `state_dir`, safe across `kill -9`: version states, sessions and undelivered
/// hook events, kept as a snapshot plus an append-only journal of ``StateRecord``s.
///
/// - ``append(_:)`` only queues a record in memory: callable from any thread, event loops included.
/// - A background thread writes what is queued every `flushInterval` milliseconds, as one frame
///   (`pwrite` + `fdatasync`): a crash loses at most the last interval, never what came before.
/// - ``compact(_:)`` starts a new journal, writes a snapshot of the state to a temporary file,
///   syncs it, renames it over the old one, syncs the directory, then deletes the older journals.
/// - ``open(directory:flushInterval:)`` replays snapshot and journals (``StateRecovery``: a torn
///   last flush is dropped; other damage is an error naming the file and byte offset).
///
/// Files: `snapshot` (with the generation of the first journal not in it), `journal.N` (N counts
/// compactions), `lock` (an `flock` held while open; a second relevo on the directory fails).
/// Format: ``StateCodec``. Call ``close()`` when done: the background thread holds the journal.
public final class StateJournal: Sendable {
    /// The state directory.
    public let directory: String

    /// Milliseconds between background flushes.
    private let flushInterval: Int64

    /// Records appended and not yet written, in order.
    private let pending = Mutex<[StateRecord]>([])

    /// The journal file; held while writing, so frames go out one at a time and in order.
    private let writer: Mutex<JournalWriter>

    /// Held for a whole compaction, so that compactions do not overlap.
    private let compacting = Mutex(())

    /// The last background flush's failure, cleared by a flush that succeeds.
    private let failure = Mutex<StateError?>(nil)

    /// Set to stop the background thread.
    private let stopping = Atomic<Bool>(false)

    /// The background thread, until stopped.
    private let flusher = Mutex<pthread_t?>(nil)

    /// A journal appending with `writer`; not started.
    private init(directory: String, flushInterval: Int64, writer: JournalWriter) {
        self.directory = directory
        self.flushInterval = max(1, flushInterval)
        self.writer = Mutex(writer)
    }

    /// Opens the state directory (created, mode 0700, if missing), replays what it holds, and
    /// starts appending. Blocking: call it before the event loops start.
    public static func open(
        directory: String,
        flushInterval: Int64 = 50
    ) throws(StateError) -> (StateJournal, RecoveredState) {
        try StateFiles.makeDirectory(directory)
        let lock = try StateFiles.lock(directory + "/lock")

        do throws(StateError) {
            let recovery = StateRecovery(directory: directory)
            try StateFiles.remove(recovery.snapshotPath + ".tmp")
            let outcome = try recovery.run()

            let writer = try resume(outcome, recovery: recovery, lockDescriptor: lock)
            let journal = StateJournal(directory: directory, flushInterval: flushInterval, writer: writer)
            journal.startFlusher()
            return (journal, outcome.state)
        } catch {
            Glibc.close(lock)
            throw error
        }
    }

    /// Queues `record` for the next flush. Callable from any thread; never blocks on I/O. After
    /// ``close()`` the record is dropped, and the next ``flush()`` says so.
    public func append(_ record: StateRecord) {
        pending.withLock { $0.append(record) }
    }

    /// Writes and syncs everything appended so far, on the calling thread (shutdown, tests).
    public func flush() throws(StateError) {
        _ = try writePending()
    }

    /// Replaces the snapshot and empties the journal, keeping the state identical.
    ///
    /// `takeSnapshot` is called after a new journal has started and must return the whole current
    /// state (ledger, versions, undelivered hook events): changes made meanwhile are in the new
    /// journal, and replaying them over the snapshot is harmless. Blocking: never on an event loop.
    public func compact(_ takeSnapshot: () -> RecoveredState) throws(StateError) {
        try compacting.withLock { _ throws(StateError) in
            let generation = try startNextJournal()
            let state = takeSnapshot()
            try SnapshotWriter.write(state, generation: generation, to: directory + "/snapshot", in: directory)
            try removeJournals(before: generation)
        }
    }

    /// The last background flush's failure, if the flushes since have not succeeded; the records
    /// stay queued and are retried.
    public var lastError: StateError? {
        failure.withLock { $0 }
    }

    /// Stops the background thread, writes what is queued, and closes the files (releasing the
    /// directory). Later calls do nothing.
    public func close() throws(StateError) {
        stopFlusher()
        do throws(StateError) {
            _ = try writePending()
        } catch {
            closeFiles()
            throw error
        }
        closeFiles()
    }

    /// Reopens or creates the journal to append to, cutting off a torn tail.
    private static func resume(
        _ outcome: StateRecovery.Outcome,
        recovery: StateRecovery,
        lockDescriptor: Int32
    ) throws(StateError) -> JournalWriter {
        let path = recovery.journalPath(outcome.generation)
        guard let length = outcome.validLength else {
            let descriptor = try JournalWriter.create(
                path: path, generation: outcome.generation, directory: recovery.directory)
            return JournalWriter(
                descriptor: descriptor, path: path, generation: outcome.generation,
                length: Int64(StateCodec.headerSize), lockDescriptor: lockDescriptor)
        }

        let descriptor = try StateFiles.open(path, flags: O_RDWR)
        do throws(StateError) {
            if try StateFiles.size(descriptor, path: path) > length {
                try StateFiles.truncate(descriptor, to: length, path: path)
                try StateFiles.syncData(descriptor, path: path)
            }
        } catch {
            Glibc.close(descriptor)
            throw error
        }
        return JournalWriter(
            descriptor: descriptor, path: path, generation: outcome.generation, length: length,
            lockDescriptor: lockDescriptor)
    }

    /// Writes the queued records as one frame; false if there were none. On failure they stay
    /// queued, ahead of newer ones.
    private func writePending() throws(StateError) -> Bool {
        try writer.withLock { writer throws(StateError) in
            let batch = pending.withLock { records in
                let batch = records
                records = []
                return batch
            }
            guard !batch.isEmpty else { return false }

            guard writer.descriptor >= 0 else {
                throw StateError(kind: .closed, file: writer.path, reason: "the state journal is closed")
            }

            do throws(StateError) {
                try writer.write(batch)
            } catch {
                pending.withLock { $0.insert(contentsOf: batch, at: 0) }
                throw error
            }
            return true
        }
    }

    /// Switches appending to a new, empty journal; returns its generation. The old journal's
    /// frames are all synced; records still queued go to the new one.
    private func startNextJournal() throws(StateError) -> UInt64 {
        try writer.withLock { writer throws(StateError) in
            guard writer.descriptor >= 0 else {
                throw StateError(kind: .closed, file: writer.path, reason: "the state journal is closed")
            }

            let generation = writer.generation + 1
            let path = StateRecovery(directory: directory).journalPath(generation)
            let descriptor = try JournalWriter.create(path: path, generation: generation, directory: directory)
            Glibc.close(writer.descriptor)
            writer = JournalWriter(
                descriptor: descriptor, path: path, generation: generation,
                length: Int64(StateCodec.headerSize), lockDescriptor: writer.lockDescriptor)
            return generation
        }
    }

    /// Deletes the journals older than `generation`, which the snapshot holds.
    private func removeJournals(before generation: UInt64) throws(StateError) {
        let recovery = StateRecovery(directory: directory)
        for old in try recovery.journalGenerations() where old < generation {
            try StateFiles.remove(recovery.journalPath(old))
        }
        try StateFiles.syncDirectory(directory)
    }

    /// Starts the background thread.
    private func startFlusher() {
        let thread = OSThread.start(name: "relevo-state") { [self] in
            runFlusher()
        }
        flusher.withLock { $0 = thread }
    }

    /// The background thread: a flush every `flushInterval` until stopped, which it notices within
    /// 10 ms.
    private func runFlusher() {
        let step = min(10, flushInterval)
        var waited: Int64 = 0
        while !stopping.load(ordering: .acquiring) {
            usleep(UInt32(step * 1000))
            waited += step
            guard waited >= flushInterval else { continue }

            waited = 0
            do throws(StateError) {
                if try writePending() {
                    failure.withLock { $0 = nil }
                }
            } catch {
                failure.withLock { $0 = error }
            }
        }
    }

    /// Stops the background thread and waits for it.
    private func stopFlusher() {
        stopping.store(true, ordering: .releasing)
        if let thread = flusher.withLock({ $0.take() }) {
            OSThread.join(thread)
        }
    }

    /// Closes the journal and releases the directory.
    private func closeFiles() {
        writer.withLock { writer in
            if writer.descriptor >= 0 {
                Glibc.close(writer.descriptor)
                writer.descriptor = -1
            }
            if writer.lockDescriptor >= 0 {
                Glibc.close(writer.lockDescriptor)
                writer.lockDescriptor = -1
            }
        }
    }
}

extension StateJournal {
    /// Ends the journal as `kill -9` would: no final flush, queued records lost. For tests.
    func simulateCrash() {
        stopFlusher()
        pending.withLock { $0 = [] }
        closeFiles()
    }
}
