public import RegistryCore

extension Registry {
    /// Points `environment` at the version; the replaced version may become deprecated (see the model's setting).
    public func deploy(
        _ model: ModelName, _ selector: VersionSelector, environment: EnvironmentName, audit: AuditContext
    ) async throws -> Deployment {
        let version = try await resolve(model, selector)
        if let serving {
            try await serving.prepare(try await store.version(model, .version(version)), environment: environment)
        }
        let record = try await store.deploy(model, version: version, environment: environment, audit: audit)
        await serving?.environmentsChanged(model)
        return record
    }

    /// Moves `environment` back to the version that served before (or to `selector`'s version if given).
    public func rollback(
        _ model: ModelName, environment: EnvironmentName, to selector: VersionSelector?, audit: AuditContext
    ) async throws -> Deployment {
        var version: SemanticVersion?
        if let selector { version = try await store.version(model, selector).version }
        if let serving {
            // The target is planned here as the store would plan it, so it can be loaded before the move.
            let target = try RollbackPlanner.target(
                history: try await deploymentHistory(model, environment: environment),
                current: try await store.aliases(model).first { $0.environment == environment }?.version,
                requested: version, environment: environment)
            try await serving.prepare(try await store.version(model, .version(target)), environment: environment)
            version = target
        }
        let record = try await store.rollback(model, environment: environment, to: version, audit: audit)
        await serving?.environmentsChanged(model)
        return record
    }

    /// Every deployment record (of one environment, when given), oldest first.
    func deploymentHistory(_ model: ModelName, environment: EnvironmentName?) async throws -> [Deployment] {
        var records: [Deployment] = []
        var token: String?
        repeat {
            let page = try await store.deployments(
                model, environment: environment, page: try PageRequest(limit: PageRequest.maxLimit, token: token))
            records += page.items
            token = page.nextPageToken
        } while token != nil
        return records.reversed()
    }

    public func deployments(_ model: ModelName, environment: EnvironmentName?, page: PageRequest) async throws
        -> Page<Deployment>
    {
        try await store.deployments(model, environment: environment, page: page)
    }

    public func aliases(_ model: ModelName) async throws -> [AliasPointer] {
        try await store.aliases(model)
    }

    public func audit(_ model: ModelName, page: PageRequest) async throws -> Page<AuditEntry> {
        try await store.auditEntries(model, page: page)
    }

    /// Everything about one version in one document.
    public func report(_ model: ModelName, _ selector: VersionSelector) async throws -> VersionReport {
        let registered = try await store.model(named: model)
        let version = try await store.version(model, selector)
        let aliases = try await store.aliases(model)
        let best = try await bestVersion(of: registered)
        let deployments = try await deploymentHistory(model, environment: nil).reversed().filter {
            $0.toVersion == version.version || $0.fromVersion == version.version
        }
        return VersionReport(
            model: registered, version: version,
            environments: aliases.filter { $0.version == version.version }.map(\.environment),
            isBest: best?.version == version.version,
            history: try await historySummary(registered, version.version),
            scoreChanges: try await store.scoreChanges(model, version.version),
            lineage: try await lineage(model, .version(version.version)),
            artifacts: try await store.artifacts(model, version.version), deployments: deployments,
            generatedAt: clock())
    }
}
