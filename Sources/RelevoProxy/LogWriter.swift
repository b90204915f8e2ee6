import Glibc
import RelevoIO
import Synchronization

/// Writes bytes to a descriptor from a background thread, so that callers never block on it.
///
/// Callers append under a short lock; the writer thread takes what has gathered and writes it.
/// If more than ``maximumPending`` bytes wait, further lines are dropped and counted, rather than
/// growing memory without bound. Callable from any thread.
public final class LogWriter: Sendable {
    private struct Pending {
        var bytes: [UInt8] = []
        var dropped = 0
    }

    private let descriptor: Int32
    private let pending = Mutex(Pending())
    private let wakeup = EventCounter()
    private let started = Atomic<Bool>(false)

    /// Bytes allowed to wait before lines are dropped.
    public let maximumPending = 8 * 1024 * 1024

    /// A writer for `descriptor`; its thread starts with the first line.
    public init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Queues `text` for writing.
    public func append(_ text: String) {
        var text = text
        text.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    /// Queues `bytes` for writing.
    public func append(_ bytes: UnsafeRawBufferPointer) {
        startIfNeeded()
        let wasEmpty = pending.withLock { pending in
            guard pending.bytes.count + bytes.count <= maximumPending else {
                pending.dropped += 1
                return false
            }
            let wasEmpty = pending.bytes.isEmpty
            pending.bytes.append(contentsOf: bytes)
            return wasEmpty
        }
        if wasEmpty {
            wakeup.signal()
        }
    }

    /// Writes everything queued, on the calling thread. For shutdown.
    public func flush() {
        let bytes = pending.withLock { pending in
            let taken = pending.bytes
            pending.bytes.removeAll()
            return taken
        }
        writeAll(bytes)
    }

    private func startIfNeeded() {
        guard !started.load(ordering: .relaxed) else { return }
        guard started.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
        else { return }
        _ = OSThread.start(name: "relevo-log") { [self] in
            run()
        }
    }

    private func run() {
        var buffer: [UInt8] = []
        while true {
            wakeup.wait()
            let dropped = pending.withLock { pending in
                swap(&buffer, &pending.bytes)
                let dropped = pending.dropped
                pending.dropped = 0
                return dropped
            }
            writeAll(buffer)
            buffer.removeAll(keepingCapacity: true)
            if dropped > 0 {
                writeAll(Array("time=\(Log.timestamp()) level=warn event=log_lines_dropped count=\(dropped)\n".utf8))
            }
        }
    }

    private func writeAll(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR {
                        continue
                    }
                    return
                }
                offset += written
            }
        }
    }
}
