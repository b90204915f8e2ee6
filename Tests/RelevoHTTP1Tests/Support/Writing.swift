import RelevoHTTP1
import RelevoIO
import Testing

/// The text that `write` puts into a fresh buffer.
func written(_ write: (ByteBuffer, BufferPool) -> Void) -> String {
    let pool = BufferPool(chunkSize: 4096)
    let buffer = ByteBuffer()
    write(buffer, pool)
    let text = String(decoding: buffer.readableBytes, as: UTF8.self)
    buffer.release(to: pool)
    return text
}

/// The head relevo sends upstream for the request head in `input`, or nil if it does not parse.
func upstreamHead(
    _ input: String, client: String = "192.0.2.7", scheme: StaticString = "http", extraHeaders: String = "",
    adjust: (inout HTTPRequestHead, [UInt8]) -> Void = { _, _ in }
) -> String? {
    let source = bytes(input)
    guard var head = parsedRequestHead(source) else { return nil }
    adjust(&head, source)

    let forwarding = ForwardingContext(clientAddress: Array(client.utf8), scheme: scheme)
    return written { buffer, pool in
        source.withUnsafeBytes { source in
            bytes(extraHeaders).withUnsafeBytes { extra in
                head.writeUpstream(from: source, forwarding: forwarding, into: buffer, pool: pool, extraHeaders: extra)
            }
        }
    }
}

/// The head relevo sends downstream for the response head in `input`, or nil if it does not parse.
func downstreamHead(
    _ input: String, method: HTTPMethod = .get, framing: HTTPBodyFraming? = nil, keepAlive: Bool = true,
    requestVersion: HTTPVersion = .http11, extraHeaders: String = ""
) -> String? {
    let source = bytes(input)
    guard let head = parsedResponseHead(source, method: method) else { return nil }

    return written { buffer, pool in
        source.withUnsafeBytes { source in
            bytes(extraHeaders).withUnsafeBytes { extra in
                head.writeDownstream(
                    from: source, framing: framing ?? head.framing, keepAlive: keepAlive,
                    requestVersion: requestVersion,
                    into: buffer, pool: pool, extraHeaders: extra)
            }
        }
    }
}
