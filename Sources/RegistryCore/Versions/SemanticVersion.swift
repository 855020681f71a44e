/// A `MAJOR.MINOR.PATCH` version, unique per model. Written `1.2.0`; `v1.2.0` is accepted on input.
public struct SemanticVersion: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public var patch: Int

    /// The version every model's first registration receives.
    public static let initial = SemanticVersion(major: 1, minor: 0, patch: 0)
    /// Upper bound for each component; keeps versions sortable as integers in every store.
    public static let maxComponent = 999_999

    public init(major: Int, minor: Int, patch: Int) {
        self.major = major
        self.minor = minor
        self.patch = patch
    }

    /// Parses `1.2.0` or `v1.2.0`; anything else is an `invalid_argument` error that shows the expected form.
    public init(parsing text: String) throws {
        var body = Substring(text)
        if body.first == "v" || body.first == "V" { body = body.dropFirst() }
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
            let major = Self.component(parts[0]), let minor = Self.component(parts[1]),
            let patch = Self.component(parts[2])
        else {
            throw RegistryError.invalidArgument(
                "'\(text.prefix(40))' is not a version; write MAJOR.MINOR.PATCH such as 1.2.0 or v1.2.0")
        }
        self.init(major: major, minor: minor, patch: patch)
    }

    private static func component(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.count <= 6, text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber),
            text == "0" || text.first != "0"
        else { return nil }
        return Int(text)
    }

    /// The version after this one for the given bump: `1.2.3` bumped `.minor` is `1.3.0`.
    public func bumped(_ bump: VersionBump) -> SemanticVersion {
        switch bump {
        case .major: return .init(major: major + 1, minor: 0, patch: 0)
        case .minor: return .init(major: major, minor: minor + 1, patch: 0)
        case .patch: return .init(major: major, minor: minor, patch: patch + 1)
        }
    }

    /// A single integer that orders like the version (used as a sortable column).
    public var ordinal: Int64 {
        Int64(major) * 1_000_000_000_000 + Int64(minor) * 1_000_000 + Int64(patch)
    }

    public init(ordinal: Int64) {
        self.init(
            major: Int(ordinal / 1_000_000_000_000), minor: Int((ordinal / 1_000_000) % 1_000_000),
            patch: Int(ordinal % 1_000_000))
    }

    public var description: String { "\(major).\(minor).\(patch)" }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.ordinal < rhs.ordinal }

    public init(from decoder: any Decoder) throws {
        try self.init(parsing: decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
