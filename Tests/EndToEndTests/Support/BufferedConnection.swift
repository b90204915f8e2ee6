import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// How the body of an HTTP/1 message is delimited.
enum BodyFraming: Equatable, Sendable {
    /// No body at all.
    case none

    /// Exactly this many bytes.
    case length(Int)

    /// Chunked transfer coding.
    case chunked

    /// Everything until the sender closes the connection.
    case untilClose
}

/// What a reader kept of a body: its length and digest always, its bytes up to a limit.
struct ReceivedBody: Sendable {
    /// The longest body whose bytes are kept; longer bodies keep only length and digest.
    static let keptLimit = 1 << 20

    /// Length and digest of the whole body.
    var digest = BodyDigest()

    /// The bytes, if the body was at most ``keptLimit`` long; otherwise empty.
    var bytes: [UInt8] = []

    /// The trailer section of a chunked body, raw (empty when there was none).
    var trailers: [UInt8] = []

    /// The body's length in bytes.
    var length: Int {
        digest.length
    }

    /// The kept bytes as text (invalid UTF-8 replaced).
    var text: String {
        String(decoding: bytes, as: UTF8.self)
    }

    /// Folds `piece` in, keeping its bytes while the body is short.
    mutating func append(_ piece: UnsafeRawBufferPointer) {
        digest.update(piece)
        if digest.length <= Self.keptLimit {
            bytes.append(contentsOf: piece)
        } else if !bytes.isEmpty {
            bytes = []
        }
    }
}

/// One blocking TCP connection with a read buffer: heads, lines, exact lengths, chunked bodies and raw bytes.
///
/// Reading belongs to one thread at a time (it may be handed over, hence `@unchecked Sendable`); writing, which
/// touches no buffer, may happen on another thread, and ``shutdown()`` on any thread, to wake a blocked reader.
/// Every read is bounded by the socket's receive timeout; closes its descriptor on `deinit`.
final class BufferedConnection: @unchecked Sendable {
    /// The socket.
    let descriptor: Int32

    /// The receive timeout in force for ordinary reads.
    let timeout: Duration

    private var buffer: [UInt8] = []
    private var start = 0
    private var closed = false
    private var scratch = [UInt8](repeating: 0, count: 64 * 1024)

    /// Takes ownership of `descriptor`, whose timeouts are already `timeout`.
    init(descriptor: Int32, timeout: Duration) {
        self.descriptor = descriptor
        self.timeout = timeout
    }

    deinit {
        close()
    }

    /// The number of bytes received but not yet consumed.
    var bufferedCount: Int {
        buffer.count - start
    }

    // MARK: Writing

    /// Writes all of `bytes`.
    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try TestSocket.writeAll(descriptor, $0) }
    }

    /// Writes `text` as UTF-8.
    func write(_ text: String) throws {
        try write(Array(text.utf8))
    }

    /// Writes all of `bytes`.
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        try TestSocket.writeAll(descriptor, bytes)
    }

    /// Sends FIN: no more bytes from this side; reading goes on.
    func shutdownWrite() {
        _ = Glibc.shutdown(descriptor, Int32(SHUT_WR))
    }

    /// Shuts both directions down, waking any thread blocked on this socket; the descriptor stays open.
    func shutdown() {
        _ = Glibc.shutdown(descriptor, Int32(SHUT_RDWR))
    }

    /// Closes the descriptor (once).
    func close() {
        if !closed {
            closed = true
            _ = Glibc.close(descriptor)
        }
    }

    // MARK: Reading

    /// Reads once more from the socket into the buffer; `false` at end of stream; throws when the timeout runs out.
    @discardableResult
    func fill() throws -> Bool {
        let count = try scratch.withUnsafeMutableBytes { try TestSocket.read(descriptor, into: $0) }
        guard let count else {
            throw HarnessError("read timed out after \(timeout) (\(bufferedCount) bytes unconsumed)")
        }
        appendReceived(count)
        return count > 0
    }

    /// Reads a message head up to and including its empty line; `nil` at end of stream before any byte.
    func readHead(limit: Int = 1 << 20) throws -> HTTPHead? {
        var scanned = 0
        while true {
            if let end = Self.endOfHead(in: buffer, from: start + max(scanned - 3, 0)) {
                let raw = Array(buffer[start..<end])
                start = end
                return HTTPHead(raw: raw)
            }
            scanned = bufferedCount
            guard bufferedCount <= limit else {
                throw HarnessError("head longer than \(limit) bytes")
            }
            guard try fill() else {
                if bufferedCount == 0 {
                    return nil
                }
                let partial = String(decoding: buffer[start...], as: UTF8.self)
                throw HarnessError("connection closed in the middle of a head: \(partial.debugDescription)")
            }
        }
    }

    /// Reads one line ending in CRLF and returns it without the CRLF; throws on a bare LF.
    func readLine(limit: Int = 64 * 1024) throws -> [UInt8] {
        while true {
            if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                guard newline > start, buffer[newline - 1] == UInt8(ascii: "\r") else {
                    throw HarnessError("line ends in a bare LF")
                }
                let line = Array(buffer[start..<(newline - 1)])
                start = newline + 1
                return line
            }
            guard bufferedCount <= limit else {
                throw HarnessError("line longer than \(limit) bytes")
            }
            guard try fill() else {
                throw HarnessError("connection closed in the middle of a line")
            }
        }
    }

    /// Reads exactly `count` bytes, handing them to `sink` piece by piece.
    func readExactly(_ count: Int, into sink: (UnsafeRawBufferPointer) -> Void) throws {
        var remaining = count
        while remaining > 0 {
            if bufferedCount == 0 {
                guard try fill() else {
                    throw HarnessError("connection closed with \(remaining) of \(count) body bytes missing")
                }
            }
            let take = min(remaining, bufferedCount)
            buffer.withUnsafeBytes { sink(UnsafeRawBufferPointer(rebasing: $0[start..<(start + take)])) }
            start += take
            remaining -= take
        }
    }

    /// Reads until the peer closes, handing every byte to `sink`.
    func readUntilClose(into sink: (UnsafeRawBufferPointer) -> Void) throws {
        while true {
            if bufferedCount > 0 {
                buffer.withUnsafeBytes { sink(UnsafeRawBufferPointer(rebasing: $0[start...])) }
                start = buffer.count
            }
            guard try fill() else {
                return
            }
        }
    }

    /// Reads a chunked body (RFC 9112 §7.1), strictly, handing the data to `sink`; returns the raw trailers.
    func readChunkedBody(into sink: (UnsafeRawBufferPointer) -> Void) throws -> [UInt8] {
        while true {
            let line = try readLine()
            let sizeDigits = line.prefix { $0 != UInt8(ascii: ";") }
            guard !sizeDigits.isEmpty, sizeDigits.count <= 15,
                let size = Int(String(decoding: sizeDigits, as: UTF8.self), radix: 16),
                sizeDigits.allSatisfy({ $0 != UInt8(ascii: "+") && $0 != UInt8(ascii: "-") })
            else {
                throw HarnessError("bad chunk size line \(String(decoding: line, as: UTF8.self).debugDescription)")
            }
            if size == 0 {
                return try readTrailers()
            }
            try readExactly(size, into: sink)
            guard try readLine().isEmpty else {
                throw HarnessError("chunk data not followed by CRLF")
            }
        }
    }

    /// Reads a body delimited by `framing` into a ``ReceivedBody``.
    func readBody(_ framing: BodyFraming) throws -> ReceivedBody {
        var body = ReceivedBody()
        switch framing {
        case .none:
            break
        case .length(let count):
            try readExactly(count) { body.append($0) }
        case .chunked:
            body.trailers = try readChunkedBody { body.append($0) }
        case .untilClose:
            try readUntilClose { body.append($0) }
        }
        return body
    }

    /// Returns what is buffered, or else what one read brings: empty at end of stream, `nil` if nothing came
    /// within `wait`.
    func readAvailable(within wait: Duration) throws -> [UInt8]? {
        if bufferedCount == 0 {
            try TestSocket.setTimeouts(descriptor, wait)
            defer { try? TestSocket.setTimeouts(descriptor, timeout) }
            let count = try scratch.withUnsafeMutableBytes { try TestSocket.read(descriptor, into: $0) }
            guard let count else {
                return nil
            }
            appendReceived(count)
        }
        let bytes = Array(buffer[start...])
        start = buffer.count
        return bytes
    }

    /// Reads exactly `count` bytes and returns them.
    func readBytes(_ count: Int) throws -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        try readExactly(count) { bytes.append(contentsOf: $0) }
        return bytes
    }

    /// Moves the unconsumed bytes to the front, then appends the first `count` bytes of `scratch`.
    private func appendReceived(_ count: Int) {
        if start > 0 {
            buffer.removeSubrange(0..<start)
            start = 0
        }
        buffer.append(contentsOf: scratch[0..<count])
    }

    private func readTrailers() throws -> [UInt8] {
        var trailers: [UInt8] = []
        while true {
            let line = try readLine()
            if line.isEmpty {
                return trailers
            }
            trailers += line + [UInt8(ascii: "\r"), UInt8(ascii: "\n")]
        }
    }

    private static func endOfHead(in bytes: [UInt8], from offset: Int) -> Int? {
        guard bytes.count >= 4 else {
            return nil
        }
        var index = max(offset, 0)
        while index + 3 < bytes.count {
            if bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
                return index + 4
            }
            index += 1
        }
        return nil
    }
}
