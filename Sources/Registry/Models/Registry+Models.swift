public import RegistryCore

extension Registry {
    public func createModel(_ model: NewModel, audit: AuditContext) async throws -> RegisteredModel {
        try await store.createModel(model, audit: audit)
    }

    public func listModels(filter: ModelFilter, page: PageRequest) async throws -> Page<RegisteredModel> {
        try await store.listModels(filter: filter, page: page)
    }

    /// The model with its latest, best and deployed versions.
    public func modelDetails(_ name: ModelName) async throws -> ModelDetails {
        let model = try await store.model(named: name)
        let latest = try await store.listVersions(name, filter: .init(), page: try PageRequest(limit: 1)).items.first
        let best = try await bestVersion(of: model)
        return ModelDetails(model: model, latest: latest, best: best, deployed: try await store.aliases(name))
    }

    /// A page of models with each one's latest version, best version and aliases, read together.
    public func modelOverviews(filter: ModelFilter, page: PageRequest) async throws -> Page<ModelDetails> {
        let models = try await store.listModels(filter: filter, page: page)
        let overviews = try await store.overviews(models.items)
        let details = try zip(models.items, overviews).map { model, overview in
            ModelDetails(
                model: model, latest: overview.latest,
                best: try overview.bestCandidate.flatMap { try BestVersionSelector.select(model: model, candidates: [$0]) },
                deployed: overview.aliases)
        }
        return Page(items: details, nextPageToken: models.nextPageToken)
    }

    public func updateModel(_ name: ModelName, patch: ModelPatch, audit: AuditContext) async throws -> RegisteredModel {
        try await store.updateModel(name, patch: patch, audit: audit)
    }

    public func deleteModel(_ name: ModelName, audit: AuditContext) async throws {
        try await store.deleteModel(name, audit: audit)
    }

    /// The best version by the model's rule; `not_found` when no version qualifies yet.
    public func best(_ name: ModelName) async throws -> BestVersion {
        let model = try await store.model(named: name)
        guard model.primaryMetric != nil || model.pinnedBest != nil else {
            throw RegistryError.failedPrecondition(
                "model \(name) has no primary metric; set primary_metric on the model or pin a version with mark-best")
        }
        guard let best = try await bestVersion(of: model) else {
            throw RegistryError.notFound(
                "no version of '\(name)' has a '\(model.primaryMetric ?? "")' score yet; set scores or pin one with mark-best")
        }
        return best
    }

    /// The best version, or `nil` when the model has no rule for one yet (no primary metric, no pin) or no
    /// version qualifies.
    func bestVersion(of model: RegisteredModel) async throws -> BestVersion? {
        guard model.primaryMetric != nil || model.pinnedBest != nil else { return nil }
        var candidates: [BestCandidate] = []
        if model.pinnedBest == nil, let metric = model.primaryMetric,
            let top = try await store.topScoring(model.name, metric: metric, direction: model.metricDirection)
        {
            candidates.append(top)
        } else if let pinned = model.pinnedBest {
            let version = try await store.version(model.name, .version(pinned))
            candidates.append(BestCandidate(version: pinned, status: version.status, scores: version.scores))
        }
        return try BestVersionSelector.select(model: model, candidates: candidates)
    }

    /// Clears a mark-best pin; the primary-metric rule applies again.
    public func unpinBest(_ name: ModelName, audit: AuditContext) async throws {
        _ = try await store.pinBest(name, version: nil, audit: audit)
    }

    /// Pins `selector`'s version as best (or clears the pin when `nil`).
    public func markBest(_ name: ModelName, _ selector: VersionSelector?, audit: AuditContext) async throws
        -> BestVersion
    {
        var version: SemanticVersion?
        if let selector { version = try await store.version(name, selector).version }
        _ = try await store.pinBest(name, version: version, audit: audit)
        return try await best(name)
    }
}
