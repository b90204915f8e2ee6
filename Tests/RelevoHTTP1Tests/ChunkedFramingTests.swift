import RelevoHTTP1
import Testing

@Suite("ChunkedFraming writes what ChunkedDecoder reads")
struct ChunkedFramingTests {
    @Test(arguments: [(1, "1\r\n"), (10, "a\r\n"), (255, "ff\r\n"), (4096, "1000\r\n"), (0x7fff_ffff, "7fffffff\r\n")])
    func aChunkHeaderIsTheLengthInHexadecimal(length: Int, header: String) {
        #expect(written { ChunkedFraming.writeChunkHeader(dataLength: length, into: $0, pool: $1) } == header)
    }

    @Test func theLastChunkCarriesItsTrailersAndTheEmptyLine() {
        #expect(written { ChunkedFraming.writeChunkEnd(into: $0, pool: $1) } == "\r\n")

        let empty = written { buffer, pool in
            ChunkedFraming.writeLastChunk(
                trailers: UnsafeRawBufferPointer(start: nil, count: 0), into: buffer, pool: pool)
        }
        #expect(empty == "0\r\n\r\n")

        let withTrailers = written { buffer, pool in
            bytes("X-Sum: 1\r\n").withUnsafeBytes {
                ChunkedFraming.writeLastChunk(trailers: $0, into: buffer, pool: pool)
            }
        }
        #expect(withTrailers == "0\r\nX-Sum: 1\r\n\r\n")
    }

    @Test func aBodyWrittenInChunksDecodesToTheSameBytesAndTrailers() throws {
        let pieces = ["hello", " ", String(repeating: "w", count: 300), "!"]
        let body = written { buffer, pool in
            for piece in pieces {
                ChunkedFraming.writeChunkHeader(dataLength: piece.utf8.count, into: buffer, pool: pool)
                buffer.write(string: piece, pool: pool)
                ChunkedFraming.writeChunkEnd(into: buffer, pool: pool)
            }
            bytes("X-Sum: 1\r\n").withUnsafeBytes {
                ChunkedFraming.writeLastChunk(trailers: $0, into: buffer, pool: pool)
            }
        }

        let decoded = try #require(decodeChunked(body).value)
        #expect(decoded.data == pieces.joined())
        #expect(decoded.trailers == "X-Sum: 1\r\n")
        #expect(decoded.consumed == body.utf8.count)
    }
}
