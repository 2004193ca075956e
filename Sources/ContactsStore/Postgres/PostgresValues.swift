import Foundation

/// A Swift value sent as a statement parameter, in PostgreSQL's text format.
protocol PostgresBindable {
    var postgresText: String { get }
}

extension String: PostgresBindable { var postgresText: String { self } }
extension Int: PostgresBindable { var postgresText: String { String(self) } }
extension Int64: PostgresBindable { var postgresText: String { String(self) } }
extension Bool: PostgresBindable { var postgresText: String { self ? "t" : "f" } }
extension Date: PostgresBindable {
    /// Microseconds, PostgreSQL's own precision, in UTC.
    var postgresText: String { PostgresTimestamp.format(self) }
}

/// One row of a result, its values in text format, read by column name.
struct PostgresRow {
    let names: [String]
    let values: [String?]

    subscript(_ column: String) -> String? {
        names.firstIndex(of: column).flatMap { values[$0] }
    }

    func string(_ column: String) throws -> String {
        guard let value = self[column] else { throw PostgresError(sqlState: nil, message: "NULL in \(column)") }
        return value
    }

    func int(_ column: String) throws -> Int {
        guard let value = Int(try string(column)) else { throw PostgresError(sqlState: nil, message: "not an integer in \(column)") }
        return value
    }

    func int64(_ column: String) throws -> Int64 { Int64(try int(column)) }

    func date(_ column: String) throws -> Date {
        guard let date = PostgresTimestamp.parse(try string(column)) else {
            throw PostgresError(sqlState: nil, message: "not a timestamp in \(column)")
        }
        return date
    }

    func optionalDate(_ column: String) throws -> Date? {
        self[column] == nil ? nil : try date(column)
    }
}

/// `timestamptz` in the session's UTC: "2026-12-02 01:35:00.123456+00". Dates outside years
/// 1 to 9999 (`Date.distantPast`, `.distantFuture`) are PostgreSQL's -infinity and infinity.
enum PostgresTimestamp {
    static func format(_ date: Date) -> String {
        if date < earliest { return "-infinity" }
        if date >= latest { return "infinity" }
        let microseconds = (date.timeIntervalSince1970 * 1_000_000).rounded()
        let seconds = Int64((microseconds / 1_000_000).rounded(.down))
        let fraction = Int64(microseconds) - seconds * 1_000_000
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d.%06lld+00",
                      parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                      parts.tm_hour, parts.tm_min, parts.tm_sec, fraction)
    }

    /// 0001-01-01 and 10000-01-01, UTC.
    private static let earliest = Date(timeIntervalSince1970: -62_135_596_800)
    private static let latest = Date(timeIntervalSince1970: 253_402_300_800)

    static func parse(_ text: String) -> Date? {
        if text == "-infinity" { return .distantPast }
        if text == "infinity" { return .distantFuture }
        // "YYYY-MM-DD HH:MM:SS[.ffffff]+00"
        let scalars = Array(text.utf8)
        guard scalars.count >= 22, text.hasSuffix("+00") else { return nil }
        func number(_ range: Range<Int>) -> Int32? { Int32(String(decoding: scalars[range], as: UTF8.self)) }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19)
        else { return nil }
        var fraction = 0.0
        if scalars[19] == UInt8(ascii: ".") {
            fraction = Double("0" + String(decoding: scalars[19..<(scalars.count - 3)], as: UTF8.self)) ?? 0
        }
        var parts = tm()
        parts.tm_year = year - 1900
        parts.tm_mon = month - 1
        parts.tm_mday = day
        parts.tm_hour = hour
        parts.tm_min = minute
        parts.tm_sec = second
        return Date(timeIntervalSince1970: Double(timegm(&parts)) + fraction)
    }
}

/// A `text[]` parameter, in PostgreSQL's array literal: each element quoted, `"` and `\` escaped.
struct PostgresTextArray: PostgresBindable {
    let elements: [String]
    init(_ elements: [String]) { self.elements = elements }

    var postgresText: String {
        let quoted = elements.map { element in
            "\"" + element.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        return "{" + quoted.joined(separator: ",") + "}"
    }
}
