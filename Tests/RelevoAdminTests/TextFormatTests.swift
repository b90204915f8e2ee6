import Testing

@testable import RelevoAdmin

@Suite("Durations and RFC 3339 times read and write as the command line needs")
struct TextFormatTests {
    @Test func durationsReadInTheConfsUnits() {
        #expect(DurationText.milliseconds(from: "250ms") == 250)
        #expect(DurationText.milliseconds(from: "30s") == 30_000)
        #expect(DurationText.milliseconds(from: "10m") == 600_000)
        #expect(DurationText.milliseconds(from: "2h") == 7_200_000)
        #expect(DurationText.milliseconds(from: "1h30m") == 5_400_000)
        for invalid in ["", "2", "h", "2x", "0s", "-1s", "1.5h", "99999999999999999d"] {
            #expect(DurationText.milliseconds(from: invalid) == nil, "\(invalid)")
        }
    }

    @Test func durationsWriteInTheirTwoLargestUnits() {
        #expect(DurationText.format(seconds: 45) == "45s")
        #expect(DurationText.format(seconds: 600) == "10m")
        #expect(DurationText.format(seconds: 750) == "12m30s")
        #expect(DurationText.format(seconds: 11_100) == "3h05m")
        #expect(DurationText.format(seconds: 187_200) == "2d04h")
        #expect(DurationText.format(seconds: -5) == "0s")
        #expect(DurationText.format(milliseconds: 200) == "200ms")
        #expect(DurationText.format(milliseconds: 7_200_000) == "2h")
    }

    @Test func rfc3339TimesReadAsEpochSeconds() {
        #expect(RFC3339.epochSeconds("1970-01-01T00:00:00Z") == 0)
        #expect(RFC3339.epochSeconds("2026-12-03T13:00:00.123Z") == 1_796_302_800)
        #expect(RFC3339.epochSeconds("2026-12-03T15:00:00+02:00") == 1_796_302_800)
        #expect(RFC3339.epochSeconds("2024-02-29t00:00:00-00:30") == 1_709_166_600)
        for invalid in ["", "2026-12-03", "2026-12-03T13:00:00", "2026-13-03T13:00:00Z", "2026-12-03T13:00:00Zx"] {
            #expect(RFC3339.epochSeconds(invalid) == nil, "\(invalid)")
        }
    }
}
