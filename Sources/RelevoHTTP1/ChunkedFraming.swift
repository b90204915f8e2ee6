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
