import RelevoIO

/// The short answers relevo gives itself (errors), as plain text.
public enum HTTPErrorResponse {
    /// Writes "HTTP/1.1 <status> <standard reason phrase>", Content-Type: text/plain; charset=utf-8,
    /// Content-Length, Connection: close (if !keepAlive), `Retry-After` (seconds) if given, the
    /// `extraHeaders` lines (each ending in CRLF) and the body "<detail>\n" — unless `isHead`: an
    /// answer to HEAD has the same head and no body (RFC 9110 §9.3.2).
    public static func write(
        status: Int, detail: String, keepAlive: Bool, into buffer: ByteBuffer, pool: BufferPool,
        retryAfter: Int? = nil, extraHeaders: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0),
        isHead: Bool = false
    ) {
        buffer.write("HTTP/1.1 ", pool: pool)
        buffer.write(decimal: status, pool: pool)
        buffer.write(" ", pool: pool)
        buffer.write(HTTPStatus.reasonPhrase(status), pool: pool)
        buffer.write("\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ", pool: pool)
        buffer.write(decimal: detail.utf8.count + 1, pool: pool)
        buffer.write("\r\n", pool: pool)

        if !keepAlive {
            buffer.write("Connection: close\r\n", pool: pool)
        }
        if let retryAfter {
            buffer.write("Retry-After: ", pool: pool)
            buffer.write(decimal: retryAfter, pool: pool)
            buffer.write("\r\n", pool: pool)
        }
        buffer.write(extraHeaders, pool: pool)

        buffer.write("\r\n", pool: pool)
        guard !isHead else { return }
        buffer.write(string: detail, pool: pool)
        buffer.write("\n", pool: pool)
    }
}
