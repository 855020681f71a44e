import Foundation
public import RegistryCore
import RegistryWire

/// Body of `POST /api/v1/models/{model}/deployments`.
public struct DeployRequest: Codable, Sendable {
    public var version: String
    public var environment: String?
    public var reason: String?
    /// Deploy although the version fails validation; needs a reason, and the override is audited.
    public var force: Bool?
    /// Deploy although the version's embeddings do not match those serving (the index has been rebuilt); needs a
    /// reason, audited.
    public var allowIncompatible: Bool?

    public init(
        version: String, environment: String? = nil, reason: String? = nil, force: Bool? = nil, allowIncompatible: Bool? = nil
    ) {
        self.version = version
        self.environment = environment
        self.reason = reason
        self.force = force
        self.allowIncompatible = allowIncompatible
    }

    enum CodingKeys: String, CodingKey {
        case version, environment, reason, force
        case allowIncompatible = "allow_incompatible"
    }
}

/// Body of `POST /api/v1/models/{model}/undeploy`.
public struct UndeployRequest: Codable, Sendable, KnownFields {
    public var environment: String?
    public var reason: String?

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case environment, reason
    }

    public init(environment: String? = nil, reason: String? = nil) {
        self.environment = environment
        self.reason = reason
    }
}

/// Body of `POST .../versions/{version}/validate`: which environment's serving version to compare with.
public struct ValidateRequest: Codable, Sendable {
    public var environment: String?

    public init(environment: String? = nil) { self.environment = environment }
}

/// Body of `POST /api/v1/models/{model}/rollback`.
public struct RollbackRequest: Codable, Sendable {
    public var environment: String?
    public var version: String?
    public var reason: String?
    /// Roll back although the target's embeddings do not match those serving; needs a reason, audited.
    public var allowIncompatible: Bool?

    public init(environment: String? = nil, version: String? = nil, reason: String? = nil, allowIncompatible: Bool? = nil) {
        self.environment = environment
        self.version = version
        self.reason = reason
        self.allowIncompatible = allowIncompatible
    }

    enum CodingKeys: String, CodingKey {
        case environment, version, reason
        case allowIncompatible = "allow_incompatible"
    }
}

public struct DeploymentListResponse: Codable, Sendable {
    public var deployments: [Deployment]
    public var nextPageToken: String?

    enum CodingKeys: String, CodingKey {
        case deployments
        case nextPageToken = "next_page_token"
    }
    package init(deployments: [Deployment], nextPageToken: String? = nil) {
        self.deployments = deployments
        self.nextPageToken = nextPageToken
    }
}

public struct AliasListResponse: Codable, Sendable {
    public var aliases: [AliasPointer]
    package init(aliases: [AliasPointer]) {
        self.aliases = aliases
    }
}

public struct AuditListResponse: Codable, Sendable {
    public var entries: [AuditEntry]
    public var nextPageToken: String?

    enum CodingKeys: String, CodingKey {
        case entries
        case nextPageToken = "next_page_token"
    }
    package init(entries: [AuditEntry], nextPageToken: String? = nil) {
        self.entries = entries
        self.nextPageToken = nextPageToken
    }
}

package func environment(_ text: String?) throws -> EnvironmentName {
    try text.map(EnvironmentName.init(validating:)) ?? .production
}
