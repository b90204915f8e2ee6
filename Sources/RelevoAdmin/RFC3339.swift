/// Reads the RFC 3339 times of ``RelevoRelease/ReleaseStatus`` (`2026-12-03T13:00:00.123Z`).
public enum RFC3339 {
    /// Seconds since the Unix epoch of `text`, fractions dropped; nil if it is not an RFC 3339
    /// date-time (`Z` or a `±HH:MM` offset; `T`, `t` or a space between date and time).
    public static func epochSeconds(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, [4, 7].allSatisfy({ bytes[$0] == 0x2D }), [13, 16].allSatisfy({ bytes[$0] == 0x3A }),
            [0x54, 0x74, 0x20].contains(bytes[10]),
            let year = number(bytes, 0..<4), let month = number(bytes, 5..<7), let day = number(bytes, 8..<10),
            let hour = number(bytes, 11..<13), let minute = number(bytes, 14..<16),
            let second = number(bytes, 17..<19), (1...12).contains(month), (1...31).contains(day), hour < 24,
            minute < 60, second <= 60, let offset = zoneOffset(bytes, from: fractionEnd(bytes))
        else { return nil }

        let days = daysSinceEpoch(year: year, month: month, day: day)
        return days * 86_400 + hour * 3_600 + minute * 60 + second - offset
    }

    /// The index after the optional `.digits` that follows the seconds.
    private static func fractionEnd(_ bytes: [UInt8]) -> Int {
        guard bytes[19] == 0x2E else { return 19 }
        var index = 20
        while index < bytes.count && bytes[index] >= 0x30 && bytes[index] <= 0x39 {
            index += 1
        }
        return index
    }

    /// The zone at `index` (`Z`, `z` or `±HH:MM`) as seconds east of UTC; nil if anything else or anything follows.
    private static func zoneOffset(_ bytes: [UInt8], from index: Int) -> Int64? {
        if index + 1 == bytes.count && (bytes[index] == 0x5A || bytes[index] == 0x7A) {
            return 0
        }
        guard index + 6 == bytes.count, bytes[index] == 0x2B || bytes[index] == 0x2D, bytes[index + 3] == 0x3A,
            let hours = number(bytes, index + 1..<index + 3), let minutes = number(bytes, index + 4..<index + 6)
        else { return nil }
        let seconds = hours * 3_600 + minutes * 60
        return bytes[index] == 0x2B ? seconds : -seconds
    }

    /// The decimal number in `range`, nil if a byte is not a digit.
    private static func number(_ bytes: [UInt8], _ range: Range<Int>) -> Int64? {
        var value: Int64 = 0
        for index in range {
            guard index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 else { return nil }
            value = value * 10 + Int64(bytes[index] - 0x30)
        }
        return value
    }

    /// Days from 1970-01-01 to a date of the proleptic Gregorian calendar (Howard Hinnant's
    /// `days_from_civil`).
    static func daysSinceEpoch(year: Int64, month: Int64, day: Int64) -> Int64 {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
