import RelevoIO

extension HTTPRequestHead {
    /// Writes the head relevo sends upstream; `source` is the bytes the head was parsed from.
    ///
    /// The request line always says HTTP/1.1. Every field that is not hop-by-hop (a proxy may mark
    /// more fields hop-by-hop to drop them) goes out byte for byte in order, except X-Forwarded-*,
    /// which are rewritten from `forwarding`; an absolute-form authority replaces Host. Then come
    /// Upgrade and `Connection: upgrade` when upgrading, the framing, `extraHeaders` (complete
    /// lines, each ending in CRLF) and the final CRLF.
    public func writeUpstream(
        from source: UnsafeRawBufferPointer, forwarding: ForwardingContext, into buffer: ByteBuffer, pool: BufferPool,
        extraHeaders: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0)
    ) {
        let base = source.baseAddress!
        buffer.reserve(headLength + forwarding.clientAddress.count + extraHeaders.count + 128, pool: pool)
        writeRequestLine(base, into: buffer, pool: pool)

        if hostIndex == nil {
            // No Host: HTTP/1.0. Upstream is HTTP/1.1, which needs one; empty says "no authority".
            writeHost(base, into: buffer, pool: pool)
        }
        for (index, field) in headers.enumerated() where !field.isHopByHop {
            switch field.name {
            case .xForwardedFor, .xForwardedProto, .xForwardedHost:
                continue
            case .host where index == hostIndex:
                writeHost(base, into: buffer, pool: pool)
            default:
                buffer.write(field: field, from: base, pool: pool)
            }
        }

        if isUpgrade {
            writeUpgrade(base, into: buffer, pool: pool)
        }
        writeForwarded(base, forwarding: forwarding, into: buffer, pool: pool)
        writeFraming(into: buffer, pool: pool)
        buffer.write(extraHeaders, pool: pool)
        buffer.write("\r\n", pool: pool)
    }

    /// Writes `<method> <target> HTTP/1.1\r\n`.
    private func writeRequestLine(_ base: UnsafeRawPointer, into buffer: ByteBuffer, pool: BufferPool) {
        buffer.write(base, at: methodRange.lowerBound, count: methodRange.count, pool: pool)
        buffer.write(" ", pool: pool)
        if targetIsEmptyPath {
            // RFC 9112 §3.2.4: an empty path is "/", or "*" for OPTIONS without a query.
            buffer.write(method == .options && targetRange.isEmpty ? "*" : "/", pool: pool)
        }
        buffer.write(base, at: targetRange.lowerBound, count: targetRange.count, pool: pool)
        buffer.write(" HTTP/1.1\r\n", pool: pool)
    }

    /// Writes the Host line: the absolute-form authority if any, else the received Host, else empty.
    private func writeHost(_ base: UnsafeRawPointer, into buffer: ByteBuffer, pool: BufferPool) {
        if let authority = absoluteAuthorityRange {
            buffer.write("Host: ", pool: pool)
            buffer.write(base, at: authority.lowerBound, count: authority.count, pool: pool)
            buffer.write("\r\n", pool: pool)
        } else if let hostIndex {
            buffer.write(field: headers[hostIndex], from: base, pool: pool)
        } else {
            buffer.write("Host: \r\n", pool: pool)
        }
    }

    /// Writes every received Upgrade value and `Connection: upgrade`.
    private func writeUpgrade(_ base: UnsafeRawPointer, into buffer: ByteBuffer, pool: BufferPool) {
        for field in headers where field.name == .upgrade {
            buffer.write("Upgrade: ", pool: pool)
            buffer.write(base, at: Int(field.valueStart), count: Int(field.valueLength), pool: pool)
            buffer.write("\r\n", pool: pool)
        }
        buffer.write("Connection: upgrade\r\n", pool: pool)
    }

    /// Writes X-Forwarded-For (received values, then the client), X-Forwarded-Proto and, when the
    /// request names a host, X-Forwarded-Host.
    private func writeForwarded(
        _ base: UnsafeRawPointer, forwarding: ForwardingContext, into buffer: ByteBuffer, pool: BufferPool
    ) {
        writeForwardedFor(base, client: forwarding.clientAddress, into: buffer, pool: pool)

        buffer.write("X-Forwarded-Proto: ", pool: pool)
        buffer.write(forwarding.scheme, pool: pool)
        buffer.write("\r\n", pool: pool)

        let host = absoluteAuthorityRange ?? hostIndex.map { headers[$0].valueRange } ?? 0..<0
        if !host.isEmpty {
            buffer.write("X-Forwarded-Host: ", pool: pool)
            buffer.write(base, at: host.lowerBound, count: host.count, pool: pool)
            buffer.write("\r\n", pool: pool)
        }
    }

    /// Writes `X-Forwarded-For: <received values, joined by ", ">, <client>`.
    private func writeForwardedFor(_ base: UnsafeRawPointer, client: [UInt8], into buffer: ByteBuffer, pool: BufferPool) {
        var isFirst = true
        for field in headers where field.name == .xForwardedFor && !field.isHopByHop && field.valueLength > 0 {
            buffer.write(isFirst ? "X-Forwarded-For: " : ", ", pool: pool)
            buffer.write(base, at: Int(field.valueStart), count: Int(field.valueLength), pool: pool)
            isFirst = false
        }
        if !client.isEmpty {
            buffer.write(isFirst ? "X-Forwarded-For: " : ", ", pool: pool)
            client.withUnsafeBytes { buffer.write($0, pool: pool) }
            isFirst = false
        }
        if !isFirst {
            buffer.write("\r\n", pool: pool)
        }
    }

    /// Writes the framing field for ``framing``: Content-Length, Transfer-Encoding, or nothing.
    private func writeFraming(into buffer: ByteBuffer, pool: BufferPool) {
        switch framing {
        case .contentLength(let length):
            buffer.write("Content-Length: ", pool: pool)
            buffer.write(decimal: length, pool: pool)
            buffer.write("\r\n", pool: pool)
        case .chunked:
            buffer.write("Transfer-Encoding: chunked\r\n", pool: pool)
        case .none, .untilClose:
            break
        }
    }
}

extension HTTPHeaderField {
    /// The value's offsets as a range.
    var valueRange: Range<Int> {
        Int(valueStart)..<(Int(valueStart) + Int(valueLength))
    }
}
