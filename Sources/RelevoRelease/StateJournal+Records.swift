/// One change of relevo's state, as the state journal keeps it.
///
/// Recovery replays records in order, and the last record about a session key, a version name or a
/// hook event id wins; replaying a record whose change a snapshot already holds is harmless.
public enum StateRecord: Sendable, Hashable {
    /// A session was established, or was seen again or moved: its whole record, which replaces any
    /// earlier one of the same key.
    case sessionEstablished(LedgerRecord)

    /// A session ended (logout, end header, expiry).
    case sessionEnded(LedgerKey)

    /// A version entered a state.
    case versionState(VersionRecord)

    /// A version left the conf.
    case versionRemoved(String)

    /// A hook event to deliver (e.g. `on_drained`), kept until acknowledged.
    case hookEvent(HookEvent)

    /// The hook event with this id was delivered (or given up on): forget it.
    case hookAcknowledged(UInt64)
}

/// A hook event waiting to be delivered: delivery is at least once, across restarts.
public struct HookEvent: Sendable, Hashable {
    /// Its id, unique in the state directory; assigned by the caller.
    public var id: UInt64

    /// The version it is about.
    public var version: String

    /// What to deliver, as the hook runner encodes it (e.g. the webhook's JSON body).
    public var payload: String

    /// Creates a hook event.
    public init(id: UInt64, version: String, payload: String) {
        self.id = id
        self.version = version
        self.payload = payload
    }
}

/// What the state directory held: the state after replaying the snapshot and the journal.
///
/// Empty ``versions`` means a first start: no version went through its life cycle yet.
public struct RecoveredState: Sendable, Hashable {
    /// Every version's last state, sorted by name (conf order comes from the conf).
    public var versions: [VersionRecord]

    /// Every session not ended, one per key, in no particular order. Some may be past their
    /// timeout: a ledger they are restored into ends them at its next expiry.
    public var sessions: [LedgerRecord]

    /// Hook events not acknowledged, by id.
    public var hookEvents: [HookEvent]

    /// Creates a state.
    public init(versions: [VersionRecord] = [], sessions: [LedgerRecord] = [], hookEvents: [HookEvent] = []) {
        self.versions = versions
        self.sessions = sessions
        self.hookEvents = hookEvents
    }
}

/// Replays records into the state they describe; last record per key, name or id wins.
struct StateReplay {
    /// Sessions by key.
    private var sessions: [LedgerKey: LedgerRecord] = [:]

    /// Versions by name.
    private var versions: [String: VersionRecord] = [:]

    /// Hook events by id.
    private var hookEvents: [UInt64: HookEvent] = [:]

    /// Applies `record`.
    mutating func apply(_ record: StateRecord) {
        switch record {
        case .sessionEstablished(let session):
            sessions[session.key] = session
        case .sessionEnded(let key):
            sessions[key] = nil
        case .versionState(let version):
            versions[version.name] = version
        case .versionRemoved(let name):
            versions[name] = nil
        case .hookEvent(let event):
            hookEvents[event.id] = event
        case .hookAcknowledged(let id):
            hookEvents[id] = nil
        }
    }

    /// The state replayed so far.
    consuming func state() -> RecoveredState {
        RecoveredState(
            versions: versions.values.sorted { $0.name < $1.name },
            sessions: Array(sessions.values),
            hookEvents: hookEvents.values.sorted { $0.id < $1.id }
        )
    }
}

/// A state directory that could not be read or written: the file, where in it, and why.
public struct StateError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure.
    public enum Kind: Sendable, Hashable {
        /// A system call failed: its name and `errno`.
        case system(call: String, errno: Int32)

        /// A file's content is damaged where a torn write cannot explain it, or is not relevo's.
        case corrupt

        /// Another process holds the state directory.
        case inUse

        /// The journal was closed.
        case closed
    }

    /// What kind of failure.
    public var kind: Kind

    /// The file's path.
    public var file: String

    /// The byte offset in ``file`` where the damage starts, for ``Kind/corrupt``.
    public var offset: Int64?

    /// Why, in words.
    public var reason: String

    /// Creates an error.
    public init(kind: Kind, file: String, offset: Int64? = nil, reason: String) {
        self.kind = kind
        self.file = file
        self.offset = offset
        self.reason = reason
    }

    /// `state: FILE at byte N: reason`, for logs.
    public var description: String {
        "state: \(file)\(offset.map { " at byte \($0)" } ?? ""): \(reason)"
    }
}
