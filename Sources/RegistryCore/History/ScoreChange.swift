import Foundation

/// One change of an evaluation score, kept so the time (and author) of every change is known.
public struct ScoreChange: Sendable, Equatable {
    public var name: String
    /// The new value; `nil` when the score was removed.
    public var value: Double?
    public var actor: String
    public var recordedAt: Date

    public init(name: String, value: Double?, actor: String, recordedAt: Date) {
        self.name = name
        self.value = value
        self.actor = actor
        self.recordedAt = recordedAt
    }
}

/// How new scores combine with the existing ones.
public enum ScoreUpdateMode: String, Sendable, Codable {
    /// Keep scores not named in the update.
    case merge
    /// Replace the whole set.
    case replace
}
