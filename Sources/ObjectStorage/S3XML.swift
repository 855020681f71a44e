import Foundation
import RegistryCore
#if canImport(FoundationXML)
    import FoundationXML
#endif

/// An S3 XML answer read into a small element tree: S3 answers are a few kilobytes (a list page holds at most 1,000
/// keys), so a tree is simpler than a streaming reader and costs nothing that matters.
struct S3XMLElement: Sendable {
    var name: String
    var text = ""
    var children: [S3XMLElement] = []

    /// The text of the first child named `name`.
    func value(_ name: String) -> String? { children.first { $0.name == name }?.text }

    /// Every child named `name`.
    func all(_ name: String) -> [S3XMLElement] { children.filter { $0.name == name } }

    /// Parses `data`; nil when it is not well-formed XML.
    static func parse(_ data: Data) -> S3XMLElement? {
        let parser = XMLParser(data: data)
        let builder = Builder()
        parser.delegate = builder
        parser.shouldProcessNamespaces = false
        parser.shouldResolveExternalEntities = false
        guard parser.parse(), let root = builder.root else { return nil }
        return root
    }

    private final class Builder: NSObject, XMLParserDelegate {
        var stack: [S3XMLElement] = []
        var root: S3XMLElement?

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            stack.append(S3XMLElement(name: elementName))
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if !stack.isEmpty { stack[stack.count - 1].text += string }
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
            guard let element = stack.popLast() else { return }
            if stack.isEmpty { root = element } else { stack[stack.count - 1].children.append(element) }
        }
    }
}

/// S3's timestamps (`2026-12-08T01:02:03.000Z`) without a formatter.
/// S3's two time formats: ISO 8601 in XML (`2026-12-08T01:02:03.000Z`, the registry's own format) and RFC 7231 in
/// headers (`Tue, 08 Dec 2026 01:02:03 GMT`).
enum S3Time {
    private static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    static func parse(_ text: String) -> Date? { ISO8601.parse(text) }

    static func parseHTTP(_ text: String) -> Date? {
        let words = text.split { $0 == " " || $0 == ":" || $0 == "," }
        guard words.count >= 7, let month = months.firstIndex(of: words[2].lowercased()),
            let day = Int(words[1]), let year = Int(words[3]), let hour = Int(words[4]), let minute = Int(words[5]),
            let second = Int(words[6])
        else { return nil }
        return utc.date(
            from: DateComponents(year: year, month: month + 1, day: day, hour: hour, minute: minute, second: second))
    }
}
