/// The lifecycle of a version: `draft → training → ready → deprecated → archived`.
///
/// Artifacts can be uploaded while a version is `draft` or `training`; `ready` seals them. A deprecated version
/// can be reinstated to `ready` (a rollback does this); `archived` is final.
public enum VersionStatus: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    case draft, training, ready, deprecated, archived

    public init(parsing text: String) throws {
        guard let status = VersionStatus(rawValue: text.lowercased()) else {
            throw RegistryError.invalidArgument(
                "status '\(text.prefix(20))' is not one of \(Self.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self = status
    }

    /// Statuses this one may move to.
    public var allowedNext: [VersionStatus] {
        switch self {
        case .draft: return [.training, .ready, .archived]
        case .training: return [.ready, .archived]
        case .ready: return [.deprecated, .archived]
        case .deprecated: return [.ready, .archived]
        case .archived: return []
        }
    }

    /// Whether artifacts may still be added (they are sealed once a version is ready).
    public var acceptsArtifacts: Bool { self == .draft || self == .training }

    /// Whether an alias may point at a version in this status.
    public var isDeployable: Bool { self == .ready || self == .deprecated }

    /// Throws `failed_precondition` unless `next` is a legal move from this status.
    public func checkTransition(to next: VersionStatus) throws {
        guard next != self else { return }
        guard allowedNext.contains(next) else {
            let allowed = allowedNext.isEmpty ? "none (archived is final)" : allowedNext.map(\.rawValue).joined(separator: ", ")
            throw RegistryError.failedPrecondition(
                "a \(self) version cannot become \(next); allowed next statuses: \(allowed)")
        }
    }

    public var description: String { rawValue }
}
