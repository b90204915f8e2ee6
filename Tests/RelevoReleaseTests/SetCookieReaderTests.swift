import RelevoHTTP1
import Testing

@testable import RelevoRelease

@Suite("SetCookieReader reads a Set-Cookie field's name, value and whether it expires the cookie")
struct SetCookieReaderTests {
    /// 2024-12-03T12:00:00Z.
    private static let now: Int64 = 1_733_227_200

    /// What `field` reads as at `now`: name, value and expiry.
    private static func read(_ field: String, now: Int64 = now) -> (name: String, value: String, isExpiry: Bool)? {
        let bytes = Array(field.utf8)
        guard let cookie = bytes.withUnsafeBytes({ SetCookieReader.read($0, now: now) }) else { return nil }

        return (
            String(decoding: bytes[cookie.name], as: UTF8.self), String(decoding: bytes[cookie.value], as: UTF8.self),
            cookie.isExpiry
        )
    }

    private static func isExpiry(_ field: String, now: Int64 = now) -> Bool? {
        read(field, now: now)?.isExpiry
    }

    private static func date(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { CookieDate.read(0..<bytes.count, of: $0) }
    }

    // MARK: - Name and value

    @Test func theNameAndValueAreTheFirstPairTrimmed() {
        let cookie = Self.read("JSESSIONID=abc123; Path=/; HttpOnly")
        #expect(cookie?.name == "JSESSIONID")
        #expect(cookie?.value == "abc123")
        #expect(cookie?.isExpiry == false)
        #expect(Self.read(" SID = x y \t; Secure")?.value == "x y")
        #expect(Self.read("SID=\"quoted\"")?.value == "\"quoted\"")
        #expect(Self.read("SID=a=b")?.value == "a=b")
    }

    @Test func anEmptyValueIsAValue() {
        #expect(Self.read("SID=")?.value == "")
        #expect(Self.read("SID=; Max-Age=0")?.value == "")
    }

    @Test func aFieldWithoutEqualsOrWithAnEmptyNameSetsNoCookie() {
        #expect(Self.read("SID") == nil)
        #expect(Self.read("SID; Max-Age=0") == nil)
        #expect(Self.read("=abc") == nil)
        #expect(Self.read(" =abc; Path=/") == nil)
        #expect(Self.read("") == nil)
    }

    // MARK: - Max-Age

    @Test(arguments: ["Max-Age=0", "Max-Age=-1", "Max-Age=-0", "Max-Age=000", "Max-Age=-99999999999999999999999"])
    func aMaxAgeOfZeroOrLessExpires(attribute: String) {
        #expect(Self.isExpiry("SID=x; \(attribute)") == true)
    }

    @Test(arguments: ["Max-Age=1", "Max-Age=3600", "Max-Age=99999999999999999999999", "Max-Age=007"])
    func aPositiveMaxAgeDoesNotExpire(attribute: String) {
        #expect(Self.isExpiry("SID=x; \(attribute)") == false)
    }

    @Test(arguments: ["Max-Age=", "Max-Age=abc", "Max-Age=-", "Max-Age=+0", "Max-Age=0s", "Max-Age= 0 0", "Max-Age"])
    func aMalformedMaxAgeIsIgnored(attribute: String) {
        #expect(Self.isExpiry("SID=x; \(attribute)") == false)
        #expect(Self.isExpiry("SID=x; Max-Age=0; \(attribute)") == true)
    }

    @Test func theLastValidMaxAgeCounts() {
        #expect(Self.isExpiry("SID=x; Max-Age=0; Max-Age=60") == false)
        #expect(Self.isExpiry("SID=x; Max-Age=60; Max-Age=0") == true)
    }

    // MARK: - Expires

    @Test func anExpiresDateInThePastExpires() {
        #expect(Self.isExpiry("SID=x; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT") == true)
        #expect(Self.isExpiry("SID=x; Expires=Tue, 03 Dec 2024 11:59:59 GMT") == true)
    }

    @Test func anExpiresDateAtNowExpiresAndOneSecondLaterDoesNot() {
        #expect(Self.isExpiry("SID=x; Expires=Tue, 03 Dec 2024 12:00:00 GMT") == true)
        #expect(Self.isExpiry("SID=x; Expires=Tue, 03 Dec 2024 12:00:01 GMT") == false)
    }

    @Test func anExpiresDateInTheFutureDoesNotExpire() {
        #expect(Self.isExpiry("SID=x; Expires=Fri, 01 Jan 2100 00:00:00 GMT") == false)
    }

    @Test(arguments: [
        "Expires=yesterday", "Expires=", "Expires", "Expires=Sun, 32 Nov 1994 08:49:37 GMT",
        "Expires=Thu, 30 Feb 2023 00:00:00 GMT", "Expires=Thu, 01 Jan 1970 24:00:00 GMT",
        "Expires=Thu, 01 Jan 1600 00:00:00 GMT", "Expires=Thu, 01 Foo 1970 00:00:00 GMT",
        "Expires=01 Jan 1970", "Expires=0", "Expires=-1",
    ])
    func aDateThatCannotBeReadIsNotAnExpiry(attribute: String) {
        #expect(Self.isExpiry("SID=x; \(attribute)") == false)
    }

    // MARK: - Both, and case

    @Test func aValidMaxAgeWinsOverExpiresWhicheverComesFirst() {
        #expect(Self.isExpiry("SID=x; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=3600") == false)
        #expect(Self.isExpiry("SID=x; Max-Age=3600; Expires=Thu, 01 Jan 1970 00:00:00 GMT") == false)
        #expect(Self.isExpiry("SID=x; Max-Age=0; Expires=Fri, 01 Jan 2100 00:00:00 GMT") == true)
        #expect(Self.isExpiry("SID=x; Max-Age=soon; Expires=Thu, 01 Jan 1970 00:00:00 GMT") == true)
    }

    @Test(arguments: [
        "SID=x; max-age=0", "SID=x; MAX-AGE=0", "SID=x;mAx-AgE = 0", "SID=x; expires=Thu, 01 Jan 1970 00:00:00 GMT",
        "SID=x;EXPIRES = thu, 01-jan-1970 00:00:00 gmt",
    ])
    func attributeNamesAndMonthNamesIgnoreCase(field: String) {
        #expect(Self.isExpiry(field) == true)
    }

    @Test func otherAttributesAndEmptyAttributesAreIgnored() {
        #expect(Self.isExpiry("SID=x; Path=/; Domain=example.com; Secure; HttpOnly; SameSite=Lax") == false)
        #expect(Self.isExpiry("SID=x;;; ; Max-Age=0;") == true)
        #expect(Self.isExpiry("SID=x; Max-Age-Extra=0; XMax-Age=0; Expires2=Thu, 01 Jan 1970 00:00:00 GMT") == false)
    }

    // MARK: - Dates

    @Test(arguments: [
        "Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994",
        "Sun, 6 Nov 1994 8:49:37 GMT", "06 Nov 1994 08:49:37", "1994 Nov 06 08:49:37", "Sun, 06-Nov-1994 08:49:37 UTC",
        "november 6 1994 08:49:37", "Sun, 06 Nov 1994 08:49:37 +0000",
    ])
    func theThreeHTTPDateFormsAndTheirVariantsRead(text: String) {
        #expect(Self.date(text) == 784_111_777)
    }

    @Test func twoDigitYearsAreNineteenSeventyToTwentySixtyNine() {
        #expect(Self.date("01 Jan 70 00:00:00") == 0)
        #expect(Self.date("01 Jan 69 00:00:00") == 3_124_224_000)
        #expect(Self.date("09 Jun 21 10:18:14") == 1_623_233_894)
    }

    @Test func leapDaysExistOnlyInLeapYears() {
        #expect(Self.date("29 Feb 2024 12:00:00") == 1_709_208_000)
        #expect(Self.date("29 Feb 2000 00:00:00") == 951_782_400)
        #expect(Self.date("29 Feb 2023 00:00:00") == nil)
        #expect(Self.date("29 Feb 1900 00:00:00") == nil)
    }

    @Test func theRangeIsSixteenOhOneToNineNineNineNine() {
        #expect(Self.date("01 Jan 1601 00:00:00") == -11_644_473_600)
        #expect(Self.date("31 Dec 9999 23:59:59") == 253_402_300_799)
        #expect(Self.date("31 Dec 1600 23:59:59") == nil)
        #expect(Self.date("01 Jan 10000 00:00:00") == nil)
    }

    @Test(arguments: [
        "06 Nov 1994", "Nov 1994 08:49:37", "06 1994 08:49:37", "06 Nov 08:49:37", "06 Nov 1994 08:60:00",
        "06 Nov 1994 08:49:60", "06 Nov 1994 123:49:37", "00 Nov 1994 08:49:37", "06 Nov 1994 08:49",
        "006 Nov 1994 08:49:37", "", "   ",
    ])
    func aDateWithAPartMissingOrOutOfRangeIsRefused(text: String) {
        #expect(Self.date(text) == nil)
    }

    // MARK: - Fields of a parsed head

    @Test func aFieldOfAParsedResponseIsReadWithRangesIntoItsSource() throws {
        let text = "HTTP/1.1 200 OK\r\nSet-Cookie: JSESSIONID=abc; Max-Age=0\r\nSet-Cookie: theme=dark\r\n"
        let bytes = Array((text + "Content-Length: 0\r\n\r\n").utf8)
        var parser = HTTPResponseParser()
        var head = HTTPResponseHead()
        let complete = try bytes.withUnsafeBytes { try parser.parse($0, requestMethod: .get, into: &head) }
        try #require(complete)

        let cookies = head.headers.filter { $0.name == .setCookie }.compactMap { field in
            bytes.withUnsafeBytes { SetCookieReader.read(field: field, source: $0, now: Self.now) }
        }
        #expect(cookies.map { String(decoding: bytes[$0.name], as: UTF8.self) } == ["JSESSIONID", "theme"])
        #expect(cookies.map { String(decoding: bytes[$0.value], as: UTF8.self) } == ["abc", "dark"])
        #expect(cookies.map(\.isExpiry) == [true, false])
    }

    @Test func aFieldWhoseOffsetsFallOutsideTheSourceReadsAsNil() {
        let bytes = Array("a=1".utf8)
        let field = HTTPHeaderField(nameStart: 0, nameLength: 0, valueStart: 1, valueLength: 3, name: .setCookie)
        #expect(bytes.withUnsafeBytes { SetCookieReader.read(field: field, source: $0, now: 0) } == nil)
    }

    @Test func tenThousandRandomFieldsNeverCrash() {
        var generator = CookieTestRandom(seed: 1994)
        let pieces = [
            "a", "=", "; ", "Max-Age", "Expires", "-", "0", "9", ":", " ", "Nov", "1994", "06", "08:49:37", ",",
        ]
        for _ in 0..<10_000 {
            let field = (0..<Int.random(in: 0...24, using: &generator)).map { _ in
                pieces.randomElement(using: &generator)!
            }
            .joined()
            if let cookie = Self.read(field) {
                #expect(!cookie.name.isEmpty)
            }
            let bytes = (0..<Int.random(in: 0...64, using: &generator)).map { _ in
                UInt8.random(in: 0...255, using: &generator)
            }
            _ = bytes.withUnsafeBytes { SetCookieReader.read($0, now: Self.now) }
        }
    }
}
