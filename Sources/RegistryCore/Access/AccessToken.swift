import Foundation

/// What a token may do. Each route needs one scope (see `AccessRequirement`); `admin` may do everything, and every
/// scope but `predict` may also read, so a deploy pipeline can look up what it deploys while a client app that
/// only predicts sees nothing else.
public enum AccessScope: String, CaseIterable, Sendable, Comparable {
    /// Every GET: models, versions, artifacts, history, metrics, the dashboard's pages.
    case read
    /// Create models, register versions, upload files, log history and scores, import training folders.
    case write
    /// Deploy, roll back, undeploy, traffic shares, serving limits, validation overrides.
    case deploy
    /// Tokens, validation policies, export and import, garbage collection, deleting models and versions.
    case admin
    /// Predictions (native, Open Inference Protocol) and nothing else.
    case predict

    public static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// Parses a comma-separated list (`read,deploy`), refusing unknown names with the list of known ones.
    public static func parseList(_ text: String) throws -> [AccessScope] {
        var scopes: Set<AccessScope> = []
        for part in text.split(separator: ",") {
            let name = part.trimmingCharacters(in: .whitespaces).lowercased()
            guard let scope = AccessScope(rawValue: name) else {
                throw RegistryError.invalidArgument(
                    "unknown scope '\(name.prefix(40))'; use \(allCases.map(\.rawValue).joined(separator: ", "))")
            }
            scopes.insert(scope)
        }
        guard !scopes.isEmpty else {
            throw RegistryError.invalidArgument("a token needs at least one scope: \(allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return scopes.sorted()
    }
}

/// The scope a route needs.
public enum AccessRequirement: String, Sendable, CaseIterable {
    /// Health probes, the login page, static files, the API description: no token needed.
    case none
    /// Any valid token, whatever its scopes (who am I).
    case authenticated
    case read
    case write
    case deploy
    case admin
    case predict
    /// What a prediction client needs to know about what it calls (Open Inference Protocol metadata and
    /// readiness): `predict` or `read`.
    case predictOrRead = "predict_or_read"

    /// The scopes that satisfy this requirement.
    public var satisfiedBy: Set<AccessScope> {
        switch self {
        case .none, .authenticated: Set(AccessScope.allCases)
        case .read: [.read, .write, .deploy, .admin]
        case .write: [.write, .admin]
        case .deploy: [.deploy, .admin]
        case .admin: [.admin]
        case .predict: [.predict, .admin]
        case .predictOrRead: [.predict, .read, .write, .deploy, .admin]
        }
    }
}

/// Which models a token may act on: all (both lists empty), or those named, or those whose name starts with one of
/// the prefixes.
public struct ModelRestriction: Sendable, Equatable {
    public var names: [String]
    public var prefixes: [String]

    public init(names: [String] = [], prefixes: [String] = []) {
        self.names = names
        self.prefixes = prefixes
    }

    public static let all = ModelRestriction()

    public var isUnrestricted: Bool { names.isEmpty && prefixes.isEmpty }

    public func allows(_ model: String) -> Bool {
        isUnrestricted || names.contains(model) || prefixes.contains { model.hasPrefix($0) }
    }

    /// Checks every name and prefix (each a valid model name, at most 100 of them).
    public func validate() throws {
        guard names.count + prefixes.count <= 100 else {
            throw RegistryError.invalidArgument("a token may be limited to at most 100 models and prefixes")
        }
        for name in names + prefixes { _ = try ModelName(validating: name) }
    }

    public var description: String {
        isUnrestricted ? "all models" : (names + prefixes.map { $0 + "*" }).joined(separator: ", ")
    }
}

/// An API token as the store keeps it: never the secret, only its SHA-256 and a short hint to recognise it by.
public struct AccessToken: Sendable, Equatable {
    /// Unique, and what the audit log records as the actor of everything the token does.
    public var name: String
    public var scopes: [AccessScope]
    public var models: ModelRestriction
    /// SHA-256 of the secret, lowercase hex.
    public var secretHash: String
    /// The secret's first characters (`myd_Ab3dE9`), to tell tokens apart in a list.
    public var hint: String
    public var createdAt: Date
    public var createdBy: String
    public var expiresAt: Date?
    public var revokedAt: Date?
    public var revokedBy: String?
    public var lastUsedAt: Date?

    public init(
        name: String, scopes: [AccessScope], models: ModelRestriction = .all, secretHash: String, hint: String,
        createdAt: Date, createdBy: String, expiresAt: Date? = nil, revokedAt: Date? = nil, revokedBy: String? = nil,
        lastUsedAt: Date? = nil
    ) {
        self.name = name
        self.scopes = scopes
        self.models = models
        self.secretHash = secretHash
        self.hint = hint
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
        self.revokedBy = revokedBy
        self.lastUsedAt = lastUsedAt
    }

    public enum State: String, Sendable {
        case active, expired, revoked
    }

    public func state(at now: Date) -> State {
        if revokedAt != nil { return .revoked }
        if let expiresAt, expiresAt <= now { return .expired }
        return .active
    }

    /// Whether the token's scopes meet `requirement`.
    public func hasScope(for requirement: AccessRequirement) -> Bool {
        scopes.contains { requirement.satisfiedBy.contains($0) }
    }

    /// Token names: 1-64 letters, digits, `.`, `_`, `-` (they appear in audit logs and on command lines).
    public static func validateName(_ name: String) throws {
        guard (1...64).contains(name.utf8.count),
            name.utf8.allSatisfy({ byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
            })
        else {
            throw RegistryError.invalidArgument(
                "token name '\(name.prefix(60))' must be 1-64 letters, digits, '.', '_' or '-'")
        }
    }
}

/// What a caller asks for when creating a token.
public struct NewAccessToken: Sendable, Equatable {
    public var name: String
    public var scopes: [AccessScope]
    public var models: ModelRestriction
    /// How long the token lives; `nil` for no expiry.
    public var lifetime: TimeInterval?

    public init(name: String, scopes: [AccessScope], models: ModelRestriction = .all, lifetime: TimeInterval? = nil) {
        self.name = name
        self.scopes = scopes
        self.models = models
        self.lifetime = lifetime
    }

    public func validate() throws {
        try AccessToken.validateName(name)
        guard !scopes.isEmpty else {
            throw RegistryError.invalidArgument(
                "a token needs at least one scope: \(AccessScope.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        try models.validate()
        if let lifetime {
            guard lifetime > 0, lifetime <= 3650 * 86_400 else {
                throw RegistryError.invalidArgument("a token's lifetime must be between 1 second and 3650 days")
            }
        }
    }

    /// Parses a lifetime such as `30d`, `12h`, `45m`, `90s` or `1y`.
    public static func parseLifetime(_ text: String) throws -> TimeInterval {
        let units: [Character: TimeInterval] = ["s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 7 * 86_400, "y": 365 * 86_400]
        guard let unit = text.last, let seconds = units[unit], let count = Int(text.dropLast()), count > 0,
            count <= 100_000
        else {
            throw RegistryError.invalidArgument(
                "lifetime '\(text.prefix(20))' must be a positive number followed by s, m, h, d, w or y (e.g. 30d)")
        }
        return TimeInterval(count) * seconds
    }
}
