/// The 128-bit key a ``SessionLedger`` files a session under: relevo's session id, or a digest of
/// the application's session cookie. Sixteen bytes, with no heap storage.
public struct LedgerKey: Hashable, Sendable, CustomStringConvertible {
    /// The first 64 bits.
    public var high: UInt64

    /// The last 64 bits.
    public var low: UInt64

    /// A key with these bits.
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// The shard, of `count`, this key belongs to: the top bits of its seeded hash (tables use the
    /// low bits), so that no choice of keys can pile them into one shard.
    @inline(__always)
    func shard(of count: Int) -> Int {
        let hash = UInt64(UInt(bitPattern: hashValue))
        return Int(truncatingIfNeeded: hash.multipliedFullWidth(by: UInt64(count)).high)
    }

    /// 32 lower-case hex digits, the high bits first, for logs.
    public var description: String {
        Self.hex(high) + Self.hex(low)
    }

    /// `word` as 16 hex digits, zero-padded.
    private static func hex(_ word: UInt64) -> String {
        let digits = String(word, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

/// One live session as snapshots and the state directory hold it.
public struct LedgerRecord: Sendable, Hashable {
    /// The session's key.
    public var key: LedgerKey

    /// Its version and backend.
    public var pin: SessionPin

    /// When it was established, in milliseconds of the ledger's clock.
    public var createdAt: Int64

    /// When a request of it was last seen, in milliseconds of the ledger's clock.
    public var lastSeen: Int64

    /// Creates a record.
    public init(key: LedgerKey, pin: SessionPin, createdAt: Int64, lastSeen: Int64) {
        self.key = key
        self.pin = pin
        self.createdAt = createdAt
        self.lastSeen = lastSeen
    }
}

/// Live sessions counted per version and per backend, exact at the moment each shard was read.
public struct LedgerCounts: Sendable, Hashable {
    /// Live sessions per version name; versions with none are absent.
    public var sessionsPerVersion: [String: Int]

    /// Live sessions per version and backend; pins with none are absent.
    public var sessionsPerBackend: [SessionPin: Int]

    /// Per version, when its oldest live session was established, in milliseconds of the ledger's
    /// clock, rounded down to the minute: how far its drain has to go.
    public var oldestSessionPerVersion: [String: Int64]

    /// Every live session.
    public var total: Int

    /// Counts of an empty ledger.
    public init() {
        sessionsPerVersion = [:]
        sessionsPerBackend = [:]
        oldestSessionPerVersion = [:]
        total = 0
    }

    /// Live sessions of `version` (0 if none).
    public func sessions(of version: String) -> Int {
        sessionsPerVersion[version] ?? 0
    }
}

/// A moment as the ledger compares and stores it: `second` (rounded down) to decide what has
/// expired, `seen` (rounded up) to store as a session's last-seen or creation time.
struct LedgerNow {
    /// The current second, rounded down.
    let second: UInt32

    /// The current second, rounded up.
    let seen: UInt32

    /// The moment `milliseconds`.
    @inline(__always)
    init(_ milliseconds: Int64) {
        second = LedgerSeconds.down(milliseconds)
        seen = LedgerSeconds.up(milliseconds)
    }
}

/// The ledger's time unit: whole seconds as `UInt32` (four bytes per stored time, good until
/// 2106 on the Unix epoch), converted from and to the milliseconds of its API.
///
/// Times a session *was seen* round up and the current time rounds down, so a session never ends
/// before its timeout; it ends less than a second after it, plus the period of ``SessionLedger/expire(now:)``.
enum LedgerSeconds {
    /// `milliseconds` rounded up to a second, clamped to `UInt32`.
    @inline(__always)
    static func up(_ milliseconds: Int64) -> UInt32 {
        clamp(milliseconds <= 0 ? 0 : (milliseconds - 1) / 1000 + 1)
    }

    /// `milliseconds` rounded down to a second, clamped to `UInt32`.
    @inline(__always)
    static func down(_ milliseconds: Int64) -> UInt32 {
        clamp(milliseconds <= 0 ? 0 : milliseconds / 1000)
    }

    /// `seconds` in milliseconds.
    @inline(__always)
    static func milliseconds(_ seconds: UInt32) -> Int64 {
        Int64(seconds) * 1000
    }

    /// `seconds + duration`, saturating at `UInt32.max`.
    @inline(__always)
    static func adding(_ seconds: UInt32, _ duration: UInt32) -> UInt32 {
        let (sum, overflow) = seconds.addingReportingOverflow(duration)
        return overflow ? .max : sum
    }

    /// `value` within `0...UInt32.max`.
    @inline(__always)
    private static func clamp(_ value: Int64) -> UInt32 {
        UInt32(clamping: value)
    }
}
