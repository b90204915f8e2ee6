/// One armed timer: when it is due and whom it is for.
struct TimerEntry {
    /// Due time in ``MonotonicClock/coarseMilliseconds()``.
    var deadline: Int64

    /// The registration token of the handler (descriptor and generation), or a task id.
    var token: UInt64

    /// Order of pushing, so entries with one deadline pop in the order they were pushed.
    var sequence: UInt64 = 0

    /// Whether this entry pops before `other`.
    @inline(__always)
    func precedes(_ other: TimerEntry) -> Bool {
        deadline < other.deadline || (deadline == other.deadline && sequence < other.sequence)
    }
}

/// A binary min-heap of timers ordered by deadline.
///
/// Entries are never removed early: a handler whose deadline moved checks it when the entry fires
/// and re-arms, so moving a deadline on every exchange costs one integer store, not a heap update.
struct TimerHeap {
    private(set) var entries: [TimerEntry] = []
    private var nextSequence: UInt64 = 0

    /// The earliest deadline, if any timer is armed.
    var nextDeadline: Int64? {
        entries.first?.deadline
    }

    var isEmpty: Bool {
        entries.isEmpty
    }

    mutating func push(_ entry: TimerEntry) {
        var entry = entry
        entry.sequence = nextSequence
        nextSequence &+= 1
        entries.append(entry)
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            if !entries[child].precedes(entries[parent]) {
                break
            }
            entries.swapAt(parent, child)
            child = parent
        }
    }

    /// Removes and returns the earliest entry if it is due at `now`.
    mutating func popDue(now: Int64) -> TimerEntry? {
        guard let first = entries.first, first.deadline <= now else { return nil }
        let last = entries.removeLast()
        if entries.isEmpty {
            return first
        }
        entries[0] = last
        var parent = 0
        while true {
            let left = parent * 2 + 1
            if left >= entries.count {
                break
            }
            let right = left + 1
            let smaller = right < entries.count && entries[right].precedes(entries[left]) ? right : left
            if !entries[smaller].precedes(entries[parent]) {
                break
            }
            entries.swapAt(parent, smaller)
            parent = smaller
        }
        return first
    }
}
