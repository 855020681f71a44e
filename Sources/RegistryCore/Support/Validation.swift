/// Shared checks for the names users choose (models, tags, metrics, environments).
enum NameRules {
    /// True when `text` has no control characters (including NUL) — these break logs, URLs and terminals.
    static func isPrintable(_ text: String) -> Bool {
        // ASCII (nearly every name and URI) by byte; the Unicode property lookup only for the rest.
        text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
            || !text.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }
}

/// Checks the free-form maps and strings a client may send, with limits that keep rows bounded.
public enum FieldLimits {
    public static let maxTags = 64
    public static let maxTagKeyLength = 250
    public static let maxTagValueLength = 5_000
    public static let maxDescriptionLength = 50_000
    public static let maxMetricNameLength = 250

    /// Validates a tag map: bounded count and sizes, printable keys.
    public static func checkTags(_ tags: [String: String]) throws {
        guard tags.count <= maxTags else {
            throw RegistryError.invalidArgument("too many tags (\(tags.count)); at most \(maxTags) are allowed")
        }
        for (key, value) in tags {
            guard !key.isEmpty, key.utf8.count <= maxTagKeyLength, NameRules.isPrintable(key) else {
                throw RegistryError.invalidArgument(
                    "tag key '\(key.prefix(40))' is invalid: use 1-\(maxTagKeyLength) printable characters")
            }
            guard value.utf8.count <= maxTagValueLength else {
                throw RegistryError.invalidArgument(
                    "tag '\(key)' value is too long; at most \(maxTagValueLength) bytes are allowed")
            }
        }
    }

    /// Validates a description's length.
    public static func checkDescription(_ text: String?) throws {
        if let text, text.utf8.count > maxDescriptionLength {
            throw RegistryError.invalidArgument("description is too long; at most \(maxDescriptionLength) bytes")
        }
    }

    /// Validates a metric or score name.
    public static func checkMetricName(_ name: String) throws {
        guard !name.isEmpty, name.utf8.count <= maxMetricNameLength, NameRules.isPrintable(name) else {
            throw RegistryError.invalidArgument(
                "metric name '\(name.prefix(40))' is invalid: use 1-\(maxMetricNameLength) printable characters")
        }
    }
}
