extension DrainedEvent {
    /// Reads an event back from its ``json`` (e.g. the state journal's copy after a restart).
    ///
    /// Takes any JSON object whose members are strings, booleans or arrays of strings, in any order;
    /// `event` must be `drained`, and `version`, `at` (as ``timestamp`` writes it), `backends`,
    /// `id` and `forced` must be there. Nil for anything else.
    public init?(json: String) {
        var reader = DrainedEventJSON.Reader(Array(json.utf8))
        guard let members = reader.object(), reader.isAtEnd,
            case .string("drained") = members["event"],
            case .string(let version) = members["version"],
            case .string(let timestamp) = members["at"], let at = UnixTime.milliseconds(rfc3339: timestamp),
            case .strings(let backends) = members["backends"],
            case .string(let id) = members["id"],
            case .boolean(let forced) = members["forced"]
        else { return nil }

        self.init(id: id, version: version, at: at, backends: backends, forced: forced)
    }
}

/// The little JSON that hook events need: string escaping, and a reader for a flat object.
enum DrainedEventJSON {
    /// A member's value.
    enum Value: Equatable {
        case string(String)
        case boolean(Bool)
        case strings([String])
    }

    /// Appends `value` as a JSON string: quoted, with `"`, `\` and control characters escaped.
    static func appendString(_ value: String, to text: inout String) {
        text += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }

    /// Reads one object whose members are strings, booleans or arrays of strings.
    struct Reader {
        /// The document's UTF-8 bytes.
        private let bytes: [UInt8]

        /// The next byte to read.
        private var index = 0

        /// A reader at the start of `bytes`.
        init(_ bytes: [UInt8]) {
            self.bytes = bytes
        }

        /// Whether only white space is left.
        var isAtEnd: Bool {
            mutating get {
                skipSpace()
                return index == bytes.count
            }
        }

        /// The object's members by name (the last of a repeated name wins); nil if malformed.
        mutating func object() -> [String: Value]? {
            guard consume(0x7B) else { return nil }
            var members: [String: Value] = [:]
            if consume(0x7D) { return members }

            repeat {
                guard let name = string(), consume(0x3A), let value = value() else { return nil }
                members[name] = value
            } while consume(0x2C)
            return consume(0x7D) ? members : nil
        }

        /// A string, `true`, `false` or an array of strings.
        private mutating func value() -> Value? {
            if consume(literal: "true") { return .boolean(true) }
            if consume(literal: "false") { return .boolean(false) }
            if peek() == 0x22 { return string().map(Value.string) }
            guard consume(0x5B) else { return nil }

            var strings: [String] = []
            if consume(0x5D) { return .strings(strings) }
            repeat {
                guard let element = string() else { return nil }
                strings.append(element)
            } while consume(0x2C)
            return consume(0x5D) ? .strings(strings) : nil
        }

        /// A quoted string with its escapes undone; nil if malformed.
        private mutating func string() -> String? {
            guard consume(0x22) else { return nil }
            var scalars = String.UnicodeScalarView()
            var run: [UInt8] = []

            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                switch byte {
                case 0x22:
                    var text = String(scalars)
                    text += String(decoding: run, as: UTF8.self)
                    return text
                case 0x5C:
                    scalars.append(contentsOf: String(decoding: run, as: UTF8.self).unicodeScalars)
                    run.removeAll(keepingCapacity: true)
                    guard let scalar = escape() else { return nil }
                    scalars.append(scalar)
                case 0..<0x20:
                    return nil
                default:
                    run.append(byte)
                }
            }
            return nil
        }

        /// The character of the escape after a `\`; nil if malformed.
        private mutating func escape() -> Unicode.Scalar? {
            guard index < bytes.count else { return nil }
            let byte = bytes[index]
            index += 1
            switch byte {
            case 0x22, 0x5C, 0x2F: return Unicode.Scalar(byte)
            case 0x62: return "\u{08}"
            case 0x66: return "\u{0C}"
            case 0x6E: return "\n"
            case 0x72: return "\r"
            case 0x74: return "\t"
            case 0x75: return unicodeEscape()
            default: return nil
            }
        }

        /// The scalar of `\uXXXX`, or of a surrogate pair `\uD8XX\uDCXX`; nil if malformed.
        private mutating func unicodeEscape() -> Unicode.Scalar? {
            guard let first = hexQuad() else { return nil }
            guard (0xD800..<0xDC00).contains(first) else { return Unicode.Scalar(first) }

            guard index + 2 <= bytes.count, bytes[index] == 0x5C, bytes[index + 1] == 0x75 else { return nil }
            index += 2
            guard let second = hexQuad(), (0xDC00..<0xE000).contains(second) else { return nil }
            return Unicode.Scalar(0x10000 + (first - 0xD800) << 10 + (second - 0xDC00))
        }

        /// Four hex digits as a number.
        private mutating func hexQuad() -> UInt32? {
            guard index + 4 <= bytes.count else { return nil }
            var value: UInt32 = 0
            for byte in bytes[index..<(index + 4)] {
                guard let digit = hexDigitValue(byte) else { return nil }
                value = value << 4 | UInt32(digit)
            }
            index += 4
            return value
        }

        /// The value of a hex digit of either case.
        private func hexDigitValue(_ byte: UInt8) -> UInt8? {
            switch byte {
            case 0x30...0x39: byte - 0x30
            case 0x41...0x46: byte - 0x41 + 10
            case 0x61...0x66: byte - 0x61 + 10
            default: nil
            }
        }

        /// Skips white space and consumes `byte` if it comes next.
        private mutating func consume(_ byte: UInt8) -> Bool {
            guard peek() == byte else { return false }
            index += 1
            return true
        }

        /// Skips white space and consumes `literal` if it comes next.
        private mutating func consume(literal: StaticString) -> Bool {
            skipSpace()
            let count = literal.utf8CodeUnitCount
            guard index + count <= bytes.count else { return false }
            let matches = (0..<count).allSatisfy { bytes[index + $0] == literal.utf8Start[$0] }
            if matches {
                index += count
            }
            return matches
        }

        /// Skips white space, and returns the next byte, if any.
        private mutating func peek() -> UInt8? {
            skipSpace()
            return index < bytes.count ? bytes[index] : nil
        }

        /// Skips spaces, tabs and line ends.
        private mutating func skipSpace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) {
                index += 1
            }
        }
    }
}
