import Testing

@testable import RelevoRelease

/// A small deterministic generator (SplitMix64), so random tests fail the same way twice.
struct CookieTestRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}

@Suite("AffinityCookie signs a pin and a session and accepts only what it signed")
struct AffinityCookieTests {
    private static let secret = AffinitySecret(key: Array("an affinity secret of enough bytes".utf8))!
    private static let pin = SessionPin(version: "v42", backend: "127.0.0.1:9002")
    private static let session = SessionID(high: 0x5F1C_0E2A_9B7D_4C3E, low: 0x8A6F_0B1D_2C3E_4F5A)
    private static let issuedAt: Int64 = 1_733_230_000

    private static func made(
        pin: SessionPin = pin, session: SessionID = session, issuedAt: Int64 = issuedAt
    ) -> [UInt8] {
        AffinityCookie.make(pin: pin, session: session, issuedAt: issuedAt, secret: secret)
    }

    private static func verified(_ value: [UInt8], secret: AffinitySecret = secret) -> AffinityCookie? {
        value.withUnsafeBytes { AffinityCookie.verify($0, secret: secret) }
    }

    private static func verified(_ value: String) -> AffinityCookie? {
        verified(Array(value.utf8))
    }

    /// `text` with a correct MAC appended: what a holder of the secret could sign, to show the parser
    /// refuses ill-formed fields even when the signature is right.
    private static func signed(_ text: String) -> String {
        let mac = secret.makeMAC()
        let tag = Array(text.utf8).withUnsafeBytes { mac.authenticate($0) }
        var value = Array(text.utf8) + [0x7E]
        withUnsafeBytes(of: tag) { Base64URL.encode(UnsafeRawBufferPointer(rebasing: $0[..<16]), appendingTo: &value) }
        return String(decoding: value, as: UTF8.self)
    }

    private static let sessionHex = "5f1c0e2a9b7d4c3e8a6f0b1d2c3e4f5a"

    // MARK: - Round trip

    @Test func aMadeCookieVerifiesToItsPinSessionAndTime() throws {
        let cookie = try #require(Self.verified(Self.made()))
        #expect(cookie == AffinityCookie(pin: Self.pin, session: Self.session, issuedAt: Self.issuedAt))
    }

    @Test func theValueIsVersionBackendSessionTimeAndMacJoinedByTilde() {
        let text = String(decoding: Self.made(), as: UTF8.self)
        let fields = text.split(separator: "~", omittingEmptySubsequences: false)
        #expect(fields.count == 5)
        #expect(fields.prefix(4) == ["v42", "127.0.0.1:9002", Substring(Self.sessionHex), "1733230000"])
        #expect(fields[4].utf8.count == 22)
        #expect(text == Self.signed("v42~127.0.0.1:9002~\(Self.sessionHex)~1733230000"))
    }

    @Test(arguments: [
        SessionPin(version: "v42", backend: "127.0.0.1:9002"),
        SessionPin(version: "release-2024.12.03_b", backend: "[2001:db8::1]:8080"),
        SessionPin(version: "A", backend: "app-7.internal.example.com:443"),
        SessionPin(
            version: String(repeating: "v", count: 64), backend: "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535"),
    ])
    func everyPinTheConfCanWriteRoundTripsInACookieSafeValueOfAtMost200Bytes(pin: SessionPin) throws {
        for issuedAt in [0, Self.issuedAt, Int64.max] {
            let session = SessionID.random()
            let value = Self.made(pin: pin, session: session, issuedAt: issuedAt)
            #expect(value.count <= AffinityCookie.maximumLength)
            #expect(value.allSatisfy { AffinityCookie.isBackendCharacter($0) || $0 == 0x7E })
            #expect(Self.verified(value) == AffinityCookie(pin: pin, session: session, issuedAt: issuedAt))
        }
    }

    @Test func theHotPathFormWithOneMACPerLoopMakesAndVerifiesTheSameValues() {
        let mac = Self.secret.makeMAC()
        let value = AffinityCookie.make(pin: Self.pin, session: Self.session, issuedAt: Self.issuedAt, mac: mac)
        #expect(value == Self.made())
        for _ in 0..<10 {
            #expect(value.withUnsafeBytes { AffinityCookie.verify($0, mac: mac) }?.pin == Self.pin)
        }
    }

    // MARK: - Refusals

    @Test(arguments: [
        "v43~127.0.0.1:9002~5f1c0e2a9b7d4c3e8a6f0b1d2c3e4f5a~1733230000",
        "v4~127.0.0.1:9002~5f1c0e2a9b7d4c3e8a6f0b1d2c3e4f5a~1733230000",
        "v42~127.0.0.1:9001~5f1c0e2a9b7d4c3e8a6f0b1d2c3e4f5a~1733230000",
        "v42~127.0.0.2:9002~5f1c0e2a9b7d4c3e8a6f0b1d2c3e4f5a~1733230000",
        "v42~127.0.0.1:9002~5f1c0e2a9b7d4c3e8a6f0b1d2c3e4f5b~1733230000",
        "v42~127.0.0.1:9002~5f1c0e2a9b7d4c3e8a6f0b1d2c3e4f5a~1733230001",
        "v42~127.0.0.1:9002~5f1c0e2a9b7d4c3e8a6f0b1d2c3e4f5a~173323000",
    ])
    func changingTheVersionBackendSessionOrTimeBreaksTheSignature(fields: String) {
        let mac = String(decoding: Self.made().suffix(22), as: UTF8.self)
        #expect(Self.verified("v42~127.0.0.1:9002~\(Self.sessionHex)~1733230000~\(mac)") != nil)
        #expect(Self.verified("\(fields)~\(mac)") == nil)
    }

    @Test func changingAnyOneByteOfTheValueMakesItFail() {
        let value = Self.made()
        for index in value.indices {
            for replacement: UInt8 in [0x7E, 0x30, 0x41, 0x61, 0x5F, 0x2D, value[index] ^ 0x01]
            where replacement != value[index] {
                var changed = value
                changed[index] = replacement
                #expect(Self.verified(changed) == nil, "byte \(index) set to \(replacement)")
            }
        }
    }

    @Test func everyTruncationAndEveryExtensionFails() {
        let value = Self.made()
        for count in 0..<value.count {
            #expect(Self.verified(Array(value[..<count])) == nil, "first \(count) bytes")
            #expect(Self.verified(Array(value[(value.count - count)...])) == nil, "last \(count) bytes")
        }
        for suffix in ["~", "~x", "A", " ", ";"] {
            #expect(Self.verified(value + Array(suffix.utf8)) == nil)
        }
        #expect(Self.verified(Array("~".utf8) + value) == nil)
    }

    @Test func aDifferentSecretRefusesTheCookie() throws {
        let other = try #require(AffinitySecret(key: Array("another affinity secret, as long".utf8)))
        #expect(Self.verified(Self.made(), secret: other) == nil)
    }

    @Test(arguments: [
        // Extra or missing fields.
        "v42~127.0.0.1:9002~5f1c0e2a9b7d4c3e8a6f0b1d2c3e4f5a~1733230000~extra",
        "v42~x~127.0.0.1:9002~5f1c0e2a9b7d4c3e8a6f0b1d2c3e4f5a~1733230000",
        "v42~127.0.0.1:9002~5f1c0e2a9b7d4c3e8a6f0b1d2c3e4f5a",
        // Session not 32 lower-case hex digits.
        "v42~127.0.0.1:9002~5F1C0E2A9B7D4C3E8A6F0B1D2C3E4F5A~1733230000",
        "v42~127.0.0.1:9002~5f1c0e2a9b7d4c3e8a6f0b1d2c3e4f5~1733230000",
        "v42~127.0.0.1:9002~5f1c0e2a9b7d4c3e8a6f0b1d2c3e4f5ax~1733230000",
        "v42~127.0.0.1:9002~zf1c0e2a9b7d4c3e8a6f0b1d2c3e4f5a~1733230000",
        // Time not canonical decimal within Int64.
        "v42~127.0.0.1:9002~5f1c0e2a9b7d4c3e8a6f0b1d2c3e4f5a~01733230000",
        "v42~127.0.0.1:9002~5f1c0e2a9b7d4c3e8a6f0b1d2c3e4f5a~-1",
        "v42~127.0.0.1:9002~5f1c0e2a9b7d4c3e8a6f0b1d2c3e4f5a~",
        "v42~127.0.0.1:9002~5f1c0e2a9b7d4c3e8a6f0b1d2c3e4f5a~17332300x0",
        "v42~127.0.0.1:9002~5f1c0e2a9b7d4c3e8a6f0b1d2c3e4f5a~9223372036854775808",
        "v42~127.0.0.1:9002~5f1c0e2a9b7d4c3e8a6f0b1d2c3e4f5a~99999999999999999999",
        // Version or backend empty, too long or with characters they cannot have.
        "~127.0.0.1:9002~5f1c0e2a9b7d4c3e8a6f0b1d2c3e4f5a~1733230000",
        "v42~~5f1c0e2a9b7d4c3e8a6f0b1d2c3e4f5a~1733230000",
        "v4 2~127.0.0.1:9002~5f1c0e2a9b7d4c3e8a6f0b1d2c3e4f5a~1733230000",
        "v4:2~127.0.0.1:9002~5f1c0e2a9b7d4c3e8a6f0b1d2c3e4f5a~1733230000",
        "v42~127.0.0.1;9002~5f1c0e2a9b7d4c3e8a6f0b1d2c3e4f5a~1733230000",
        "v42~127.0.0.1,9002~5f1c0e2a9b7d4c3e8a6f0b1d2c3e4f5a~1733230000",
        "v42~\"127.0.0.1:9002\"~5f1c0e2a9b7d4c3e8a6f0b1d2c3e4f5a~1733230000",
        "\(String(repeating: "v", count: 65))~127.0.0.1:9002~5f1c0e2a9b7d4c3e8a6f0b1d2c3e4f5a~1733230000",
        "v42~\(String(repeating: "b", count: 140))~5f1c0e2a9b7d4c3e8a6f0b1d2c3e4f5a~1733230000",
    ])
    func aCorrectlySignedValueWithAMalformedFieldIsStillRefused(text: String) {
        #expect(Self.verified(Self.signed(text)) == nil)
    }

    @Test func theSigningHelperItselfMakesValuesThatVerify() {
        #expect(Self.verified(Self.signed("v42~127.0.0.1:9002~\(Self.sessionHex)~0")) != nil)
        #expect(Self.verified(Self.signed("v42~127.0.0.1:9002~\(Self.sessionHex)~9223372036854775807")) != nil)
    }

    @Test func aMacSpelledWithNonZeroSpareBitsIsRefused() {
        var value = Self.made()
        let last = value.count - 1
        // The last character carries 2 data bits and 4 spare bits; `A`, `Q`, `g`, `w` have them zero.
        let spelling = Array("AQgw".utf8)
        let alternatives = Array("BCDEFGHIJKLMNOP".utf8)
        if let index = spelling.firstIndex(of: value[last]) {
            value[last] = alternatives[index]
        }
        #expect(Self.verified(value) == nil)
    }

    @Test func hugeInputIsRefusedWithoutBeingRead() {
        let value = Self.made()
        let huge = Array((0..<1000).map { _ in value }.joined())
        #expect(Self.verified(huge) == nil)
        #expect(Self.verified([UInt8](repeating: 0x7E, count: 1 << 20)) == nil)
        #expect(Self.verified(Self.signed("v42~\(String(repeating: "b", count: 150))~\(Self.sessionHex)~1")) == nil)
    }

    @Test func tenThousandRandomInputsNeverCrashAndNeverVerify() {
        var generator = CookieTestRandom(seed: 0xC00C1E)
        let alphabet = Array("0123456789abcdefABCDEF~~~~.:-_[]v".utf8)
        for round in 0..<10_000 {
            let count = Int.random(in: 0...260, using: &generator)
            let bytes: [UInt8] = (0..<count).map { _ in
                round.isMultiple(of: 2)
                    ? UInt8.random(in: 0...255, using: &generator) : alphabet.randomElement(using: &generator)!
            }
            #expect(Self.verified(bytes) == nil, "round \(round)")
        }
    }

    @Test func tenThousandRandomMutationsOfAValidValueNeverVerify() {
        var generator = CookieTestRandom(seed: 42)
        let value = Self.made()
        for round in 0..<10_000 {
            var changed = value
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                changed[Int.random(in: 0..<changed.count, using: &generator)] = UInt8.random(
                    in: 0...255, using: &generator)
            }
            if changed != value {
                #expect(Self.verified(changed) == nil, "round \(round)")
            }
        }
    }

    // MARK: - What a cookie can carry

    @Test(arguments: [
        SessionPin(version: "", backend: "127.0.0.1:9002"),
        SessionPin(version: "v42", backend: ""),
        SessionPin(version: "v~42", backend: "127.0.0.1:9002"),
        SessionPin(version: "v42", backend: "127.0.0.1~9002"),
        SessionPin(version: "v 42", backend: "127.0.0.1:9002"),
        SessionPin(version: "v42", backend: "host;x:80"),
        SessionPin(version: "v42", backend: "host\\x:80"),
        SessionPin(version: "v42", backend: "hôst:80"),
        SessionPin(version: String(repeating: "v", count: 65), backend: "127.0.0.1:9002"),
        SessionPin(version: String(repeating: "v", count: 64), backend: String(repeating: "h", count: 54) + ":65535"),
    ])
    func pinsACookieCannotCarryAreRefused(pin: SessionPin) {
        #expect(!AffinityCookie.canCarry(pin))
    }

    @Test func theLongestPinThatFitsIsAccepted() {
        let pin = SessionPin(
            version: String(repeating: "v", count: 64), backend: String(repeating: "h", count: 53) + ":65535")
        #expect(AffinityCookie.canCarry(pin))
        #expect(Self.made(pin: pin, issuedAt: .max).count == AffinityCookie.maximumLength)
    }

    // MARK: - Set-Cookie

    @Test func theSetCookieValueSetsAHostWideHttpOnlyLaxCookie() {
        let field = AffinityCookie.setCookieHeader(name: Array("relevo".utf8), value: Array("abc".utf8), secure: false)
        #expect(String(decoding: field, as: UTF8.self) == "relevo=abc; Path=/; HttpOnly; SameSite=Lax")

        let secure = AffinityCookie.setCookieHeader(name: Array("relevo".utf8), value: Array("abc".utf8), secure: true)
        #expect(String(decoding: secure, as: UTF8.self) == "relevo=abc; Path=/; HttpOnly; SameSite=Lax; Secure")
    }

    @Test func theExpiringSetCookieValueHasAnEmptyValueAndMaxAgeZero() {
        let field = AffinityCookie.expiringSetCookieHeader(name: Array("relevo".utf8), secure: false)
        #expect(String(decoding: field, as: UTF8.self) == "relevo=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax")

        let secure = AffinityCookie.expiringSetCookieHeader(name: Array("relevo".utf8), secure: true)
        #expect(String(decoding: secure, as: UTF8.self) == "relevo=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax; Secure")
    }

    @Test func relevosOwnSetCookieValuesReadBackAsSettingAndExpiring() throws {
        let value = Self.made()
        let field = AffinityCookie.setCookieHeader(name: Array("relevo".utf8), value: value, secure: true)
        let set = try #require(field.withUnsafeBytes { SetCookieReader.read($0, now: Self.issuedAt) })
        #expect(Array(field[set.value]) == value)
        #expect(!set.isExpiry)

        let expiring = AffinityCookie.expiringSetCookieHeader(name: Array("relevo".utf8), secure: true)
        let ended = try #require(expiring.withUnsafeBytes { SetCookieReader.read($0, now: Self.issuedAt) })
        #expect(ended.isExpiry)
        #expect(ended.value.isEmpty)
    }
}
