/// The pins of one ledger shard, interned as four-byte ids, with the live sessions counted per id.
///
/// There are only a handful of pins (versions × backends), so every session stores an id instead
/// of two strings. An id is freed when its last session ends and reused for the next new pin.
/// Moving sessions (``repoint(_:to:)``) re-points an id, so it costs nothing per session; several
/// ids may then name the same pin, and counts add up by pin. Owned by its shard: not thread-safe.
struct PinTable {
    /// One id's pin and the sessions holding it.
    struct Slot {
        /// The pin the id stands for.
        var pin: SessionPin

        /// Live sessions holding the id.
        var sessions: Int

        /// Live sessions holding the id, by the minute (ledger seconds / 60) they were established.
        var createdMinutes: [UInt32: Int]
    }

    /// Slots by id; nil for a free id.
    private(set) var slots: [Slot?] = []

    /// The id new sessions of each pin get.
    private var ids: [SessionPin: UInt32] = [:]

    /// Ids with no session, to reuse.
    private var free: [UInt32] = []

    /// The id for `pin`, taken by one more session established at `created` (ledger seconds).
    mutating func retain(_ pin: SessionPin, created: UInt32) -> UInt32 {
        let id = ids[pin] ?? allocate(pin)
        slots[Int(id)]!.sessions += 1
        slots[Int(id)]!.createdMinutes[created / 60, default: 0] += 1
        return id
    }

    /// Gives back `id` for one session established at `created`; frees the id with its last session.
    mutating func release(_ id: UInt32, created: UInt32) {
        let index = Int(id)
        slots[index]!.sessions -= 1
        let minute = created / 60
        if slots[index]!.createdMinutes[minute] == 1 {
            slots[index]!.createdMinutes[minute] = nil
        } else {
            slots[index]!.createdMinutes[minute]! -= 1
        }
        guard slots[index]!.sessions == 0 else { return }

        let pin = slots[index]!.pin
        if ids[pin] == id {
            ids[pin] = nil
        }
        slots[index] = nil
        free.append(id)
    }

    /// The pin `id` stands for; `id` must be held by a session.
    @inline(__always)
    func pin(_ id: UInt32) -> SessionPin {
        slots[Int(id)]!.pin
    }

    /// Ids of `version` with sessions.
    func ids(of version: String) -> [UInt32] {
        slots.indices.compactMap { index in
            slots[index].flatMap { $0.pin.version == version ? UInt32(index) : nil }
        }
    }

    /// Makes every session holding `id` hold `pin` instead; returns how many they are.
    mutating func repoint(_ id: UInt32, to pin: SessionPin) -> Int {
        let index = Int(id)
        let old = slots[index]!.pin
        if ids[old] == id {
            ids[old] = nil
        }
        slots[index]!.pin = pin
        if ids[pin] == nil {
            ids[pin] = id
        }
        return slots[index]!.sessions
    }

    /// Adds this shard's sessions to `counts`.
    func add(to counts: inout LedgerCounts) {
        for case let slot? in slots {
            counts.sessionsPerVersion[slot.pin.version, default: 0] += slot.sessions
            counts.sessionsPerBackend[slot.pin, default: 0] += slot.sessions
            counts.total += slot.sessions
            guard let minute = slot.createdMinutes.keys.min() else { continue }

            let oldest = Int64(minute) * 60_000
            let known = counts.oldestSessionPerVersion[slot.pin.version] ?? .max
            counts.oldestSessionPerVersion[slot.pin.version] = min(known, oldest)
        }
    }

    /// A fresh id for `pin`, reusing a freed one if there is one.
    private mutating func allocate(_ pin: SessionPin) -> UInt32 {
        let slot = Slot(pin: pin, sessions: 0, createdMinutes: [:])
        let id: UInt32
        if let reused = free.popLast() {
            id = reused
            slots[Int(id)] = slot
        } else {
            id = UInt32(slots.count)
            slots.append(slot)
        }
        ids[pin] = id
        return id
    }
}
