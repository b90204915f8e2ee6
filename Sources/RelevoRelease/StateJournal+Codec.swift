/// The byte format of the state directory's files; all integers little-endian.
///
/// ```
/// file   = header frame*
/// header = "RELEVOST" format:u32(=1) kind:u32(1 journal, 2 snapshot) generation:u64     24 bytes
/// frame  = magic:u32("RLVF") length:u32 crc:u32 payload                               12 + length
///          crc = CRC-32 (IEEE) of the length's 4 bytes and the payload
/// payload = (size:u32 tag:u8 fields)+                      size counts the tag and the fields
/// ```
///
/// A journal frame is one flush: everything appended since the previous one, written with one
/// `pwrite` and one `fdatasync`. The frame, not the record, is the unit a crash can tear, since
/// the kernel may persist any subset of a write's pages; so the checksum covers the frame. A
/// snapshot's last frame holds only an end record with the number of records before it.
///
/// Record fields, by tag: 1 session established `high:u64 low:u64 createdAt:i64 lastSeen:i64
/// version:str backend:str`; 2 session ended `high:u64 low:u64`; 3 version state `name:str
/// state:u8 since:i64`; 4 version removed `name:str`; 5 hook event `id:u64 version:str
/// payload:str`; 6 hook acknowledged `id:u64`; 255 snapshot end `count:u64`. `str` is a `u32`
/// byte count and UTF-8 bytes. States: 1 candidate, 2 live, 3 draining, 4 drained, 5 rejected.
enum StateCodec {
    /// The file header's size.
    static let headerSize = 24

    /// A frame header's size.
    static let frameHeaderSize = 12

    /// The largest frame payload a reader accepts; longer lengths are damage.
    static let maxFrameLength = 1 << 30

    /// The first eight header bytes.
    static let fileMagic: [UInt8] = Array("RELEVOST".utf8)

    /// The format version written and read.
    static let formatVersion: UInt32 = 1

    /// The first four bytes of every frame, "RLVF".
    static let frameMagic: UInt32 = 0x4656_4C52

    /// The tag of a snapshot's end record.
    static let snapshotEndTag: UInt8 = 255

    /// What a file is, as its header says.
    enum FileKind: UInt32 {
        /// `journal.N`: frames appended by flushes.
        case journal = 1

        /// `snapshot`: the whole state, ending with an end record.
        case snapshot = 2
    }

    /// A record as read back: a state record, or a snapshot's end.
    enum Decoded: Equatable {
        /// A state record.
        case record(StateRecord)

        /// A snapshot's end, with the number of records before it.
        case snapshotEnd(count: UInt64)
    }

    /// The 24-byte header of a file of `kind` and `generation`.
    static func header(kind: FileKind, generation: UInt64) -> [UInt8] {
        var bytes = fileMagic
        bytes.append(littleEndian: formatVersion)
        bytes.append(littleEndian: kind.rawValue)
        bytes.append(littleEndian: generation)
        return bytes
    }

    /// Starts a frame at the end of `bytes`; returns where it starts, for ``finishFrame(in:from:)``.
    static func startFrame(in bytes: inout [UInt8]) -> Int {
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: frameHeaderSize))
        return start
    }

    /// Fills in the header of the frame started at `start`, now that its payload follows it.
    static func finishFrame(in bytes: inout [UInt8], from start: Int) {
        let length = UInt32(bytes.count - start - frameHeaderSize)
        bytes.store(littleEndian: frameMagic, at: start)
        bytes.store(littleEndian: length, at: start + 4)
        let crc = bytes.withUnsafeBytes { raw in
            frameChecksum(length: length, payload: UnsafeRawBufferPointer(rebasing: raw[(start + frameHeaderSize)...]))
        }
        bytes.store(littleEndian: crc, at: start + 8)
    }

    /// Appends `record` to a frame's payload.
    static func encode(_ record: StateRecord, into bytes: inout [UInt8]) {
        let start = bytes.count
        bytes.append(littleEndian: UInt32(0))
        encodeFields(of: record, into: &bytes)
        bytes.store(littleEndian: UInt32(bytes.count - start - 4), at: start)
    }

    /// Appends a snapshot's end record.
    static func encodeSnapshotEnd(count: UInt64, into bytes: inout [UInt8]) {
        bytes.append(littleEndian: UInt32(9))
        bytes.append(snapshotEndTag)
        bytes.append(littleEndian: count)
    }

    /// The records of a frame's `payload`, which starts at byte `offset` of `file`.
    static func decode(payload: [UInt8], at offset: Int64, in file: String) throws(StateError) -> [Decoded] {
        var reader = Reader(bytes: payload)
        var records: [Decoded] = []
        while !reader.isAtEnd {
            let start = reader.position
            do {
                reader.removeLimit()
                let size = Int(try reader.u32())
                let end = try reader.limit(size)
                records.append(try decodeFields(&reader))
                guard reader.position == end else { throw Reader.Overrun() }
            } catch {
                throw StateError(
                    kind: .corrupt, file: file, offset: offset + Int64(start),
                    reason: "a record inside a checksummed frame does not decode (format version mismatch?)")
            }
        }
        return records
    }

    /// Appends the tag and fields of `record`.
    private static func encodeFields(of record: StateRecord, into bytes: inout [UInt8]) {
        switch record {
        case .sessionEstablished(let session):
            bytes.append(1)
            bytes.append(littleEndian: session.key.high)
            bytes.append(littleEndian: session.key.low)
            bytes.append(littleEndian: UInt64(bitPattern: session.createdAt))
            bytes.append(littleEndian: UInt64(bitPattern: session.lastSeen))
            bytes.append(string: session.pin.version)
            bytes.append(string: session.pin.backend)
        case .sessionEnded(let key):
            bytes.append(2)
            bytes.append(littleEndian: key.high)
            bytes.append(littleEndian: key.low)
        case .versionState(let version):
            bytes.append(3)
            bytes.append(string: version.name)
            bytes.append(stateCode(version.state))
            bytes.append(littleEndian: UInt64(bitPattern: version.since))
        case .versionRemoved(let name):
            bytes.append(4)
            bytes.append(string: name)
        case .hookEvent(let event):
            bytes.append(5)
            bytes.append(littleEndian: event.id)
            bytes.append(string: event.version)
            bytes.append(string: event.payload)
        case .hookAcknowledged(let id):
            bytes.append(6)
            bytes.append(littleEndian: id)
        }
    }

    /// Reads a tag and its fields.
    private static func decodeFields(_ reader: inout Reader) throws(Reader.Overrun) -> Decoded {
        switch try reader.u8() {
        case 1:
            let key = LedgerKey(high: try reader.u64(), low: try reader.u64())
            let createdAt = Int64(bitPattern: try reader.u64())
            let lastSeen = Int64(bitPattern: try reader.u64())
            let pin = SessionPin(version: try reader.string(), backend: try reader.string())
            return .record(
                .sessionEstablished(LedgerRecord(key: key, pin: pin, createdAt: createdAt, lastSeen: lastSeen)))
        case 2:
            return .record(.sessionEnded(LedgerKey(high: try reader.u64(), low: try reader.u64())))
        case 3:
            let name = try reader.string()
            guard let state = state(code: try reader.u8()) else { throw Reader.Overrun() }
            return .record(
                .versionState(VersionRecord(name: name, state: state, since: Int64(bitPattern: try reader.u64()))))
        case 4:
            return .record(.versionRemoved(try reader.string()))
        case 5:
            let id = try reader.u64()
            return .record(.hookEvent(HookEvent(id: id, version: try reader.string(), payload: try reader.string())))
        case 6:
            return .record(.hookAcknowledged(try reader.u64()))
        case snapshotEndTag:
            return .snapshotEnd(count: try reader.u64())
        default:
            throw Reader.Overrun()
        }
    }

    /// The stored code of a version state; fixed, whatever the order of the enum's cases.
    private static func stateCode(_ state: VersionState) -> UInt8 {
        switch state {
        case .candidate: 1
        case .live: 2
        case .draining: 3
        case .drained: 4
        case .rejected: 5
        }
    }

    /// The version state of a stored code, or nil.
    private static func state(code: UInt8) -> VersionState? {
        VersionState.allCases.first { stateCode($0) == code }
    }
}

extension StateCodec {
    /// Reads little-endian integers and strings from bytes, refusing to read past its limit.
    struct Reader {
        /// Reading past the limit, or a value that makes no sense.
        struct Overrun: Error {}

        /// The bytes.
        private let bytes: [UInt8]

        /// Where the next read starts.
        private(set) var position = 0

        /// Where reading stops: the end of the bytes, or of the current record.
        private var end: Int

        /// A reader of `bytes`, from the start.
        init(bytes: [UInt8]) {
            self.bytes = bytes
            end = bytes.count
        }

        /// Whether everything has been read.
        var isAtEnd: Bool {
            position >= bytes.count
        }

        /// Lets reading go `count` bytes further and no more; returns that limit.
        mutating func limit(_ count: Int) throws(Overrun) -> Int {
            guard count <= bytes.count - position else { throw Overrun() }

            end = position + count
            return end
        }

        /// Lets reading go to the end of the bytes again.
        mutating func removeLimit() {
            end = bytes.count
        }

        /// One byte.
        mutating func u8() throws(Overrun) -> UInt8 {
            bytes[try advance(1)]
        }

        /// A little-endian `UInt32`.
        mutating func u32() throws(Overrun) -> UInt32 {
            StateCodec.u32(bytes, at: try advance(4))
        }

        /// A little-endian `UInt64`.
        mutating func u64() throws(Overrun) -> UInt64 {
            StateCodec.u64(bytes, at: try advance(8))
        }

        /// A `u32` byte count and that many UTF-8 bytes.
        mutating func string() throws(Overrun) -> String {
            let count = Int(try u32())
            let start = try advance(count)
            return String(decoding: bytes[start..<(start + count)], as: UTF8.self)
        }

        /// Moves past `count` bytes; returns where they start.
        private mutating func advance(_ count: Int) throws(Overrun) -> Int {
            guard count <= end - position else { throw Overrun() }

            let start = position
            position += count
            return start
        }
    }
}

extension [UInt8] {
    /// Appends `value`, little-endian.
    fileprivate mutating func append<T: FixedWidthInteger>(littleEndian value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    /// Appends a `u32` byte count and the UTF-8 bytes of `string`.
    fileprivate mutating func append(string: String) {
        var string = string
        string.withUTF8 { utf8 in
            append(littleEndian: UInt32(utf8.count))
            append(contentsOf: utf8)
        }
    }

    /// Overwrites the bytes at `index` with `value`, little-endian.
    fileprivate mutating func store<T: FixedWidthInteger>(littleEndian value: T, at index: Int) {
        Swift.withUnsafeBytes(of: value.littleEndian) { raw in
            for (offset, byte) in raw.enumerated() {
                self[index + offset] = byte
            }
        }
    }
}

extension StateCodec {
    /// CRC-32 as in zlib and Ethernet (IEEE 802.3, reflected, polynomial 0xEDB88320), fed in parts.
    struct CRC32 {
        /// The byte-at-a-time table.
        private static let table: [UInt32] = (0..<256).map { index in
            (0..<8).reduce(UInt32(index)) { crc, _ in crc & 1 == 1 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1 }
        }

        /// The running register.
        private var register: UInt32 = 0xFFFF_FFFF

        /// The checksum of the bytes fed so far.
        var checksum: UInt32 {
            register ^ 0xFFFF_FFFF
        }

        /// Feeds `bytes`.
        mutating func update(_ bytes: UnsafeRawBufferPointer) {
            var register = register
            Self.table.withUnsafeBufferPointer { table in
                for byte in bytes {
                    register = table[Int((register ^ UInt32(byte)) & 0xFF)] ^ (register >> 8)
                }
            }
            self.register = register
        }
    }

    /// The checksum of a frame: its length field's four bytes, then its payload.
    static func frameChecksum(length: UInt32, payload: UnsafeRawBufferPointer) -> UInt32 {
        var crc = CRC32()
        withUnsafeBytes(of: length.littleEndian) { crc.update($0) }
        crc.update(payload)
        return crc.checksum
    }

    /// The little-endian `UInt32` at `index` of `bytes`.
    static func u32(_ bytes: [UInt8], at index: Int) -> UInt32 {
        precondition(index >= 0 && index + 4 <= bytes.count, "reading past the end of a state file's bytes")
        return UInt32(littleEndian: bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: index, as: UInt32.self) })
    }

    /// The little-endian `UInt64` at `index` of `bytes`.
    static func u64(_ bytes: [UInt8], at index: Int) -> UInt64 {
        precondition(index >= 0 && index + 8 <= bytes.count, "reading past the end of a state file's bytes")
        return UInt64(littleEndian: bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: index, as: UInt64.self) })
    }

    /// The generation a file header gives, checking it is relevo's and of `kind`; nil if the header
    /// is missing (a file shorter than a header, or a header of zeros: its creation was torn).
    static func generation(ofHeader bytes: [UInt8], kind: FileKind, in file: String) throws(StateError) -> UInt64? {
        guard bytes.count >= headerSize, bytes.contains(where: { $0 != 0 }) else { return nil }

        guard Array(bytes[0..<8]) == fileMagic else {
            throw StateError(kind: .corrupt, file: file, offset: 0, reason: "not a relevo state file")
        }
        let version = u32(bytes, at: 8)
        guard version == formatVersion else {
            throw StateError(
                kind: .corrupt, file: file, offset: 8,
                reason: "format version \(version); this relevo reads version \(formatVersion)")
        }
        guard u32(bytes, at: 12) == kind.rawValue else {
            throw StateError(kind: .corrupt, file: file, offset: 12, reason: "not a \(kind) file")
        }
        return u64(bytes, at: 16)
    }
}
