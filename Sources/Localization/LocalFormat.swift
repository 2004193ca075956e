import ContactsDomain
import Foundation

/// Dates and numbers written the way each language writes them, from CLDR's patterns.
///
/// Deterministic: nothing here reads the machine's locale, and the calendar arithmetic is done by
/// hand (proleptic Gregorian) so the output depends only on the arguments.
///
/// | language | date | date and time | 2000 | 20000 |
/// |---|---|---|---|---|
/// | pl | `5.03.2026` (CLDR short, `d.MM.y`) | `5.03.2026, 07:05` | `2000` | `20 000` |
/// | pt (pt-PT) | `05/03/2026` (CLDR medium, `dd/MM/y`) | `05/03/2026, 07:05` | `2000` | `20 000` |
/// | it | `05/03/2026` (CLDR `yMd`, `dd/MM/y`) | `05/03/2026, 07:05` | `2000` | `20.000` |
///
/// The space in Polish and Portuguese numbers is U+00A0 NO-BREAK SPACE. All three languages have
/// `minimumGroupingDigits` 2 in CLDR, so four-digit numbers stay ungrouped.
public enum LocalFormat {
    public static func dateTime(_ date: Date, _ language: Language, timeZone: TimeZone) -> String {
        let civil = CivilTime(date, timeZone)
        return formatDate(civil, language) + ", " + pad2(civil.hour) + ":" + pad2(civil.minute)
    }

    /// The date and time with the zone named by its offset at that moment, as every page and
    /// email shows a time (SPEC "Times"): `5.03.2026, 07:05 UTC+1`. The offset, not a name:
    /// it reads the same in every language and says what a reader elsewhere needs to know.
    public static func zonedDateTime(_ date: Date, _ language: Language, timeZone: TimeZone) -> String {
        dateTime(date, language, timeZone: timeZone) + " " + offsetName(timeZone.secondsFromGMT(for: date))
    }

    /// "UTC", "UTC+1", "UTC-3", "UTC+5:30".
    static func offsetName(_ seconds: Int) -> String {
        guard seconds != 0 else { return "UTC" }
        let minutes = abs(seconds) / 60
        let sign = seconds < 0 ? "-" : "+"
        return "UTC" + sign + String(minutes / 60) + (minutes % 60 == 0 ? "" : ":" + pad2(minutes % 60))
    }

    public static func date(_ date: Date, _ language: Language, timeZone: TimeZone) -> String {
        formatDate(CivilTime(date, timeZone), language)
    }

    public static func integer(_ value: Int, _ language: Language) -> String {
        let digits = String(value.magnitude)
        let sign = value < 0 ? "-" : ""
        let separator: Character
        switch language {
        case .pl, .pt: separator = "\u{00A0}"
        case .it: separator = "."
        }
        // minimumGroupingDigits = 2: group only numbers of five digits or more.
        guard digits.utf8.count >= 5 else { return sign + digits }
        var grouped = ""
        grouped.reserveCapacity(digits.utf8.count + digits.utf8.count / 3 * 2 + 1)
        let count = digits.count
        for (offset, digit) in digits.enumerated() {
            if offset > 0 && (count - offset) % 3 == 0 { grouped.append(separator) }
            grouped.append(digit)
        }
        return sign + grouped
    }

    private static func formatDate(_ civil: CivilTime, _ language: Language) -> String {
        switch language {
        case .pl: String(civil.day) + "." + pad2(civil.month) + "." + String(civil.year)
        case .pt, .it: pad2(civil.day) + "/" + pad2(civil.month) + "/" + String(civil.year)
        }
    }

    private static func pad2(_ value: Int) -> String {
        value < 10 ? "0" + String(value) : String(value)
    }
}

/// A moment as the wall clock in one time zone shows it.
struct CivilTime: Equatable {
    var year: Int
    var month: Int
    var day: Int
    var hour: Int
    var minute: Int
    var second: Int

    init(_ date: Date, _ timeZone: TimeZone) {
        // Clamped to about ±30 million years so that no Date can trap the conversion to Int.
        let interval = date.timeIntervalSince1970
        let bounded = interval.isNaN ? 0 : min(max(interval, -1e15), 1e15)
        let seconds = Int(bounded.rounded(.down)) + timeZone.secondsFromGMT(for: date)
        let (days, secondOfDay) = Self.floorDivision(seconds, 86_400)
        (year, month, day) = Self.civilFromDays(days)
        hour = secondOfDay / 3600
        minute = secondOfDay % 3600 / 60
        second = secondOfDay % 60
    }

    private static func floorDivision(_ value: Int, _ divisor: Int) -> (quotient: Int, remainder: Int) {
        let remainder = ((value % divisor) + divisor) % divisor
        return ((value - remainder) / divisor, remainder)
    }

    /// Howard Hinnant's `civil_from_days`: days since 1970-01-01 to a proleptic Gregorian date.
    private static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = floorDivision(z, 146_097).quotient
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }
}
