public import RegistryCore

extension Registry {
    /// The version a selector names: a plain version as is (the store answers `not_found` if it is missing),
    /// an alias or a registration number by looking it up.
    func resolve(_ model: ModelName, _ selector: VersionSelector) async throws -> SemanticVersion {
        switch selector {
        case .version(let version): return version
        case .alias, .number: return try await store.version(model, selector).version
        }
    }

    public func registerVersion(_ model: ModelName, _ version: NewVersion, audit: AuditContext) async throws
        -> ModelVersion
    {
        let registered = try await store.registerVersion(model, version, audit: audit)
        guard Self.touchesModelFile(version.artifacts.map(\.path)) else { return registered }
        try await refreshServing(model, registered.version, audit: audit)
        return try await store.version(model, .version(registered.version))
    }

    public func version(_ model: ModelName, _ selector: VersionSelector) async throws -> ModelVersion {
        try await store.version(model, selector)
    }

    public func listVersions(_ model: ModelName, filter: VersionFilter, page: PageRequest) async throws
        -> Page<ModelVersion>
    {
        try await store.listVersions(model, filter: filter, page: page)
    }

    public func updateVersion(_ model: ModelName, _ selector: VersionSelector, patch: VersionPatch, audit: AuditContext)
        async throws -> ModelVersion
    {
        let version = try await resolve(model, selector)
        return try await store.updateVersion(model, version, patch: patch, audit: audit)
    }

    public func deleteVersion(_ model: ModelName, _ selector: VersionSelector, audit: AuditContext) async throws {
        let version = try await resolve(model, selector)
        try await store.deleteVersion(model, version, audit: audit)
    }

    /// Sets or merges evaluation scores.
    public func setScores(
        _ model: ModelName, _ selector: VersionSelector, scores: [String: Double], mode: ScoreUpdateMode,
        audit: AuditContext
    ) async throws -> ModelVersion {
        let version = try await resolve(model, selector)
        return try await store.setScores(model, version, scores: scores, mode: mode, audit: audit)
    }

    public func scoreChanges(_ model: ModelName, _ selector: VersionSelector) async throws -> [ScoreChange] {
        let version = try await resolve(model, selector)
        return try await store.scoreChanges(model, version)
    }

    /// Every version of a model, lowest first (walks all pages).
    public func allVersions(_ model: ModelName) async throws -> [ModelVersion] {
        var result: [ModelVersion] = []
        var token: String?
        repeat {
            let page = try await store.listVersions(
                model, filter: .init(), page: try PageRequest(limit: PageRequest.maxLimit, token: token))
            result.append(contentsOf: page.items)
            token = page.nextPageToken
        } while token != nil
        return result.reversed()
    }

    /// Two or more versions side by side.
    public func compare(_ model: ModelName, _ selectors: [VersionSelector]) async throws -> VersionComparison {
        try await compareInDetail(model, selectors).comparison
    }

    /// The comparison with what it is computed from: the versions and their full histories as series (which
    /// charts overlay); each history is read once.
    public func compareInDetail(_ model: ModelName, _ selectors: [VersionSelector]) async throws
        -> (comparison: VersionComparison, versions: [ModelVersion], histories: [[MetricSeries]])
    {
        guard selectors.count <= 50 else {
            throw RegistryError.invalidArgument("compare at most 50 versions at once")
        }
        let registered = try await store.model(named: model)
        var versions: [ModelVersion] = []
        for selector in selectors { versions.append(try await store.version(model, selector)) }
        let histories = try await store.historySeries(model, versions.map(\.version))
        let summaries = histories.map { series in
            series.compactMap { $0.summary(direction: registered.direction(ofMetric: $0.name)) }
        }
        let comparison = try VersionComparison.make(model: registered, versions: versions, histories: summaries)
        return (comparison, versions, histories)
    }
}
