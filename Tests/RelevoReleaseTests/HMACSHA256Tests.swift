import Testing

@testable import RelevoRelease

@Suite("HMACSHA256 computes RFC 4231's tags and compares in constant time")
struct HMACSHA256Tests {
    /// The tag of `message` under `key`, as lower-case hex.
    private static func tag(key: [UInt8], message: [UInt8]) -> String {
        let mac = key.withUnsafeBytes { HMACSHA256(key: $0) }
        let tag = message.withUnsafeBytes { mac.authenticate($0) }
        return (0..<HMACSHA256.tagByteCount).map { hex(tag[$0]) }.joined()
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }

    @Test func aTwentyByteKeyGivesTestCaseOnesTag() {
        let tag = Self.tag(key: [UInt8](repeating: 0x0B, count: 20), message: Array("Hi There".utf8))
        #expect(tag == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
    }

    @Test func aShortKeyGivesTestCaseTwosTag() {
        let tag = Self.tag(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))
        #expect(tag == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func aKeyLongerThanABlockIsHashedFirstAsInTestCaseSix() {
        let message = Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)
        let tag = Self.tag(key: [UInt8](repeating: 0xAA, count: 131), message: message)
        #expect(tag == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    @Test func anEmptyKeyAndAnEmptyMessageStillGiveATag() {
        #expect(Self.tag(key: [], message: []) == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
    }

    @Test func oneInstanceGivesTheSameTagEveryTimeAndEachMessageItsOwn() {
        let mac = [UInt8](repeating: 7, count: 32).withUnsafeBytes { HMACSHA256(key: $0) }
        let first = Array("first".utf8).withUnsafeBytes { mac.authenticate($0) }
        let second = Array("second".utf8).withUnsafeBytes { mac.authenticate($0) }
        for _ in 0..<100 {
            #expect(Array("first".utf8).withUnsafeBytes { mac.authenticate($0) } == first)
        }
        #expect(first != second)
    }

    @Test func equalBuffersCompareEqualAndAnyDifferenceOrLengthMakesThemUnequal() {
        let bytes: [UInt8] = Array(0..<16)
        var changed = bytes
        changed[15] ^= 1
        bytes.withUnsafeBytes { original in
            #expect(HMACSHA256.isEqualInConstantTime(original, original))
            #expect(!changed.withUnsafeBytes { HMACSHA256.isEqualInConstantTime(original, $0) })
            #expect(!HMACSHA256.isEqualInConstantTime(original, UnsafeRawBufferPointer(rebasing: original[..<15])))
            #expect(
                HMACSHA256.isEqualInConstantTime(
                    UnsafeRawBufferPointer(rebasing: original[..<0]), .init(start: nil, count: 0)))
        }
    }
}
