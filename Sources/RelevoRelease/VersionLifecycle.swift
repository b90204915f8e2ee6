/// Where a version is in its life cycle (DESIGN.md, "Version life cycle").
///
/// ```
/// candidate ──gatePassed──► live ──anotherWentLive──► draining ──drainedConditionsMet──► drained
///   │    ▲                                                  └────drainDeadlinePassed─────┘ (forced)
/// gateFailed  gateRerun
///   ▼    │
///  rejected
/// ```
///
/// A value type with no clock and no I/O: ``ReleaseTrack`` applies the rules that involve several
/// versions (which one goes live, which one starts draining).
public enum VersionState: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// In the conf, its gate not passed yet (or passed while it was not the target version).
    case candidate

    /// New sessions go to it; at most one version is live.
    case live

    /// No longer live; it keeps serving the sessions it holds.
    case draining

    /// Not live, zero sessions, zero requests in flight, zero open tunnels: ready to retire.
    case drained

    /// Its gate failed; the live version stayed live. A gate re-run makes it a candidate again.
    case rejected

    /// The state's name as logs, the admin API and the state directory spell it.
    public var description: String {
        rawValue
    }

    /// Whether `event` has a transition from this state. Callers fed by outside input (the admin
    /// API, a gate report arriving late) check this before ``handle(_:)``, which traps otherwise.
    public func canHandle(_ event: VersionEvent) -> Bool {
        next(on: event) != nil
    }

    /// Moves to the state `event` leads to and returns it.
    ///
    /// `removedFromConf` leaves candidate, rejected and drained versions as they are and forces a
    /// draining one to drained: the version then leaves its ``ReleaseTrack``, and the state returned
    /// is the last one it had. Traps on an impossible transition (see ``canHandle(_:)``).
    @discardableResult
    public mutating func handle(_ event: VersionEvent) -> VersionState {
        guard let next = next(on: event) else {
            preconditionFailure("version life cycle: no transition from \(self) on \(event)")
        }

        self = next
        return next
    }

    /// The transition table: the state `event` leads to, or nil if there is no such transition.
    private func next(on event: VersionEvent) -> VersionState? {
        switch self {
        case .candidate:
            switch event {
            case .gatePassed: .live
            case .gateFailed: .rejected
            case .removedFromConf: .candidate
            case .gateRerun, .anotherWentLive, .drainedConditionsMet, .drainDeadlinePassed: nil
            }
        case .live:
            switch event {
            case .anotherWentLive: .draining
            case .gatePassed, .gateFailed, .gateRerun, .drainedConditionsMet, .drainDeadlinePassed: nil
            // The live version holds the sessions others would move to: it cannot simply go.
            case .removedFromConf: nil
            }
        case .draining:
            switch event {
            case .drainedConditionsMet, .drainDeadlinePassed, .removedFromConf: .drained
            case .gatePassed, .gateFailed, .gateRerun, .anotherWentLive: nil
            }
        case .drained:
            switch event {
            case .removedFromConf: .drained
            case .gatePassed, .gateFailed, .gateRerun, .anotherWentLive, .drainedConditionsMet: nil
            case .drainDeadlinePassed: nil
            }
        case .rejected:
            switch event {
            case .gateRerun: .candidate
            case .removedFromConf: .rejected
            case .gatePassed, .gateFailed, .anotherWentLive, .drainedConditionsMet, .drainDeadlinePassed: nil
            }
        }
    }
}

/// Something that happens to a version and may move it to another ``VersionState``.
public enum VersionEvent: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Its gate passed.
    case gatePassed

    /// Its gate failed.
    case gateFailed

    /// Its gate is run again after a failure (admin API, `relevo gate`).
    case gateRerun

    /// Another version became live.
    case anotherWentLive

    /// Zero sessions, zero requests in flight, zero open tunnels.
    case drainedConditionsMet

    /// `drain_deadline` passed: its sessions were moved to the live version.
    case drainDeadlinePassed

    /// A reload left it out of the conf.
    case removedFromConf

    /// The event's name, for logs.
    public var description: String {
        rawValue
    }
}

/// One version's state as ``ReleaseTrack`` holds it and the state directory keeps it.
public struct VersionRecord: Sendable, Hashable {
    /// The version's name, e.g. `v42`.
    public var name: String

    /// Its state.
    public var state: VersionState

    /// When it entered that state, in milliseconds of the caller's clock (wall clock, so that it
    /// survives restarts).
    public var since: Int64

    /// Creates a record.
    public init(name: String, state: VersionState, since: Int64) {
        self.name = name
        self.state = state
        self.since = since
    }
}

/// A change of one version's state, for logs, the state directory and hooks.
public struct VersionTransition: Sendable, Hashable, CustomStringConvertible {
    /// The version's name.
    public var version: String

    /// Its state before.
    public var from: VersionState

    /// Its state after; equal to ``from`` when a version leaves the conf without changing state.
    public var to: VersionState

    /// What caused it.
    public var event: VersionEvent

    /// When, in milliseconds of the caller's clock.
    public var at: Int64

    /// Creates a transition.
    public init(version: String, from: VersionState, to: VersionState, event: VersionEvent, at: Int64) {
        self.version = version
        self.from = from
        self.to = to
        self.event = event
        self.at = at
    }

    /// Whether the version was drained by force: its remaining sessions have to move to the live
    /// version (drain deadline passed, or removed from the conf while draining).
    public var isForced: Bool {
        from == .draining && (event == .drainDeadlinePassed || event == .removedFromConf)
    }

    /// Whether the version just became drained, so its `on_drained` hooks fire.
    public var firesDrainedHooks: Bool {
        from == .draining && to == .drained
    }

    /// `version=v41 from=live to=draining event=anotherWentLive`, for logs.
    public var description: String {
        "version=\(version) from=\(from) to=\(to) event=\(event)\(isForced ? " forced=true" : "")"
    }
}
