import Glibc

/// The journal being appended to: one flush is one frame, written with `pwrite` at the synced end
/// and made durable with `fdatasync`. Owned by ``StateJournal``'s writer lock.
struct JournalWriter {
    /// Its descriptor; -1 once the journal is closed.
    var descriptor: Int32

    /// Its path.
    var path: String

    /// Its generation.
    var generation: UInt64

    /// Bytes written and synced: where the next frame goes.
    var length: Int64

    /// The flock on the state directory, released by closing it; -1 once closed.
    var lockDescriptor: Int32

    /// The frame being built, kept between flushes to save allocations.
    private var buffer: [UInt8] = []

    /// A writer appending to `descriptor` at `length`.
    init(descriptor: Int32, path: String, generation: UInt64, length: Int64, lockDescriptor: Int32) {
        self.descriptor = descriptor
        self.path = path
        self.generation = generation
        self.length = length
        self.lockDescriptor = lockDescriptor
    }

    /// Creates journal `generation` at `path` (replacing any file there) with its header, synced,
    /// along with the directory entry; returns its descriptor.
    static func create(path: String, generation: UInt64, directory: String) throws(StateError) -> Int32 {
        let descriptor = try StateFiles.open(path, flags: O_RDWR | O_CREAT | O_TRUNC)
        do throws(StateError) {
            try StateFiles.write(
                descriptor, StateCodec.header(kind: .journal, generation: generation), at: 0, path: path)
            try StateFiles.syncData(descriptor, path: path)
            try StateFiles.syncDirectory(directory)
        } catch {
            close(descriptor)
            throw error
        }
        return descriptor
    }

    /// Writes `records` as one frame and syncs it. On failure the file is cut back to what was
    /// synced, so that no partial frame lies before the next one; the caller keeps the records.
    mutating func write(_ records: [StateRecord]) throws(StateError) {
        buffer.removeAll(keepingCapacity: true)
        let start = StateCodec.startFrame(in: &buffer)
        for record in records {
            StateCodec.encode(record, into: &buffer)
        }
        StateCodec.finishFrame(in: &buffer, from: start)

        do throws(StateError) {
            try StateFiles.write(descriptor, buffer, at: length, path: path)
            try StateFiles.syncData(descriptor, path: path)
        } catch {
            // If this fails too, the next frame overwrites the same bytes and is at least as long.
            try? StateFiles.truncate(descriptor, to: length, path: path)
            throw error
        }

        length += Int64(buffer.count)
        if buffer.capacity > 1 << 20 {
            buffer = []
        }
    }
}

/// Writes a snapshot to a temporary file in frames of about 1 MiB, then renames it into place.
struct SnapshotWriter {
    /// The size past which a frame is written out.
    private static let frameTarget = 1 << 20

    /// The temporary file's descriptor.
    private let descriptor: Int32

    /// The temporary file's path.
    private let path: String

    /// Bytes not written yet, from the start of the current frame.
    private var buffer: [UInt8]

    /// Where the current frame starts in ``buffer``.
    private var frameStart: Int

    /// Bytes written so far.
    private var offset: Int64 = 0

    /// Records added so far.
    private var count: UInt64 = 0

    /// Starts snapshot `generation` in temporary file `path`.
    init(path: String, generation: UInt64) throws(StateError) {
        self.path = path
        descriptor = try StateFiles.open(path, flags: O_WRONLY | O_CREAT | O_TRUNC)
        buffer = StateCodec.header(kind: .snapshot, generation: generation)
        frameStart = StateCodec.startFrame(in: &buffer)
    }

    /// Writes all of `state`, syncs it, and renames it over `destination`; then syncs `directory`.
    static func write(
        _ state: RecoveredState,
        generation: UInt64,
        to destination: String,
        in directory: String
    ) throws(StateError) {
        var writer = try SnapshotWriter(path: destination + ".tmp", generation: generation)
        defer { close(writer.descriptor) }

        for version in state.versions {
            try writer.add(.versionState(version))
        }
        for session in state.sessions {
            try writer.add(.sessionEstablished(session))
        }
        for event in state.hookEvents {
            try writer.add(.hookEvent(event))
        }
        try writer.finish()
        try StateFiles.rename(writer.path, to: destination)
        try StateFiles.syncDirectory(directory)
    }

    /// Adds `record`, writing the frame out once it is big enough.
    private mutating func add(_ record: StateRecord) throws(StateError) {
        StateCodec.encode(record, into: &buffer)
        count += 1
        if buffer.count - frameStart >= Self.frameTarget {
            try writeFrame()
        }
    }

    /// Writes the last records and the end frame, and syncs the file.
    private mutating func finish() throws(StateError) {
        if buffer.count - frameStart > StateCodec.frameHeaderSize {
            try writeFrame()
        }
        StateCodec.encodeSnapshotEnd(count: count, into: &buffer)
        try writeFrame()
        try StateFiles.syncData(descriptor, path: path)
    }

    /// Finishes the current frame, writes out the buffer and starts the next frame.
    private mutating func writeFrame() throws(StateError) {
        StateCodec.finishFrame(in: &buffer, from: frameStart)
        try StateFiles.write(descriptor, buffer, at: offset, path: path)
        offset += Int64(buffer.count)
        buffer.removeAll(keepingCapacity: true)
        frameStart = StateCodec.startFrame(in: &buffer)
    }
}
