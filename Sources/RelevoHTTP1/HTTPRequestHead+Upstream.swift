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
        // Host and Upgrade values may appear twice; everything else at most once, plus fixed text.
        let bound = 2 &* headLength &+ headers.count &+ forwarding.clientAddress.count &+ extraHeaders.count &+ 256
        var writer = HeadWriter(into: buffer, capacity: bound, pool: pool)
        writeRequestLine(base, into: &writer)

        if hostIndex == nil {
            // No Host: HTTP/1.0. Upstream is HTTP/1.1, which needs one; empty says "no authority".
            writeHost(base, into: &writer)
        }
        for (index, field) in headers.enumerated() where !field.isHopByHop {
            switch field.name {
            case .xForwardedFor, .xForwardedProto, .xForwardedHost:
                continue
            case .host where index == hostIndex:
                writeHost(base, into: &writer)
            default:
                writer.write(field: field, from: base)
            }
        }

        if isUpgrade {
            writeUpgrade(base, into: &writer)
        }
        writeForwarded(base, forwarding: forwarding, into: &writer)
        writeFraming(into: &writer)
        writer.write(extraHeaders)
        writer.write("\r\n")
        writer.commit(to: buffer)
    }

    /// Writes `<method> <target> HTTP/1.1\r\n`.
    private func writeRequestLine(_ base: UnsafeRawPointer, into writer: inout HeadWriter) {
        writer.write(base, at: methodRange.lowerBound, count: methodRange.count)
        writer.write(" ")
        if targetIsEmptyPath {
            // RFC 9112 §3.2.4: an empty path is "/", or "*" for OPTIONS without a query.
            writer.write(method == .options && targetRange.isEmpty ? "*" : "/")
        }
        writer.write(base, at: targetRange.lowerBound, count: targetRange.count)
        writer.write(" HTTP/1.1\r\n")
    }

    /// Writes the Host line: the absolute-form authority if any, else the received Host, else empty.
    private func writeHost(_ base: UnsafeRawPointer, into writer: inout HeadWriter) {
        if let authority = absoluteAuthorityRange {
            writer.write("Host: ")
            writer.write(base, at: authority.lowerBound, count: authority.count)
            writer.write("\r\n")
        } else if let hostIndex {
            writer.write(field: headers[hostIndex], from: base)
        } else {
            writer.write("Host: \r\n")
        }
    }

    /// Writes every received Upgrade value and `Connection: upgrade`.
    private func writeUpgrade(_ base: UnsafeRawPointer, into writer: inout HeadWriter) {
        for field in headers where field.name == .upgrade {
            writer.write("Upgrade: ")
            writer.write(base, at: Int(field.valueStart), count: Int(field.valueLength))
            writer.write("\r\n")
        }
        writer.write("Connection: upgrade\r\n")
    }

    /// Writes X-Forwarded-For (received values, then the client), X-Forwarded-Proto and, when the
    /// request names a host, X-Forwarded-Host.
    private func writeForwarded(
        _ base: UnsafeRawPointer, forwarding: ForwardingContext, into writer: inout HeadWriter
    ) {
        writeForwardedFor(base, client: forwarding.clientAddress, into: &writer)

        writer.write("X-Forwarded-Proto: ")
        writer.write(forwarding.scheme)
        writer.write("\r\n")

        let host = absoluteAuthorityRange ?? hostIndex.map { headers[$0].valueRange } ?? 0..<0
        if !host.isEmpty {
            writer.write("X-Forwarded-Host: ")
            writer.write(base, at: host.lowerBound, count: host.count)
            writer.write("\r\n")
        }
    }

    /// Writes `X-Forwarded-For: <received values, joined by ", ">, <client>`.
    private func writeForwardedFor(_ base: UnsafeRawPointer, client: [UInt8], into writer: inout HeadWriter) {
        var isFirst = true
        for field in headers where field.name == .xForwardedFor && !field.isHopByHop && field.valueLength > 0 {
            writer.write(isFirst ? "X-Forwarded-For: " : ", ")
            writer.write(base, at: Int(field.valueStart), count: Int(field.valueLength))
            isFirst = false
        }
        if !client.isEmpty {
            writer.write(isFirst ? "X-Forwarded-For: " : ", ")
            client.withUnsafeBytes { writer.write($0) }
            isFirst = false
        }
        if !isFirst {
            writer.write("\r\n")
        }
    }

    /// Writes the framing field for ``framing``: Content-Length, Transfer-Encoding, or nothing.
    private func writeFraming(into writer: inout HeadWriter) {
        switch framing {
        case .contentLength(let length):
            writer.write("Content-Length: ")
            writer.write(decimal: length)
            writer.write("\r\n")
        case .chunked:
            writer.write("Transfer-Encoding: chunked\r\n")
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
