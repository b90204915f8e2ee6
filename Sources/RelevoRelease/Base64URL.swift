/// The URL- and cookie-safe base64 alphabet (RFC 4648 §5: `A–Z a–z 0–9 - _`), without padding.
///
/// Decoding is strict: only the alphabet, no `=`, no length of the form 4n+1, and the unused low
/// bits of the last character must be zero, so each byte string has exactly one spelling.
enum Base64URL {
    /// The characters of `bytes.count` bytes: 4 for every 3, and 2 or 3 for the 1 or 2 left over.
    static func encodedLength(of byteCount: Int) -> Int {
        (byteCount * 8 + 5) / 6
    }

    /// Appends the text of `bytes` to `text`.
    static func encode(_ bytes: UnsafeRawBufferPointer, appendingTo text: inout [UInt8]) {
        var index = 0
        while index + 3 <= bytes.count {
            let group = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            appendCharacters(of: group, count: 4, to: &text)
            index += 3
        }

        switch bytes.count - index {
        case 1: appendCharacters(of: UInt32(bytes[index]) << 16, count: 2, to: &text)
        case 2: appendCharacters(of: UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8, count: 3, to: &text)
        default: break
        }
    }

    /// Decodes `text` into `bytes`, which must hold exactly the bytes it spells; false when `text`
    /// is not the one spelling of `bytes.count` bytes.
    static func decode(_ text: UnsafeRawBufferPointer, into bytes: UnsafeMutableRawBufferPointer) -> Bool {
        guard text.count == encodedLength(of: bytes.count) else { return false }

        var bits: UInt32 = 0
        var bitCount = 0
        var written = 0
        for character in text {
            guard let value = sextet(of: character) else { return false }
            bits = bits << 6 | UInt32(value)
            bitCount += 6
            if bitCount >= 8 {
                bitCount -= 8
                bytes[written] = UInt8(truncatingIfNeeded: bits >> UInt32(bitCount))
                written += 1
            }
        }

        // The bits left over pad the last character; a canonical spelling has them zero.
        return bits & ((1 << UInt32(bitCount)) - 1) == 0
    }

    /// Appends the top `count` sextets of the 24-bit `group` (bits 23–0).
    private static func appendCharacters(of group: UInt32, count: Int, to text: inout [UInt8]) {
        for position in 0..<count {
            text.append(character(of: UInt8(truncatingIfNeeded: group >> UInt32(18 - 6 * position)) & 0x3F))
        }
    }

    /// The character of a sextet (0–63).
    private static func character(of sextet: UInt8) -> UInt8 {
        switch sextet {
        case 0..<26: 0x41 + sextet
        case 26..<52: 0x61 + sextet - 26
        case 52..<62: 0x30 + sextet - 52
        case 62: 0x2D
        default: 0x5F
        }
    }

    /// The sextet of a character of the alphabet, or nil.
    private static func sextet(of character: UInt8) -> UInt8? {
        switch character {
        case 0x41...0x5A: character - 0x41
        case 0x61...0x7A: character - 0x61 + 26
        case 0x30...0x39: character - 0x30 + 52
        case 0x2D: 62
        case 0x5F: 63
        default: nil
        }
    }
}
