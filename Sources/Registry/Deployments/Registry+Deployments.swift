public import RegistryCore

extension Registry {
    /// Points `environment` at the version; the replaced version may become deprecated (see the model's setting).
    public func deploy(
        _ model: ModelName, _ selector: VersionSelector, environment: EnvironmentName, audit: AuditContext
    ) async throws -> Deployment {
        let version = try await resolve(model, selector)
        return try await store.deploy(model, version: version, environment: environment, audit: audit)
    }

    /// Moves `environment` back to the version that served before (or to `selector`'s version if given).
    public func rollback(
        _ model: ModelName, environment: EnvironmentName, to selector: VersionSelector?, audit: AuditContext
    ) async throws -> Deployment {
        var version: SemanticVersion?
        if let selector { version = try await store.version(model, selector).version }
        return try await store.rollback(model, environment: environment, to: version, audit: audit)
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
        var deployments: [Deployment] = []
        var token: String?
        repeat {
            let page = try await store.deployments(
                model, environment: nil, page: try PageRequest(limit: PageRequest.maxLimit, token: token))
            deployments += page.items.filter { $0.toVersion == version.version || $0.fromVersion == version.version }
            token = page.nextPageToken
        } while token != nil
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
