/// Readers for the HTTP values of the conf: cookie and header names, request targets and webhook URLs.
extension ConfValues {
    /// Whether `text` is an RFC 9110 token, as cookie names (RFC 6265) and header names are: one or more of
    /// letters, digits and ``tokenSymbols``.
    static func isToken(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { isAlphanumeric($0) || tokenSymbols.utf8.contains($0) }
    }

    /// The symbols a token may hold besides letters and digits.
    static let tokenSymbols = "!#$%&'*+-.^_`|~"

    /// An origin-form request target, as in `GET /health?deep=1 HTTP/1.1`: a `/`, then visible ASCII, with `%`
    /// only as the start of a `%XX` escape and no `#` fragment.
    static func originFormPath(_ text: String) throws(ConfValueError) -> String {
        guard text.hasPrefix("/") else { throw ConfValueError("the path must start with '/'") }
        try checkTarget(text)
        return text
    }

    /// A webhook URL, `http://HOST[:PORT][/PATH]`: HOST as a backend's, PORT 1 to 65535 (80 when left out),
    /// PATH an origin-form target (`/` when left out).
    static func webhookURL(_ text: String) throws(ConfValueError) -> (host: String, port: UInt16, path: String) {
        let lowercased = text.lowercased()
        guard !lowercased.hasPrefix("https://") else { throw ConfValueError("webhook URLs must be http:// for now") }
        guard lowercased.hasPrefix("http://") else { throw ConfValueError("expected http://HOST[:PORT]/PATH") }

        let rest = text.dropFirst("http://".count)
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        let target = rest[authorityEnd...]
        guard !authority.isEmpty else { throw ConfValueError("the host is missing after 'http://'") }
        guard !authority.contains("@") else { throw ConfValueError("a webhook URL cannot carry a user name") }

        // Without a port the last ':' belongs to the host, or there is none: add the default.
        let hasPort = authority.hasPrefix("[") ? authority.contains("]:") : authority.contains(":")
        let (host, port) = try backendAddress(hasPort ? String(authority) : String(authority) + ":80")
        let path = target.hasPrefix("/") ? String(target) : "/" + String(target)
        try checkTarget(path)
        return (host, port, path)
    }

    // MARK: - Characters

    /// Checks the characters of a request target that starts with `/`.
    private static func checkTarget(_ target: String) throws(ConfValueError) {
        let bytes = Array(target.utf8)
        for (index, byte) in bytes.enumerated() {
            guard byte > 0x20, byte < 0x7F else {
                throw ConfValueError("the path must be visible ASCII without spaces; percent-encode the rest")
            }
            guard byte != UInt8(ascii: "#") else { throw ConfValueError("a fragment ('#') is never sent; remove it") }
            if byte == UInt8(ascii: "%") {
                guard index + 2 < bytes.count, isHexDigit(bytes[index + 1]), isHexDigit(bytes[index + 2]) else {
                    throw ConfValueError("'%' must start an escape of two hex digits, e.g. %20")
                }
            }
        }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
    }
}
