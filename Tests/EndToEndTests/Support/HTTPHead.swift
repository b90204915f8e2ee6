/// One header field as it appeared on the wire.
struct HeaderField: Sendable, Equatable {
    /// The name, as sent (case preserved).
    let name: String

    /// The value with surrounding spaces and tabs removed.
    let value: String

    /// The whole line as sent, without its line ending.
    let line: String
}

/// The head of an HTTP/1 message (start line and header fields), kept byte for byte.
///
/// Parsing is lenient on purpose: the harness must record whatever reaches it, even what relevo should never
/// have sent. Immutable and `Sendable`.
struct HTTPHead: Sendable, CustomStringConvertible {
    /// The head exactly as received, including the blank line that ends it.
    let raw: [UInt8]

    /// The first line: a request line or a status line.
    let startLine: String

    /// The header fields in order; a line without a colon has an empty name and the line as its value.
    let fields: [HeaderField]

    /// Splits `raw` (which ends with an empty line) into its lines.
    init(raw: [UInt8]) {
        self.raw = raw
        let lines = Self.lines(of: raw)
        startLine = lines.first ?? ""
        fields = lines.dropFirst().map { line in
            guard let colon = line.firstIndex(of: ":") else {
                return HeaderField(name: "", value: line, line: line)
            }
            let name = String(line[..<colon])
            let value = line[line.index(after: colon)...].trimmingWhitespace()
            return HeaderField(name: name, value: value, line: line)
        }
    }

    /// The head as text (invalid UTF-8 replaced), for messages.
    var text: String {
        String(decoding: raw, as: UTF8.self)
    }

    /// The head as text.
    var description: String {
        text
    }

    /// The request method (first word of the start line).
    var method: String {
        word(0)
    }

    /// The request target (second word of a request line).
    var target: String {
        word(1)
    }

    /// The protocol version of a request line (third word), e.g. `HTTP/1.1`.
    var requestVersion: String {
        word(2)
    }

    /// The protocol version of a status line (first word), e.g. `HTTP/1.1`.
    var responseVersion: String {
        word(0)
    }

    /// The status code of a status line, or `nil` when it is not one.
    var statusCode: Int? {
        Int(word(1))
    }

    /// The values of every field named `name` (case-insensitive), in order.
    func values(_ name: String) -> [String] {
        fields.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    /// The value of the first field named `name`, or `nil`.
    func value(_ name: String) -> String? {
        values(name).first
    }

    /// Whether a field named `name` is present.
    func contains(_ name: String) -> Bool {
        !values(name).isEmpty
    }

    /// Whether the comma-separated values of `name` contain `token` (case-insensitive).
    func hasToken(_ token: String, in name: String) -> Bool {
        values(name).flatMap { $0.split(separator: ",") }.contains {
            $0.trimmingWhitespace().lowercased() == token.lowercased()
        }
    }

    private func word(_ index: Int) -> String {
        let words = startLine.split(separator: " ", omittingEmptySubsequences: false)
        return index < words.count ? String(words[index]) : ""
    }

    private static func lines(of raw: [UInt8]) -> [String] {
        var lines: [String] = []
        var start = 0
        var index = 0
        while index + 1 < raw.count {
            if raw[index] == UInt8(ascii: "\r") && raw[index + 1] == UInt8(ascii: "\n") {
                if index > start {
                    lines.append(String(decoding: raw[start..<index], as: UTF8.self))
                }
                start = index + 2
                index += 2
            } else {
                index += 1
            }
        }
        return lines
    }
}

extension StringProtocol {
    /// The string without leading and trailing spaces and tabs (HTTP's optional whitespace).
    func trimmingWhitespace() -> String {
        let isWhitespace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isWhitespace($0) }),
            let last = lastIndex(where: { !isWhitespace($0) })
        else {
            return ""
        }
        return String(self[first...last])
    }
}
