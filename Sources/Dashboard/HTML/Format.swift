import Foundation
import RegistryCore

/// How numbers, sizes and times read on the dashboard.
public enum Format {
    /// Up to 4 significant decimals, no exponent for everyday magnitudes: `0.9312`, `1234.5`, `1.2e-07`.
    public static func metric(_ value: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "∞" : "−∞") }
        if value == 0 { return "0" }
        let magnitude = abs(value)
        if magnitude >= 1e7 || magnitude < 1e-4 { return String(format: "%.3e", value) }
        if magnitude >= 1000 { return trimmed(String(format: "%.1f", value)) }
        return trimmed(String(format: "%.4f", value))
    }

    /// A signed difference, `+0.0123` or `−1.5`.
    public static func delta(_ value: Double) -> String {
        value > 0 ? "+" + metric(value) : (value < 0 ? "−" + metric(-value) : "±0")
    }

    public static func percent(_ fraction: Double) -> String {
        let value = fraction * 100
        return (value > 0 ? "+" : value < 0 ? "−" : "±") + trimmed(String(format: "%.1f", abs(value))) + " %"
    }

    public static func bytes(_ count: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(count) B" : trimmed(String(format: "%.1f", value)) + " " + units[unit]
    }

    public static func milliseconds(_ value: Double) -> String {
        value >= 100 ? String(format: "%.0f ms", value) : trimmed(String(format: "%.2f", value)) + " ms"
    }

    /// `2026-11-24 10:31:05 UTC`.
    public static func timestamp(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let rest = seconds - days * 86_400
        let (year, month, day) = civil(fromDays: days)
        return String(
            format: "%04d-%02d-%02d %02d:%02d:%02d UTC", year, month, day, rest / 3600, rest % 3600 / 60, rest % 60)
    }

    /// `ISO 8601` for a `<time datetime>` attribute.
    public static func iso(_ date: Date) -> String { ISO8601.format(date) }

    /// `just now`, `5 min ago`, `3 h ago`, `12 days ago`.
    public static func ago(_ date: Date, now: Date) -> String {
        let seconds = max(0, now.timeIntervalSince(date))
        switch seconds {
        case ..<45: return "just now"
        case ..<3_600: return "\(Int((seconds / 60).rounded(.up))) min ago"
        case ..<86_400: return "\(Int(seconds / 3_600)) h ago"
        default:
            let days = Int(seconds / 86_400)
            return days == 1 ? "1 day ago" : "\(days) days ago"
        }
    }

    /// A JSON parameter value as a reader expects it: strings bare, everything else as JSON.
    public static func param(_ value: JSONValue?) -> String { value?.description ?? "—" }

    private static func trimmed(_ text: String) -> String {
        guard text.contains(".") else { return text }
        var result = Substring(text)
        while result.hasSuffix("0") { result = result.dropLast() }
        if result.hasSuffix(".") { result = result.dropLast() }
        return String(result)
    }

    /// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's civil-from-days algorithm).
    private static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
