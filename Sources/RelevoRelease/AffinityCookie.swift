/// relevo's signed affinity cookie: which version and backend a session is pinned to, the
/// session's id, and when the cookie was issued.
///
/// The value is five fields joined by `~`, the last one a signature over all before it:
///
///     v42~127.0.0.1:9002~5f1c0e2a9b7d4c3e8a6f0b1d2c3e4f5a~1733230000~V6yq0mJ7p0c9Zr8r1ZmE3A
///     VERSION~BACKEND~SESSION~ISSUED~MAC
///
/// - VERSION: the version's name, 1 to 64 of `A–Z a–z 0–9 . _ -`;
/// - BACKEND: the backend as the conf writes it (`host:port` or `[v6]:port`), cookie-safe, no `~`;
/// - SESSION: the ``SessionID`` in its 32 hex digits;
/// - ISSUED: unix seconds, in decimal without leading zeros;
/// - MAC: the first 16 bytes of HMAC-SHA256, keyed with the ``AffinitySecret``, over every byte
///   before the last `~`, in unpadded base64url (22 characters).
///
/// Every character is a cookie-octet (RFC 6265 §4.1.1: no space, `"`, `,`, `;` or `\`), and a value
/// is at most ``maximumLength`` bytes. A pin that could not fit is refused by ``canCarry(_:)``,
/// which the conf's validation is expected to apply to every version and backend.
public struct AffinityCookie: Sendable, Hashable {
    /// The version and backend the session is pinned to.
    public var pin: SessionPin

    /// The session's id.
    public var session: SessionID

    /// When the cookie was issued, in unix seconds.
    public var issuedAt: Int64

    /// A verified cookie's content.
    public init(pin: SessionPin, session: SessionID, issuedAt: Int64) {
        self.pin = pin
        self.session = session
        self.issuedAt = issuedAt
    }

    /// The longest value made or accepted, in bytes.
    public static let maximumLength = 200

    /// The longest version name, in bytes.
    public static let maximumVersionLength = 64

    /// Bytes of a value that are not the version or the backend, at most: four `~`, the session, the
    /// longest time (19 digits) and the MAC.
    static let fixedLength = 4 + SessionID.hexLength + 19 + macTextLength

    /// The bytes of the HMAC-SHA256 tag a cookie carries.
    static let macLength = 16

    /// The characters of the MAC in base64url.
    static let macTextLength = 22

    /// `~`, between fields.
    static let separator: UInt8 = 0x7E

    /// Whether a cookie can name `pin`: a well-formed version name, a cookie-safe backend without
    /// `~`, and both short enough for ``maximumLength`` whatever the time.
    public static func canCarry(_ pin: SessionPin) -> Bool {
        let version = pin.version.utf8
        let backend = pin.backend.utf8

        return (1...maximumVersionLength).contains(version.count) && version.allSatisfy(isVersionCharacter)
            && !backend.isEmpty && backend.allSatisfy(isBackendCharacter)
            && version.count + backend.count <= maximumLength - fixedLength
    }
}

// MARK: - Making and verifying

extension AffinityCookie {
    /// The value of a cookie pinning `session` to `pin`, signed by `mac`. Allocates the result (and
    /// OpenSSL its digest state, see ``HMACSHA256``). Traps unless ``canCarry(_:)`` accepts `pin` and
    /// `issuedAt` is not negative.
    public static func make(pin: SessionPin, session: SessionID, issuedAt: Int64, mac: HMACSHA256) -> [UInt8] {
        precondition(canCarry(pin), "affinity cookie cannot carry version '\(pin.version)' backend '\(pin.backend)'")
        precondition(issuedAt >= 0, "affinity cookie issued at a negative time: \(issuedAt)")

        var value: [UInt8] = []
        value.reserveCapacity(maximumLength)
        value.append(contentsOf: pin.version.utf8)
        value.append(separator)
        value.append(contentsOf: pin.backend.utf8)
        value.append(separator)
        session.appendHex(to: &value)
        value.append(separator)
        appendDecimal(issuedAt, to: &value)

        let tag = value.withUnsafeBytes { mac.authenticate($0) }
        value.append(separator)
        withUnsafeBytes(of: tag) {
            Base64URL.encode(UnsafeRawBufferPointer(rebasing: $0[..<macLength]), appendingTo: &value)
        }
        return value
    }

    /// As ``make(pin:session:issuedAt:mac:)``, keying a new ``HMACSHA256`` with `secret` for this one
    /// call: for tests and cold paths. The hot path keeps one `HMACSHA256` per event loop.
    public static func make(pin: SessionPin, session: SessionID, issuedAt: Int64, secret: AffinitySecret) -> [UInt8] {
        make(pin: pin, session: session, issuedAt: issuedAt, mac: secret.makeMAC())
    }

    /// The content of the cookie value `value` if it is well formed and signed under `mac`'s key;
    /// nil otherwise. Any input is safe; the MAC is compared in constant time. Besides OpenSSL's
    /// digest state, allocates only the pin's two strings (none for names of 15 bytes or less).
    public static func verify(_ value: UnsafeRawBufferPointer, mac: HMACSHA256) -> AffinityCookie? {
        guard value.count <= maximumLength, let fields = Fields(value), fields.isSigned(in: value, by: mac) else {
            return nil
        }

        let pin = SessionPin(
            version: String(decoding: UnsafeRawBufferPointer(rebasing: value[fields.version]), as: UTF8.self),
            backend: String(decoding: UnsafeRawBufferPointer(rebasing: value[fields.backend]), as: UTF8.self))
        return AffinityCookie(pin: pin, session: fields.session, issuedAt: fields.issuedAt)
    }

    /// As ``verify(_:mac:)``, keying a new ``HMACSHA256`` with `secret` for this one call: for tests
    /// and cold paths.
    public static func verify(_ value: UnsafeRawBufferPointer, secret: AffinitySecret) -> AffinityCookie? {
        verify(value, mac: secret.makeMAC())
    }

    /// Appends `number` (not negative) in decimal.
    private static func appendDecimal(_ number: Int64, to bytes: inout [UInt8]) {
        var divisor: Int64 = 1
        while number / divisor >= 10 {
            divisor *= 10
        }

        while divisor > 0 {
            bytes.append(0x30 + UInt8(truncatingIfNeeded: number / divisor % 10))
            divisor /= 10
        }
    }
}

// MARK: - Set-Cookie

extension AffinityCookie {
    /// The attributes every affinity cookie carries: the whole site, no script access, not sent on
    /// cross-site subrequests.
    private static let attributes: StaticString = "; Path=/; HttpOnly; SameSite=Lax"

    /// The value of a Set-Cookie field that sets cookie `name` to `value`:
    /// `NAME=VALUE; Path=/; HttpOnly; SameSite=Lax`, and `; Secure` when `secure` (downstream is TLS).
    /// `name` must be a token (the conf checks it); the field's name and line end are the caller's.
    public static func setCookieHeader(name: [UInt8], value: [UInt8], secure: Bool) -> [UInt8] {
        var field: [UInt8] = []
        field.reserveCapacity(name.count + value.count + 48)
        field.append(contentsOf: name)
        field.append(0x3D)
        field.append(contentsOf: value)
        append(attributes, to: &field)
        if secure {
            append("; Secure", to: &field)
        }
        return field
    }

    /// The value of a Set-Cookie field that expires cookie `name` (sent with the response that ends a
    /// session): `NAME=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax`, and `; Secure` when `secure`.
    public static func expiringSetCookieHeader(name: [UInt8], secure: Bool) -> [UInt8] {
        var field: [UInt8] = []
        field.reserveCapacity(name.count + 64)
        field.append(contentsOf: name)
        append("=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax", to: &field)
        if secure {
            append("; Secure", to: &field)
        }
        return field
    }

    /// Appends the bytes of `text`.
    private static func append(_ text: StaticString, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }
}

// MARK: - Reading a value

extension AffinityCookie {
    /// Where the fields of a well-formed value are, with the session and time read.
    private struct Fields {
        /// The version's name.
        var version: Range<Int>

        /// The backend.
        var backend: Range<Int>

        /// The session id.
        var session: SessionID

        /// The issue time, unix seconds.
        var issuedAt: Int64

        /// The bytes the MAC covers: everything before the last `~`.
        var signed: Range<Int>

        /// The MAC's base64url text.
        var mac: Range<Int>

        /// Splits `value` at its four `~` and checks each field's form; nil if any is wrong.
        init?(_ value: UnsafeRawBufferPointer) {
            guard let separators = Self.separators(value) else { return nil }

            version = 0..<separators.0
            backend = (separators.0 + 1)..<separators.1
            signed = 0..<separators.3
            mac = (separators.3 + 1)..<value.count
            guard (1...maximumVersionLength).contains(version.count), value[version].allSatisfy(isVersionCharacter),
                !backend.isEmpty, value[backend].allSatisfy(isBackendCharacter),
                mac.count == macTextLength,
                let session = SessionID(
                    hex: UnsafeRawBufferPointer(rebasing: value[(separators.1 + 1)..<separators.2])),
                let issuedAt = Self.decimal(UnsafeRawBufferPointer(rebasing: value[(separators.2 + 1)..<separators.3]))
            else { return nil }

            self.session = session
            self.issuedAt = issuedAt
        }

        /// Whether the MAC in `value` is the one `mac` computes over the signed bytes.
        func isSigned(in value: UnsafeRawBufferPointer, by mac: HMACSHA256) -> Bool {
            var sent: (UInt64, UInt64) = (0, 0)
            let decoded = withUnsafeMutableBytes(of: &sent) {
                Base64URL.decode(UnsafeRawBufferPointer(rebasing: value[self.mac]), into: $0)
            }
            guard decoded else { return false }

            let expected = mac.authenticate(UnsafeRawBufferPointer(rebasing: value[signed]))
            return withUnsafeBytes(of: sent) { sentBytes in
                withUnsafeBytes(of: expected) { expectedBytes in
                    HMACSHA256.isEqualInConstantTime(
                        sentBytes, UnsafeRawBufferPointer(rebasing: expectedBytes[..<macLength]))
                }
            }
        }

        /// The offsets of the four `~` in `value`; nil unless there are exactly four.
        private static func separators(_ value: UnsafeRawBufferPointer) -> (Int, Int, Int, Int)? {
            var found = (0, 0, 0, 0)
            var count = 0
            for index in value.indices where value[index] == separator {
                switch count {
                case 0: found.0 = index
                case 1: found.1 = index
                case 2: found.2 = index
                case 3: found.3 = index
                default: return nil
                }
                count += 1
            }
            return count == 4 ? found : nil
        }

        /// A time in decimal: 1 to 19 digits, no leading zero, within `Int64`; nil otherwise.
        private static func decimal(_ text: UnsafeRawBufferPointer) -> Int64? {
            guard (1...19).contains(text.count), text.count == 1 || text[0] != 0x30 else { return nil }

            var number: Int64 = 0
            for byte in text {
                guard (0x30...0x39).contains(byte) else { return nil }
                let (shifted, overflowed) = number.multipliedReportingOverflow(by: 10)
                let (sum, overflowedAgain) = shifted.addingReportingOverflow(Int64(byte - 0x30))
                guard !overflowed, !overflowedAgain else { return nil }
                number = sum
            }
            return number
        }
    }

    /// `A–Z a–z 0–9 . _ -`: the characters of a version name.
    static func isVersionCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2E, 0x5F, 0x2D: true
        default: false
        }
    }

    /// A cookie-octet (RFC 6265 §4.1.1) other than `~`: the characters a backend may use.
    static func isBackendCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x21, 0x23...0x2B, 0x2D...0x3A, 0x3C...0x5B, 0x5D...0x7D: true
        default: false
        }
    }
}
