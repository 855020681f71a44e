public import RegistryCore

extension Registry {
    /// Points `environment` at the version; the replaced version may become deprecated (see the model's setting).
    /// The version must pass validation against what the environment serves now, unless `force` (with a reason in
    /// `audit`) overrides it; the deployment's audit entry records the verdict either way.
    /// A version whose embeddings differ from those serving (dimension, tokenizer, pooling, normalisation) is
    /// refused unless `allowIncompatible`, with a reason, acknowledges the re-indexing.
    public func deploy(
        _ model: ModelName, _ selector: VersionSelector, environment: EnvironmentName, force: Bool = false,
        allowIncompatible: Bool = false, audit: AuditContext
    ) async throws -> Deployment {
        let target = try await store.version(model, selector)
        var audit = try await embeddingGate(target, environment: environment, allowIncompatible: allowIncompatible, audit: audit)
        audit = try await gate(target, environment: environment, override: force, audit: audit)
        if let serving { try await serving.prepare(target, environment: environment) }
        let record = try await store.deploy(model, version: target.version, environment: environment, audit: audit)
        await serving?.environmentsChanged(model)
        return record
    }

    /// Moves `environment` back to the version that served before (or to `selector`'s version if given). Rollback
    /// is the escape hatch: a version that served before may serve again whatever its verdict, which the audit
    /// entry records. Not across incompatible embeddings, though, unless acknowledged as for `deploy`: the index
    /// was rebuilt for what serves now, and an automatic rollback must not silently break it.
    public func rollback(
        _ model: ModelName, environment: EnvironmentName, to selector: VersionSelector?, allowIncompatible: Bool = false,
        audit: AuditContext
    ) async throws -> Deployment {
        var requested: SemanticVersion?
        if let selector { requested = try await store.version(model, selector).version }
        // The target is planned here as the store would plan it, so it can be judged and loaded before the move.
        let target = try RollbackPlanner.target(
            history: try await deploymentHistory(model, environment: environment),
            current: try await store.aliases(model).first { $0.environment == environment }?.version,
            requested: requested, environment: environment)
        let version = try await store.version(model, .version(target))
        var audit = try await embeddingGate(version, environment: environment, allowIncompatible: allowIncompatible, audit: audit)
        audit = try await gate(version, environment: environment, override: false, refuse: false, audit: audit)
        if let serving { try await serving.prepare(version, environment: environment) }
        let record = try await store.rollback(model, environment: environment, to: target, audit: audit)
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
