/// What a deploy or rollback will change, decided from the current state by pure rules; a store applies it in
/// one transaction.
public struct DeploymentPlan: Sendable, Equatable {
    public struct StatusChange: Sendable, Equatable {
        public var version: SemanticVersion
        public var from: VersionStatus
        public var to: VersionStatus
    }

    public var environment: EnvironmentName
    public var action: Deployment.Action
    public var fromVersion: SemanticVersion?
    public var toVersion: SemanticVersion
    public var statusChanges: [StatusChange]
}

/// The state of one version as the deployment rules need it.
public struct DeploymentTarget: Sendable, Equatable {
    public var version: SemanticVersion
    public var status: VersionStatus
    /// Environments (other than the one being changed) whose alias points at this version.
    public var otherEnvironments: [EnvironmentName]

    public init(version: SemanticVersion, status: VersionStatus, otherEnvironments: [EnvironmentName]) {
        self.version = version
        self.status = status
        self.otherEnvironments = otherEnvironments
    }
}

/// The rules of deploy and rollback.
public enum DeploymentPlanner {
    /// Plans moving `environment` to `target`. `current` is what serves there now.
    ///
    /// Deploy requires a `ready` version; a rollback may bring back a `deprecated` one, which becomes `ready`
    /// again. The replaced version becomes `deprecated` when the model asks for it and no other environment
    /// still serves it.
    public static func plan(
        action: Deployment.Action, environment: EnvironmentName, target: DeploymentTarget,
        current: DeploymentTarget?, deprecateReplaced: Bool
    ) throws -> DeploymentPlan {
        if let current, current.version == target.version {
            throw RegistryError.failedPrecondition("version \(target.version) already serves \(environment)")
        }
        var changes: [DeploymentPlan.StatusChange] = []
        switch action {
        case .deploy:
            guard target.status == .ready else {
                let hint: String
                switch target.status {
                case .draft, .training: hint = "mark it ready first (status: ready)"
                case .deprecated: hint = "roll back to it, or set its status to ready first"
                case .archived: hint = "archived versions cannot be deployed"
                case .ready: hint = ""
                }
                throw RegistryError.failedPrecondition(
                    "version \(target.version) is \(target.status), only a ready version can be deployed; \(hint)")
            }
        case .rollback:
            guard target.status.isDeployable else {
                throw RegistryError.failedPrecondition(
                    "version \(target.version) is \(target.status) and cannot serve; choose a ready or deprecated version")
            }
            if target.status == .deprecated {
                changes.append(.init(version: target.version, from: .deprecated, to: .ready))
            }
        case .undeploy:
            throw RegistryError.invalidArgument("undeploy is not planned here")
        }
        if deprecateReplaced, let current, current.status == .ready, current.otherEnvironments.isEmpty {
            changes.append(.init(version: current.version, from: .ready, to: .deprecated))
        }
        return DeploymentPlan(
            environment: environment, action: action, fromVersion: current?.version, toVersion: target.version,
            statusChanges: changes)
    }
}
