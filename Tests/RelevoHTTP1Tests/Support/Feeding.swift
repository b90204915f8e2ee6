import RelevoHTTP1
import Testing

/// A small seeded generator (SplitMix64), so random splits are the same on every run.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    /// Creates a generator that always yields the same sequence for `seed`.
    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}

/// What feeding a parser some input came to; equal outcomes from different feedings agree.
enum Outcome<Value: Equatable>: Equatable {
    /// The parser finished with this result.
    case complete(Value)
    /// The parser wanted more bytes when the input ran out.
    case incomplete
    /// The parser threw this status and reason.
    case failed(Int, String)

    /// The outcome of a thrown parse error.
    static func failure(_ error: HTTPParseError) -> Outcome {
        .failed(error.status, error.reason.description)
    }

    /// The completed value, if any.
    var value: Value? {
        if case .complete(let value) = self {
            return value
        }
        return nil
    }
}

/// The three ways every parser test feeds its input: whole, byte by byte, and cut at random points.
enum Feeding: CaseIterable, CustomStringConvertible {
    case whole
    case byteByByte
    case randomSplits

    var description: String {
        switch self {
        case .whole: "whole"
        case .byteByByte: "byte by byte"
        case .randomSplits: "random splits"
        }
    }

    /// How many bytes of a `count`-byte input have arrived after each read, in order; the last is `count`.
    func arrivals(count: Int) -> [Int] {
        switch self {
        case .whole:
            return [count]
        case .byteByByte:
            return count == 0 ? [0] : Array(1...count)
        case .randomSplits:
            var generator = SeededGenerator(seed: UInt64(count) &* 7919 &+ 17)
            let cuts = (0..<min(count, 6)).map { _ in Int.random(in: 1...max(count, 1), using: &generator) }
            return Set(cuts + [count]).sorted()
        }
    }
}

/// Runs `run` once per feeding with that feeding's arrival points, checks that all three agree,
/// and returns the outcome.
func fedThreeWays<Value: Equatable>(
    _ input: [UInt8], sourceLocation: SourceLocation = #_sourceLocation, _ run: ([Int]) -> Outcome<Value>
) -> Outcome<Value> {
    let whole = run(Feeding.whole.arrivals(count: input.count))
    for feeding in [Feeding.byteByByte, .randomSplits] {
        let outcome = run(feeding.arrivals(count: input.count))
        #expect(
            outcome == whole, "fed \(feeding), the parser disagrees with the whole feed", sourceLocation: sourceLocation
        )
    }
    return whole
}

/// The bytes of `text`.
func bytes(_ text: String) -> [UInt8] {
    Array(text.utf8)
}

/// The text of `range` in `input`, decoded as UTF-8.
func text(_ input: [UInt8], _ range: Range<Int>) -> String {
    String(decoding: input[range], as: UTF8.self)
}

/// Runs `body` over a copy of `input` in memory of exactly its size, so that a sanitizer run
/// catches any read past the end.
func withExactCopy<Result>(_ input: [UInt8], _ body: (UnsafeRawBufferPointer) -> Result) -> Result {
    let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: max(input.count, 1), alignment: 1)
    defer { copy.deallocate() }
    input.withUnsafeBytes { copy.copyMemory(from: $0) }
    return body(UnsafeRawBufferPointer(rebasing: copy[0..<input.count]))
}

/// Runs `body` over the bytes `range` of `input`: in an exact-size copy when they are few (so a
/// sanitizer sees reads past their end), in place when copying every prefix would be too slow.
func withBytes<Result>(
    of input: [UInt8], _ range: Range<Int>, _ body: (UnsafeRawBufferPointer) -> Result
) -> Result {
    if input.count <= 4096 {
        return withExactCopy(Array(input[range]), body)
    }
    return input.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[range])) }
}
