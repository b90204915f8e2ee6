import Glibc

/// Finds where a message head ends, across calls that each see the same start with more bytes.
///
/// It remembers how far it has searched, so a head fed byte by byte is scanned once in all. On the
/// way it refuses what no later byte can fix: a line feed without its carriage return, a head that
/// has grown past the limit, and a first byte that cannot start the head.
struct HeadScanner {
    /// Bytes from the start already searched for line feeds.
    private var scanned = 0

    /// Offset of the line being scanned.
    private var lineStart = 0

    /// Offset of the head's first line, after any skipped empty lines.
    private(set) var messageStart = 0

    /// Whether empty lines before the first line are skipped (requests, RFC 9112 §2.2).
    private let skipsLeadingEmptyLines: Bool

    /// The error for a head over the limit.
    private let tooLarge: HTTPParseError

    /// Creates a scanner for request heads (`skipsLeadingEmptyLines`) or response heads.
    init(skipsLeadingEmptyLines: Bool, tooLarge: HTTPParseError) {
        self.skipsLeadingEmptyLines = skipsLeadingEmptyLines
        self.tooLarge = tooLarge
    }

    /// Forgets all progress, before the next head.
    mutating func reset() {
        scanned = 0
        lineStart = 0
        messageStart = 0
    }

    /// The head's length through its empty line, or nil while it is incomplete.
    ///
    /// `isValidFirstByte` vets the first byte of the head's first line as soon as it arrives.
    /// Throws a bare-LF error or, once `limit` bytes hold no end, the too-large error; a throw
    /// resets the scanner.
    mutating func findEnd(
        _ bytes: UnsafeRawBufferPointer, limit: Int, isValidFirstByte: (UInt8) -> Bool
    ) throws(HTTPParseError) -> Int? {
        guard let base = bytes.baseAddress else { return nil }
        let searchEnd = min(bytes.count, limit)
        while scanned < searchEnd {
            // Whatever cannot start a head is refused at once, not after a timeout.
            if scanned == messageStart {
                let first = base[byte: scanned]
                if first != HTTPBytes.cr && !isValidFirstByte(first) {
                    reset()
                    throw .badRequest("invalid start of message")
                }
            }

            guard let found = memchr(base + scanned, Int32(HTTPBytes.lf), searchEnd - scanned) else {
                scanned = searchEnd
                break
            }
            let lineFeed = UnsafeRawPointer(found) - base
            if lineFeed == lineStart || base[byte: lineFeed - 1] != HTTPBytes.cr {
                reset()
                throw .badRequest("bare LF")
            }

            scanned = lineFeed + 1
            if lineFeed - 1 != lineStart {
                lineStart = scanned
            } else if lineStart == messageStart && skipsLeadingEmptyLines {
                lineStart = scanned
                messageStart = scanned
            } else {
                return scanned
            }
        }

        if bytes.count >= limit {
            reset()
            throw tooLarge
        }
        return nil
    }
}
