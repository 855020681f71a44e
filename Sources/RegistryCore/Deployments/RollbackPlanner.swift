/// Decides where a rollback goes, from an environment's deployment history.
///
/// The history is replayed as a stack: a deploy pushes its version, a rollback pops back to its target. Rolling
/// back therefore walks backwards through what was deployed (3 → 2 → 1), instead of ping-ponging between the
/// last two versions.
public enum RollbackPlanner {
    /// The stack of versions an environment has served, oldest first, after replaying `history` (oldest first).
    public static func stack(replaying history: [Deployment]) -> [SemanticVersion] {
        var stack: [SemanticVersion] = []
        for record in history {
            switch record.action {
            case .deploy:
                if let version = record.toVersion { stack.append(version) }
            case .rollback:
                guard let target = record.toVersion else { continue }
                if let index = stack.lastIndex(of: target) {
                    stack.removeSubrange((index + 1)...)
                } else {
                    stack.append(target)
                }
            case .undeploy:
                stack.removeAll()
            }
        }
        return stack
    }

    /// The version a rollback of `environment` moves to: `requested` if given (it must have served there before),
    /// otherwise the one that served before the current one.
    public static func target(
        history: [Deployment], current: SemanticVersion?, requested: SemanticVersion?, environment: EnvironmentName
    ) throws -> SemanticVersion {
        guard let current else {
            throw RegistryError.failedPrecondition("nothing is deployed to \(environment); deploy a version first")
        }
        if let requested {
            guard requested != current else {
                throw RegistryError.failedPrecondition("version \(requested) already serves \(environment)")
            }
            let served = history.contains { $0.toVersion == requested }
            guard served else {
                throw RegistryError.failedPrecondition(
                    "version \(requested) never served \(environment); roll back only to a version from its "
                        + "deployment history, or deploy it instead")
            }
            return requested
        }
        var stack = stack(replaying: history)
        if stack.last == current { stack.removeLast() }
        guard let previous = stack.last(where: { $0 != current }) else {
            throw RegistryError.failedPrecondition(
                "\(environment) has no earlier version to roll back to; deploy the version you want instead")
        }
        return previous
    }
}
