import RelevoHTTP1
import RelevoIO
import Testing

/// Bytes that sit on the grammar's edges: line ends, separators, controls and obs-text.
private let edgeBytes: [UInt8] = [
    0x0D, 0x0A, 0x20, 0x09, 0x3A, 0x2C, 0x3B, 0x3D, 0x22, 0x5C, 0x00, 0x7F, 0x80, 0xFF, 0x30,
]

/// `input` with one to three random edits: a byte changed, inserted or removed, or the tail cut.
private func mutated(_ input: [UInt8], using generator: inout SeededGenerator) -> [UInt8] {
    var output = input
    for _ in 0..<Int.random(in: 1...3, using: &generator) where !output.isEmpty {
        let index = Int.random(in: 0..<output.count, using: &generator)
        let byte =
            Bool.random(using: &generator)
            ? edgeBytes.randomElement(using: &generator)! : UInt8.random(in: 0...255, using: &generator)
        switch Int.random(in: 0..<4, using: &generator) {
        case 0: output[index] = byte
        case 1: output.insert(byte, at: index)
        case 2: output.remove(at: index)
        default: output.removeLast(Int.random(in: 0...min(4, output.count), using: &generator))
        }
    }
    return output
}

@Suite("Mutated input never crashes a parser and every feeding agrees")
struct MutatedInputTests {
    private static let requests = [
        "GET /a?b HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\nConnection: keep-alive, X-A\r\nX-A: 1\r\n\r\n",
        "POST http://h:8/p HTTP/1.1\r\nHost: h\r\nContent-Length: 12\r\nExpect: 100-continue\r\n\r\n",
        "PUT / HTTP/1.1\r\nHost: [::1]:80\r\nTransfer-Encoding: chunked\r\nX-Forwarded-For: 1.2.3.4\r\n\r\n",
        "\r\nGET / HTTP/1.0\r\nUpgrade: x\r\nConnection: upgrade\r\n\r\n",
    ]

    private static let responses = [
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nSet-Cookie: a=1\r\nConnection: close\r\n\r\n",
        "HTTP/1.0 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n",
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n",
    ]

    private static let bodies = [
        "5;a=\"b\\\"c\"\r\nhello\r\n3\r\nabc\r\n0\r\nX-Sum: 1\r\n\r\n",
        "A\r\n0123456789\r\n0;x\r\n\r\n",
    ]

    @Test func mutatedRequestsAreParsedOrRefusedAndWhatIsAcceptedForwards() {
        var generator = SeededGenerator(seed: 0x5EED)
        for _ in 0..<1500 {
            let input = mutated(bytes(Self.requests.randomElement(using: &generator)!), using: &generator)
            guard parseRequest(input).value != nil else { continue }

            let forwarded = withExactCopy(input) { source -> String in
                var parser = HTTPRequestParser()
                var head = HTTPRequestHead()
                guard (try? parser.parse(source, into: &head)) == true else { return "" }
                let forwarding = ForwardingContext(clientAddress: Array("192.0.2.1".utf8), scheme: "https")
                return written { head.writeUpstream(from: source, forwarding: forwarding, into: $0, pool: $1) }
            }
            #expect(parseRequest(forwarded).value != nil, "\(String(decoding: input, as: UTF8.self).debugDescription)")
        }
    }

    @Test func mutatedResponsesAreParsedOrRefusedAndWhatIsAcceptedForwards() {
        var generator = SeededGenerator(seed: 0xFEED)
        for _ in 0..<1500 {
            let input = mutated(bytes(Self.responses.randomElement(using: &generator)!), using: &generator)
            guard parseResponse(input).value != nil else { continue }

            let forwarded = withExactCopy(input) { source -> String in
                var parser = HTTPResponseParser()
                var head = HTTPResponseHead()
                guard (try? parser.parse(source, requestMethod: .get, into: &head)) == true else { return "" }
                return written {
                    head.writeDownstream(
                        from: source, framing: head.framing, keepAlive: true, requestVersion: .http11, into: $0,
                        pool: $1)
                }
            }
            #expect(parseResponse(forwarded).value != nil, "\(String(decoding: input, as: UTF8.self).debugDescription)")
        }
    }

    @Test func mutatedChunkedBodiesAreDecodedOrRefused() {
        var generator = SeededGenerator(seed: 0xC0DE)
        for _ in 0..<1500 {
            let input = mutated(bytes(Self.bodies.randomElement(using: &generator)!), using: &generator)
            _ = decodeChunked(input)
            withExactCopy(input) { source in
                var decoder = ChunkedDecoder()
                _ = try? decoder.decode(source)
            }
        }
    }
}
