import RelevoHTTP1
import RelevoIO

/// One request to the admin API, copied out of the connection's buffer.
struct AdminRequest: Sendable {
    /// The method as sent, e.g. `GET`.
    var method: String

    /// The path, percent-decoded, without the query: `/versions/v42/gate`.
    var path: String

    /// The query's `name=value` pairs, percent-decoded; a name without `=` maps to the empty string.
    var query: [String: String]

    /// The header fields, names in lowercase, in the order they came.
    var headers: [(name: String, value: String)]

    /// The body (at most the server's body limit).
    var body: [UInt8]

    /// The downstream peer.
    var peer: SocketAddress

    /// Whether the connection may carry another request after this one.
    var keepAlive: Bool

    /// The value of the first header field named `name` (lowercase), if any.
    func header(_ name: String) -> String? {
        headers.first { $0.name == name }?.value
    }
}

extension AdminRequest {
    /// Copies the request that `head` describes out of `bytes` (head first, then `body`).
    init(head: HTTPRequestHead, bytes: UnsafeRawBufferPointer, body: [UInt8], peer: SocketAddress) {
        let target = head.targetIsEmptyPath ? "/" : Self.text(bytes, head.targetRange)
        let question = target.firstIndex(of: "?")
        self.method = Self.text(bytes, head.methodRange)
        self.path = Self.percentDecoded(question.map { String(target[..<$0]) } ?? target)
        self.query = question.map { Self.queryPairs(target[target.index(after: $0)...]) } ?? [:]
        self.headers = HeaderFields.pairs(head.headers, in: bytes)
        self.body = body
        self.peer = peer
        self.keepAlive = head.keepAlive
    }

    /// The bytes in `range` as text.
    private static func text(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }

    /// `a=1&b` as `["a": "1", "b": ""]`; a later name wins.
    private static func queryPairs(_ query: Substring) -> [String: String] {
        var pairs: [String: String] = [:]
        for item in query.split(separator: "&") {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = percentDecoded(String(parts[0]))
            pairs[name] = parts.count > 1 ? percentDecoded(String(parts[1])) : ""
        }
        return pairs
    }

    /// `text` with each valid `%XX` replaced by its byte; invalid escapes stay as they are.
    static func percentDecoded(_ text: String) -> String {
        guard text.utf8.contains(0x25) else { return text }

        let utf8 = Array(text.utf8)
        var decoded: [UInt8] = []
        var index = 0
        while index < utf8.count {
            if utf8[index] == 0x25, index + 2 < utf8.count, let high = hexValue(utf8[index + 1]),
                let low = hexValue(utf8[index + 2])
            {
                decoded.append(high << 4 | low)
                index += 3
            } else {
                decoded.append(utf8[index])
                index += 1
            }
        }
        return String(decoding: decoded, as: UTF8.self)
    }

    /// The value of one hexadecimal digit.
    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }
}

/// Header fields of a parsed head as text, for the admin API and its client (never the hot path).
enum HeaderFields {
    /// Each field as (lowercase name, value).
    static func pairs(_ fields: [HTTPHeaderField], in bytes: UnsafeRawBufferPointer) -> [(name: String, value: String)]
    {
        fields.map { field in
            let nameStart = Int(field.nameStart)
            let valueStart = Int(field.valueStart)
            let name = String(decoding: bytes[nameStart..<nameStart + Int(field.nameLength)], as: UTF8.self)
            let value = String(decoding: bytes[valueStart..<valueStart + Int(field.valueLength)], as: UTF8.self)
            return (name.lowercased(), value)
        }
    }
}
