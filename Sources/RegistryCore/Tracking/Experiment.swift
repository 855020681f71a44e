/// Whether an experiment, run or logged model is live or soft-deleted (deleted ones stay readable by id and can be
/// restored).
public enum LifecycleStage: String, Sendable, Codable, CaseIterable {
    case active
    case deleted
}

/// Which lifecycle stages a search includes.
public enum ViewType: String, Sendable, CaseIterable {
    case activeOnly = "ACTIVE_ONLY"
    case deletedOnly = "DELETED_ONLY"
    case all = "ALL"

    public var stages: [LifecycleStage] {
        switch self {
        case .activeOnly: return [.active]
        case .deletedOnly: return [.deleted]
        case .all: return [.active, .deleted]
        }
    }

    /// Accepts the enum's name (any case) or its protobuf number (1, 2, 3); absent means active only.
    public init(parsing text: String?) throws {
        guard let text, !text.isEmpty else {
            self = .activeOnly
            return
        }
        switch text.uppercased() {
        case "ACTIVE_ONLY", "1": self = .activeOnly
        case "DELETED_ONLY", "2": self = .deletedOnly
        case "ALL", "3": self = .all
        default:
            throw RegistryError.invalidArgument("view type '\(text.prefix(40))' is invalid; use ACTIVE_ONLY, DELETED_ONLY or ALL")
        }
    }
}

/// A named group of runs. Experiment `0`, `Default`, always exists. Times are milliseconds since the epoch.
public struct Experiment: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var artifactLocation: String
    public var lifecycleStage: LifecycleStage
    public var tags: [String: String]
    public var createdAt: Int64
    public var updatedAt: Int64

    public init(
        id: Int64, name: String, artifactLocation: String, lifecycleStage: LifecycleStage = .active,
        tags: [String: String] = [:], createdAt: Int64, updatedAt: Int64
    ) {
        self.id = id
        self.name = name
        self.artifactLocation = artifactLocation
        self.lifecycleStage = lifecycleStage
        self.tags = tags
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }


    public static let defaultID: Int64 = 0
    public static let defaultName = "Default"

    /// Where the artifacts of an experiment live, in the artifact proxy's URI scheme.
    public static func artifactLocation(id: Int64) -> String { "mlflow-artifacts:/\(id)" }
}

/// Validation of experiment names.
public enum ExperimentRules {
    public static func checkName(_ name: String) throws {
        guard !name.isEmpty else {
            throw RegistryError.invalidArgument("experiment name must not be empty")
        }
        guard name.utf8.count <= 500, NameRules.isPrintable(name) else {
            throw RegistryError.invalidArgument("experiment name must be 1-500 printable characters")
        }
    }
}
