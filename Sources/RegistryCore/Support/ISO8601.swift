import Foundation

/// The one timestamp format of the registry's JSON: ISO 8601 in UTC with milliseconds
/// (`2026-11-23T17:01:03.123Z`).
///
/// Formatting and parsing go through integer milliseconds, so a time written and read back any number of times
/// stays exactly the same (floating-point formatting of fractions drifts by a millisecond otherwise).
public enum ISO8601 {
    private static let wholeSeconds = Date.ISO8601FormatStyle()

    public static func format(_ date: Date) -> String {
        let ms = milliseconds(date)
        let seconds = ms >= 0 ? ms / 1000 : (ms - 999) / 1000
        let fraction = ms - seconds * 1000
        var text = Date(timeIntervalSince1970: TimeInterval(seconds)).formatted(wholeSeconds)
        if text.hasSuffix("Z") { text.removeLast() }
        return text + "." + String(fraction + 1000).dropFirst() + "Z"
    }

    public static func parse(_ text: String) -> Date? {
        guard let dot = text.firstIndex(of: "."), text.hasSuffix("Z") else {
            return try? wholeSeconds.parse(text)
        }
        let digits = text[text.index(after: dot)..<text.index(before: text.endIndex)]
        guard !digits.isEmpty, digits.allSatisfy(\.isNumber),
            let base = try? wholeSeconds.parse(String(text[..<dot]) + "Z")
        else { return nil }
        let padded = (String(digits.prefix(3)) + "00").prefix(3)
        guard let fraction = Int64(padded) else { return nil }
        return date(milliseconds: Int64(base.timeIntervalSince1970.rounded()) * 1000 + fraction)
    }

    /// Milliseconds since the epoch: the precision every store keeps, so values round-trip exactly.
    public static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    public static func date(milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }
}
