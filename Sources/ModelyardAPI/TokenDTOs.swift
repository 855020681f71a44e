public import Foundation
public import RegistryCore

/// Body of `POST /api/v1/tokens`.
public struct CreateTokenRequest: Codable, Sendable, KnownFields {
    public var name: String
    public var scopes: [String]
    /// Models the token is limited to (none: every model).
    public var models: [String]?
    /// Model-name prefixes the token is limited to.
    public var modelPrefixes: [String]?
    /// Lifetime such as `30d`, `12h` (none: the token does not expire).
    public var expiresIn: String?

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case name, scopes, models
        case modelPrefixes = "model_prefixes"
        case expiresIn = "expires_in"
    }

    public init(name: String, scopes: [String], models: [String]? = nil, modelPrefixes: [String]? = nil, expiresIn: String? = nil) {
        self.name = name
        self.scopes = scopes
        self.models = models
        self.modelPrefixes = modelPrefixes
        self.expiresIn = expiresIn
    }

    /// The request as the registry takes it; `invalid_argument` naming what is wrong.
    public func parsed() throws -> NewAccessToken {
        let request = NewAccessToken(
            name: name, scopes: try AccessScope.parseList(scopes.joined(separator: ",")),
            models: ModelRestriction(names: models ?? [], prefixes: modelPrefixes ?? []),
            lifetime: try expiresIn.map(NewAccessToken.parseLifetime))
        try request.validate()
        return request
    }
}

/// A token as the API shows it: never its secret or hash, only its hint.
public struct TokenResponse: Codable, Sendable, Equatable {
    public var name: String
    public var scopes: [String]
    public var models: [String]
    public var modelPrefixes: [String]
    public var hint: String
    /// `active`, `expired` or `revoked`.
    public var state: String
    public var createdAt: Date
    public var createdBy: String
    public var expiresAt: Date?
    public var revokedAt: Date?
    public var revokedBy: String?
    public var lastUsedAt: Date?

    enum CodingKeys: String, CodingKey {
        case name, scopes, models, hint, state
        case modelPrefixes = "model_prefixes"
        case createdAt = "created_at"
        case createdBy = "created_by"
        case expiresAt = "expires_at"
        case revokedAt = "revoked_at"
        case revokedBy = "revoked_by"
        case lastUsedAt = "last_used_at"
    }

    package init(_ token: AccessToken, now: Date) {
        name = token.name
        scopes = token.scopes.map(\.rawValue)
        models = token.models.names
        modelPrefixes = token.models.prefixes
        hint = token.hint
        state = token.state(at: now).rawValue
        createdAt = token.createdAt
        createdBy = token.createdBy
        expiresAt = token.expiresAt
        revokedAt = token.revokedAt
        revokedBy = token.revokedBy
        lastUsedAt = token.lastUsedAt
    }
}

/// Answer of `POST /api/v1/tokens`: the secret, shown this once.
public struct CreatedTokenResponse: Codable, Sendable {
    public var secret: String
    public var token: TokenResponse

    package init(secret: String, token: TokenResponse) {
        self.secret = secret
        self.token = token
    }
}

public struct TokenListResponse: Codable, Sendable {
    public var tokens: [TokenResponse]

    package init(tokens: [TokenResponse]) { self.tokens = tokens }
}

/// Answer of `GET /api/v1/whoami`.
public struct WhoAmIResponse: Codable, Sendable {
    /// Whether this server requires tokens.
    public var authentication: Bool
    /// The token the request presented (absent when authentication is off).
    public var token: TokenResponse?

    package init(authentication: Bool, token: TokenResponse?) {
        self.authentication = authentication
        self.token = token
    }
}
