/// A fragment of HTML. Interpolating a `String` (or any value) escapes it; interpolating `HTML` inserts it as is,
/// so a page built from literals and interpolations can only carry user text as text.
public struct HTML: Sendable, Equatable, ExpressibleByStringInterpolation, CustomStringConvertible {
    public private(set) var text: String

    public init(stringLiteral value: String) { text = value }

    public init(stringInterpolation: StringInterpolation) { text = stringInterpolation.text }

    /// Markup the caller vouches for (a stylesheet, a script, generated SVG numbers).
    public init(trusted text: String) { self.text = text }

    public static let empty = HTML(trusted: "")

    public var description: String { text }

    public var isEmpty: Bool { text.isEmpty }

    public mutating func append(_ other: HTML) { text += other.text }

    public static func + (lhs: HTML, rhs: HTML) -> HTML { HTML(trusted: lhs.text + rhs.text) }

    /// The fragments one after another.
    public static func join<S: Sequence>(_ parts: S) -> HTML where S.Element == HTML {
        var result = ""
        for part in parts { result += part.text }
        return HTML(trusted: result)
    }

    public struct StringInterpolation: StringInterpolationProtocol {
        var text = ""

        public init(literalCapacity: Int, interpolationCount: Int) {
            text.reserveCapacity(literalCapacity + interpolationCount * 16)
        }

        public mutating func appendLiteral(_ literal: String) { text += literal }

        public mutating func appendInterpolation(_ html: HTML) { text += html.text }

        public mutating func appendInterpolation(_ html: HTML?) { if let html { text += html.text } }

        public mutating func appendInterpolation(_ parts: [HTML]) { for part in parts { text += part.text } }

        public mutating func appendInterpolation(_ value: String) { HTML.escape(value, into: &text) }

        public mutating func appendInterpolation(_ value: some CustomStringConvertible) {
            HTML.escape(value.description, into: &text)
        }
    }

    /// Escapes the five characters that matter in text and in double- or single-quoted attribute values.
    public static func escape(_ value: String, into output: inout String) {
        let utf8 = value.utf8
        guard utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else {
            output += value
            return
        }
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "'": output += "&#39;"
            default: output.unicodeScalars.append(scalar)
            }
        }
    }

    public static func escape(_ value: String) -> String {
        var output = ""
        escape(value, into: &output)
        return output
    }
}
