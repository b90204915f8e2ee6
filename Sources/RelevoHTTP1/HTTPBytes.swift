/// The bytes and byte classes of HTTP/1.1's grammar (RFC 9110 §5.6, RFC 9112, RFC 3986).
///
/// Tokens, the hottest class (every field name), are looked up in a 256-byte table. The rarer
/// classes of 7-bit characters are 128-bit sets held in two `UInt64` masks, so a test costs a
/// shift and an `and`. Bytes from 0x80 up belong to none of these classes.
enum HTTPBytes {
    /// Carriage return, `\r`.
    static let cr: UInt8 = 0x0D

    /// Line feed, `\n`.
    static let lf: UInt8 = 0x0A

    /// Space.
    static let space: UInt8 = 0x20

    /// Horizontal tab.
    static let tab: UInt8 = 0x09

    /// `:`.
    static let colon: UInt8 = 0x3A

    /// `,`.
    static let comma: UInt8 = 0x2C

    /// `;`.
    static let semicolon: UInt8 = 0x3B

    /// `=`.
    static let equals: UInt8 = 0x3D

    /// `"`.
    static let quote: UInt8 = 0x22

    /// `\`.
    static let backslash: UInt8 = 0x5C

    /// `/`.
    static let slash: UInt8 = 0x2F

    /// `?`.
    static let question: UInt8 = 0x3F

    /// `#`.
    static let hash: UInt8 = 0x23

    /// `*`.
    static let asterisk: UInt8 = 0x2A

    /// `%`.
    static let percent: UInt8 = 0x25

    /// `[`.
    static let openBracket: UInt8 = 0x5B

    /// `]`.
    static let closeBracket: UInt8 = 0x5D

    /// `0`.
    static let zero: UInt8 = 0x30

    /// Whether `byte` is in the set given by `low` (bytes 0–63) and `high` (bytes 64–127).
    @inline(__always)
    static func isMember(_ byte: UInt8, low: UInt64, high: UInt64) -> Bool {
        let mask = byte < 64 ? low : byte < 128 ? high : 0
        return (mask &>> UInt64(byte & 63)) & 1 != 0
    }

    /// `tchar`: the characters of a token, such as a method or a field name.
    @inline(__always)
    static func isToken(_ byte: UInt8) -> Bool {
        tokenTable.withUnsafeBufferPointer { $0[Int(byte)] } != 0
    }

    /// 1 at the index of every `tchar`, 0 elsewhere.
    private static let tokenTable: [UInt8] = [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 1, 0, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,
        0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ]

    /// RFC 3986's `unreserved` and `sub-delims`: what a host name may hold besides `%XX`.
    @inline(__always)
    static func isRegName(_ byte: UInt8) -> Bool {
        isMember(byte, low: 0x2BFF_7FD2_0000_0000, high: 0x47FF_FFFE_87FF_FFFE)
    }

    /// `HEXDIG`, either case.
    @inline(__always)
    static func isHexDigit(_ byte: UInt8) -> Bool {
        isMember(byte, low: 0x03FF_0000_0000_0000, high: 0x0000_007E_0000_007E)
    }

    /// `DIGIT`.
    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool {
        byte &- 0x30 < 10
    }

    /// Space or horizontal tab: optional whitespace.
    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == space || byte == tab
    }

    /// A byte a field value or reason phrase may hold: HTAB, SP, `VCHAR` and `obs-text`.
    @inline(__always)
    static func isFieldContent(_ byte: UInt8) -> Bool {
        (byte >= 0x20 && byte != 0x7F) || byte == tab
    }

    /// A byte a request target may hold: visible ASCII except `#`.
    @inline(__always)
    static func isTargetCharacter(_ byte: UInt8) -> Bool {
        byte &- 0x21 < 0x5E && byte != hash
    }

    /// `qdtext`: a byte a quoted string may hold unescaped.
    @inline(__always)
    static func isQuotedText(_ byte: UInt8) -> Bool {
        isFieldContent(byte) && byte != quote && byte != backslash
    }

    /// Whether any of the eight bytes of `word` is a control byte (below 0x20) or DEL.
    ///
    /// Exact as a test of the whole word (the classic "has less than" bit trick), so a field value
    /// can be skipped eight bytes at a time until a tab, a CR or a bad byte is near.
    @inline(__always)
    static func hasControlByte(_ word: UInt64) -> Bool {
        let below = (word &- 0x2020_2020_2020_2020) & ~word & 0x8080_8080_8080_8080
        let flipped = word ^ 0x7F7F_7F7F_7F7F_7F7F
        let delete = (flipped &- 0x0101_0101_0101_0101) & ~flipped & 0x8080_8080_8080_8080
        return below | delete != 0
    }

    /// ASCII lower case of `byte`; other bytes unchanged.
    @inline(__always)
    static func lowercased(_ byte: UInt8) -> UInt8 {
        byte &- 0x41 < 26 ? byte | 0x20 : byte
    }

    /// The value of a hexadecimal digit, which the caller has checked.
    @inline(__always)
    static func hexValue(_ byte: UInt8) -> Int {
        isDigit(byte) ? Int(byte &- 0x30) : Int((byte | 0x20) &- 0x61 &+ 10)
    }
}

extension UnsafeRawPointer {
    /// The byte at `offset`, read without any bounds check: callers prove the offset is in range.
    @inline(__always)
    subscript(byte offset: Int) -> UInt8 {
        load(fromByteOffset: offset, as: UInt8.self)
    }

    /// Whether the `count` bytes at `offset` equal `lowercase` (written in lower case), ignoring ASCII case.
    @inline(__always)
    func equalsIgnoringCase(at offset: Int, count: Int, _ lowercase: StaticString) -> Bool {
        guard count == lowercase.utf8CodeUnitCount else { return false }
        let literal = lowercase.utf8Start
        var index = 0
        while index < count {
            guard HTTPBytes.lowercased(self[byte: offset &+ index]) == literal[index] else { return false }
            index &+= 1
        }
        return true
    }

    /// Whether the `count` bytes at `offset` are exactly `text`.
    @inline(__always)
    func equals(at offset: Int, count: Int, _ text: StaticString) -> Bool {
        guard count == text.utf8CodeUnitCount else { return false }
        let literal = text.utf8Start
        var index = 0
        while index < count {
            guard self[byte: offset &+ index] == literal[index] else { return false }
            index &+= 1
        }
        return true
    }

    /// Whether two runs of `count` bytes are equal ignoring ASCII case.
    @inline(__always)
    func equalsIgnoringCase(at offset: Int, _ otherOffset: Int, count: Int) -> Bool {
        var index = 0
        while index < count {
            let first = HTTPBytes.lowercased(self[byte: offset &+ index])
            guard first == HTTPBytes.lowercased(self[byte: otherOffset &+ index]) else { return false }
            index &+= 1
        }
        return true
    }
}
