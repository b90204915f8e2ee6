import Glibc
import RelevoIO

/// One worker's access log: a line per exchange, gathered in a buffer and handed to a
/// ``LogWriter`` every ``flushInterval`` or when the buffer fills, so the loop never writes to disk.
///
/// A line reads: `time=2026-12-03T13:00:00.123Z client=192.0.2.1:51234 request="GET /search?q=x"
/// status=200 in=142 out=5120 duration_ms=1.204 version=v42 backend=10.0.0.5:9002 term=--`.
/// Used only on its worker's loop.
final class AccessLog {
    private let writer: LogWriter
    private let buffer = ByteBuffer()
    private let pool: BufferPool
    private var cachedSecond: Int = -1
    private var cachedPrefix: [UInt8] = []

    /// How often gathered lines are handed to the writer, in milliseconds.
    static let flushInterval: Int64 = 100

    init(writer: LogWriter, pool: BufferPool) {
        self.writer = writer
        self.pool = pool
    }

    /// Appends the line of a finished or abandoned exchange.
    func record(_ exchange: Exchange, client: SocketAddress) {
        writeTime()
        buffer.write(" client=", pool: pool)
        buffer.write(string: client.description, pool: pool)
        buffer.write(" request=\"", pool: pool)
        exchange.requestLine.withUnsafeBytes { writeEscaped($0) }
        buffer.write("\" status=", pool: pool)
        buffer.write(decimal: exchange.status, pool: pool)
        buffer.write(" in=", pool: pool)
        buffer.write(decimal: exchange.bytesIn, pool: pool)
        buffer.write(" out=", pool: pool)
        buffer.write(decimal: exchange.bytesOut, pool: pool)
        writeDuration(since: exchange.startedAt)
        buffer.write(" version=", pool: pool)
        buffer.write(string: exchange.version?.name ?? "-", pool: pool)
        buffer.write(" backend=", pool: pool)
        buffer.write(string: exchange.backend?.name ?? "-", pool: pool)
        buffer.write(" term=", pool: pool)
        buffer.write(string: exchange.termination.description, pool: pool)
        buffer.write(byte: 0x0A, pool: pool)
        if buffer.readableCount > pool.chunkSize * 2 {
            flush()
        }
    }

    /// Hands the gathered lines to the writer.
    func flush() {
        guard !buffer.isEmpty else { return }
        writer.append(buffer.readableBytes)
        buffer.consume(buffer.readableCount)
    }

    private func writeTime() {
        let now = WallClock.now()
        if Int(now.tv_sec) != cachedSecond {
            cachedSecond = Int(now.tv_sec)
            let stamp = Log.timestamp()
            cachedPrefix = Array("time=\(stamp.prefix(19)).".utf8)
        }
        cachedPrefix.withUnsafeBytes { buffer.write($0, pool: pool) }
        let milliseconds = Int(now.tv_nsec / 1_000_000)
        buffer.write(byte: UInt8(0x30 + milliseconds / 100), pool: pool)
        buffer.write(byte: UInt8(0x30 + milliseconds / 10 % 10), pool: pool)
        buffer.write(byte: UInt8(0x30 + milliseconds % 10), pool: pool)
        buffer.write(byte: 0x5A, pool: pool)
    }

    private func writeDuration(since start: Int64) {
        let microseconds = max(0, Int((MonotonicClock.nanoseconds() - start) / 1_000))
        buffer.write(" duration_ms=", pool: pool)
        buffer.write(decimal: microseconds / 1_000, pool: pool)
        buffer.write(byte: 0x2E, pool: pool)
        let fraction = microseconds % 1_000
        buffer.write(byte: UInt8(0x30 + fraction / 100), pool: pool)
        buffer.write(byte: UInt8(0x30 + fraction / 10 % 10), pool: pool)
        buffer.write(byte: UInt8(0x30 + fraction % 10), pool: pool)
    }

    /// Writes request bytes with `"` and `\` escaped and anything outside visible ASCII as `\xHH`.
    private func writeEscaped(_ bytes: UnsafeRawBufferPointer) {
        let hex: StaticString = "0123456789abcdef"
        for byte in bytes {
            if byte == 0x22 || byte == 0x5C {
                buffer.write(byte: 0x5C, pool: pool)
                buffer.write(byte: byte, pool: pool)
            } else if byte >= 0x20 && byte < 0x7F {
                buffer.write(byte: byte, pool: pool)
            } else {
                buffer.write("\\x", pool: pool)
                buffer.write(byte: hex.utf8Start[Int(byte >> 4)], pool: pool)
                buffer.write(byte: hex.utf8Start[Int(byte & 0xF)], pool: pool)
            }
        }
    }
}
