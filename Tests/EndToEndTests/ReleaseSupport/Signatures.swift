import Foundation
import RelevoRelease

/// The HMAC-SHA256 signatures release tests check (a webhook's) or forge (an affinity cookie under a wrong key).
enum Signatures {
    /// The `X-Relevo-Signature` relevo should send for a webhook `body` under `key` (the bytes of `secret_file`):
    /// `sha256=` and the lower-case hex HMAC-SHA256.
    static func webhook(body: [UInt8], key: [UInt8]) -> String {
        let tag = key.withUnsafeBytes { key in
            body.withUnsafeBytes { HMACSHA256(key: key).authenticate($0) }
        }
        var hex = "sha256="
        for index in 0..<HMACSHA256.tagByteCount {
            hex += String(tag[index] >> 4, radix: 16) + String(tag[index] & 0x0F, radix: 16)
        }
        return hex
    }

    /// A well-formed affinity cookie value for `session` (32 hex digits), pinned to `version` and `backend`, issued
    /// now, signed with `key` (at least 32 bytes): the best a forger without relevo's secret can make.
    static func affinityCookie(version: String, backend: String, session: String, key: [UInt8]) -> String {
        let secret = AffinitySecret(key: key)!
        let pin = SessionPin(version: version, backend: backend)
        let id = SessionID(hex: session) ?? SessionID.random()
        let now = Int64(Date().timeIntervalSince1970)
        return String(
            decoding: AffinityCookie.make(pin: pin, session: id, issuedAt: now, secret: secret), as: UTF8.self)
    }
}
