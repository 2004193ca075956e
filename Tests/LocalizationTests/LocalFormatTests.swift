import ContactsDomain
import Foundation
import Localization
import Testing

struct LocalFormatTests {
    private let warsaw = TimeZone(identifier: "Europe/Warsaw")!
    private let lisbon = TimeZone(identifier: "Europe/Lisbon")!
    private let utc = TimeZone(identifier: "UTC")!

    /// 2026-11-21 13:05:42 UTC.
    private let november = Date(timeIntervalSince1970: 1_795_266_342)
    /// 2026-03-05 07:05:00 UTC.
    private let march = Date(timeIntervalSince1970: 1_772_694_300)

    @Test func polishDates() {
        #expect(LocalFormat.dateTime(november, .pl, timeZone: warsaw) == "21.11.2026, 14:05")
        #expect(LocalFormat.dateTime(march, .pl, timeZone: utc) == "5.03.2026, 07:05")
        #expect(LocalFormat.date(march, .pl, timeZone: warsaw) == "5.03.2026")
    }

    @Test func portugueseDates() {
        #expect(LocalFormat.dateTime(november, .pt, timeZone: lisbon) == "21/11/2026, 13:05")
        #expect(LocalFormat.dateTime(march, .pt, timeZone: utc) == "05/03/2026, 07:05")
        #expect(LocalFormat.date(november, .pt, timeZone: lisbon) == "21/11/2026")
    }

    @Test func italianDates() {
        #expect(LocalFormat.dateTime(november, .it, timeZone: warsaw) == "21/11/2026, 14:05")
        #expect(LocalFormat.dateTime(march, .it, timeZone: utc) == "05/03/2026, 07:05")
        #expect(LocalFormat.date(march, .it, timeZone: utc) == "05/03/2026")
    }

    @Test func theTimeZoneDecidesTheDayAndSummerTime() {
        // 2026-12-31 23:30 UTC is already New Year in Warsaw.
        let newYearsEve = Date(timeIntervalSince1970: 1_798_759_800)
        #expect(LocalFormat.dateTime(newYearsEve, .pl, timeZone: utc) == "31.12.2026, 23:30")
        #expect(LocalFormat.dateTime(newYearsEve, .pl, timeZone: warsaw) == "1.01.2027, 00:30")
        // 2026-07-01 12:00 UTC is 14:00 in Warsaw (CEST) and 13:00 in Lisbon (WEST).
        let summer = Date(timeIntervalSince1970: 1_782_907_200)
        #expect(LocalFormat.dateTime(summer, .pl, timeZone: warsaw) == "1.07.2026, 14:00")
        #expect(LocalFormat.dateTime(summer, .pt, timeZone: lisbon) == "01/07/2026, 13:00")
    }

    @Test func datesBeforeTheEpochAndLeapDays() {
        let leapDay = Date(timeIntervalSince1970: 951_825_600) // 2000-02-29 12:00 UTC
        #expect(LocalFormat.date(leapDay, .it, timeZone: utc) == "29/02/2000")
        let before = Date(timeIntervalSince1970: -1) // 1969-12-31 23:59:59 UTC
        #expect(LocalFormat.dateTime(before, .pt, timeZone: utc) == "31/12/1969, 23:59")
    }

    @Test func agreesWithTheGregorianCalendarOverManyDates() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = warsaw
        // Every 7 hours and 13 minutes for about 40 years, across daylight-saving changes.
        var seconds = 946_684_800.0 - 5_000_000
        while seconds < 2_200_000_000 {
            let date = Date(timeIntervalSince1970: seconds)
            let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
            let expected = String(format: "%d.%02d.%d, %02d:%02d", parts.day!, parts.month!, parts.year!, parts.hour!, parts.minute!)
            #expect(LocalFormat.dateTime(date, .pl, timeZone: warsaw) == expected)
            if LocalFormat.dateTime(date, .pl, timeZone: warsaw) != expected { break }
            seconds += 7 * 3600 + 13 * 60
        }
    }

    @Test func integersGroupFromFiveDigits() {
        let nbsp = "\u{00A0}"
        #expect(LocalFormat.integer(0, .pl) == "0")
        #expect(LocalFormat.integer(999, .pl) == "999")
        #expect(LocalFormat.integer(2000, .pl) == "2000")
        #expect(LocalFormat.integer(20_000, .pl) == "20\(nbsp)000")
        #expect(LocalFormat.integer(1_234_567, .pl) == "1\(nbsp)234\(nbsp)567")
        #expect(LocalFormat.integer(-20_000, .pl) == "-20\(nbsp)000")

        #expect(LocalFormat.integer(2000, .pt) == "2000")
        #expect(LocalFormat.integer(20_000, .pt) == "20\(nbsp)000")
        #expect(LocalFormat.integer(123_456_789, .pt) == "123\(nbsp)456\(nbsp)789")

        #expect(LocalFormat.integer(2000, .it) == "2000")
        #expect(LocalFormat.integer(20_000, .it) == "20.000")
        #expect(LocalFormat.integer(-1_234_567, .it) == "-1.234.567")
        #expect(LocalFormat.integer(Int.min, .it) == "-9.223.372.036.854.775.808")
    }
}

@Suite struct ZonedTimeTests {
    let winter = Date(timeIntervalSince1970: 1_800_000_000)          // 2027-01-15 08:00 UTC
    let summer = Date(timeIntervalSince1970: 1_800_000_000 + 180 * 86_400)

    @Test func everyTimeNamesItsZoneByOffset() throws {
        let warsaw = try #require(TimeZone(identifier: "Europe/Warsaw"))
        #expect(LocalFormat.zonedDateTime(winter, .pl, timeZone: warsaw) == "15.01.2027, 09:00 UTC+1")
        #expect(LocalFormat.zonedDateTime(summer, .pl, timeZone: warsaw).hasSuffix(" UTC+2"))
        let lisbon = try #require(TimeZone(identifier: "Europe/Lisbon"))
        #expect(LocalFormat.zonedDateTime(winter, .pt, timeZone: lisbon) == "15/01/2027, 08:00 UTC")
        let kolkata = try #require(TimeZone(identifier: "Asia/Kolkata"))
        #expect(LocalFormat.zonedDateTime(winter, .it, timeZone: kolkata) == "15/01/2027, 13:30 UTC+5:30")
        let saoPaulo = try #require(TimeZone(identifier: "America/Sao_Paulo"))
        #expect(LocalFormat.zonedDateTime(winter, .pt, timeZone: saoPaulo) == "15/01/2027, 05:00 UTC-3")
    }
}
