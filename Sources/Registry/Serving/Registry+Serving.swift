public import Foundation
public import RegistryCore

extension Registry {
    /// Shares an environment's traffic between the deployed version and canary versions, with an optional shadow.
    /// Every version named must be servable; each is loaded before the policy takes effect. A version given a
    /// share must pass validation (or `force` with a reason overrides); a shadow answers no client and is not gated.
    public func setTraffic(
        _ model: ModelName, environment: EnvironmentName, policy: TrafficPolicy, force: Bool = false,
        allowIncompatible: Bool = false, audit: AuditContext
    ) async throws -> TrafficPolicy {
        try policy.validate()
        var audit = audit
        for share in policy.shares {
            let candidate = try await store.version(model, .version(share.version))
            let checked = try await embeddingGate(candidate, environment: environment, allowIncompatible: allowIncompatible, audit: audit)
            let gated = try await gate(candidate, environment: environment, override: force, audit: checked)
            for (key, value) in gated.details { audit.details["\(share.version) \(key)"] = value }
        }
        guard try await store.aliases(model).contains(where: { $0.environment == environment }) || policy.isEmpty else {
            throw RegistryError.failedPrecondition(
                "nothing is deployed to '\(environment)' of '\(model)'; deploy a version before sharing its traffic")
        }
        if let serving {
            for version in policy.shares.map(\.version) + (policy.shadow.map { [$0] } ?? []) {
                let found = try await store.version(model, .version(version))
                guard found.serving?.servable == true else {
                    throw RegistryError.failedPrecondition(
                        "version \(version) cannot take traffic: "
                            + (found.serving?.reason ?? "it has no model file; upload model.onnx or model.joblib"))
                }
                try await serving.prepare(found, environment: environment)
            }
        }
        try await store.setTraffic(model, environment: environment, policy: policy, audit: audit)
        await serving?.environmentsChanged(model)
        return policy
    }

    public func traffic(_ model: ModelName) async throws -> [EnvironmentName: TrafficPolicy] {
        try await store.traffic(model)
    }
}

extension Registry {
    /// Sets when the model's serving version is rolled back automatically (`nil`: the defaults).
    public func setServingLimits(_ model: ModelName, limits: ServingLimits?, audit: AuditContext) async throws
        -> ServingLimits
    {
        try await store.setServingLimits(model, limits: limits, audit: audit)
        return limits ?? .default
    }

    /// The model's automatic-rollback limits (the defaults unless set).
    /// Every model's limits that differ from the defaults (the automatic-rollback monitor reads them each tick).
    public func allServingLimits() async throws -> [ModelName: ServingLimits] {
        try await store.allServingLimits()
    }

    /// The id of the newest audit entry (of `model`, or of any model): a change cursor, since every state change is
    /// audited; dashboards poll it.
    public func latestChange(model: ModelName?) async throws -> Int64 {
        try await store.latestAuditID(model: model)
    }

    public func servingLimits(_ model: ModelName) async throws -> ServingLimits {
        _ = try await store.model(named: model)
        return try await store.allServingLimits()[model] ?? .default
    }
}

extension Registry {
    /// Stores a benchmark the server ran on a version.
    public func recordBenchmark(_ report: BenchmarkReport) async throws {
        try await store.addBenchmark(report)
    }

    /// A version's benchmarks, newest first.
    public func benchmarks(_ model: ModelName, _ selector: VersionSelector, limit: Int = 20) async throws -> [BenchmarkReport] {
        try await store.benchmarks(model, try await resolve(model, selector), limit: limit)
    }

    /// A version's stored inference summaries since `since`, oldest first.
    public func inferenceHistory(_ model: ModelName, _ selector: VersionSelector, since: Date) async throws
        -> [InferenceSummary]
    {
        try await store.inferenceSummaries(model, try await resolve(model, selector), since: since)
    }
}
