import FoundationEssentials
import RelevoRelease

/// JSON for the admin API and its client: compact, slashes unescaped, keys sorted so that two
/// answers of the same state read the same (the encoder's own order changes from run to run).
enum AdminJSON {
    /// `value` as a UTF-8 JSON document ending in a newline, so `curl` output ends its line.
    static func encode(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding relevo's own status types cannot fail: they hold no floating point.
        guard let data = try? encoder.encode(value) else {
            return Array(#"{"error":"the answer could not be encoded as JSON"}"#.utf8) + [0x0A]
        }
        return [UInt8](data) + [0x0A]
    }

    /// Decodes a `T` from `bytes`; nil if they are not a valid `T` in JSON.
    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) -> T? {
        try? JSONDecoder().decode(type, from: Data(bytes))
    }
}

/// `{"changes": [...]}`, the answer to a reload that was applied.
struct ReloadChanges: Codable, Equatable {
    /// One sentence per change.
    var changes: [String]
}

/// `{"errors": [...]}`, the answer to a reload that was refused.
struct ReloadErrors: Codable {
    /// Every error of the conf.
    var errors: [ReloadError]
}

/// `{"error": "..."}`, the body of every error answer.
struct ErrorBody: Codable {
    /// What went wrong, in a sentence.
    var error: String
}
