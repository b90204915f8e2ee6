/// What every shard of a ledger shares: its timeouts and where it records changes.
struct LedgerPolicy: Sendable {
    /// The idle timeout, in whole seconds (at least 1).
    let idle: UInt32

    /// The absolute timeout, in whole seconds, if there is one.
    let absolute: UInt32?

    /// Receives every change worth keeping across a restart, under the shard's lock.
    let recorder: (@Sendable (StateRecord) -> Void)?

    /// When `entry` ends: idle timeout after it was last seen, or its absolute timeout if sooner.
    @inline(__always)
    func deadline(of entry: LedgerEntry) -> UInt32 {
        let idleDeadline = LedgerSeconds.adding(entry.lastSeen, idle)
        guard let absolute else { return idleDeadline }

        return min(idleDeadline, LedgerSeconds.adding(entry.created, absolute))
    }
}

/// One session as a shard stores it: 16 bytes, times in ledger seconds.
struct LedgerEntry {
    /// The id of its pin in the shard's ``PinTable``.
    var pin: UInt32

    /// When it was established.
    var created: UInt32

    /// When a request of it was last seen.
    var lastSeen: UInt32

    /// The bucket it is filed in: its deadline when it was last scheduled. A bucket's entry for a
    /// key whose `scheduled` differs is stale and skipped.
    var scheduled: UInt32
}

/// One shard of a ``SessionLedger``: its sessions, their expiry buckets and pins. Lives in a
/// `Mutex`; every method runs under that lock.
///
/// Expiry is lazy: each session is filed once, in the bucket of the second it would end if never
/// seen again. Seeing it again only updates its last-seen time. When a bucket's second comes, each
/// of its sessions either ends or is filed again at its real deadline.
struct LedgerShard {
    /// Live sessions by key.
    private(set) var entries: [LedgerKey: LedgerEntry] = [:]

    /// Keys by the second they are due to be checked.
    private(set) var buckets: [UInt32: [LedgerKey]] = [:]

    /// The seconds of ``buckets``, earliest first.
    private var dueSeconds = SecondHeap()

    /// The pins of this shard's sessions.
    private(set) var pins = PinTable()

    /// Sessions found expired by `touch` or `establish`, per version, not yet reported by `expire`.
    private var expiredEarly: [String: Int] = [:]

    /// Bucket entries looked at by expiry, stale ones included: for tests.
    private(set) var visited = 0

    /// The pin of a live session, which `now` marks as seen; nil if unknown or expired.
    mutating func touch(_ key: LedgerKey, now: LedgerNow, policy: LedgerPolicy) -> SessionPin? {
        guard let index = entries.index(forKey: key) else { return nil }

        let entry = entries.values[index]
        guard policy.deadline(of: entry) > now.second else {
            expireEarly(key, policy: policy)
            return nil
        }

        entries.values[index].lastSeen = max(entry.lastSeen, now.seen)
        return pins.pin(entry.pin)
    }

    /// Records `key` pinned to `pin` at `now`, unless it is live already; returns the pin in effect.
    mutating func establish(_ key: LedgerKey, pin: SessionPin, now: LedgerNow, policy: LedgerPolicy) -> SessionPin {
        if let existing = touch(key, now: now, policy: policy) {
            return existing
        }

        let entry = insert(key, pin: pin, created: now.seen, lastSeen: now.seen, policy: policy)
        policy.recorder?(.sessionEstablished(record(key, entry)))
        return pin
    }

    /// Ends `key`; returns its pin if it was in the shard.
    mutating func end(_ key: LedgerKey, policy: LedgerPolicy) -> SessionPin? {
        guard let entry = entries.removeValue(forKey: key) else { return nil }

        let pin = pins.pin(entry.pin)
        pins.release(entry.pin, created: entry.created)
        policy.recorder?(.sessionEnded(key))
        return pin
    }

    /// Checks the earliest bucket due at `now`, counting sessions that end per version into
    /// `ended`; false if no bucket is due. Sessions found expired early are counted here too.
    mutating func expireNextBucket(now: UInt32, policy: LedgerPolicy, ended: inout [String: Int]) -> Bool {
        ended.merge(expiredEarly, uniquingKeysWith: +)
        expiredEarly.removeAll()
        guard let second = dueSeconds.first, second <= now else { return false }

        dueSeconds.removeFirst()
        for key in buckets.removeValue(forKey: second) ?? [] {
            check(key, filedAt: second, now: now, policy: policy, ended: &ended)
        }
        return true
    }

    /// Re-points every pin of `version` to what `newPin` makes of it; returns how many sessions moved.
    mutating func move(version: String, to newPin: (SessionPin) -> SessionPin, policy: LedgerPolicy) -> Int {
        let ids = pins.ids(of: version)
        guard !ids.isEmpty else { return 0 }

        var moved = 0
        for id in ids {
            moved += pins.repoint(id, to: newPin(pins.pin(id)))
        }

        if let recorder = policy.recorder {
            let movedIDs = Set(ids)
            for (key, entry) in entries where movedIDs.contains(entry.pin) {
                recorder(.sessionEstablished(record(key, entry)))
            }
        }
        return moved
    }

    /// Appends every live session to `records`.
    func append(to records: inout [LedgerRecord]) {
        for (key, entry) in entries {
            records.append(record(key, entry))
        }
    }

    /// Puts back a session from a snapshot, replacing one of the same key.
    mutating func restore(_ restored: LedgerRecord, policy: LedgerPolicy) {
        if let entry = entries.removeValue(forKey: restored.key) {
            pins.release(entry.pin, created: entry.created)
        }

        let created = LedgerSeconds.up(restored.createdAt)
        let lastSeen = max(created, LedgerSeconds.up(restored.lastSeen))
        _ = insert(restored.key, pin: restored.pin, created: created, lastSeen: lastSeen, policy: policy)
    }

    /// Stores a new session and files it at its deadline.
    private mutating func insert(
        _ key: LedgerKey,
        pin: SessionPin,
        created: UInt32,
        lastSeen: UInt32,
        policy: LedgerPolicy
    ) -> LedgerEntry {
        var entry = LedgerEntry(
            pin: pins.retain(pin, created: created), created: created, lastSeen: lastSeen, scheduled: 0)
        entry.scheduled = policy.deadline(of: entry)
        entries[key] = entry
        file(key, at: entry.scheduled)
        return entry
    }

    /// Ends `key`, found expired before its bucket came, to be reported by the next expiry.
    private mutating func expireEarly(_ key: LedgerKey, policy: LedgerPolicy) {
        guard let pin = end(key, policy: policy) else { return }

        expiredEarly[pin.version, default: 0] += 1
    }

    /// One bucket entry: ends the session if due at `now`, files it at its deadline if seen since,
    /// skips it if stale (ended, or filed elsewhere since).
    private mutating func check(
        _ key: LedgerKey,
        filedAt second: UInt32,
        now: UInt32,
        policy: LedgerPolicy,
        ended: inout [String: Int]
    ) {
        visited += 1
        guard let index = entries.index(forKey: key), entries.values[index].scheduled == second else { return }

        let entry = entries.values[index]
        let deadline = policy.deadline(of: entry)
        guard deadline > now else {
            let pin = end(key, policy: policy)!
            ended[pin.version, default: 0] += 1
            return
        }

        // Seen since it was filed: its last-seen time is worth keeping across a restart.
        entries.values[index].scheduled = deadline
        file(key, at: deadline)
        policy.recorder?(.sessionEstablished(record(key, entry)))
    }

    /// Files `key` in the bucket of `second`.
    private mutating func file(_ key: LedgerKey, at second: UInt32) {
        if let index = buckets.index(forKey: second) {
            buckets.values[index].append(key)
        } else {
            buckets[second] = [key]
            dueSeconds.insert(second)
        }
    }

    /// `entry` of `key` as a record, in milliseconds.
    private func record(_ key: LedgerKey, _ entry: LedgerEntry) -> LedgerRecord {
        LedgerRecord(
            key: key,
            pin: pins.pin(entry.pin),
            createdAt: LedgerSeconds.milliseconds(entry.created),
            lastSeen: LedgerSeconds.milliseconds(entry.lastSeen)
        )
    }
}

/// A binary min-heap of seconds: the buckets of a shard, earliest first.
struct SecondHeap {
    /// The heap, in array form.
    private var seconds: [UInt32] = []

    /// The earliest second, if any.
    var first: UInt32? {
        seconds.first
    }

    /// Adds `second`.
    mutating func insert(_ second: UInt32) {
        seconds.append(second)
        var child = seconds.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard seconds[child] < seconds[parent] else { return }

            seconds.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes the earliest second; the heap must not be empty.
    mutating func removeFirst() {
        let last = seconds.removeLast()
        guard !seconds.isEmpty else { return }

        seconds[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < seconds.count && seconds[left] < seconds[smallest] {
                smallest = left
            }
            if right < seconds.count && seconds[right] < seconds[smallest] {
                smallest = right
            }
            guard smallest != parent else { return }

            seconds.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
