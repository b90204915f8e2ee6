import Foundation

/// The answer of relevo's `GET /status` (and one version of it, `GET /versions/NAME`), as DESIGN.md describes it.
///
/// Only the fields the release tests read are decoded; ``text`` keeps the whole answer for failure messages.
struct AdminStatus: Decodable, Sendable, CustomStringConvertible {
    /// The live version's name, or `nil`.
    let live: String?

    /// Every version, in conf order.
    let versions: [VersionStatusView]

    /// The answer's text as relevo sent it.
    var text = ""

    private enum CodingKeys: String, CodingKey {
        case live
        case versions
    }

    /// Decodes `body`, keeping its text.
    init(body: [UInt8]) throws {
        do {
            self = try JSONDecoder().decode(AdminStatus.self, from: Data(body))
        } catch {
            throw HarnessError(
                "/status is not the documented JSON (\(error)):\n\(String(decoding: body, as: UTF8.self))")
        }
        text = String(decoding: body, as: UTF8.self)
    }

    /// The version named `name`, or `nil`.
    func version(_ name: String) -> VersionStatusView? {
        versions.first { $0.name == name }
    }

    /// The state of version `name`, or `"absent"`.
    func state(of name: String) -> String {
        version(name)?.state ?? "absent"
    }

    /// The sessions of version `name` (0 when it is absent).
    func sessions(of name: String) -> Int {
        version(name)?.sessions ?? 0
    }

    /// The sessions of every version together.
    var totalSessions: Int {
        versions.map(\.sessions).reduce(0, +)
    }

    /// `name=state/sessions` for every version, e.g. `v1=draining/1 v2=live/0`.
    var summary: String {
        "live=\(live ?? "none") " + versions.map { "\($0.name)=\($0.state)/\($0.sessions)" }.joined(separator: " ")
    }

    /// The whole answer.
    var description: String {
        text
    }
}

/// One version in relevo's `/status`.
struct VersionStatusView: Decodable, Sendable {
    /// The version's name.
    let name: String

    /// `candidate`, `live`, `draining`, `drained` or `rejected`.
    let state: String

    /// Live sessions pinned to it.
    let sessions: Int

    /// Exchanges in flight and open tunnels.
    let inflight: Int

    /// Its backends.
    let backends: [BackendStatusView]

    /// Its last gate run.
    let gate: GateStatusView

    /// When it entered its state.
    let since: String?
}

/// One backend of a version in relevo's `/status`.
struct BackendStatusView: Decodable, Sendable, Equatable {
    /// `host:port` as the conf names it.
    let address: String

    /// Whether it is up.
    let up: Bool

    /// Live sessions pinned to it.
    let sessions: Int

    /// Exchanges in flight to it.
    let inflight: Int
}

/// The gate part of a version in relevo's `/status`.
struct GateStatusView: Decodable, Sendable, Equatable {
    /// `pending`, `running`, `passed` or `failed`.
    let state: String

    /// Checks passed.
    let passed: Int

    /// Checks failed.
    let failed: Int
}
