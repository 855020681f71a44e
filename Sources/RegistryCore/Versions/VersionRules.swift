/// Rules about changing or removing a version that depend on where it is deployed and what derives from it.
public enum VersionRules {
    /// Checks a status change, given the environments that serve the version now.
    public static func checkStatusChange(
        _ version: SemanticVersion, from: VersionStatus, to: VersionStatus, servingIn environments: [EnvironmentName]
    ) throws {
        try from.checkTransition(to: to)
        if !environments.isEmpty, to == .archived || to == .draft || to == .training {
            throw RegistryError.failedPrecondition(
                "version \(version) serves \(environments.map(\.rawValue).joined(separator: ", ")); "
                    + "deploy or roll back to another version before making it \(to)")
        }
    }

    /// Checks that a version may be deleted.
    public static func checkDelete(
        _ version: SemanticVersion, servingIn environments: [EnvironmentName], children: [VersionKey]
    ) throws {
        if !environments.isEmpty {
            throw RegistryError.failedPrecondition(
                "version \(version) serves \(environments.map(\.rawValue).joined(separator: ", ")); "
                    + "deploy another version there before deleting it")
        }
        if let child = children.first {
            throw RegistryError.failedPrecondition(
                "version \(version) is a parent of \(child) and lineage must stay complete; archive it instead")
        }
    }
}
