import Glibc

/// Monotonic time, for deadlines and durations. Callable from any thread.
public enum MonotonicClock {
    /// Milliseconds since an arbitrary start, with the coarse clock's few-millisecond resolution.
    @inline(__always)
    public static func coarseMilliseconds() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC_COARSE, &time)
        return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
    }

    /// Nanoseconds since an arbitrary start, precise.
    @inline(__always)
    public static func nanoseconds() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }
}

/// Wall-clock time, for logs. Callable from any thread.
public enum WallClock {
    /// Milliseconds since the Unix epoch, with the coarse clock's few-millisecond resolution.
    @inline(__always)
    public static func coarseMilliseconds() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME_COARSE, &time)
        return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
    }

    /// Seconds and nanoseconds since the Unix epoch.
    public static func now() -> timespec {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return time
    }
}
