import RelevoIO

/// A version became drained: what every `on_drained` hook is told.
///
/// The webhook body is ``json``; an exec hook gets the same facts in its environment. The state
/// journal keeps ``json`` until each hook is acknowledged, and ``init(json:)`` reads it back after a
/// restart. A plain value, `Sendable`.
public struct DrainedEvent: Sendable, Hashable {
    /// The event's identity: 32 random lower-case hex digits. Webhook receivers de-duplicate on it
    /// (`X-Relevo-Event-Id`), as an event may be delivered more than once across restarts.
    public var id: String

    /// The drained version's name, e.g. `v41`.
    public var version: String

    /// When the version became drained, in milliseconds since the Unix epoch.
    public var at: Int64

    /// The version's backends as the conf names them, e.g. `127.0.0.1:9001`.
    public var backends: [String]

    /// Whether `drain_deadline` forced the drain, moving the remaining sessions to the live version.
    public var forced: Bool

    /// An event with every field given, e.g. read back from the state journal.
    public init(id: String, version: String, at: Int64, backends: [String], forced: Bool) {
        self.id = id
        self.version = version
        self.at = at
        self.backends = backends
        self.forced = forced
    }

    /// An event happening now, with a fresh random ``id``. Callable from any thread.
    public init(version: String, backends: [String], forced: Bool) {
        let now = WallClock.now()
        let milliseconds = Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
        self.init(id: SessionID.random().hex, version: version, at: milliseconds, backends: backends, forced: forced)
    }

    /// ``at`` as RFC 3339 UTC with milliseconds: `2026-12-03T14:00:00.000Z`.
    public var timestamp: String {
        UnixTime.rfc3339(milliseconds: at)
    }

    /// The webhook's body, one line of JSON in this field order:
    /// `{"event":"drained","version":"v41","at":"2026-12-03T14:00:00.000Z","backends":["127.0.0.1:9001"],
    /// "id":"…","forced":false}`.
    public var json: String {
        var text = "{\"event\":\"drained\",\"version\":"
        DrainedEventJSON.appendString(version, to: &text)
        text += ",\"at\":"
        DrainedEventJSON.appendString(timestamp, to: &text)
        text += ",\"backends\":["
        for (index, backend) in backends.enumerated() {
            text += index == 0 ? "" : ","
            DrainedEventJSON.appendString(backend, to: &text)
        }
        text += "],\"id\":"
        DrainedEventJSON.appendString(id, to: &text)
        return text + ",\"forced\":\(forced)}"
    }
}

/// Unix times as RFC 3339 text and back, in the proleptic Gregorian calendar, without the C
/// library's time-zone state. Callable from any thread.
enum UnixTime {
    /// Milliseconds in a day.
    private static let dayMilliseconds: Int64 = 86_400_000

    /// `milliseconds` since the epoch as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    static func rfc3339(milliseconds: Int64) -> String {
        let days = floorDivision(milliseconds, dayMilliseconds)
        let rest = milliseconds - days * dayMilliseconds
        let (year, month, day) = civilDate(days: days)

        let date = "\(padded(year, 4))-\(padded(month, 2))-\(padded(day, 2))"
        let time = "\(padded(rest / 3_600_000, 2)):\(padded(rest / 60_000 % 60, 2)):\(padded(rest / 1000 % 60, 2))"
        return "\(date)T\(time).\(padded(rest % 1000, 3))Z"
    }

    /// Reads exactly the form ``rfc3339(milliseconds:)`` writes; nil for anything else.
    static func milliseconds(rfc3339 text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count == 24, bytes[4] == 0x2D, bytes[7] == 0x2D, bytes[10] == 0x54, bytes[13] == 0x3A,
            bytes[16] == 0x3A, bytes[19] == 0x2E, bytes[23] == 0x5A,
            let year = number(bytes[0..<4]), let month = number(bytes[5..<7]), let day = number(bytes[8..<10]),
            let hour = number(bytes[11..<13]), let minute = number(bytes[14..<16]),
            let second = number(bytes[17..<19]), let millisecond = number(bytes[20..<23]),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60
        else { return nil }

        let days = daysSinceEpoch(year: year, month: month, day: day)
        return days * dayMilliseconds + ((hour * 60 + minute) * 60 + second) * 1000 + millisecond
    }

    /// The year, month (1–12) and day (1–31) of the day `days` after 1970-01-01.
    static func civilDate(days: Int64) -> (Int64, Int64, Int64) {
        let shifted = days + 719_468
        let era = floorDivision(shifted, 146_097)
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// The days from 1970-01-01 to the given date; the inverse of ``civilDate(days:)``.
    static func daysSinceEpoch(year: Int64, month: Int64, day: Int64) -> Int64 {
        let marchYear = month <= 2 ? year - 1 : year
        let era = floorDivision(marchYear, 400)
        let yearOfEra = marchYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// `value / divisor` rounded towards minus infinity.
    private static func floorDivision(_ value: Int64, _ divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return value % divisor < 0 ? quotient - 1 : quotient
    }

    /// `value` in decimal, with leading zeros to `width` digits.
    private static func padded(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    /// The decimal number spelled by `digits`, or nil if any is not a digit.
    private static func number(_ digits: ArraySlice<UInt8>) -> Int64? {
        var value: Int64 = 0
        for digit in digits {
            guard digit >= 0x30 && digit <= 0x39 else { return nil }
            value = value * 10 + Int64(digit - 0x30)
        }
        return value
    }
}
