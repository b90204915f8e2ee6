import COpenSSL

/// The identity relevo gives a session it issues an affinity cookie for: 128 random bits.
///
/// Its text form is 32 lower-case hexadecimal digits, the high 64 bits first. Only that form is
/// read back: upper-case digits, a prefix or any other length are refused, so each session has
/// exactly one spelling.
public struct SessionID: Hashable, Sendable, CustomStringConvertible {
    /// The first 64 bits (the first 16 hex digits).
    public var high: UInt64

    /// The last 64 bits (the last 16 hex digits).
    public var low: UInt64

    /// The hex digits in the text form.
    public static let hexLength = 32

    /// A session id with these bits.
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// A new session id from OpenSSL's random generator (`RAND_bytes`). Callable from any thread.
    public static func random() -> SessionID {
        var words: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &words) { RandomBytes.fill($0) }
        return SessionID(high: words.0, low: words.1)
    }

    /// Reads the text form: exactly 32 lower-case hex digits; nil for anything else.
    public init?(hex text: UnsafeRawBufferPointer) {
        guard text.count == Self.hexLength,
            let high = Self.word(text, from: 0),
            let low = Self.word(text, from: 16)
        else { return nil }

        self.init(high: high, low: low)
    }

    /// Reads the text form from a string; nil unless it is exactly 32 lower-case hex digits.
    public init?(hex text: String) {
        var text = text
        guard let id = text.withUTF8({ SessionID(hex: UnsafeRawBufferPointer($0)) }) else { return nil }

        self = id
    }

    /// The text form: 32 lower-case hex digits.
    public var hex: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.hexLength)
        appendHex(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The text form, as ``hex``.
    public var description: String {
        hex
    }

    /// Appends the text form to `bytes`, without allocating beyond `bytes`' own growth.
    public func appendHex(to bytes: inout [UInt8]) {
        Self.appendHex(of: high, to: &bytes)
        Self.appendHex(of: low, to: &bytes)
    }

    /// Appends the 16 hex digits of `word`, most significant first.
    private static func appendHex(of word: UInt64, to bytes: inout [UInt8]) {
        for shift in stride(from: 60, through: 0, by: -4) {
            bytes.append(hexDigit(UInt8(truncatingIfNeeded: word >> UInt64(shift)) & 0x0F))
        }
    }

    /// The lower-case hex digit of `nibble` (0–15).
    static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? 0x30 + nibble : 0x61 + nibble - 10
    }

    /// The value of a lower-case hex digit, or nil.
    static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case 0x30...0x39: digit - 0x30
        case 0x61...0x66: digit - 0x61 + 10
        default: nil
        }
    }

    /// The 64-bit word spelled by the 16 hex digits of `text` from `start`, or nil.
    private static func word(_ text: UnsafeRawBufferPointer, from start: Int) -> UInt64? {
        var word: UInt64 = 0
        for index in start..<(start + 16) {
            guard let value = hexValue(text[index]) else { return nil }
            word = word << 4 | UInt64(value)
        }
        return word
    }
}

/// Cryptographically strong random bytes, from OpenSSL's per-thread generator.
enum RandomBytes {
    /// Fills `buffer` with random bytes. Traps if OpenSSL's generator fails, which leaves relevo
    /// nothing safe to issue sessions or secrets with.
    static func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        guard let base = buffer.baseAddress else { return }

        let status = RAND_bytes(base.assumingMemoryBound(to: UInt8.self), Int32(buffer.count))
        precondition(status == 1, "OpenSSL's random generator failed (RAND_bytes)")
    }
}
