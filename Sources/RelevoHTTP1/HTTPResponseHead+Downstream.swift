import RelevoIO

extension HTTPResponseHead {
    /// Writes the head relevo sends downstream; `source` is the bytes the head was parsed from.
    ///
    /// `framing` is the framing relevo will send (the proxy decides it, e.g. `.chunked` to an
    /// HTTP/1.1 client when the upstream body is `.untilClose`); `keepAlive` whether the downstream
    /// connection stays open (`.untilClose` closes it whatever `keepAlive` says); `requestVersion`
    /// the client's version. Every field that is not hop-by-hop goes out byte for byte in order
    /// (a proxy may mark more fields hop-by-hop to drop them). `extraHeaders` are complete lines,
    /// each ending in CRLF, written last; interim (1xx but 101) responses carry only their fields.
    public func writeDownstream(
        from source: UnsafeRawBufferPointer, framing: HTTPBodyFraming, keepAlive: Bool, requestVersion: HTTPVersion,
        into buffer: ByteBuffer, pool: BufferPool,
        extraHeaders: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0)
    ) {
        let base = source.baseAddress!
        buffer.reserve(headLength + extraHeaders.count + 128, pool: pool)
        writeStatusLine(base, into: buffer, pool: pool)
        for field in headers where !field.isHopByHop {
            buffer.write(field: field, from: base, pool: pool)
        }

        if isInterim {
            buffer.write("\r\n", pool: pool)
            return
        }
        if status == 101 {
            writeUpgrade(base, into: buffer, pool: pool)
        } else {
            writeFraming(framing, base, into: buffer, pool: pool)
            writeConnection(closes: !keepAlive || framing == .untilClose, requestVersion, into: buffer, pool: pool)
        }
        buffer.write(extraHeaders, pool: pool)
        buffer.write("\r\n", pool: pool)
    }

    /// Writes `HTTP/1.1 <status> <reason>\r\n`; an empty reason becomes the standard phrase.
    private func writeStatusLine(_ base: UnsafeRawPointer, into buffer: ByteBuffer, pool: BufferPool) {
        buffer.write("HTTP/1.1 ", pool: pool)
        buffer.write(decimal: status, pool: pool)
        buffer.write(" ", pool: pool)
        if reasonRange.isEmpty {
            buffer.write(HTTPStatus.reasonPhrase(status), pool: pool)
        } else {
            buffer.write(base, at: reasonRange.lowerBound, count: reasonRange.count, pool: pool)
        }
        buffer.write("\r\n", pool: pool)
    }

    /// Writes every received Upgrade value and `Connection: upgrade`, for 101.
    private func writeUpgrade(_ base: UnsafeRawPointer, into buffer: ByteBuffer, pool: BufferPool) {
        for field in headers where field.name == .upgrade {
            buffer.write("Upgrade: ", pool: pool)
            buffer.write(base, at: Int(field.valueStart), count: Int(field.valueLength), pool: pool)
            buffer.write("\r\n", pool: pool)
        }
        buffer.write("Connection: upgrade\r\n", pool: pool)
    }

    /// Writes the framing field; with `.none`, a HEAD or 304 response keeps the upstream's
    /// Content-Length, which describes the representation (RFC 9110 §8.6).
    private func writeFraming(_ framing: HTTPBodyFraming, _ base: UnsafeRawPointer, into buffer: ByteBuffer, pool: BufferPool) {
        switch framing {
        case .contentLength(let length):
            buffer.write("Content-Length: ", pool: pool)
            buffer.write(decimal: length, pool: pool)
            buffer.write("\r\n", pool: pool)
        case .chunked:
            buffer.write("Transfer-Encoding: chunked\r\n", pool: pool)
        case .none where status >= 200 && status != 204:
            if let contentLength = headers.first(where: { $0.name == .contentLength }) {
                buffer.write(field: contentLength, from: base, pool: pool)
            }
        case .none, .untilClose:
            break
        }
    }

    /// Writes `Connection: close`, or `Connection: keep-alive` to an HTTP/1.0 client that stays.
    private func writeConnection(closes: Bool, _ requestVersion: HTTPVersion, into buffer: ByteBuffer, pool: BufferPool) {
        if closes {
            buffer.write("Connection: close\r\n", pool: pool)
        } else if requestVersion == .http10 {
            buffer.write("Connection: keep-alive\r\n", pool: pool)
        }
    }
}
