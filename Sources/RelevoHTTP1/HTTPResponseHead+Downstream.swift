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
        let bound = 2 &* headLength &+ headers.count &+ extraHeaders.count &+ 256
        var writer = HeadWriter(into: buffer, capacity: bound, pool: pool)
        writeStatusLine(base, into: &writer)
        for field in headers where !field.isHopByHop {
            writer.write(field: field, from: base)
        }

        if status == 101 {
            writeUpgrade(base, into: &writer)
            writer.write(extraHeaders)
        } else if !isInterim {
            writeFraming(framing, base, into: &writer)
            writeConnection(closes: !keepAlive || framing == .untilClose, requestVersion, into: &writer)
            writer.write(extraHeaders)
        }
        writer.write("\r\n")
        writer.commit(to: buffer)
    }

    /// Writes `HTTP/1.1 <status> <reason>\r\n`; an empty reason becomes the standard phrase.
    private func writeStatusLine(_ base: UnsafeRawPointer, into writer: inout HeadWriter) {
        writer.write("HTTP/1.1 ")
        writer.write(decimal: status)
        writer.write(" ")
        if reasonRange.isEmpty {
            writer.write(HTTPStatus.reasonPhrase(status))
        } else {
            writer.write(base, at: reasonRange.lowerBound, count: reasonRange.count)
        }
        writer.write("\r\n")
    }

    /// Writes every received Upgrade value and `Connection: upgrade`, for 101.
    private func writeUpgrade(_ base: UnsafeRawPointer, into writer: inout HeadWriter) {
        for field in headers where field.name == .upgrade {
            writer.write("Upgrade: ")
            writer.write(base, at: Int(field.valueStart), count: Int(field.valueLength))
            writer.write("\r\n")
        }
        writer.write("Connection: upgrade\r\n")
    }

    /// Writes the framing field; with `.none`, a HEAD or 304 response keeps the upstream's
    /// Content-Length, which describes the representation (RFC 9110 §8.6).
    private func writeFraming(_ framing: HTTPBodyFraming, _ base: UnsafeRawPointer, into writer: inout HeadWriter) {
        switch framing {
        case .contentLength(let length):
            writer.write("Content-Length: ")
            writer.write(decimal: length)
            writer.write("\r\n")
        case .chunked:
            writer.write("Transfer-Encoding: chunked\r\n")
        case .none where status >= 200 && status != 204:
            if let contentLength = headers.first(where: { $0.name == .contentLength }) {
                writer.write(field: contentLength, from: base)
            }
        case .none, .untilClose:
            break
        }
    }

    /// Writes `Connection: close`, or `Connection: keep-alive` to an HTTP/1.0 client that stays.
    private func writeConnection(closes: Bool, _ requestVersion: HTTPVersion, into writer: inout HeadWriter) {
        if closes {
            writer.write("Connection: close\r\n")
        } else if requestVersion == .http10 {
            writer.write("Connection: keep-alive\r\n")
        }
    }
}
