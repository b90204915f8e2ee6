/// The versions of the conf, in conf order, and DESIGN.md's rules between them: which one is live,
/// which ones drain.
///
/// - The target version is the last one in conf order. When a candidate passes its gate it goes
///   live if it is the target, if no version is live, or, during a first start, if it comes after
///   the live version in conf order (first start gates "as if released one after another"). A
///   candidate that passes otherwise stays a candidate: it goes live only by passing again once it
///   is the target.
/// - Going live makes the previous live version draining; several versions may drain at once.
/// - A failed gate makes the candidate rejected and leaves the live version as it is.
/// - With no live version, new sessions get `503` (``acceptsNewSessions``).
///
/// A pure `Sendable` value: no clock (times are passed in, in milliseconds of the caller's clock)
/// and no I/O. Methods fed by outside input throw ``ReleaseTrackError`` instead of trapping, and
/// change nothing when they throw.
public struct ReleaseTrack: Sendable, Hashable {
    /// Every version of the conf, in conf order.
    public private(set) var versions: [VersionRecord]

    /// Whether versions are still going through their first start: set by ``init(firstStart:now:)``
    /// until the target version's gate has an outcome or a conf is applied.
    public private(set) var isFirstStart: Bool

    /// A track for a first start (no state): every version is a candidate.
    public init(firstStart names: [String], now: Int64) throws(ReleaseTrackError) {
        try Self.checkUnique(names)

        versions = names.map { VersionRecord(name: $0, state: .candidate, since: now) }
        isFirstStart = true
    }

    /// A track for a restart with state: every version keeps the state it had and nothing is gated
    /// again. Apply the conf next (``applyConf(_:now:)``) to bring in its order and its changes.
    public init(restoring records: [VersionRecord]) throws(ReleaseTrackError) {
        try Self.checkUnique(records.map(\.name))

        let live = records.filter { $0.state == .live }.map(\.name)
        guard live.count <= 1 else { throw .severalLive(live) }

        versions = records
        isFirstStart = false
    }

    /// The live version's name, or nil if none is live.
    public var live: String? {
        liveIndex.map { versions[$0].name }
    }

    /// The target version's name: the last in conf order.
    public var target: String? {
        versions.last?.name
    }

    /// Whether a request without a session can be routed (some version is live); if not, `503`.
    public var acceptsNewSessions: Bool {
        liveIndex != nil
    }

    /// The versions in `state`, in conf order.
    public func versions(in state: VersionState) -> [String] {
        versions.filter { $0.state == state }.map(\.name)
    }

    /// The record of version `name`, or nil if the conf has no such version.
    public func version(_ name: String) -> VersionRecord? {
        versions.first { $0.name == name }
    }

    /// Applies `event` to version `name` and returns every resulting transition, in order (a version
    /// going live comes before the previous live one starting to drain).
    ///
    /// Takes `gatePassed`, `gateFailed`, `gateRerun`, `drainedConditionsMet` and
    /// `drainDeadlinePassed`; the track applies `anotherWentLive` and `removedFromConf` itself. A
    /// passing candidate that may not go live (see the type's rules) yields no transition.
    public mutating func apply(
        _ event: VersionEvent,
        to name: String,
        now: Int64
    ) throws(ReleaseTrackError) -> [VersionTransition] {
        guard let index = versions.firstIndex(where: { $0.name == name }) else { throw .unknownVersion(name) }

        let state = versions[index].state
        switch event {
        case .anotherWentLive, .removedFromConf:
            throw .trackOwnedEvent(event)
        case .gatePassed, .gateFailed, .gateRerun, .drainedConditionsMet, .drainDeadlinePassed:
            guard state.canHandle(event) else { throw .refused(version: name, state: state, event: event) }
        }

        // The target's gate outcome ends a first start: later versions are gated as on a reload.
        let firstStart = isFirstStart
        if index == versions.count - 1 && (event == .gatePassed || event == .gateFailed) {
            isFirstStart = false
        }

        if event == .gatePassed {
            return passGate(at: index, firstStart: firstStart, now: now)
        }
        return [transition(at: index, on: event, now: now)]
    }

    /// Applies a conf's versions, `names` in conf order: versions already known keep their state,
    /// new ones are candidates (gate them: ``Reload/added``), versions left out leave the track.
    ///
    /// Throws, changing nothing, if a name repeats or the live version is left out: it holds the
    /// sessions the others would move to, so it stays until another version is live.
    public mutating func applyConf(_ names: [String], now: Int64) throws(ReleaseTrackError) -> Reload {
        try Self.checkUnique(names)

        let kept = Set(names)
        if let live, !kept.contains(live) {
            throw .liveVersionRemoved(live)
        }

        var reload = Reload(added: [], removed: [])
        var known: [String: VersionRecord] = [:]
        for index in versions.indices {
            known[versions[index].name] = versions[index]
            if !kept.contains(versions[index].name) {
                reload.removed.append(transition(at: index, on: .removedFromConf, now: now))
            }
        }

        versions = names.map { name in
            known[name] ?? VersionRecord(name: name, state: .candidate, since: now)
        }
        reload.added = names.filter { known[$0] == nil }
        isFirstStart = false
        return reload
    }

    /// What applying a conf changed.
    public struct Reload: Sendable, Hashable {
        /// Versions new to the track, in conf order: candidates whose gates should run.
        public var added: [String]

        /// Versions that left the track, each with its last transition: `draining → drained` with
        /// ``VersionTransition/isForced`` (move its sessions to the live version, fire its hooks),
        /// or a state kept as it was (candidate, rejected, drained).
        public var removed: [VersionTransition]

        /// Creates a reload outcome.
        public init(added: [String], removed: [VersionTransition]) {
            self.added = added
            self.removed = removed
        }
    }

    /// The index of the live version, if any.
    private var liveIndex: Int? {
        versions.firstIndex { $0.state == .live }
    }

    /// A passed gate: the candidate at `index` goes live when the rules allow, and the live version
    /// starts draining. During a first start, a candidate after the live one in conf order may go live.
    private mutating func passGate(at index: Int, firstStart: Bool, now: Int64) -> [VersionTransition] {
        let isTarget = index == versions.count - 1
        let previous = liveIndex
        let overtakes = previous.map { firstStart && index > $0 } ?? true
        guard isTarget || overtakes else { return [] }

        var transitions = [transition(at: index, on: .gatePassed, now: now)]
        if let previous {
            transitions.append(transition(at: previous, on: .anotherWentLive, now: now))
        }
        return transitions
    }

    /// Moves the version at `index` on `event` (which its state must handle) and describes it.
    private mutating func transition(at index: Int, on event: VersionEvent, now: Int64) -> VersionTransition {
        let from = versions[index].state
        let to = versions[index].state.handle(event)
        if from != to {
            versions[index].since = now
        }
        return VersionTransition(version: versions[index].name, from: from, to: to, event: event, at: now)
    }

    /// Throws ``ReleaseTrackError/duplicateVersion(_:)`` for the first name that repeats.
    private static func checkUnique(_ names: [String]) throws(ReleaseTrackError) {
        var seen: Set<String> = []
        for name in names where !seen.insert(name).inserted {
            throw .duplicateVersion(name)
        }
    }
}

/// Why a ``ReleaseTrack`` refused a change. The track is unchanged.
public enum ReleaseTrackError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No version of that name in the conf.
    case unknownVersion(String)

    /// A version name appears twice.
    case duplicateVersion(String)

    /// The version's state has no transition on that event (e.g. `gateRerun` on a live version).
    case refused(version: String, state: VersionState, event: VersionEvent)

    /// `anotherWentLive` and `removedFromConf` follow from other changes; the track applies them.
    case trackOwnedEvent(VersionEvent)

    /// The conf leaves out the live version, which has to stay until another version is live.
    case liveVersionRemoved(String)

    /// Restored state has more than one live version.
    case severalLive([String])

    /// What went wrong, for logs and the admin API.
    public var description: String {
        switch self {
        case .unknownVersion(let name):
            "no version \(name) in the conf"
        case .duplicateVersion(let name):
            "version \(name) appears twice"
        case .refused(let name, let state, let event):
            "version \(name) is \(state): no transition on \(event)"
        case .trackOwnedEvent(let event):
            "\(event) is applied by the release track itself"
        case .liveVersionRemoved(let name):
            "version \(name) is live: keep it in the conf until another version is live"
        case .severalLive(let names):
            "restored state has several live versions: \(names.joined(separator: ", "))"
        }
    }
}
