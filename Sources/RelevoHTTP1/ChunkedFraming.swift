import RelevoIO

/// Chunked framing that relevo writes when it re-frames a body (RFC 9112 §7.1).
public enum ChunkedFraming {
    /// Writes "<hex length>\r\n", the line that starts a chunk of `dataLength` bytes (more than 0).
    public static func writeChunkHeader(dataLength: Int, into buffer: ByteBuffer, pool: BufferPool) {
        buffer.write(hexadecimal: dataLength, pool: pool)
        buffer.write("\r\n", pool: pool)
    }

    /// Writes the CRLF that ends a chunk's data.
    public static func writeChunkEnd(into buffer: ByteBuffer, pool: BufferPool) {
        buffer.write("\r\n", pool: pool)
    }

    /// Writes "0\r\n", then the trailer lines (already validated, each ending in CRLF, may be
    /// empty), then "\r\n".
    public static func writeLastChunk(trailers: UnsafeRawBufferPointer, into buffer: ByteBuffer, pool: BufferPool) {
        buffer.write("0\r\n", pool: pool)
        buffer.write(trailers, pool: pool)
        buffer.write("\r\n", pool: pool)
    }
}

extension ByteBuffer {
    /// Appends the `count` bytes at `offset` of `base`.
    @inline(__always)
    func write(_ base: UnsafeRawPointer, at offset: Int, count: Int, pool: BufferPool) {
        write(UnsafeRawBufferPointer(start: base + offset, count: count), pool: pool)
    }

    /// Appends `field` as `name: value\r\n`, with the name and value bytes it was parsed from.
    @inline(__always)
    func write(field: HTTPHeaderField, from base: UnsafeRawPointer, pool: BufferPool) {
        write(base, at: Int(field.nameStart), count: Int(field.nameLength), pool: pool)
        write(": ", pool: pool)
        write(base, at: Int(field.valueStart), count: Int(field.valueLength), pool: pool)
        write("\r\n", pool: pool)
    }
}
