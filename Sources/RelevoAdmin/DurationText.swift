/// Durations as the command line reads and writes them: `250ms 30s 10m 2h 1d`, as in the conf.
public enum DurationText {
    /// Parses a duration such as `30s`, `10m`, `2h` or `1h30m`; nil if it is not one, or is zero.
    ///
    /// Units: `ms`, `s`, `m`, `h`, `d`. Returns milliseconds.
    public static func milliseconds(from text: String) -> Int64? {
        var total: Int64 = 0
        var rest = Substring(text)
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            rest = rest.dropFirst(digits.count)
            let unit = rest.prefix { $0.isASCII && $0.isLetter }
            rest = rest.dropFirst(unit.count)
            guard let value = Int64(digits), let scale = scale(of: unit) else { return nil }

            let (product, overflowProduct) = value.multipliedReportingOverflow(by: scale)
            let (sum, overflowSum) = total.addingReportingOverflow(product)
            guard !overflowProduct && !overflowSum else { return nil }
            total = sum
        }
        return total > 0 ? total : nil
    }

    /// Milliseconds in one `unit`.
    private static func scale(of unit: Substring) -> Int64? {
        switch unit {
        case "ms": 1
        case "s": 1_000
        case "m": 60_000
        case "h": 3_600_000
        case "d": 86_400_000
        default: nil
        }
    }

    /// A duration in its two largest units, for a person: `45s`, `12m30s`, `3h05m`, `2d04h`;
    /// under a second, `250ms`. Negative durations read as `0s`.
    public static func format(milliseconds: Int64) -> String {
        if milliseconds > 0 && milliseconds < 1_000 {
            return "\(milliseconds)ms"
        }
        return format(seconds: milliseconds / 1_000)
    }

    /// Whole seconds in their two largest units: `45s`, `12m30s`, `3h05m`, `2d04h`.
    public static func format(seconds: Int64) -> String {
        let seconds = max(seconds, 0)
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }

        switch seconds {
        case ..<60:
            return "\(seconds)s"
        case ..<3_600:
            let remainder = seconds % 60
            return remainder == 0 ? "\(seconds / 60)m" : "\(seconds / 60)m\(two(remainder))s"
        case ..<86_400:
            let remainder = seconds % 3_600 / 60
            return remainder == 0 ? "\(seconds / 3_600)h" : "\(seconds / 3_600)h\(two(remainder))m"
        default:
            let remainder = seconds % 86_400 / 3_600
            return remainder == 0 ? "\(seconds / 86_400)d" : "\(seconds / 86_400)d\(two(remainder))h"
        }
    }
}
