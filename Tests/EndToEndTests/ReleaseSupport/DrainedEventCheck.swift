import Foundation

extension WebhookReceiver.Delivery {
    /// What keeps this delivery from being the drained event of `version` that DESIGN.md and
    /// docs/releasing-and-sessions.md promise: one line per problem, none when it is one.
    ///
    /// Checks the request (`POST /drained`, JSON), the body's `event`, `version`, `at` (RFC 3339, within a minute
    /// of now), `backends` (as a set), `id` (32 hex digits, the same as `X-Relevo-Event-Id`) and `forced`, and
    /// that `X-Relevo-Signature` is the HMAC-SHA256 of the body under `key`.
    func problems(asDrainedEventOf version: String, backends: [String], forced: Bool, key: [UInt8]) -> [String] {
        var problems: [String] = []
        if head.method != "POST" || head.target != WebhookReceiver.path {
            problems.append("request line is \(head.startLine.debugDescription), not POST \(WebhookReceiver.path)")
        }
        guard let json else {
            return problems + ["body is not a JSON object: \(String(decoding: body, as: UTF8.self).debugDescription)"]
        }

        if json["event"] as? String != "drained" {
            problems.append("event is \(String(describing: json["event"])), not \"drained\"")
        }
        if json["version"] as? String != version {
            problems.append("version is \(String(describing: json["version"])), not \(version)")
        }
        if let at = json["at"] as? String, let date = Self.rfc3339(at) {
            if abs(date.timeIntervalSinceNow) > 60 {
                problems.append("at \(at) is more than a minute from now")
            }
        } else {
            problems.append("at is \(String(describing: json["at"])), not an RFC 3339 time")
        }
        if let listed = json["backends"] as? [String] {
            if Set(listed) != Set(backends) || listed.count != backends.count {
                problems.append("backends are \(listed), not \(backends.sorted())")
            }
        } else {
            problems.append("backends is \(String(describing: json["backends"])), not a list of strings")
        }
        if let id = json["id"] as? String {
            if id.count != 32 || !id.allSatisfy(\.isHexDigit) {
                problems.append("id \(id.debugDescription) is not 32 hex digits")
            }
            if eventID != id {
                problems.append("X-Relevo-Event-Id is \(String(describing: eventID)), the body's id is \(id)")
            }
        } else {
            problems.append("id is \(String(describing: json["id"])), not a string")
        }
        if json["forced"] as? Bool != forced {
            problems.append("forced is \(String(describing: json["forced"])), not \(forced)")
        }

        let expected = Signatures.webhook(body: body, key: key)
        let signature = head.value("X-Relevo-Signature")
        if signature != expected {
            problems.append("X-Relevo-Signature is \(String(describing: signature)), expected \(expected)")
        }
        return problems
    }

    /// `text` as an RFC 3339 time, with or without fractional seconds.
    private static func rfc3339(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) {
            return date
        }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}
