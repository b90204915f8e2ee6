import Glibc

/// Decodes the chunked transfer coding (RFC 9112 §7.1) of a request or response body, strictly.
///
/// The caller hands in the bytes it holds, from the front; after each step it drops the bytes the
/// step consumed and calls again with what is left plus anything newly read. Chunk data is handed
/// back in place as ranges, never copied. After `.end` the decoder is ready for the next body.
/// One decoder per body being read, used from its connection's event loop only.
public struct ChunkedDecoder {
    /// The largest chunk-size line accepted, extensions and CRLF included.
    static let maximumSizeLineLength = 4096

    /// The largest trailer section accepted, through its final CRLF.
    static let maximumTrailerSectionSize = 32 * 1024

    /// Where the decoder is in the body. Offsets are from the front of the bytes the next call sees.
    private enum State {
        /// Reading a chunk-size line at the front; `scanned` bytes of it have been searched for LF.
        case sizeLine(scanned: Int)
        /// Inside a chunk's data, with `remaining` bytes of it still to come.
        case data(remaining: Int)
        /// After a chunk's data, expecting its CRLF.
        case dataEnd
        /// In the trailer section at the front, after the last chunk: `lineStart` is the line being
        /// read and `scanned` how far it has been searched for LF.
        case trailers(lineStart: Int, scanned: Int)
    }

    /// What one call to ``decode(_:)`` found.
    public enum Step: Equatable {
        /// Chunk data at these offsets of `bytes`; everything up to range.upperBound is consumed.
        case data(Range<Int>)
        /// More bytes are needed; `consumed` framing bytes at the front may be dropped.
        case needMore(consumed: Int)
        /// The last chunk and the trailer section are complete. `trailers` is the range of the
        /// validated trailer field lines, each ending in CRLF, without the final empty line (empty if
        /// none); `consumed` counts through the final CRLF.
        case end(consumed: Int, trailers: Range<Int>)
    }

    private var state = State.sizeLine(scanned: 0)

    /// Creates a decoder at the start of a chunked body.
    public init() {}

    /// Decodes from the front of `bytes` (the caller drops consumed bytes and calls again).
    ///
    /// A data step may be shorter than the chunk (only what is in `bytes`); the decoder keeps the
    /// rest of the chunk's length as state. Throws 400 on any malformed framing, 431 for a trailer
    /// section over 32 KiB.
    public mutating func decode(_ bytes: UnsafeRawBufferPointer) throws(HTTPParseError) -> Step {
        guard let base = bytes.baseAddress else { return .needMore(consumed: 0) }
        let count = bytes.count
        var offset = 0
        while true {
            switch state {
            case .sizeLine(let scanned):
                guard let next = try decodeSizeLine(base, from: offset, scanned: scanned, count: count) else {
                    return .needMore(consumed: offset)
                }
                offset = next

            case .data(let remaining):
                guard offset < count else { return .needMore(consumed: offset) }
                let length = min(remaining, count &- offset)
                state = remaining == length ? .dataEnd : .data(remaining: remaining &- length)
                return .data(offset..<(offset &+ length))

            case .dataEnd:
                guard try decodeDataEnd(base, from: offset, count: count) else { return .needMore(consumed: offset) }
                offset &+= 2
                state = .sizeLine(scanned: 0)

            case .trailers(let lineStart, let scanned):
                return try decodeTrailers(base, from: offset, lineStart: lineStart, scanned: scanned, count: count)
            }
        }
    }

    /// Reads the chunk-size line at `start` once its LF has arrived, and returns the offset after it;
    /// nil if it has not arrived (the state then remembers the search, relative to `start`).
    private mutating func decodeSizeLine(
        _ base: UnsafeRawPointer, from start: Int, scanned: Int, count: Int
    ) throws(HTTPParseError) -> Int? {
        let searchEnd = min(count, start &+ Self.maximumSizeLineLength)
        guard let lineFeed = findLineFeed(base, from: start &+ scanned, to: searchEnd) else {
            guard count &- start < Self.maximumSizeLineLength else { throw .badRequest("chunk size line too long") }
            state = .sizeLine(scanned: count &- start)
            return nil
        }
        guard lineFeed > start && base[byte: lineFeed &- 1] == HTTPBytes.cr else { throw .badRequest("bare LF") }

        let size = try ChunkSizeLine.parse(base, from: start, to: lineFeed &- 1)
        state = size == 0 ? .trailers(lineStart: 0, scanned: 0) : .data(remaining: size)
        return lineFeed &+ 1
    }

    /// Whether the CRLF after chunk data is at `start`; false while it has not fully arrived.
    private func decodeDataEnd(_ base: UnsafeRawPointer, from start: Int, count: Int) throws(HTTPParseError) -> Bool {
        if start < count && base[byte: start] != HTTPBytes.cr {
            throw .badRequest("missing CRLF after chunk data")
        }
        if start &+ 1 < count && base[byte: start &+ 1] != HTTPBytes.lf {
            throw .badRequest("missing CRLF after chunk data")
        }
        return start &+ 2 <= count
    }

    /// Reads the trailer section at `start`, validating each field line as it completes.
    private mutating func decodeTrailers(
        _ base: UnsafeRawPointer, from start: Int, lineStart: Int, scanned: Int, count: Int
    ) throws(HTTPParseError) -> Step {
        let section = base + start
        let available = count &- start
        let searchEnd = min(available, Self.maximumTrailerSectionSize)
        var lineStart = lineStart
        var scanned = scanned
        while let lineFeed = findLineFeed(section, from: scanned, to: searchEnd) {
            guard lineFeed > lineStart && section[byte: lineFeed &- 1] == HTTPBytes.cr else {
                throw .badRequest("bare LF")
            }
            if lineFeed &- 1 == lineStart {
                state = .sizeLine(scanned: 0)
                return .end(consumed: start &+ lineFeed &+ 1, trailers: start..<(start &+ lineStart))
            }

            try TrailerLine.validate(section, from: lineStart, end: lineFeed &+ 1)
            lineStart = lineFeed &+ 1
            scanned = lineStart
        }

        guard available < Self.maximumTrailerSectionSize else {
            throw HTTPParseError(status: 431, reason: "trailer section too large")
        }
        state = .trailers(lineStart: lineStart, scanned: available)
        return .needMore(consumed: start)
    }

    /// The offset of the first LF in `start..<end`, or nil.
    @inline(__always)
    private func findLineFeed(_ base: UnsafeRawPointer, from start: Int, to end: Int) -> Int? {
        guard start < end, let found = memchr(base + start, Int32(HTTPBytes.lf), end &- start) else { return nil }
        return UnsafeRawPointer(found) - base
    }
}

/// A chunk-size line without its CRLF: `chunk-size [ chunk-ext ]` (RFC 9112 §7.1.1).
enum ChunkSizeLine {
    /// The most hexadecimal digits a chunk size may have, so it cannot overflow.
    static let maximumDigits = 15

    /// Parses the line in `start..<end` (the offset of its CR) and returns the chunk size.
    /// Extensions are validated, then ignored.
    static func parse(_ base: UnsafeRawPointer, from start: Int, to end: Int) throws(HTTPParseError) -> Int {
        var index = start
        var size = 0
        while index < end && HTTPBytes.isHexDigit(base[byte: index]) {
            size = size << 4 | HTTPBytes.hexValue(base[byte: index])
            index &+= 1
        }
        guard index > start else { throw .badRequest("invalid chunk size") }
        guard index &- start <= maximumDigits else { throw .badRequest("chunk size too large") }
        if index < end && !HTTPBytes.isWhitespace(base[byte: index]) && base[byte: index] != HTTPBytes.semicolon {
            throw .badRequest("invalid chunk size")
        }

        try ChunkExtensions.validate(base, from: index, to: end)
        return size
    }
}
