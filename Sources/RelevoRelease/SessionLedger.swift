import Synchronization

/// The session table: every live session, its pin, and exact counts per version and per backend.
///
/// Callable from any thread. Sessions are spread over shards by key, each behind its own `Mutex`,
/// so event loops rarely wait on each other; every operation on one session is O(1). Sessions end
/// when idle for `idleTimeout` or older than `absoluteTimeout`: ``expire(now:)``, called about
/// every 250 ms off the event loops, checks only the buckets whose second has come, never the whole
/// table (see ``LedgerShard``).
///
/// Times are milliseconds of one clock the caller picks and keeps, across restarts too: the wall
/// clock (Unix epoch), since snapshots outlive the process. They are stored as whole seconds
/// (``LedgerSeconds``): a session never ends before its timeout and at most about a second after.
///
/// Memory: 16 bytes of key and 16 of entry per session in a hash table, plus 16 per key in its
/// expiry bucket; pins are interned per shard (``PinTable``). See `bench/ledger_memory.sh`.
///
/// Changes go to `recorder` (the state journal), under the shard's lock, so the records of one
/// session are in the order its changes happened: establishing, ending, expiring, moving, and, at
/// most once per idle timeout, a session seen since it was last filed (its new last-seen time).
/// The recorder must not call back into the ledger.
public final class SessionLedger: Sendable {
    /// The shards, each a session table of its own.
    private let shards: [Shard]

    /// Timeouts and recorder, shared by the shards.
    private let policy: LedgerPolicy

    /// A ledger with these timeouts, in milliseconds; `shardCount` shards (at least 1), and
    /// `recorder` receiving every change (nil: nothing recorded).
    public init(
        idleTimeout: Int64,
        absoluteTimeout: Int64? = nil,
        shardCount: Int = 64,
        recorder: (@Sendable (StateRecord) -> Void)? = nil
    ) {
        precondition(shardCount >= 1, "a session ledger needs at least one shard, not \(shardCount)")

        policy = LedgerPolicy(
            idle: max(1, LedgerSeconds.up(idleTimeout)),
            absolute: absoluteTimeout.map { max(1, LedgerSeconds.up($0)) },
            recorder: recorder
        )
        shards = (0..<shardCount).map { _ in Shard() }
    }

    /// Looks up a live session and marks it seen at `now`; nil if unknown, ended or expired.
    @inline(__always)
    public func touch(_ key: LedgerKey, now: Int64) -> SessionPin? {
        shard(of: key).state.withLock { [policy] shard in
            shard.touch(key, now: LedgerNow(now), policy: policy)
        }
    }

    /// Records a session that a backend response established at `now`, pinned to `pin`, and returns
    /// `pin`. Idempotent: for a key that is live already, it only marks the session seen, keeps its
    /// pin, and returns that pin.
    @discardableResult
    public func establish(_ key: LedgerKey, pin: SessionPin, now: Int64) -> SessionPin {
        shard(of: key).state.withLock { [policy] shard in
            shard.establish(key, pin: pin, now: LedgerNow(now), policy: policy)
        }
    }

    /// Ends a session (logout, end header); returns its pin if it was in the table. A session past
    /// its timeout but not yet expired counts as in the table.
    @discardableResult
    public func end(_ key: LedgerKey) -> SessionPin? {
        shard(of: key).state.withLock { [policy] shard in
            shard.end(key, policy: policy)
        }
    }

    /// Ends the sessions whose timeout has passed at `now`; returns how many ended per version (for
    /// logs and drain checks), counting those that `touch` or `establish` found expired since the
    /// last call. Takes each shard's lock once per due bucket, never for the whole table.
    public func expire(now: Int64) -> [String: Int] {
        let second = LedgerSeconds.down(now)
        var ended: [String: Int] = [:]
        for shard in shards {
            var due = true
            while due {
                due = shard.state.withLock { [policy] in
                    $0.expireNextBucket(now: second, policy: policy, ended: &ended)
                }
            }
        }
        return ended
    }

    /// Moves every session of `version` to another pin (drain deadline passed, version removed);
    /// returns how many moved.
    ///
    /// Sessions move by pin, not one by one: `newPin` is called once per pin of `version` per shard,
    /// under that shard's lock, so a round-robin over the live version's backends spreads the moved
    /// sessions over them. It must not call the ledger.
    public func move(version: String, to newPin: (SessionPin) -> SessionPin) -> Int {
        var moved = 0
        for shard in shards {
            moved += shard.state.withLock { [policy] in $0.move(version: version, to: newPin, policy: policy) }
        }
        return moved
    }

    /// Live sessions per version and per backend, and each version's oldest session.
    public func counts() -> LedgerCounts {
        var counts = LedgerCounts()
        for shard in shards {
            shard.state.withLock { $0.pins.add(to: &counts) }
        }
        return counts
    }

    /// Every live session, for a snapshot of the state directory; in no particular order.
    public func snapshot() -> [LedgerRecord] {
        var records: [LedgerRecord] = []
        records.reserveCapacity(shards.reduce(0) { count, shard in count + shard.state.withLock { $0.entries.count } })
        for shard in shards {
            shard.state.withLock { $0.append(to: &records) }
        }
        return records
    }

    /// Loads sessions back from a snapshot or a journal's replay, replacing any of the same key.
    /// Nothing goes to the recorder. Sessions already past their timeout end at the next expiry.
    public func restore(_ records: [LedgerRecord]) {
        for record in records {
            shard(of: record.key).state.withLock { [policy] in $0.restore(record, policy: policy) }
        }
    }

    /// The shard `key` belongs to.
    @inline(__always)
    private func shard(of key: LedgerKey) -> Shard {
        shards[key.shard(of: shards.count)]
    }

    /// A shard behind its lock; a class, so that each lock lives in its own allocation.
    final class Shard: Sendable {
        /// The shard.
        let state = Mutex(LedgerShard())
    }
}

extension SessionLedger {
    /// Bucket entries looked at by expiry so far, stale ones included: for tests.
    var bucketEntriesVisited: Int {
        shards.reduce(0) { visited, shard in visited + shard.state.withLock { $0.visited } }
    }

    /// Expiry buckets waiting, over all shards: for tests.
    var bucketCount: Int {
        shards.reduce(0) { count, shard in count + shard.state.withLock { $0.buckets.count } }
    }
}
