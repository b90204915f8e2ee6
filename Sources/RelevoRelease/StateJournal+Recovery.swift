import Glibc

/// Reads a state directory back: the snapshot, then each journal from the snapshot's generation on.
///
/// Damage a crash can explain is dropped: the end of a journal from a frame that fails its check
/// to the end of the file, when no valid frame follows it (a flush that never completed; its
/// records were never acknowledged by `flush()`). Anything else fails with ``StateError`` naming
/// the file and the byte offset, rather than silently losing the records after the damage: a frame
/// that fails its check with a valid frame after it, any damage in the snapshot (it is renamed
/// into place only once synced), a journal missing from the sequence.
struct StateRecovery {
    /// What recovery found and where appending resumes.
    struct Outcome {
        /// The state replayed.
        var state: RecoveredState

        /// The newest journal's generation; appending goes on there.
        var generation: UInt64

        /// The newest journal's valid length, where appending resumes; nil if it has to be created
        /// (missing, or its header never reached the disk).
        var validLength: Int64?
    }

    /// The directory.
    let directory: String

    /// The snapshot's path.
    var snapshotPath: String {
        directory + "/snapshot"
    }

    /// The path of the journal of `generation`.
    func journalPath(_ generation: UInt64) -> String {
        directory + "/journal.\(generation)"
    }

    /// Replays the directory.
    func run() throws(StateError) -> Outcome {
        var replay = StateReplay()
        let generation = StateFiles.exists(snapshotPath) ? try readSnapshot(into: &replay) : 0

        let journals = try journalGenerations()
        for old in journals where old < generation {
            try StateFiles.remove(journalPath(old))
        }

        var outcome = Outcome(state: RecoveredState(), generation: generation, validLength: nil)
        for (index, journal) in journals.filter({ $0 >= generation }).enumerated() {
            guard journal == generation + UInt64(index) else {
                throw StateError(
                    kind: .corrupt, file: journalPath(generation + UInt64(index)),
                    reason: "missing: the journals jump to journal.\(journal)")
            }
            outcome.generation = journal
            outcome.validLength = try readJournal(journal, into: &replay)
        }

        outcome.state = replay.state()
        return outcome
    }

    /// The generations of the journal files, in order.
    func journalGenerations() throws(StateError) -> [UInt64] {
        try StateFiles.names(in: directory).compactMap { name -> UInt64? in
            guard name.hasPrefix("journal.") else { return nil }

            let digits = name.dropFirst("journal.".count)
            guard let generation = UInt64(digits), String(generation) == digits else { return nil }

            return generation
        }.sorted()
    }

    /// Replays the snapshot, which must be whole; returns its generation.
    private func readSnapshot(into replay: inout StateReplay) throws(StateError) -> UInt64 {
        let file = try StateFile(path: snapshotPath)
        defer { file.close() }

        guard let generation = try file.generation(kind: .snapshot) else {
            throw StateError(kind: .corrupt, file: snapshotPath, offset: 0, reason: "no header")
        }
        var count: UInt64 = 0
        var ended = false
        let end = try file.readFrames(allowingTornTail: false) { records, offset throws(StateError) in
            for record in records {
                guard !ended else {
                    throw StateError(
                        kind: .corrupt, file: snapshotPath, offset: offset, reason: "records after the end")
                }
                switch record {
                case .record(let record):
                    replay.apply(record)
                    count += 1
                case .snapshotEnd(let expected):
                    guard expected == count else {
                        throw StateError(
                            kind: .corrupt, file: snapshotPath, offset: offset,
                            reason: "the end record counts \(expected) records, the file holds \(count)")
                    }
                    ended = true
                }
            }
        }
        guard ended else {
            throw StateError(kind: .corrupt, file: snapshotPath, offset: end, reason: "cut short: no end record")
        }
        return generation
    }

    /// Replays journal `generation`; returns its valid length, or nil if its header is missing.
    private func readJournal(_ generation: UInt64, into replay: inout StateReplay) throws(StateError) -> Int64? {
        let path = journalPath(generation)
        let file = try StateFile(path: path)
        defer { file.close() }

        guard let written = try file.generation(kind: .journal) else {
            // Its creation was torn; only zeros may follow.
            if let later = try file.firstValidFrame(from: 0) {
                throw StateError(
                    kind: .corrupt, file: path, offset: 0,
                    reason: "no header, yet a valid frame follows at byte \(later)")
            }
            return nil
        }
        guard written == generation else {
            throw StateError(kind: .corrupt, file: path, offset: 16, reason: "its header says generation \(written)")
        }

        return try file.readFrames(allowingTornTail: true) { records, _ in
            for case .record(let record) in records {
                replay.apply(record)
            }
        }
    }
}

/// One state file open for reading, frame by frame.
struct StateFile {
    /// Its path.
    let path: String

    /// Its descriptor.
    private let descriptor: Int32

    /// Its size when opened.
    private let size: Int64

    /// Opens `path` for reading.
    init(path: String) throws(StateError) {
        self.path = path
        descriptor = try StateFiles.open(path, flags: O_RDONLY)
        do {
            size = try StateFiles.size(descriptor, path: path)
        } catch {
            Glibc.close(descriptor)
            throw error
        }
    }

    /// Closes it.
    func close() {
        Glibc.close(descriptor)
    }

    /// The generation in its header (see ``StateCodec/generation(ofHeader:kind:in:)``).
    func generation(kind: StateCodec.FileKind) throws(StateError) -> UInt64? {
        let header = try StateFiles.read(descriptor, count: StateCodec.headerSize, at: 0, path: path)
        return try StateCodec.generation(ofHeader: header, kind: kind, in: path)
    }

    /// Hands each valid frame's records, and the frame's offset, to `body`; returns where the valid
    /// frames end. A damaged frame with nothing valid after it is a torn tail: dropped if allowed.
    func readFrames(
        allowingTornTail: Bool,
        _ body: ([StateCodec.Decoded], Int64) throws(StateError) -> Void
    ) throws(StateError) -> Int64 {
        var offset = Int64(StateCodec.headerSize)
        while offset < size {
            if let payload = try frame(at: offset) {
                try body(try StateCodec.decode(payload: payload, at: offset + 12, in: path), offset)
                offset += Int64(StateCodec.frameHeaderSize + payload.count)
                continue
            }

            if let later = try firstValidFrame(from: offset + 1) {
                throw StateError(
                    kind: .corrupt, file: path, offset: offset,
                    reason: "a frame fails its checksum and a valid frame follows at byte \(later)")
            }
            guard allowingTornTail else {
                throw StateError(kind: .corrupt, file: path, offset: offset, reason: "a frame is damaged or cut short")
            }
            return offset
        }
        return offset
    }

    /// The payload of the frame at `offset` if it is whole and passes its check.
    private func frame(at offset: Int64) throws(StateError) -> [UInt8]? {
        let header = try StateFiles.read(descriptor, count: StateCodec.frameHeaderSize, at: offset, path: path)
        guard header.count == StateCodec.frameHeaderSize, StateCodec.u32(header, at: 0) == StateCodec.frameMagic else {
            return nil
        }

        let length = StateCodec.u32(header, at: 4)
        guard length > 0, length <= StateCodec.maxFrameLength,
            offset + Int64(StateCodec.frameHeaderSize) + Int64(length) <= size
        else { return nil }

        let payload = try StateFiles.read(descriptor, count: Int(length), at: offset + 12, path: path)
        let crc = payload.withUnsafeBytes { StateCodec.frameChecksum(length: length, payload: $0) }
        return crc == StateCodec.u32(header, at: 8) ? payload : nil
    }

    /// The offset of the first valid frame at or after `start`, if any. Reads the rest of the file
    /// into memory: only for damaged files.
    func firstValidFrame(from start: Int64) throws(StateError) -> Int64? {
        guard start < size else { return nil }

        let rest = try StateFiles.read(descriptor, count: Int(size - start), at: start, path: path)
        let headerSize = StateCodec.frameHeaderSize
        var index = 0
        while index + headerSize <= rest.count {
            defer { index += 1 }
            guard StateCodec.u32(rest, at: index) == StateCodec.frameMagic else { continue }

            let length = Int(StateCodec.u32(rest, at: index + 4))
            guard length > 0, length <= rest.count - index - headerSize else { continue }

            let crc = rest.withUnsafeBytes { raw in
                StateCodec.frameChecksum(
                    length: UInt32(length),
                    payload: UnsafeRawBufferPointer(rebasing: raw[(index + headerSize)..<(index + headerSize + length)])
                )
            }
            if crc == StateCodec.u32(rest, at: index + 8) {
                return start + Int64(index)
            }
        }
        return nil
    }
}
