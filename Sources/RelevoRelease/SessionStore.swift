/// Where sessions live: the operations routing and release control need, so that a store shared
/// by several relevo instances (DESIGN.md's `store redis`) can stand in for the local
/// ``SessionLedger``.
///
/// Times are wall-clock milliseconds. Every method is callable from any thread; ``touch(_:now:)``,
/// ``establish(_:pin:now:)`` and ``end(_:)`` run on event loops, once per exchange at most, and must
/// not block for long.
public protocol SessionStore: AnyObject, Sendable {
    /// The live session's pin, marked seen at `now`; nil if unknown, ended or expired.
    func touch(_ key: LedgerKey, now: Int64) -> SessionPin?

    /// Records a session a backend response established; returns its pin (the existing one if live).
    @discardableResult
    func establish(_ key: LedgerKey, pin: SessionPin, now: Int64) -> SessionPin

    /// Ends a session; returns its pin if it was live.
    @discardableResult
    func end(_ key: LedgerKey) -> SessionPin?

    /// Ends the sessions whose timeout has passed; returns how many per version.
    func expire(now: Int64) -> [String: Int]

    /// Moves every session of `version` to the pins `newPin` gives; returns how many moved.
    func move(version: String, to newPin: (SessionPin) -> SessionPin) -> Int

    /// Live sessions per version and per backend.
    func counts() -> LedgerCounts

    /// Every live session, for a snapshot.
    func snapshot() -> [LedgerRecord]

    /// Loads sessions back from a snapshot.
    func restore(_ records: [LedgerRecord])
}

extension SessionLedger: SessionStore {}
