import Foundation

/// Number and text formatting shared by the Markdown renderings.
public enum MarkdownFormat {
    /// Up to 6 significant digits, no exponent for ordinary magnitudes.
    public static func number(_ value: Double) -> String {
        if value.rounded() == value, abs(value) < 1e12 { return String(Int64(value)) }
        let magnitude = abs(value)
        if magnitude >= 1e-4 && magnitude < 1e9 {
            var text = String(format: "%.6g", value)
            if text.contains("e") { text = String(format: "%.6f", value) }
            return text
        }
        return String(format: "%.4e", value)
    }

    public static func signed(_ value: Double) -> String {
        value >= 0 ? "+" + number(value) : number(value)
    }

    public static func percent(_ fraction: Double) -> String {
        (fraction >= 0 ? "+" : "") + String(format: "%.2f%%", fraction * 100)
    }

    /// Escapes the characters that would break a Markdown table cell.
    public static func escape(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "|": result += "\\|"
            case "\n", "\r": result += " "
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            default: result.append(character)
            }
        }
        return result
    }
}
