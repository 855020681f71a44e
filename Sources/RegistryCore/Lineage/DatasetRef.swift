/// A dataset a version was trained or evaluated on.
public struct DatasetRef: Sendable, Hashable {
    public var name: String
    public var uri: String
    public var sha256: String?
    public var rows: Int64?
    /// What the dataset was used for: `training`, `validation`, `evaluation`.
    public var role: String?

    public init(name: String, uri: String, sha256: String? = nil, rows: Int64? = nil, role: String? = nil) {
        self.name = name
        self.uri = uri
        self.sha256 = sha256
        self.rows = rows
        self.role = role
    }

    public func validate() throws {
        guard !name.isEmpty, name.utf8.count <= 250, NameRules.isPrintable(name) else {
            throw RegistryError.invalidArgument("dataset name must be 1-250 printable characters")
        }
        guard uri.utf8.count <= 4096, NameRules.isPrintable(uri) else {
            throw RegistryError.invalidArgument("dataset '\(name)' uri must be at most 4096 printable characters")
        }
        if let sha256, (try? BlobDigest(validating: sha256)) == nil {
            throw RegistryError.invalidArgument("dataset '\(name)' sha256 must be 64 hexadecimal characters")
        }
        if let rows, rows < 0 { throw RegistryError.invalidArgument("dataset '\(name)' rows must not be negative") }
    }
}

/// Identifies one version of one model (lineage may cross models).
public struct VersionKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var model: ModelName
    public var version: SemanticVersion

    public init(model: ModelName, version: SemanticVersion) {
        self.model = model
        self.version = version
    }

    public var description: String { "\(model) \(version)" }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.model, lhs.version) < (rhs.model, rhs.version)
    }
}
