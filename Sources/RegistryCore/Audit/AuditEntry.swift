import Foundation

/// A recorded state change: who did what to which model or version, when, and why.
public struct AuditEntry: Sendable, Equatable {
    public var id: Int64
    public var model: ModelName
    public var version: SemanticVersion?
    /// What happened: `model.create`, `version.register`, `version.status`, `deploy`, `rollback`, ...
    public var action: String
    public var actor: String
    public var reason: String
    /// Action-specific facts (from/to status, environment, artifact path, ...).
    public var details: [String: String]
    public var createdAt: Date

    public init(
        id: Int64, model: ModelName, version: SemanticVersion?, action: String, actor: String, reason: String,
        details: [String: String], createdAt: Date
    ) {
        self.id = id
        self.model = model
        self.version = version
        self.action = action
        self.actor = actor
        self.reason = reason
        self.details = details
        self.createdAt = createdAt
    }
}

/// Who is making a change and why; every mutating store call takes one and records it in the same transaction.
public struct AuditContext: Sendable, Equatable {
    public var actor: String
    public var reason: String
    /// Facts the use case adds to the entry the store writes (a deploy's verdict, an override).
    public var details: [String: String] = [:]

    /// The actor recorded when a request names none.
    public static let anonymousActor = "anonymous"

    public init(actor: String?, reason: String? = nil) {
        // Trimmed by hand: Foundation's trimmingCharacters bridges through NSString, on every audited request.
        let text = actor ?? ""
        let start = text.firstIndex { !$0.isWhitespace } ?? text.endIndex
        let end = text.lastIndex { !$0.isWhitespace }.map(text.index(after:)) ?? start
        let trimmed = text[start..<end]
        self.actor = trimmed.isEmpty ? Self.anonymousActor : String(trimmed.prefix(250))
        self.reason = String((reason ?? "").prefix(2_000))
    }

    public func with(reason: String?) -> AuditContext {
        var copy = self
        copy.reason = String((reason ?? self.reason).prefix(2_000))
        return copy
    }
}
