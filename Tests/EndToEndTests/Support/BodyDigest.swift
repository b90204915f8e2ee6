/// A position-sensitive digest of a byte stream that does not depend on how the stream was split.
///
/// The digest of `A` followed by `B` is `digest(A) · P^|B| + digest(B)` (mod 2⁶⁴), so the expected digest of a
/// long body made of repeated blocks is computed without walking it. Not thread-safe; a value type.
struct BodyDigest: Equatable, Sendable, CustomStringConvertible {
    /// The multiplier of the polynomial (the 64-bit FNV prime: odd, with well-spread bits).
    static let multiplier: UInt64 = 0x100_0000_01B3

    /// The digest so far.
    private(set) var value: UInt64 = 0

    /// The number of bytes folded in so far.
    private(set) var length = 0

    /// The digest as 16 hex digits and the length, e.g. `1048576 B, 0a1b…`.
    var description: String {
        let hex = String(value, radix: 16)
        return "\(length) B, digest \(String(repeating: "0", count: 16 - hex.count))\(hex)"
    }

    /// Folds `bytes` in.
    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            return
        }
        var running = value
        var cursor = base
        let end = base + bytes.count
        while cursor < end {
            running = running &* Self.multiplier &+ UInt64(cursor.pointee)
            cursor += 1
        }
        value = running
        length += bytes.count
    }

    /// Folds `bytes` in.
    mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Folds in a whole stream whose digest is already known, as if its bytes followed.
    mutating func append(_ other: BodyDigest) {
        value = value &* Self.power(other.length) &+ other.value
        length += other.length
    }

    /// `multiplier` to the power `exponent`, mod 2⁶⁴.
    private static func power(_ exponent: Int) -> UInt64 {
        var result: UInt64 = 1
        var base = multiplier
        var remaining = exponent
        while remaining > 0 {
            if remaining & 1 == 1 {
                result = result &* base
            }
            base = base &* base
            remaining >>= 1
        }
        return result
    }
}

/// Deterministic test bodies of any length: one pseudo-random 1 MiB block, repeated and cut.
///
/// A body is never held whole: writers take it block by block, and its expected digest is computed from the
/// block's. Thread-safe (immutable).
enum Payload {
    /// The length of the repeated block: 1 MiB.
    static let blockLength = 1 << 20

    /// The repeated block.
    static let block: [UInt8] = {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        return (0..<blockLength).map { _ in
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return UInt8(truncatingIfNeeded: state >> 24)
        }
    }()

    /// The digest of one whole block.
    static let blockDigest: BodyDigest = {
        var digest = BodyDigest()
        digest.update(block)
        return digest
    }()

    /// The expected digest of a body of `length` bytes.
    static func digest(length: Int) -> BodyDigest {
        var digest = BodyDigest()
        for _ in 0..<(length / blockLength) {
            digest.append(blockDigest)
        }
        block.withUnsafeBytes { digest.update(UnsafeRawBufferPointer(rebasing: $0[0..<(length % blockLength)])) }
        return digest
    }

    /// Calls `write` with consecutive pieces of a body of `length` bytes, each at most `pieceLength` long.
    static func forEachPiece(
        length: Int,
        pieceLength: Int = 64 * 1024,
        _ write: (UnsafeRawBufferPointer) throws -> Void
    ) rethrows {
        precondition(blockLength % pieceLength == 0, "pieces must tile the block")
        try block.withUnsafeBytes { block in
            var offset = 0
            while offset < length {
                let count = min(pieceLength, length - offset)
                let start = offset % blockLength
                try write(UnsafeRawBufferPointer(rebasing: block[start..<(start + count)]))
                offset += count
            }
        }
    }

    /// The first `length` bytes of the body, whole: for small bodies only.
    static func bytes(length: Int) -> [UInt8] {
        precondition(length <= blockLength, "Payload.bytes is for bodies up to one block")
        return Array(block[0..<length])
    }
}
