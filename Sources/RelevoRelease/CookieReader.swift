import RelevoHTTP1

/// Finds the values of one cookie in a request's Cookie header fields, without copying them.
///
/// The rule, from RFC 6265 §4.2 and §5.4, tolerant of what clients really send:
///
/// - Every field named Cookie counts, in the order they came: HTTP/1.1 clients may send several and
///   HTTP/2 splits one into many (RFC 9113 §8.2.3). Other fields are not looked at.
/// - A field is a list of pairs separated by `;`, the only separator: `a=1; b=2` and `a=1;b=2` are
///   the same, and a comma belongs to the value (`a={"x":1,"y":2}` is `{"x":1,"y":2}`).
/// - A pair is split at its first `=`: the name before it, the value after it, each trimmed of
///   spaces and tabs (`a = 1` is the cookie `a` with value `1`). A pair without `=` is ignored.
/// - Names match exactly: byte for byte, case-sensitively.
/// - A value is what was sent: double quotes stay part of it (`a="x y"` gives `"x y"`, as RFC 6265
///   keeps them), and `a=` gives an empty value. A `;` inside quotes still separates (quotes do not
///   protect it in a cookie).
/// - A name sent twice gives both values, in order. Which counts is the caller's rule; for a session
///   key, the first value that verifies wins.
///
/// relevo never rewrites a Cookie field: the cookies it does not read pass upstream unchanged.
/// Callable from any thread; nothing here keeps state.
public enum CookieReader {
    /// The first value of cookie `name` in the Cookie fields among `headers` for which `isWanted`
    /// is true, or nil. Ranges are offsets into `source`, the bytes the head was parsed from.
    /// Allocates nothing; a field whose offsets fall outside `source` is skipped.
    public static func firstValue<Failure: Error>(
        named name: [UInt8],
        source: UnsafeRawBufferPointer,
        headers: [HTTPHeaderField],
        where isWanted: (Range<Int>) throws(Failure) -> Bool
    ) throws(Failure) -> Range<Int>? {
        for field in headers where field.name == .cookie {
            guard let range = valueRange(of: field, in: source) else { continue }

            if let value = try firstValue(named: name, in: range, of: source, where: isWanted) {
                return value
            }
        }
        return nil
    }

    /// Every value of cookie `name` in the Cookie fields among `headers`, in order. Ranges are
    /// offsets into `source`.
    public static func values(
        named name: [UInt8],
        source: UnsafeRawBufferPointer,
        headers: [HTTPHeaderField]
    ) -> [Range<Int>] {
        var values: [Range<Int>] = []
        _ = firstValue(named: name, source: source, headers: headers) { value in
            values.append(value)
            return false
        }
        return values
    }

    /// `range` without the spaces and tabs at either end.
    static func trimmed(_ range: Range<Int>, in bytes: UnsafeRawBufferPointer) -> Range<Int> {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper, isWhitespace(bytes[lower]) {
            lower += 1
        }
        while upper > lower, isWhitespace(bytes[upper - 1]) {
            upper -= 1
        }
        return lower..<upper
    }

    /// The offset of the first `byte` in `range` of `bytes`, or nil.
    static func firstIndex(of byte: UInt8, in range: Range<Int>, of bytes: UnsafeRawBufferPointer) -> Int? {
        var index = range.lowerBound
        while index < range.upperBound {
            if bytes[index] == byte {
                return index
            }
            index += 1
        }
        return nil
    }

    /// Space or horizontal tab.
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09
    }

    /// `;`.
    static let semicolon: UInt8 = 0x3B

    /// `=`.
    static let equals: UInt8 = 0x3D

    /// The offsets of `field`'s value in `source`, or nil when they fall outside it.
    private static func valueRange(of field: HTTPHeaderField, in source: UnsafeRawBufferPointer) -> Range<Int>? {
        let start = Int(field.valueStart)
        let end = start + Int(field.valueLength)
        guard start >= 0, start <= end, end <= source.count else { return nil }

        return start..<end
    }

    /// The first value of cookie `name` in the one Cookie field value at `field` for which
    /// `isWanted` is true.
    private static func firstValue<Failure: Error>(
        named name: [UInt8],
        in field: Range<Int>,
        of source: UnsafeRawBufferPointer,
        where isWanted: (Range<Int>) throws(Failure) -> Bool
    ) throws(Failure) -> Range<Int>? {
        var pairStart = field.lowerBound
        while pairStart < field.upperBound {
            let pairEnd = firstIndex(of: semicolon, in: pairStart..<field.upperBound, of: source) ?? field.upperBound
            if let value = value(ofPair: pairStart..<pairEnd, named: name, in: source), try isWanted(value) {
                return value
            }
            pairStart = pairEnd + 1
        }
        return nil
    }

    /// The trimmed value of the pair at `pair` if its trimmed name is `name`.
    private static func value(
        ofPair pair: Range<Int>, named name: [UInt8], in source: UnsafeRawBufferPointer
    ) -> Range<Int>? {
        guard let equals = firstIndex(of: equals, in: pair, of: source) else { return nil }

        let pairName = trimmed(pair.lowerBound..<equals, in: source)
        guard pairName.count == name.count,
            name.indices.allSatisfy({ source[pairName.lowerBound + $0] == name[$0] })
        else { return nil }

        return trimmed((equals + 1)..<pair.upperBound, in: source)
    }
}
