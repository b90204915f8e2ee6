import Testing

@testable import RelevoRelease

/// DESIGN.md's transitions, and only these.
private let allowed: [VersionState: [VersionEvent: VersionState]] = [
    .candidate: [.gatePassed: .live, .gateFailed: .rejected, .removedFromConf: .candidate],
    .live: [.anotherWentLive: .draining],
    .draining: [.drainedConditionsMet: .drained, .drainDeadlinePassed: .drained, .removedFromConf: .drained],
    .drained: [.removedFromConf: .drained],
    .rejected: [.gateRerun: .candidate, .removedFromConf: .rejected],
]

/// The states of `track`'s versions, in conf order.
private func states(_ track: ReleaseTrack) -> [String] {
    track.versions.map { "\($0.name):\($0.state)" }
}

@Suite("VersionState moves only along DESIGN.md's life cycle")
struct VersionStateTests {
    @Test(arguments: VersionState.allCases)
    func everyAllowedTransitionLeadsWhereTheDiagramSays(state: VersionState) {
        for event in VersionEvent.allCases {
            guard let expected = allowed[state]?[event] else { continue }

            var moving = state
            #expect(moving.canHandle(event))
            #expect(moving.handle(event) == expected)
            #expect(moving == expected)
        }
    }

    @Test(arguments: VersionState.allCases)
    func everyOtherTransitionIsRefusedByCanHandle(state: VersionState) {
        for event in VersionEvent.allCases where allowed[state]?[event] == nil {
            #expect(!state.canHandle(event), "\(state) on \(event)")
        }
    }

    @Test func tenOfTheThirtyFivePairsHaveATransition() {
        let pairs = VersionState.allCases.flatMap { state in VersionEvent.allCases.map { (state, $0) } }

        #expect(pairs.count == 35)
        #expect(pairs.filter { $0.0.canHandle($0.1) }.count == 10)
    }

    @Test func anImpossibleTransitionTrapsNamingStateAndEvent() async {
        await #expect(processExitsWith: .failure) {
            var state = VersionState.live
            state.handle(.gateRerun)
        }
    }

    @Test func aForcedDrainIsMarkedAsSuch() {
        let deadline = VersionTransition(
            version: "v1", from: .draining, to: .drained, event: .drainDeadlinePassed, at: 5)
        let removed = VersionTransition(version: "v1", from: .draining, to: .drained, event: .removedFromConf, at: 5)
        let natural = VersionTransition(
            version: "v1", from: .draining, to: .drained, event: .drainedConditionsMet, at: 5)
        let removedCandidate = VersionTransition(
            version: "v2", from: .candidate, to: .candidate, event: .removedFromConf, at: 5)

        #expect(deadline.isForced && removed.isForced && !natural.isForced && !removedCandidate.isForced)
        #expect(deadline.firesDrainedHooks && removed.firesDrainedHooks && natural.firesDrainedHooks)
        #expect(!removedCandidate.firesDrainedHooks)
        #expect(deadline.description == "version=v1 from=draining to=drained event=drainDeadlinePassed forced=true")
    }
}

@Suite("ReleaseTrack applies DESIGN.md's rules between versions")
struct ReleaseTrackTests {
    @Test func aFirstStartHasNoLiveVersionAndRefusesNewSessions() throws {
        let track = try ReleaseTrack(firstStart: ["v1", "v2", "v3"], now: 0)

        #expect(track.live == nil)
        #expect(track.target == "v3")
        #expect(!track.acceptsNewSessions)
        #expect(track.isFirstStart)
        #expect(states(track) == ["v1:candidate", "v2:candidate", "v3:candidate"])
    }

    @Test func aFirstStartReleasesVersionsOneAfterAnotherInConfOrder() throws {
        var track = try ReleaseTrack(firstStart: ["v1", "v2", "v3"], now: 0)

        let first = try track.apply(.gatePassed, to: "v1", now: 10)
        #expect(first.map(\.description) == ["version=v1 from=candidate to=live event=gatePassed"])
        #expect(track.live == "v1" && track.acceptsNewSessions)

        let second = try track.apply(.gatePassed, to: "v2", now: 20)
        #expect(second.map { "\($0.version):\($0.to)" } == ["v2:live", "v1:draining"])

        _ = try track.apply(.gatePassed, to: "v3", now: 30)
        #expect(states(track) == ["v1:draining", "v2:draining", "v3:live"])
        #expect(!track.isFirstStart)
        #expect(track.version("v3")?.since == 30)
        #expect(track.version("v1")?.since == 20)
    }

    @Test func aFailedTargetOnFirstStartLeavesTheLastPassingVersionLive() throws {
        var track = try ReleaseTrack(firstStart: ["v1", "v2", "v3"], now: 0)
        _ = try track.apply(.gatePassed, to: "v1", now: 1)
        _ = try track.apply(.gateFailed, to: "v2", now: 2)

        let failed = try track.apply(.gateFailed, to: "v3", now: 3)

        #expect(failed.map { "\($0.version):\($0.to)" } == ["v3:rejected"])
        #expect(states(track) == ["v1:live", "v2:rejected", "v3:rejected"])
        #expect(track.live == "v1")
    }

    @Test func anEarlierVersionPassingLateOnFirstStartDoesNotOvertakeALaterLiveOne() throws {
        var track = try ReleaseTrack(firstStart: ["v1", "v2", "v3"], now: 0)
        _ = try track.apply(.gatePassed, to: "v2", now: 1)

        let late = try track.apply(.gatePassed, to: "v1", now: 2)

        #expect(late.isEmpty)
        #expect(states(track) == ["v1:candidate", "v2:live", "v3:candidate"])
    }

    @Test func onAReloadOnlyTheTargetGoesLive() throws {
        var track = try liveTrack(["v1"])
        let reload = try track.applyConf(["v1", "v2", "v3"], now: 50)
        #expect(reload.added == ["v2", "v3"] && reload.removed.isEmpty)

        let notTarget = try track.apply(.gatePassed, to: "v2", now: 60)
        #expect(notTarget.isEmpty)
        #expect(track.live == "v1")

        let target = try track.apply(.gatePassed, to: "v3", now: 70)
        #expect(target.map { "\($0.version):\($0.from)>\($0.to)" } == ["v3:candidate>live", "v1:live>draining"])
        #expect(states(track) == ["v1:draining", "v2:candidate", "v3:live"])
    }

    @Test func withNoLiveVersionAnyPassingCandidateGoesLive() throws {
        var track = try ReleaseTrack(firstStart: ["v1", "v2"], now: 0)
        _ = try track.apply(.gateFailed, to: "v2", now: 1)
        _ = try track.apply(.gateFailed, to: "v1", now: 2)
        #expect(!track.acceptsNewSessions)

        _ = try track.apply(.gateRerun, to: "v1", now: 3)
        _ = try track.apply(.gatePassed, to: "v1", now: 4)

        #expect(track.live == "v1")
    }

    @Test func aFailedGateRejectsTheCandidateAndLeavesTheLiveVersionLive() throws {
        var track = try liveTrack(["v1"])
        _ = try track.applyConf(["v1", "v2"], now: 5)

        let transitions = try track.apply(.gateFailed, to: "v2", now: 6)

        #expect(transitions.map(\.to) == [.rejected])
        #expect(states(track) == ["v1:live", "v2:rejected"])
    }

    @Test func aRerunGateThatPassesMakesARejectedTargetLive() throws {
        var track = try liveTrack(["v1"])
        _ = try track.applyConf(["v1", "v2"], now: 5)
        _ = try track.apply(.gateFailed, to: "v2", now: 6)

        let rerun = try track.apply(.gateRerun, to: "v2", now: 7)
        let passed = try track.apply(.gatePassed, to: "v2", now: 8)

        #expect(rerun.map(\.to) == [.candidate])
        #expect(passed.map(\.to) == [.live, .draining])
        #expect(track.live == "v2")
    }

    @Test func severalVersionsDrainAtOnceAndEachDrainsOnItsOwn() throws {
        var track = try liveTrack(["v1", "v2", "v3", "v4"])
        #expect(track.versions(in: .draining) == ["v1", "v2", "v3"])

        let natural = try track.apply(.drainedConditionsMet, to: "v2", now: 100)
        let forced = try track.apply(.drainDeadlinePassed, to: "v1", now: 200)

        #expect(natural.map(\.firesDrainedHooks) == [true] && natural.map(\.isForced) == [false])
        #expect(forced.map(\.isForced) == [true])
        #expect(states(track) == ["v1:drained", "v2:drained", "v3:draining", "v4:live"])
    }

    @Test func removingADrainingVersionDrainsItByForce() throws {
        var track = try liveTrack(["v1", "v2", "v3"])
        _ = try track.apply(.drainedConditionsMet, to: "v1", now: 100)

        let reload = try track.applyConf(["v3"], now: 200)

        #expect(reload.added.isEmpty)
        #expect(
            reload.removed.map(\.description) == [
                "version=v1 from=drained to=drained event=removedFromConf",
                "version=v2 from=draining to=drained event=removedFromConf forced=true",
            ])
        #expect(states(track) == ["v3:live"])
    }

    @Test func removingTheLiveVersionIsRefusedAndChangesNothing() throws {
        var track = try liveTrack(["v1", "v2"])
        let before = track

        #expect(throws: ReleaseTrackError.liveVersionRemoved("v2")) { try track.applyConf(["v1", "v3"], now: 9) }
        #expect(track == before)
    }

    @Test func aReloadKeepsStatesAndTakesTheConfsOrder() throws {
        var track = try liveTrack(["v1", "v2"])

        let reload = try track.applyConf(["v0", "v2", "v1"], now: 9)

        #expect(reload.added == ["v0"])
        #expect(states(track) == ["v0:candidate", "v2:live", "v1:draining"])
    }

    @Test func outsideInputThatMakesNoSenseIsRefusedWithoutChange() throws {
        var track = try liveTrack(["v1", "v2"])
        let before = track

        #expect(throws: ReleaseTrackError.unknownVersion("v9")) { try track.apply(.gatePassed, to: "v9", now: 1) }
        #expect(throws: ReleaseTrackError.refused(version: "v2", state: .live, event: .gateRerun)) {
            try track.apply(.gateRerun, to: "v2", now: 1)
        }
        #expect(throws: ReleaseTrackError.refused(version: "v1", state: .draining, event: .gatePassed)) {
            try track.apply(.gatePassed, to: "v1", now: 1)
        }
        #expect(throws: ReleaseTrackError.trackOwnedEvent(.anotherWentLive)) {
            try track.apply(.anotherWentLive, to: "v2", now: 1)
        }
        #expect(throws: ReleaseTrackError.trackOwnedEvent(.removedFromConf)) {
            try track.apply(.removedFromConf, to: "v1", now: 1)
        }
        #expect(track == before)
    }

    @Test(arguments: VersionState.allCases)
    func everyEventTheTrackTakesIsRefusedExactlyWhenTheStateCannotHandleIt(state: VersionState) throws {
        let external: [VersionEvent] = [
            .gatePassed, .gateFailed, .gateRerun, .drainedConditionsMet, .drainDeadlinePassed,
        ]
        for event in external {
            var track = try ReleaseTrack(restoring: [VersionRecord(name: "v1", state: state, since: 0)])

            let refused: Bool
            do {
                _ = try track.apply(event, to: "v1", now: 1)
                refused = false
            } catch {
                #expect(error == .refused(version: "v1", state: state, event: event))
                refused = true
            }

            #expect(refused == !state.canHandle(event), "\(state) on \(event)")
        }
    }

    @Test func duplicateNamesAndSeveralLiveVersionsAreRefused() {
        #expect(throws: ReleaseTrackError.duplicateVersion("v1")) {
            try ReleaseTrack(firstStart: ["v1", "v1"], now: 0)
        }
        #expect(throws: ReleaseTrackError.severalLive(["v1", "v2"])) {
            try ReleaseTrack(restoring: [
                VersionRecord(name: "v1", state: .live, since: 0),
                VersionRecord(name: "v2", state: .live, since: 0),
            ])
        }
    }

    @Test func aRestartKeepsEveryStateAndGatesNothingAgain() throws {
        let saved = try liveTrack(["v1", "v2", "v3"])

        var restored = try ReleaseTrack(restoring: saved.versions)
        let reload = try restored.applyConf(["v1", "v2", "v3"], now: 999)

        #expect(reload.added.isEmpty && reload.removed.isEmpty)
        #expect(restored.versions == saved.versions)
        #expect(!restored.isFirstStart)
    }

    /// A track where `names` went live one after another, the last one live.
    private func liveTrack(_ names: [String]) throws -> ReleaseTrack {
        var track = try ReleaseTrack(firstStart: names, now: 0)
        for (index, name) in names.enumerated() {
            _ = try track.apply(.gatePassed, to: name, now: Int64(index + 1))
        }
        return track
    }
}
