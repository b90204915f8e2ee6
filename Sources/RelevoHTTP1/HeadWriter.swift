import RelevoIO

/// Writes a head into a buffer's free space through a raw pointer, after a single reserve.
///
/// A head is some thirty small pieces; writing each through ``ByteBuffer`` would cost a capacity
/// check and the class's exclusivity checks every time. The caller reserves an upper bound of the
/// head's size once, writes the pieces, then commits them all.
struct HeadWriter {
    /// Where the head starts: the buffer's writer index at creation.
    private let start: UnsafeMutableRawPointer

    /// Bytes reserved; writing more traps.
    private let capacity: Int

    /// Bytes written so far.
    private(set) var count = 0

    /// Reserves `capacity` bytes in `buffer` to write into.
    init(into buffer: ByteBuffer, capacity: Int, pool: BufferPool) {
        buffer.reserve(capacity, pool: pool)
        self.start = buffer.writableBytes.baseAddress!
        self.capacity = capacity
    }

    /// Commits the written bytes to `buffer`, which must not have been touched since creation.
    func commit(to buffer: ByteBuffer) {
        buffer.commit(count)
    }

    /// Appends the `length` bytes at `offset` of `base`.
    @inline(__always)
    mutating func write(_ base: UnsafeRawPointer, at offset: Int, count length: Int) {
        precondition(count &+ length <= capacity, "head larger than reserved")
        (start + count).copyMemory(from: base + offset, byteCount: length)
        count &+= length
    }

    /// Appends `text`.
    @inline(__always)
    mutating func write(_ text: StaticString) {
        write(UnsafeRawPointer(text.utf8Start), at: 0, count: text.utf8CodeUnitCount)
    }

    /// Appends `bytes`.
    @inline(__always)
    mutating func write(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { return }
        write(base, at: 0, count: bytes.count)
    }

    /// Appends `field` as `name: value\r\n`, with the name and value bytes it was parsed from.
    @inline(__always)
    mutating func write(field: HTTPHeaderField, from base: UnsafeRawPointer) {
        write(base, at: Int(field.nameStart), count: Int(field.nameLength))
        write(": ")
        write(base, at: Int(field.valueStart), count: Int(field.valueLength))
        write("\r\n")
    }

    /// Appends `value` (not negative) in decimal: at most 19 digits.
    mutating func write(decimal value: Int) {
        precondition(value >= 0, "negative decimal")
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { scratch in
            var remaining = value
            var index = scratch.count
            repeat {
                index &-= 1
                scratch[index] = UInt8(truncatingIfNeeded: remaining % 10) &+ HTTPBytes.zero
                remaining /= 10
            } while remaining > 0
            write(UnsafeRawPointer(scratch.baseAddress!), at: index, count: scratch.count &- index)
        }
    }
}
