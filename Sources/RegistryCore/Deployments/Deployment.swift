import Foundation

/// One move of an environment alias: what served before, what serves now, who moved it and why.
public struct Deployment: Sendable, Equatable {
    public enum Action: String, Sendable, Codable {
        case deploy, rollback, undeploy
    }

    public var id: Int64
    public var model: ModelName
    public var environment: EnvironmentName
    public var action: Action
    public var fromVersion: SemanticVersion?
    /// `nil` when the alias was removed.
    public var toVersion: SemanticVersion?
    public var actor: String
    public var reason: String
    public var createdAt: Date

    public init(
        id: Int64, model: ModelName, environment: EnvironmentName, action: Action, fromVersion: SemanticVersion?,
        toVersion: SemanticVersion?, actor: String, reason: String, createdAt: Date
    ) {
        self.id = id
        self.model = model
        self.environment = environment
        self.action = action
        self.fromVersion = fromVersion
        self.toVersion = toVersion
        self.actor = actor
        self.reason = reason
        self.createdAt = createdAt
    }
}

/// An environment alias and the version it points at now.
public struct AliasPointer: Sendable, Equatable {
    public var environment: EnvironmentName
    public var version: SemanticVersion
    /// The version's registration number (its MLflow version).
    public var number: Int64

    public init(environment: EnvironmentName, version: SemanticVersion, number: Int64 = 0) {
        self.environment = environment
        self.version = version
        self.number = number
    }
}
