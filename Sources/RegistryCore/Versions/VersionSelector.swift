/// How a request addresses one version of a model: `1.2.0`, `v1.2.0`, or an alias `@production`.
public enum VersionSelector: Sendable, Hashable, CustomStringConvertible {
    case version(SemanticVersion)
    case alias(EnvironmentName)
    /// The version's registration number (1, 2, 3, ... per model, never reused) — MLflow's version number.
    case number(Int64)

    /// `1.2.0` (semantic version), `@production` (alias) or `3` (registration number).
    public init(parsing text: String) throws {
        if text.hasPrefix("@") {
            self = .alias(try EnvironmentName(validating: String(text.dropFirst())))
        } else if !text.isEmpty, text.utf8.count <= 18, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            let number = Int64(text), number > 0
        {
            self = .number(number)
        } else {
            self = .version(try SemanticVersion(parsing: text))
        }
    }

    public var description: String {
        switch self {
        case .version(let version): return version.description
        case .alias(let name): return "@\(name)"
        case .number(let number): return String(number)
        }
    }
}

/// The name of an alias / environment (`production`, `staging`, `champion`).
public struct EnvironmentName: ValidatedName, Comparable {
    public let rawValue: String
    /// The environment a deploy targets when none is named.
    public static let production = EnvironmentName(rawValue: "production")

    /// 1-64 characters: letters, digits, `-`, `_`, `.`; starts with a letter or digit.
    public init(validating text: String) throws {
        let allowed = text.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2D || byte == 0x5F || byte == 0x2E
        }
        guard !text.isEmpty, text.utf8.count <= 64, allowed, let first = text.first, first.isLetter || first.isNumber
        else {
            throw RegistryError.invalidArgument(
                "environment '\(text.prefix(40))' is invalid: use 1-64 letters, digits, '-', '_' or '.'")
        }
        self.rawValue = text
    }

    public init(rawValue: String) { self.rawValue = rawValue }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}
