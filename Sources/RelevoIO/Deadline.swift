/// A handler's time-out, moved cheaply: setting it stores an integer, and touches the loop's timer
/// heap only when it comes earlier than the timer already armed.
///
/// A later deadline is checked when the armed timer fires, which then re-arms for the real one. So
/// a connection can push its deadline forward on every exchange for the cost of a store. Used only
/// on its loop.
public struct Deadline {
    /// When the handler times out (loop milliseconds), or 0 for never.
    public private(set) var value: Int64 = 0
    private var armed: Int64 = 0

    /// No deadline.
    public init() {}

    /// Sets the deadline to `newValue` (0 for never), arming a timer on `loop` only if needed.
    @inline(__always)
    public mutating func set(_ newValue: Int64, loop: EventLoop, registration: Registration) {
        value = newValue
        if newValue != 0 && (armed == 0 || newValue < armed) {
            loop.armTimer(for: registration, at: newValue)
            armed = newValue
        }
    }

    /// Called from ``EventHandler/handleTimer(now:)``: returns true if the deadline has passed
    /// (and clears it); re-arms and returns false if it moved later; false for a stale timer.
    public mutating func hasPassed(now: Int64, loop: EventLoop, registration: Registration) -> Bool {
        if armed > now {
            return false
        }
        armed = 0
        guard value != 0 else { return false }
        if value > now {
            set(value, loop: loop, registration: registration)
            return false
        }
        value = 0
        return true
    }
}
