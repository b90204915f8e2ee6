import Testing

@testable import RelevoHTTP1

@Suite("HTTPBytes classifies every byte as the grammar says")
struct HTTPBytesTests {
    private static let tokenSymbols = Set("!#$%&'*+-.^_`|~".utf8)
    private static let subDelimiters = Set("!$&'()*+,;=".utf8)

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }

    @Test func tokenCharactersAreAlphanumericsAndTheListedSymbols() {
        for byte in UInt8.min...UInt8.max {
            let expected = Self.isAlphanumeric(byte) || Self.tokenSymbols.contains(byte)
            #expect(HTTPBytes.isToken(byte) == expected, "byte \(byte)")
        }
    }

    @Test func registeredNameCharactersAreUnreservedAndSubDelimiters() {
        for byte in UInt8.min...UInt8.max {
            let expected =
                Self.isAlphanumeric(byte) || Set("-._~".utf8).contains(byte) || Self.subDelimiters.contains(byte)
            #expect(HTTPBytes.isRegName(byte) == expected, "byte \(byte)")
        }
    }

    @Test func hexDigitsAreDigitsAndAToFEitherCase() {
        for byte in UInt8.min...UInt8.max {
            let expected = Set("0123456789abcdefABCDEF".utf8).contains(byte)
            #expect(HTTPBytes.isHexDigit(byte) == expected, "byte \(byte)")
            if expected {
                #expect(HTTPBytes.hexValue(byte) == Int(String(UnicodeScalar(byte)), radix: 16))
            }
        }
    }

    @Test func fieldContentIsEverythingButControlBytesOtherThanTabAndDEL() {
        for byte in UInt8.min...UInt8.max {
            let expected = byte == 0x09 || (byte >= 0x20 && byte != 0x7F)
            #expect(HTTPBytes.isFieldContent(byte) == expected, "byte \(byte)")
            #expect(HTTPBytes.isTargetCharacter(byte) == ((0x21...0x7E).contains(byte) && byte != 0x23), "byte \(byte)")
        }
    }

    @Test func aWordHasAControlByteExactlyWhenOneOfItsBytesIs() {
        var generator = SeededGenerator(seed: 42)
        for _ in 0..<20_000 {
            var word = generator.next()
            if Bool.random(using: &generator) {
                // Printable words with a few bytes near the class boundaries exercise the borrows.
                word = 0x4141_4141_4141_4141
                for _ in 0..<Int.random(in: 1...3, using: &generator) {
                    let shift = UInt64.random(in: 0..<8, using: &generator) * 8
                    let byte = [0x00, 0x09, 0x0D, 0x1F, 0x20, 0x21, 0x7E, 0x7F, 0x80, 0xFF].randomElement(
                        using: &generator)!
                    word = (word & ~(UInt64(0xFF) << shift)) | (UInt64(byte) << shift)
                }
            }
            let expected = (0..<8).contains { index in
                let byte = UInt8(truncatingIfNeeded: word >> (UInt64(index) * 8))
                return byte < 0x20 || byte == 0x7F
            }
            #expect(HTTPBytes.hasControlByte(word) == expected, "word \(String(word, radix: 16))")
        }
    }

    @Test func everySingleByteInEveryPositionIsClassified() {
        for position in 0..<8 {
            for byte in UInt8.min...UInt8.max {
                let shift = UInt64(position * 8)
                let word = (0x6161_6161_6161_6161 & ~(UInt64(0xFF) << shift)) | (UInt64(byte) << shift)
                #expect(HTTPBytes.hasControlByte(word) == (byte < 0x20 || byte == 0x7F), "byte \(byte) at \(position)")
            }
        }
    }
}
