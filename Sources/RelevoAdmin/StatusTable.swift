import RelevoRelease

/// `relevo status` as a table a person reads at a glance.
///
/// ```
/// live version: v42
///
///   VERSION  STATE     SESSIONS  IN FLIGHT  BACKENDS UP  OLDEST SESSION  DRAIN DEADLINE  GATE
/// * v42      live           120          4          2/2  3h12m           -               passed
///   v41      draining         3          1          1/2  7h05m           in 55m          passed
/// ```
///
/// A pure function of the status and the time, so it is tested without a running relevo.
public enum StatusTable {
    /// One column: its title, and whether its cells align right (numbers).
    private struct Column {
        let title: String
        let alignsRight: Bool
    }

    private static let columns = [
        Column(title: "VERSION", alignsRight: false), Column(title: "STATE", alignsRight: false),
        Column(title: "SESSIONS", alignsRight: true), Column(title: "IN FLIGHT", alignsRight: true),
        Column(title: "BACKENDS UP", alignsRight: true), Column(title: "OLDEST SESSION", alignsRight: false),
        Column(title: "DRAIN DEADLINE", alignsRight: false), Column(title: "GATE", alignsRight: false),
    ]

    /// The table of `status` at `now` (seconds since the Unix epoch), ending in a newline.
    public static func render(_ status: ReleaseStatus, now: Int64) -> String {
        let summary =
            status.live.map { "live version: \($0)" } ?? "no live version: new sessions get 503 until a gate passes"
        guard !status.versions.isEmpty else {
            return summary + "\nno versions in the conf\n"
        }

        let rows = [columns.map(\.title)] + status.versions.map { cells(of: $0, now: now) }
        let widths = columns.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        var text = summary + "\n\n"
        for (index, row) in rows.enumerated() {
            let isLive = index > 0 && status.versions[index - 1].name == status.live
            text += (isLive ? "* " : "  ") + line(row, widths: widths) + "\n"
        }
        return text
    }

    /// The cells of one version's row.
    static func cells(of version: VersionStatus, now: Int64) -> [String] {
        let backendsUp = version.backends.filter(\.up).count
        return [
            version.name, version.state, "\(version.sessions)", "\(version.inflight)",
            "\(backendsUp)/\(version.backends.count)", oldestSession(version, now: now),
            drainDeadline(version, now: now), gate(version.gate),
        ]
    }

    /// The cells padded to their column's width, without trailing spaces.
    private static func line(_ cells: [String], widths: [Int]) -> String {
        var line = ""
        for (index, cell) in cells.enumerated() {
            let padding = String(repeating: " ", count: widths[index] - cell.count)
            line += index == 0 ? "" : "  "
            line += columns[index].alignsRight ? padding + cell : cell + padding
        }
        while line.last == " " {
            line.removeLast()
        }
        return line
    }

    /// The age of the version's oldest session, `-` if it has none.
    private static func oldestSession(_ version: VersionStatus, now: Int64) -> String {
        guard version.sessions > 0, let started = version.oldestSession.flatMap(RFC3339.epochSeconds) else {
            return "-"
        }
        return DurationText.format(seconds: now - started)
    }

    /// The time left before a draining version is drained by force: `in 55m`, `overdue`, or `-`.
    private static func drainDeadline(_ version: VersionStatus, now: Int64) -> String {
        guard version.state == VersionState.draining.rawValue,
            let deadline = version.drainDeadline.flatMap(RFC3339.epochSeconds)
        else { return "-" }
        return deadline > now ? "in " + DurationText.format(seconds: deadline - now) : "overdue"
    }

    /// The gate's state, with its failed checks when there are some: `failed: 2 of 14 checks failed`.
    private static func gate(_ gate: GateStatus) -> String {
        guard gate.failed > 0 else { return gate.state }
        return "\(gate.state): \(gate.failed) of \(gate.passed + gate.failed) checks failed"
    }
}
