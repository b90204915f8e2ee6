import RelevoHTTP1
import Testing

/// A hostile or malformed request head and the exact answer relevo must give it.
struct Rejection: Sendable, CustomTestStringConvertible {
    /// The head's bytes.
    var input: [UInt8]

    /// The status relevo answers with.
    var status: Int

    /// The reason it gives.
    var reason: String

    /// A rejection of the text `input`.
    init(_ input: String, _ status: Int = 400, _ reason: String) {
        self.input = bytes(input)
        self.status = status
        self.reason = reason
    }

    /// A rejection of raw bytes.
    init(bytes input: [UInt8], _ status: Int = 400, _ reason: String) {
        self.input = input
        self.status = status
        self.reason = reason
    }

    /// A rejection of a GET with Host and then `fields` (complete lines).
    static func fields(_ fields: String, _ reason: String) -> Rejection {
        Rejection("GET / HTTP/1.1\r\nHost: a\r\n\(fields)\r\n", 400, reason)
    }

    var testDescription: String {
        String(decoding: input, as: UTF8.self).debugDescription
    }
}
