import RelevoHTTP1
import Testing

/// What a chunked body decoded to.
struct DecodedBody: Equatable {
    /// The chunk data, concatenated, as text.
    var data: String

    /// The trailer field lines, as text.
    var trailers: String

    /// The bytes of the input the body took, through the final CRLF.
    var consumed: Int
}

/// One step of a simulated reader: what the decoder said about the bytes held.
private enum Progress {
    case needMore
    case done(DecodedBody)
    case failed(HTTPParseError)
}

/// Decodes `input` as a chunked body, fed whole, byte by byte and at random splits, the way a
/// connection does it: after each step the consumed bytes are dropped from the front.
func decodeChunked(_ input: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> Outcome<DecodedBody> {
    fedThreeWays(input, sourceLocation: sourceLocation) { arrivals in
        var decoder = ChunkedDecoder()
        var dropped = 0
        var data: [UInt8] = []
        for arrived in arrivals {
            let progress = decodeHeld(input, from: &dropped, to: arrived, with: &decoder, data: &data)
            switch progress {
            case .needMore: continue
            case .done(let body): return .complete(body)
            case .failed(let error): return .failure(error)
            }
        }
        return .incomplete
    }
}

/// Decodes `text` as a chunked body, three ways.
func decodeChunked(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> Outcome<DecodedBody> {
    decodeChunked(bytes(text), sourceLocation: sourceLocation)
}

/// Runs the decoder over the bytes held, `dropped..<arrived`, until it needs more or ends.
private func decodeHeld(
    _ input: [UInt8], from dropped: inout Int, to arrived: Int, with decoder: inout ChunkedDecoder,
    data: inout [UInt8]
) -> Progress {
    while true {
        let held = input[dropped..<arrived]
        let result = withBytes(of: input, dropped..<arrived) { bytes in
            Result { () throws(HTTPParseError) in try decoder.decode(bytes) }
        }
        let step: ChunkedDecoder.Step
        switch result {
        case .success(let decoded): step = decoded
        case .failure(let error): return .failed(error)
        }

        switch step {
        case .data(let range):
            data += held.dropFirst(range.lowerBound).prefix(range.count)
            dropped += range.upperBound
        case .needMore(let consumed):
            dropped += consumed
            return .needMore
        case .end(let consumed, let trailers):
            let body = DecodedBody(
                data: String(decoding: data, as: UTF8.self),
                trailers: String(decoding: held.dropFirst(trailers.lowerBound).prefix(trailers.count), as: UTF8.self),
                consumed: dropped + consumed)
            dropped += consumed
            return .done(body)
        }
    }
}
