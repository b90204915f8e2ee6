import RelevoHTTP1

/// What relevo needs from one Set-Cookie field: the cookie's name and value, and whether the field
/// removes the cookie.
public struct SetCookie: Sendable, Equatable {
    /// The cookie's name, trimmed of spaces and tabs; never empty.
    public var name: Range<Int>

    /// The cookie's value as sent, quotes included, trimmed of spaces and tabs; may be empty.
    public var value: Range<Int>

    /// True when the field expires the cookie: `Max-Age` of zero or less, or, without a valid
    /// `Max-Age`, an `Expires` date at or before the time given to the reader.
    public var isExpiry: Bool

    /// A read Set-Cookie field.
    public init(name: Range<Int>, value: Range<Int>, isExpiry: Bool) {
        self.name = name
        self.value = value
        self.isExpiry = isExpiry
    }
}

/// Reads Set-Cookie fields from upstream responses the way a browser would (RFC 6265 §5.2 and §5.3),
/// to learn when the application sets or expires its session cookie.
///
/// - The name and value are split at the first `=` before the first `;` and trimmed; a field with no
///   `=` there, or with an empty name, sets no cookie and reads as nil.
/// - Attribute names are case-insensitive. Only `Max-Age` and `Expires` matter here; a malformed one
///   is ignored, and of several valid ones the last counts.
/// - `Max-Age` is an optional `-` and digits; zero or negative expires the cookie. A valid `Max-Age`
///   wins over any `Expires`.
/// - `Expires` is read with RFC 6265's lenient date algorithm (§5.1.1): IMF-fixdate
///   (`Sun, 06 Nov 1994 08:49:37 GMT`), RFC 850 (`Sunday, 06-Nov-94 08:49:37 GMT`), asctime
///   (`Sun Nov  6 08:49:37 1994`) and their common variants all read; a date it cannot read is
///   ignored, never taken as an expiry.
///
/// Allocates nothing; callable from any thread.
public enum SetCookieReader {
    /// The Set-Cookie field value `value`, read at `now` (unix seconds); ranges are offsets into
    /// `value`. Nil when the field sets no cookie.
    public static func read(_ value: UnsafeRawBufferPointer, now: Int64) -> SetCookie? {
        read(value, in: 0..<value.count, now: now)
    }

    /// The value of the Set-Cookie field `field` of a head parsed from `source`, read at `now`; ranges
    /// are offsets into `source`. Nil when the field sets no cookie or its offsets fall outside `source`.
    public static func read(field: HTTPHeaderField, source: UnsafeRawBufferPointer, now: Int64) -> SetCookie? {
        let start = Int(field.valueStart)
        let end = start + Int(field.valueLength)
        guard start >= 0, start <= end, end <= source.count else { return nil }

        return read(source, in: start..<end, now: now)
    }

    /// The field value at `range` of `bytes`, read at `now`.
    private static func read(_ bytes: UnsafeRawBufferPointer, in range: Range<Int>, now: Int64) -> SetCookie? {
        let pairEnd = CookieReader.firstIndex(of: CookieReader.semicolon, in: range, of: bytes) ?? range.upperBound
        guard let equals = CookieReader.firstIndex(of: CookieReader.equals, in: range.lowerBound..<pairEnd, of: bytes)
        else { return nil }

        let name = CookieReader.trimmed(range.lowerBound..<equals, in: bytes)
        guard !name.isEmpty else { return nil }

        let value = CookieReader.trimmed((equals + 1)..<pairEnd, in: bytes)
        var lifetime = Lifetime()
        lifetime.read(attributes: pairEnd..<range.upperBound, of: bytes)
        return SetCookie(name: name, value: value, isExpiry: lifetime.isExpiry(now: now))
    }
}

/// The `Max-Age` and `Expires` attributes of one Set-Cookie field.
private struct Lifetime {
    /// Whether the last valid `Max-Age` was zero or less; nil when there was none.
    var maxAgeExpires: Bool?

    /// The last valid `Expires` date, unix seconds; nil when there was none.
    var expires: Int64?

    /// Whether the field expires the cookie at `now`.
    func isExpiry(now: Int64) -> Bool {
        if let maxAgeExpires {
            return maxAgeExpires
        }
        if let expires {
            return expires <= now
        }
        return false
    }

    /// Reads the attributes in `range` of `bytes`: what follows the name-value pair, from its `;`.
    mutating func read(attributes range: Range<Int>, of bytes: UnsafeRawBufferPointer) {
        var start = range.lowerBound + 1
        while start < range.upperBound {
            let end = CookieReader.firstIndex(of: CookieReader.semicolon, in: start..<range.upperBound, of: bytes)
            read(attribute: start..<(end ?? range.upperBound), of: bytes)
            start = (end ?? range.upperBound) + 1
        }
    }

    /// Reads one attribute, `NAME` or `NAME=VALUE`.
    private mutating func read(attribute range: Range<Int>, of bytes: UnsafeRawBufferPointer) {
        let equals = CookieReader.firstIndex(of: CookieReader.equals, in: range, of: bytes)
        let name = CookieReader.trimmed(range.lowerBound..<(equals ?? range.upperBound), in: bytes)
        let valueStart = equals.map { $0 + 1 } ?? range.upperBound
        let value = CookieReader.trimmed(valueStart..<range.upperBound, in: bytes)

        if Self.isName(name, of: bytes, "max-age") {
            maxAgeExpires = Self.maxAgeExpires(value, of: bytes) ?? maxAgeExpires
        } else if Self.isName(name, of: bytes, "expires") {
            expires = CookieDate.read(value, of: bytes) ?? expires
        }
    }

    /// Whether `range` of `bytes` spells `lowerCaseName`, ignoring ASCII case.
    private static func isName(_ range: Range<Int>, of bytes: UnsafeRawBufferPointer, _ lowerCaseName: StaticString)
        -> Bool
    {
        guard range.count == lowerCaseName.utf8CodeUnitCount else { return false }

        let name = lowerCaseName.utf8Start
        return (0..<range.count).allSatisfy { CookieDate.lowercased(bytes[range.lowerBound + $0]) == name[$0] }
    }

    /// Whether a `Max-Age` value expires the cookie (it is zero or negative); nil when it is not an
    /// optional `-` followed by digits.
    private static func maxAgeExpires(_ range: Range<Int>, of bytes: UnsafeRawBufferPointer) -> Bool? {
        let isNegative = !range.isEmpty && bytes[range.lowerBound] == 0x2D
        let digits = (range.lowerBound + (isNegative ? 1 : 0))..<range.upperBound
        guard !digits.isEmpty else { return nil }

        var isZero = true
        for index in digits {
            guard CookieDate.isDigit(bytes[index]) else { return nil }
            isZero = isZero && bytes[index] == 0x30
        }
        return isNegative || isZero
    }
}

/// RFC 6265 §5.1.1: a cookie date, found among delimiters as four tokens in any order — a time
/// `h:m:s`, a day of the month, a month name and a year — the first token of each kind winning.
enum CookieDate {
    /// The date at `range` of `bytes`, in unix seconds, or nil when it cannot be read or does not exist.
    static func read(_ range: Range<Int>, of bytes: UnsafeRawBufferPointer) -> Int64? {
        var parts = Parts()
        var index = range.lowerBound
        while index < range.upperBound {
            while index < range.upperBound, isDelimiter(bytes[index]) {
                index += 1
            }
            let start = index
            while index < range.upperBound, !isDelimiter(bytes[index]) {
                index += 1
            }
            if start < index {
                parts.take(start..<index, of: bytes)
            }
        }
        return parts.unixTime
    }

    /// `%x09 / %x20-2F / %x3B-40 / %x5B-60 / %x7B-7E`: what separates the tokens of a date.
    static func isDelimiter(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x09, 0x20...0x2F, 0x3B...0x40, 0x5B...0x60, 0x7B...0x7E: true
        default: false
        }
    }

    /// `0`–`9`.
    static func isDigit(_ byte: UInt8) -> Bool {
        byte >= 0x30 && byte <= 0x39
    }

    /// `byte` with `A`–`Z` made lower case.
    static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
    }

    /// The date's tokens found so far.
    private struct Parts {
        var hour: Int?
        var minute = 0
        var second = 0
        var day: Int?
        var month: Int?
        var year: Int?

        /// The three-letter month names, in order.
        static let months: StaticString = "janfebmaraprmayjunjulaugsepoctnovdec"

        /// Takes `token` as the first kind it can be that is still missing: time, day, month, year.
        mutating func take(_ token: Range<Int>, of bytes: UnsafeRawBufferPointer) {
            if hour == nil, let time = Self.time(token, of: bytes) {
                (hour, minute, second) = (time.0, time.1, time.2)
            } else if day == nil, let number = Self.number(token, of: bytes, digits: 1...2) {
                day = number
            } else if month == nil, let name = Self.month(token, of: bytes) {
                month = name
            } else if year == nil, let number = Self.number(token, of: bytes, digits: 2...4) {
                year = number
            }
        }

        /// The date in unix seconds, when all four parts were found and name a real instant.
        var unixTime: Int64? {
            guard let hour, let day, let month, var year else { return nil }

            year += year < 70 ? 2000 : year < 100 ? 1900 : 0
            guard year >= 1601, hour <= 23, minute <= 59, second <= 59,
                day >= 1, day <= Self.daysInMonth(month, year: year)
            else { return nil }

            let days = Self.daysSinceEpoch(year: year, month: month, day: day)
            return Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        }

        /// `1*2DIGIT ":" 1*2DIGIT ":" 1*2DIGIT ( non-digit *OCTET )`.
        private static func time(_ token: Range<Int>, of bytes: UnsafeRawBufferPointer) -> (Int, Int, Int)? {
            guard let (hour, afterHour) = digits(from: token.lowerBound, in: token, of: bytes, count: 1...2),
                afterHour < token.upperBound, bytes[afterHour] == 0x3A,
                let (minute, afterMinute) = digits(from: afterHour + 1, in: token, of: bytes, count: 1...2),
                afterMinute < token.upperBound, bytes[afterMinute] == 0x3A,
                let (second, _) = digits(from: afterMinute + 1, in: token, of: bytes, count: 1...2)
            else { return nil }

            return (hour, minute, second)
        }

        /// A number of `digits` digits at the start of `token`, followed by its end or a non-digit.
        private static func number(
            _ token: Range<Int>, of bytes: UnsafeRawBufferPointer, digits count: ClosedRange<Int>
        ) -> Int? {
            digits(from: token.lowerBound, in: token, of: bytes, count: count)?.value
        }

        /// The month (1–12) whose name `token` starts with, ignoring case.
        private static func month(_ token: Range<Int>, of bytes: UnsafeRawBufferPointer) -> Int? {
            guard token.count >= 3 else { return nil }

            let names = months.utf8Start
            for month in 0..<12 {
                let name = names + month * 3
                if (0..<3).allSatisfy({ CookieDate.lowercased(bytes[token.lowerBound + $0]) == name[$0] }) {
                    return month + 1
                }
            }
            return nil
        }

        /// The run of digits from `start` within `token`, if its length is in `count`, and the offset
        /// after it.
        private static func digits(
            from start: Int, in token: Range<Int>, of bytes: UnsafeRawBufferPointer, count: ClosedRange<Int>
        ) -> (value: Int, end: Int)? {
            var value = 0
            var end = start
            while end < token.upperBound, isDigit(bytes[end]), end - start < count.upperBound + 1 {
                value = value * 10 + Int(bytes[end] - 0x30)
                end += 1
            }
            return count.contains(end - start) ? (value, end) : nil
        }

        /// Days in `month` (1–12) of `year` in the proleptic Gregorian calendar.
        private static func daysInMonth(_ month: Int, year: Int) -> Int {
            switch month {
            case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
            case 4, 6, 9, 11: 30
            default: 31
            }
        }

        /// Days from 1970-01-01 to the given date (H. Hinnant's `days_from_civil`, for years from 1).
        private static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
            let shiftedYear = month <= 2 ? year - 1 : year
            let era = shiftedYear / 400
            let yearOfEra = shiftedYear - era * 400
            let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
            let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
            return era * 146_097 + dayOfEra - 719_468
        }
    }
}
