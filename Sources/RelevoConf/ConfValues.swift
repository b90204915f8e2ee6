import RelevoIO

/// Why a value could not be read, for a person; the caller says which value and where.
struct ConfValueError: Error, Sendable, Equatable {
    /// What is wrong with the value, e.g. `port must be 0-65535`.
    var reason: String

    /// An error saying `reason`.
    init(_ reason: String) {
        self.reason = reason
    }
}

/// Readers for the kinds of values conf directives take: durations, sizes, counts, addresses and names.
enum ConfValues {
    /// A duration such as `250ms`, `10s`, `30m`, `8h` or `1d`, in milliseconds: one whole number, one unit.
    static func milliseconds(_ text: String) throws(ConfValueError) -> Int64 {
        let (digits, unit) = splitNumber(text)
        guard !digits.isEmpty else {
            throw ConfValueError(
                text.hasPrefix("-") ? "a duration cannot be negative" : "expected a number and a unit, e.g. 10s"
            )
        }
        guard !unit.isEmpty else { throw ConfValueError("duration needs a unit: ms, s, m, h or d") }
        guard !unit.contains(where: { $0.isNumber || $0 == "." }) else {
            throw ConfValueError("write one whole number and one unit, e.g. 90m or 1500ms")
        }

        let scales: [Substring: Int64] = ["ms": 1, "s": 1_000, "m": 60_000, "h": 3_600_000, "d": 86_400_000]
        guard let scale = scales[unit] else { throw ConfValueError("unknown unit '\(unit)'; use ms, s, m, h or d") }
        return try scaled(digits, by: scale)
    }

    /// A size in bytes such as `512`, `16k`, `1m` or `1g` (binary: k is 1024); the unit is optional.
    static func bytes(_ text: String) throws(ConfValueError) -> Int {
        let (digits, unit) = splitNumber(text)
        guard !digits.isEmpty else {
            throw ConfValueError(text.hasPrefix("-") ? "a size cannot be negative" : "expected a number, e.g. 16k")
        }
        guard !unit.contains(where: { $0.isNumber || $0 == "." }) else {
            throw ConfValueError("write one whole number and at most one unit, e.g. 1536k")
        }

        let scales: [Substring: Int64] = ["": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30]
        guard let scale = scales[Substring(unit.lowercased())] else {
            throw ConfValueError("unknown unit '\(unit)'; use k, m or g, or none for bytes")
        }
        return Int(try scaled(digits, by: scale))
    }

    /// A whole number of something, 0 or more, without unit.
    static func count(_ text: String) throws(ConfValueError) -> Int {
        let (digits, rest) = splitNumber(text)
        guard !digits.isEmpty, rest.isEmpty else { throw ConfValueError("expected a whole number") }
        return Int(try scaled(digits, by: 1))
    }

    /// Whether `text` is a valid version name: 1 to 64 of `A-Z a-z 0-9 . _ -`.
    static func isVersionName(_ text: String) -> Bool {
        (1...64).contains(text.utf8.count)
            && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "_" || $0 == "-") }
    }

    // MARK: - Addresses

    /// A listener address: a numeric IPv4 address, a numeric IPv6 address in brackets, or `*` (all IPv4
    /// addresses), then `:PORT` with a port of 0 to 65535.
    static func listenAddress(_ text: String) throws(ConfValueError) -> SocketAddress {
        let (host, port, isBracketed) = try splitHostPort(text)
        let numericHost = host == "*" ? "0.0.0.0" : String(host)
        guard let address = SocketAddress(host: numericHost, port: port), isBracketed == numericHost.contains(":")
        else {
            if isBracketed {
                throw ConfValueError("'\(host)' is not a valid IPv6 address")
            }
            throw ConfValueError(
                "'\(host)' is not a numeric IPv4 address; listen takes an IP address or '*', never a host name"
            )
        }
        return address
    }

    /// A backend address: a numeric IPv4 address, a numeric IPv6 address in brackets, or a DNS name,
    /// then `:PORT` with a port of 1 to 65535. The host comes back without brackets.
    static func backendAddress(_ text: String) throws(ConfValueError) -> (host: String, port: UInt16) {
        let (host, port, isBracketed) = try splitHostPort(text)
        guard port != 0 else { throw ConfValueError("port must be 1-65535") }

        if isBracketed {
            guard host.contains(":"), SocketAddress(host: String(host), port: port) != nil else {
                throw ConfValueError("'\(host)' is not a valid IPv6 address")
            }
        } else if host.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }) {
            guard SocketAddress(host: String(host), port: port) != nil else {
                throw ConfValueError("'\(host)' is not a valid IPv4 address")
            }
        } else {
            try checkHostName(host)
        }
        return (String(host), port)
    }

    /// What makes two backends the same: the address for a numeric host (`[::1]` is `[0::1]`), else the name
    /// without case or trailing dot, and the port.
    static func backendKey(host: String, port: UInt16) -> String {
        if let address = SocketAddress(host: host, port: port) {
            return address.description
        }
        let name = host.hasSuffix(".") ? host.dropLast() : Substring(host)
        return "\(name.lowercased()):\(port)"
    }

    /// Splits `HOST:PORT` or `[HOST]:PORT`; checks the port is 0 to 65535 and the host is not empty.
    private static func splitHostPort(_ text: String) throws(ConfValueError) -> (Substring, UInt16, Bool) {
        let host: Substring
        let port: Substring
        let isBracketed = text.hasPrefix("[")
        if isBracketed {
            guard let close = text.firstIndex(of: "]") else {
                throw ConfValueError("missing ']' after the IPv6 address")
            }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { throw ConfValueError("expected ':PORT' after ']', e.g. [::1]:8080") }
            port = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else {
                throw ConfValueError("expected HOST:PORT, e.g. 127.0.0.1:8080")
            }
            host = text[..<colon]
            port = text[text.index(after: colon)...]
            guard !host.contains(":") else {
                throw ConfValueError("write an IPv6 address in brackets, e.g. [::1]:8080")
            }
        }

        guard !host.isEmpty else { throw ConfValueError("the host is missing before ':\(port)'") }
        return (host, try portNumber(port), isBracketed)
    }

    /// A port number, 0 to 65535.
    private static func portNumber(_ text: Substring) throws(ConfValueError) -> UInt16 {
        guard !text.isEmpty else { throw ConfValueError("the port is missing after ':'") }
        guard text.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw ConfValueError("port '\(text)' is not a number")
        }
        guard text.count <= 5, let port = Int(text), port <= 65535 else { throw ConfValueError("port must be 0-65535") }
        return UInt16(port)
    }

    /// Checks DNS name syntax: labels of 1 to 63 letters, digits, `-` or `_`, not starting or ending with `-`,
    /// separated by dots, 253 characters at most; one trailing dot is allowed.
    private static func checkHostName(_ host: Substring) throws(ConfValueError) {
        let name = host.hasSuffix(".") ? host.dropLast() : host
        guard name.utf8.count <= 253 else { throw ConfValueError("host name is longer than 253 characters") }

        for label in name.split(separator: ".", omittingEmptySubsequences: false) {
            guard !label.isEmpty else { throw ConfValueError("host name '\(host)' has an empty label") }
            guard label.utf8.count <= 63 else {
                throw ConfValueError("host name label '\(label)' is longer than 63 characters")
            }
            if let bad = label.first(where: { !($0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_")) })
            {
                throw ConfValueError(
                    "'\(bad)' is not allowed in host name '\(host)'; use letters, digits, '-', '_' and '.'"
                )
            }
            guard !label.hasPrefix("-"), !label.hasSuffix("-") else {
                throw ConfValueError("host name label '\(label)' must not start or end with '-'")
            }
        }
    }

    // MARK: - Numbers

    /// The leading ASCII digits of `text` and what follows them.
    private static func splitNumber(_ text: String) -> (digits: Substring, rest: Substring) {
        let end = text.firstIndex { !($0.isASCII && $0.isNumber) } ?? text.endIndex
        return (text[..<end], text[end...])
    }

    /// `digits` times `scale`, or an error if that does not fit.
    private static func scaled(_ digits: Substring, by scale: Int64) throws(ConfValueError) -> Int64 {
        guard let number = Int64(digits) else { throw ConfValueError("number is too large") }
        let (product, overflow) = number.multipliedReportingOverflow(by: scale)
        guard !overflow else { throw ConfValueError("number is too large") }
        return product
    }
}
