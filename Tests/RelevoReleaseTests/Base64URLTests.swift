import Testing

@testable import RelevoRelease

@Suite("Base64URL writes RFC 4648's URL alphabet without padding and reads back only that spelling")
struct Base64URLTests {
    private static func encoded(_ bytes: [UInt8]) -> String {
        var text: [UInt8] = []
        bytes.withUnsafeBytes { Base64URL.encode($0, appendingTo: &text) }
        return String(decoding: text, as: UTF8.self)
    }

    private static func decoded(_ text: String, count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        let succeeded = bytes.withUnsafeMutableBytes { output in
            Array(text.utf8).withUnsafeBytes { Base64URL.decode($0, into: output) }
        }
        return succeeded ? bytes : nil
    }

    @Test(arguments: [
        ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"),
        ("foobar", "Zm9vYmFy"),
    ])
    func theRFCTestVectorsEncodeWithoutPaddingAndDecodeBack(plain: String, text: String) {
        #expect(Self.encoded(Array(plain.utf8)) == text)
        #expect(Self.decoded(text, count: plain.utf8.count) == Array(plain.utf8))
        #expect(Base64URL.encodedLength(of: plain.utf8.count) == text.utf8.count)
    }

    @Test func theLastTwoSextetsAreMinusAndUnderscore() {
        #expect(Self.encoded([0xFB, 0xFF, 0xBF]) == "-_-_")
        #expect(Self.decoded("-_-_", count: 3) == [0xFB, 0xFF, 0xBF])
    }

    @Test func everySixteenByteStringTakesTwentyTwoCharactersAndReadsBack() {
        var generator = CookieTestRandom(seed: 16)
        for _ in 0..<1000 {
            let bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let text = Self.encoded(bytes)
            #expect(text.utf8.count == 22)
            #expect(Self.decoded(text, count: 16) == bytes)
        }
    }

    @Test(arguments: [
        ("Zh", 1), ("Zm9vYmF", 5), ("Zm9=", 3), ("Zm+v", 3), ("Zm/v", 3), ("Zm9 ", 3), ("Z", 1), ("Zm9vY", 4),
        ("Zm9vYg", 3),
    ])
    func otherAlphabetsPaddingWrongLengthsAndNonZeroSpareBitsAreRefused(text: String, count: Int) {
        #expect(Self.decoded(text, count: count) == nil)
    }
}
