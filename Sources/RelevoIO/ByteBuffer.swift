import Glibc

/// A run of bytes with a reader index and a writer index over memory it owns.
///
/// Bytes in `readerIndex..<writerIndex` are readable; `writerIndex..<capacity` is free space.
/// Storage is allocated on first use and can be handed back with ``release(to:)`` when the owner
/// goes idle, so an idle connection holds no buffer memory. Not thread-safe: one owner, one loop.
public final class ByteBuffer {
    /// The start of the storage, or nil while none is held.
    public private(set) var base: UnsafeMutableRawPointer?

    /// Bytes of storage held.
    public private(set) var capacity: Int = 0

    /// Offset of the first unread byte.
    public var readerIndex: Int = 0

    /// Offset one past the last written byte.
    public var writerIndex: Int = 0

    /// Creates an empty buffer that holds no storage yet.
    public init() {}

    /// Whether the storage is a pool chunk (mapped memory) rather than a heap allocation.
    private var isPoolChunk = false

    deinit {
        guard let base else { return }
        if isPoolChunk {
            munmap(base, capacity)
        } else {
            base.deallocate()
        }
    }

    /// Bytes written and not yet read.
    @inline(__always)
    public var readableCount: Int {
        writerIndex - readerIndex
    }

    /// Whether every written byte has been read.
    @inline(__always)
    public var isEmpty: Bool {
        readerIndex == writerIndex
    }

    /// Free bytes after the writer index.
    @inline(__always)
    public var writableCount: Int {
        capacity - writerIndex
    }

    /// The readable bytes. Valid until the buffer is next written to, compacted or released.
    @inline(__always)
    public var readableBytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base.map { $0 + readerIndex }, count: readableCount)
    }

    /// The free space after the writer index; write into it, then call ``commit(_:)``.
    @inline(__always)
    public var writableBytes: UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(start: base.map { $0 + writerIndex }, count: writableCount)
    }

    /// Marks `count` bytes after the writer index as written.
    @inline(__always)
    public func commit(_ count: Int) {
        writerIndex += count
    }

    /// Marks `count` readable bytes as read; an emptied buffer rewinds to offset 0.
    @inline(__always)
    public func consume(_ count: Int) {
        readerIndex += count
        if readerIndex == writerIndex {
            readerIndex = 0
            writerIndex = 0
        }
    }

    /// Makes room for at least `count` more bytes, moving unread bytes to the front first and
    /// growing (doubling, from the pool's chunk size) only if that is not enough.
    public func reserve(_ count: Int, pool: BufferPool) {
        if writableCount >= count {
            return
        }
        if base == nil {
            let size = max(count, pool.chunkSize)
            isPoolChunk = size == pool.chunkSize
            base = isPoolChunk ? pool.take() : UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
            capacity = size
            return
        }
        if readerIndex > 0 {
            compact()
            if writableCount >= count {
                return
            }
        }
        var newCapacity = capacity * 2
        while newCapacity - writerIndex < count {
            newCapacity *= 2
        }
        let newBase = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        newBase.copyMemory(from: base!, byteCount: writerIndex)
        giveBack(to: pool)
        base = newBase
        capacity = newCapacity
        isPoolChunk = false
    }

    /// Moves the unread bytes to the front of the storage.
    public func compact() {
        guard let base, readerIndex > 0 else { return }
        let count = readableCount
        if count > 0 {
            base.copyMemory(from: base + readerIndex, byteCount: count)
        }
        readerIndex = 0
        writerIndex = count
    }

    /// Appends `bytes`, growing as needed.
    public func write(_ bytes: UnsafeRawBufferPointer, pool: BufferPool) {
        guard bytes.count > 0 else { return }
        reserve(bytes.count, pool: pool)
        (base! + writerIndex).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        writerIndex += bytes.count
    }

    /// Appends the UTF-8 bytes of `text`.
    public func write(_ text: StaticString, pool: BufferPool) {
        write(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount), pool: pool)
    }

    /// Appends the UTF-8 bytes of `text`.
    public func write(string text: String, pool: BufferPool) {
        var text = text
        text.withUTF8 { write(UnsafeRawBufferPointer($0), pool: pool) }
    }

    /// Appends one byte.
    @inline(__always)
    public func write(byte: UInt8, pool: BufferPool) {
        reserve(1, pool: pool)
        base!.storeBytes(of: byte, toByteOffset: writerIndex, as: UInt8.self)
        writerIndex += 1
    }

    /// Appends `value` in decimal, with a leading `-` if negative.
    public func write(decimal value: Int, pool: BufferPool) {
        reserve(21, pool: pool)
        if value < 0 {
            write(byte: 0x2D, pool: pool)
        }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { scratch in
            var remaining = value.magnitude
            var index = scratch.count
            repeat {
                index -= 1
                scratch[index] = UInt8(truncatingIfNeeded: remaining % 10) + 0x30
                remaining /= 10
            } while remaining > 0
            write(UnsafeRawBufferPointer(rebasing: scratch[index...]), pool: pool)
        }
    }

    /// Appends `value` in lower-case hexadecimal without leading zeros.
    public func write(hexadecimal value: Int, pool: BufferPool) {
        reserve(16, pool: pool)
        let digits: StaticString = "0123456789abcdef"
        var shift = 60
        while shift > 0 && (value >> shift) & 0xF == 0 {
            shift -= 4
        }
        while shift >= 0 {
            base!.storeBytes(of: digits.utf8Start[(value >> shift) & 0xF], toByteOffset: writerIndex, as: UInt8.self)
            writerIndex += 1
            shift -= 4
        }
    }

    /// Drops all bytes and hands the storage back to `pool`, so the buffer holds no memory.
    public func release(to pool: BufferPool) {
        giveBack(to: pool)
        base = nil
        capacity = 0
        readerIndex = 0
        writerIndex = 0
    }

    private func giveBack(to pool: BufferPool) {
        guard let base else { return }
        if isPoolChunk {
            pool.give(base)
        } else {
            base.deallocate()
        }
    }
}

/// Fixed-size chunks of memory kept for reuse by one event loop's buffers.
///
/// Taking and giving a chunk costs an array push or pop, so connections can hand their buffers
/// back whenever they go idle. Chunks are mapped from the kernel one by one. The pool keeps as
/// many free chunks as the loop needed at its busiest in the last ``trimInterval`` (at least
/// ``minimumFreeChunks``, at most ``maximumFreeChunks``): under steady load a chunk is mapped once
/// and reused, and a burst's chunks are unmapped soon after it ends. Not thread-safe: one pool
/// per loop.
public final class BufferPool {
    /// The size of every chunk, in bytes (a multiple of the page size).
    public let chunkSize: Int

    /// Free chunks always kept.
    public let minimumFreeChunks: Int

    /// Free chunks kept at most, whatever the load.
    public let maximumFreeChunks: Int

    /// How often, in milliseconds, free chunks beyond the recent need are unmapped.
    public static let trimInterval: Int64 = 1_000

    private var free: [UnsafeMutableRawPointer] = []
    private var inUse = 0
    private var peakInUse = 0

    /// Creates a pool of `chunkSize`-byte chunks.
    public init(chunkSize: Int = 16 * 1024, minimumFreeChunks: Int = 32, maximumFreeChunks: Int = 4096) {
        self.chunkSize = chunkSize
        self.minimumFreeChunks = minimumFreeChunks
        self.maximumFreeChunks = maximumFreeChunks
    }

    deinit {
        for chunk in free {
            munmap(chunk, chunkSize)
        }
    }

    /// A chunk of ``chunkSize`` bytes, reused if one is free.
    @inline(__always)
    public func take() -> UnsafeMutableRawPointer {
        inUse += 1
        if inUse > peakInUse {
            peakInUse = inUse
        }
        return free.popLast() ?? map()
    }

    /// Returns a chunk taken from this pool.
    @inline(__always)
    public func give(_ chunk: UnsafeMutableRawPointer) {
        inUse -= 1
        if free.count < maximumFreeChunks {
            free.append(chunk)
        } else {
            munmap(chunk, chunkSize)
        }
    }

    /// Unmaps free chunks beyond what the busiest moment since the last trim needed; called by the
    /// loop every ``trimInterval``.
    public func trim() {
        let keep = max(minimumFreeChunks, peakInUse - inUse)
        while free.count > keep, let chunk = free.popLast() {
            munmap(chunk, chunkSize)
        }
        peakInUse = inUse
    }

    /// Free chunks held now.
    public var freeCount: Int {
        free.count
    }

    private func map() -> UnsafeMutableRawPointer {
        let chunk = mmap(nil, chunkSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let chunk, chunk != MAP_FAILED else {
            fatalError("out of memory: mmap of a \(chunkSize)-byte buffer failed, errno \(errno)")
        }
        return chunk
    }
}
