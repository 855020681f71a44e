/// Which component of the highest existing version a new registration increments.
public enum VersionBump: String, Sendable, Codable, CaseIterable {
    case major, minor, patch

    public init(parsing text: String) throws {
        guard let bump = VersionBump(rawValue: text.lowercased()) else {
            throw RegistryError.invalidArgument("bump '\(text.prefix(20))' is not one of major, minor, patch")
        }
        self = bump
    }
}

/// How a registration asks for its version number.
public enum VersionRequest: Sendable, Equatable {
    /// Bump the highest existing version (or take `1.0.0` for the first).
    case bump(VersionBump)
    /// Take exactly this version; it must be higher than every existing one.
    case explicit(SemanticVersion)

    /// Assigns the version for a new registration given the model's highest existing version.
    /// The caller holds the model's write lock (a store transaction), so the answer cannot collide.
    public func assign(after highest: SemanticVersion?) throws -> SemanticVersion {
        let next: SemanticVersion
        switch self {
        case .bump(let bump):
            next = highest.map { $0.bumped(bump) } ?? .initial
        case .explicit(let version):
            if let highest, version <= highest {
                throw RegistryError.alreadyExists(
                    "version \(version) is not higher than \(highest), the highest version this model has had "
                        + "(deleted versions' numbers are never reused); choose a higher version or omit it to bump "
                        + "automatically")
            }
            next = version
        }
        guard next.major <= SemanticVersion.maxComponent, next.minor <= SemanticVersion.maxComponent,
            next.patch <= SemanticVersion.maxComponent
        else {
            throw RegistryError.invalidArgument(
                "version components are limited to \(SemanticVersion.maxComponent)")
        }
        return next
    }
}
