/// What a head's field lines say about framing, the connection and the exchange, gathered while
/// they are parsed; the request and response parsers turn it into their heads' flags.
struct FieldSection {
    /// The Content-Length value; several lines must all agree.
    var contentLength: Int?

    /// Whether a Transfer-Encoding field (necessarily `chunked`) was present.
    var isChunked = false

    /// The index of the Host field.
    var hostIndex: Int?

    /// Whether Connection lists `close`.
    var closes = false

    /// Whether Connection lists `keep-alive`.
    var keepsAlive = false

    /// Whether Connection lists `upgrade`.
    var upgrades = false

    /// Whether an Upgrade field is present.
    var hasUpgradeField = false

    /// Whether Expect is `100-continue`.
    var expectsContinue = false

    /// How many Connection options name other fields.
    private var connectionOptionCount = 0

    /// More Connection options than this are refused: marking the fields they name costs options × fields.
    static let maximumConnectionOptions = 64

    /// Parses the field lines from `start` to the empty line that ends at `end`, appending each to
    /// `headers`, and marks the hop-by-hop ones.
    static func parse(
        _ base: UnsafeRawPointer, from start: Int, end: Int, into headers: inout [HTTPHeaderField]
    ) throws(HTTPParseError) -> FieldSection {
        var section = FieldSection()
        var index = start
        while true {
            let first = base[byte: index]
            if first == HTTPBytes.cr {
                guard base[byte: index &+ 1] == HTTPBytes.lf else { throw .badRequest("bare CR") }
                break
            }
            if HTTPBytes.isWhitespace(first) {
                throw .badRequest("obsolete line folding")
            }

            let line = try FieldLine.parse(base, at: index, end: end)
            try section.add(line, base, into: &headers)
            index = line.next
        }

        if section.connectionOptionCount > 0 {
            markConnectionOptions(base, in: &headers)
        }
        return section
    }

    /// Records one field line: appends it to `headers` and notes what its name means.
    private mutating func add(
        _ line: FieldLine, _ base: UnsafeRawPointer, into headers: inout [HTTPHeaderField]
    ) throws(HTTPParseError) {
        let name = HTTPHeaderName(base, at: line.nameStart, count: line.nameEnd &- line.nameStart)
        switch name {
        case .contentLength:
            try addContentLength(base, line)
        case .transferEncoding:
            try addTransferEncoding(base, line)
        case .host:
            guard hostIndex == nil else { throw .badRequest("multiple Host fields") }
            hostIndex = headers.count
        case .connection:
            try addConnection(base, line)
        case .upgrade:
            hasUpgradeField = true
        case .expect:
            let count = line.valueEnd &- line.valueStart
            expectsContinue = base.equalsIgnoringCase(at: line.valueStart, count: count, "100-continue")
        default:
            break
        }

        headers.append(
            HTTPHeaderField(
                nameStart: Int32(truncatingIfNeeded: line.nameStart),
                nameLength: Int32(truncatingIfNeeded: line.nameEnd &- line.nameStart),
                valueStart: Int32(truncatingIfNeeded: line.valueStart),
                valueLength: Int32(truncatingIfNeeded: line.valueEnd &- line.valueStart),
                name: name, isHopByHop: name.isAlwaysHopByHop))
    }

    /// Notes a Content-Length line: 1 to 18 decimal digits, equal to any earlier one.
    private mutating func addContentLength(_ base: UnsafeRawPointer, _ line: FieldLine) throws(HTTPParseError) {
        let count = line.valueEnd &- line.valueStart
        guard count > 0 && count <= 18 else { throw .badRequest("invalid Content-Length") }

        var value = 0
        for index in line.valueStart..<line.valueEnd {
            let byte = base[byte: index]
            guard HTTPBytes.isDigit(byte) else { throw .badRequest("invalid Content-Length") }
            value = value &* 10 &+ Int(byte &- HTTPBytes.zero)
        }

        if let contentLength, contentLength != value {
            throw .badRequest("conflicting Content-Length")
        }
        contentLength = value
    }

    /// Notes a Transfer-Encoding line: relevo accepts exactly one, and only `chunked`.
    private mutating func addTransferEncoding(_ base: UnsafeRawPointer, _ line: FieldLine) throws(HTTPParseError) {
        guard !isChunked else { throw .badRequest("multiple Transfer-Encoding fields") }

        let count = line.valueEnd &- line.valueStart
        guard base.equalsIgnoringCase(at: line.valueStart, count: count, "chunked") else {
            throw .badRequest("unsupported Transfer-Encoding")
        }
        isChunked = true
    }

    /// Notes a Connection line's options.
    private mutating func addConnection(_ base: UnsafeRawPointer, _ line: FieldLine) throws(HTTPParseError) {
        var index = line.valueStart
        while let token = try Self.nextToken(base, from: &index, end: line.valueEnd) {
            switch ConnectionOption(base, at: token.lowerBound, count: token.count) {
            case .close: closes = true
            case .keepAlive: keepsAlive = true
            case .upgrade: upgrades = true
            case .ignored: break
            case .field:
                connectionOptionCount &+= 1
                guard connectionOptionCount <= Self.maximumConnectionOptions else {
                    throw .badRequest("too many Connection options")
                }
            }
        }
    }

    /// The next token of a comma-separated list (`#token`, RFC 9110 §5.6.1) running to `end`, or
    /// nil at the end of the list. Empty elements are skipped; anything else but a token is refused.
    @inline(__always)
    static func nextToken(
        _ base: UnsafeRawPointer, from index: inout Int, end: Int
    ) throws(HTTPParseError) -> Range<Int>? {
        while index < end && (base[byte: index] == HTTPBytes.comma || HTTPBytes.isWhitespace(base[byte: index])) {
            index &+= 1
        }
        guard index < end else { return nil }

        let start = index
        while index < end && HTTPBytes.isToken(base[byte: index]) {
            index &+= 1
        }
        let token = start..<index
        while index < end && HTTPBytes.isWhitespace(base[byte: index]) {
            index &+= 1
        }
        guard !token.isEmpty && (index == end || base[byte: index] == HTTPBytes.comma) else {
            throw .badRequest("invalid Connection field")
        }
        return token
    }

    /// Marks as hop-by-hop every field that a Connection option names, except Host and Content-Length.
    private static func markConnectionOptions(_ base: UnsafeRawPointer, in headers: inout [HTTPHeaderField]) {
        headers.withUnsafeMutableBufferPointer { fields in
            for connection in fields where connection.name == .connection {
                var index = Int(connection.valueStart)
                let end = index &+ Int(connection.valueLength)
                while let token = try? nextToken(base, from: &index, end: end) {
                    guard ConnectionOption(base, at: token.lowerBound, count: token.count) == .field else { continue }
                    markFields(named: token, base, in: fields)
                }
            }
        }
    }

    /// Marks as hop-by-hop the fields whose name is the bytes at `name`, ignoring case.
    private static func markFields(
        named name: Range<Int>, _ base: UnsafeRawPointer, in fields: UnsafeMutableBufferPointer<HTTPHeaderField>
    ) {
        for index in fields.indices where Int(fields[index].nameLength) == name.count {
            let start = Int(fields[index].nameStart)
            if base.equalsIgnoringCase(at: start, name.lowerBound, count: name.count) {
                fields[index].isHopByHop = true
            }
        }
    }
}

/// What one option of a Connection field means to relevo.
private enum ConnectionOption {
    /// `close`: the sender closes after this exchange.
    case close
    /// `keep-alive`: an HTTP/1.0 peer wants a persistent connection.
    case keepAlive
    /// `upgrade`: the Upgrade field applies.
    case upgrade
    /// `host` or `content-length`: never hop-by-hop, so the option is ignored.
    case ignored
    /// Any other name: fields of that name are hop-by-hop.
    case field

    /// Classifies the option in the `count` bytes at `offset`.
    @inline(__always)
    init(_ base: UnsafeRawPointer, at offset: Int, count: Int) {
        if base.equalsIgnoringCase(at: offset, count: count, "close") {
            self = .close
        } else if base.equalsIgnoringCase(at: offset, count: count, "keep-alive") {
            self = .keepAlive
        } else if base.equalsIgnoringCase(at: offset, count: count, "upgrade") {
            self = .upgrade
        } else if base.equalsIgnoringCase(at: offset, count: count, "host")
            || base.equalsIgnoringCase(at: offset, count: count, "content-length")
        {
            self = .ignored
        } else {
            self = .field
        }
    }
}
