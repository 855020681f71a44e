public import RegistryCore

extension Registry {
    public func appendHistory(_ model: ModelName, _ selector: VersionSelector, points: [MetricPoint]) async throws
        -> Int
    {
        let version = try await resolve(model, selector)
        return try await store.appendHistory(model, version, points: points)
    }

    public func history(_ model: ModelName, _ selector: VersionSelector, metric: String?) async throws
        -> [MetricPoint]
    {
        let version = try await resolve(model, selector)
        return try await store.history(model, version, metric: metric)
    }

    /// Per-metric summaries; the primary metric uses the model's direction, others their usual one.
    public func historySummary(_ model: ModelName, _ selector: VersionSelector) async throws -> [MetricSummary] {
        let registered = try await store.model(named: model)
        let version = try await resolve(model, selector)
        return try await historySummary(registered, version)
    }

    /// One series (or all) with their summaries.
    public func historyWithSummaries(_ model: ModelName, _ selector: VersionSelector, metric: String?) async throws
        -> (points: [MetricPoint], summaries: [MetricSummary])
    {
        let registered = try await store.model(named: model)
        let version = try await resolve(model, selector)
        let points = try await store.history(model, version, metric: metric)
        return (points, MetricSummary.summarize(points, direction: registered.direction(ofMetric:)))
    }

    func historySummary(_ model: RegisteredModel, _ version: SemanticVersion) async throws -> [MetricSummary] {
        try await store.historySeries(model.name, version).compactMap { $0.summary(direction: model.direction(ofMetric: $0.name)) }
    }

    /// Every metric of the version as columns (for charts): one series per name, points in step order.
    public func historySeries(_ model: ModelName, _ selector: VersionSelector) async throws -> [MetricSeries] {
        let version = try await resolve(model, selector)
        return try await store.historySeries(model, version)
    }
}
