import Testing

@testable import RelevoRelease

@Suite("SessionID is 128 random bits written as 32 lower-case hex digits")
struct SessionIDTests {
    @Test func theTextFormIsTheHighWordThenTheLowWordInLowerCaseHex() {
        let id = SessionID(high: 0x0123_4567_89AB_CDEF, low: 0xFEDC_BA98_7654_3210)
        #expect(id.hex == "0123456789abcdeffedcba9876543210")
        #expect(id.description == id.hex)
    }

    @Test func theTextFormReadsBackToTheSameID() {
        for _ in 0..<100 {
            let id = SessionID.random()
            #expect(SessionID(hex: id.hex) == id)
        }
        #expect(SessionID(hex: "00000000000000000000000000000000") == SessionID(high: 0, low: 0))
        #expect(SessionID(hex: "ffffffffffffffffffffffffffffffff") == SessionID(high: .max, low: .max))
    }

    @Test func randomIDsDifferAndUseAllTheirBits() {
        let ids = (0..<1000).map { _ in SessionID.random() }
        #expect(Set(ids).count == ids.count)
        #expect(ids.reduce(0) { $0 | $1.high } == .max)
        #expect(ids.reduce(0) { $0 | $1.low } == .max)
    }

    @Test(arguments: [
        "", "0123456789abcdeffedcba987654321", "0123456789abcdeffedcba98765432100",
        "0123456789ABCDEFFEDCBA9876543210", "0123456789abcdeffedcba987654321g",
        " 123456789abcdeffedcba9876543210", "0x23456789abcdeffedcba9876543210",
        "-123456789abcdeffedcba9876543210",
    ])
    func anythingButThirtyTwoLowerCaseHexDigitsIsRefused(text: String) {
        #expect(SessionID(hex: text) == nil)
    }
}
