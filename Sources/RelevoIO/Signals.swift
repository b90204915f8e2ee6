import CRelevoSystem
import Glibc

/// Process signals taken synchronously: blocked in every thread, then waited for by one.
public enum Signals {
    /// Blocks `signals` in the calling thread and every thread it starts afterwards.
    /// Call on the main thread before starting event loops.
    public static func block(_ signals: [Int32]) {
        for signal in signals {
            _ = crelevo_block_signal(signal)
        }
    }

    /// Waits up to `milliseconds` for one of the blocked `signals`; returns it, or nil on time-out.
    public static func wait(for signals: [Int32], milliseconds: Int) -> Int32? {
        let list = signals + [0]
        let result = list.withUnsafeBufferPointer { crelevo_wait_signal($0.baseAddress, milliseconds) }
        return result > 0 ? result : nil
    }
}
