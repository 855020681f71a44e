public import Foundation
public import RegistryCore

/// Validation: a policy per model, a verdict per version, and the gate every deploy path passes through.
extension Registry {
    /// The model's policy and revision; revision 0 is the default, before one was set.
    public func validationPolicy(_ model: ModelName) async throws -> PolicyRevision {
        try await store.validationPolicy(model) ?? PolicyRevision(revision: 0, policy: .default)
    }

    /// Stores the policy as the model's next revision (audited) and judges the model's versions under it again, so
    /// every stored verdict a person reads is the current policy's.
    public func setValidationPolicy(_ model: ModelName, _ policy: ValidationPolicy, audit: AuditContext) async throws
        -> PolicyRevision
    {
        let saved = try await store.setValidationPolicy(model, policy, audit: audit)
        var token: String?
        repeat {
            let page = try await store.listVersions(
                model, filter: VersionFilter(), page: try PageRequest(limit: PageRequest.maxLimit, token: token))
            for version in page.items where version.status != .archived {
                _ = try await judge(version, policy: saved, environment: policy.baselineEnvironment, actor: audit.actor)
            }
            token = page.nextPageToken
        } while token != nil
        return saved
    }

    /// Judges a version under the model's current policy, against what `environment` serves (the policy's
    /// baseline environment when not given), and records the verdict.
    public func validate(
        _ model: ModelName, _ selector: VersionSelector, environment: EnvironmentName? = nil, actor: String
    ) async throws -> ValidationReport {
        let version = try await store.version(model, selector)
        let policy = try await validationPolicy(model)
        return try await judge(
            version, policy: policy, environment: environment ?? policy.policy.baselineEnvironment, actor: actor)
    }

    /// What a deploy of the version to `environment` would be judged by now, without recording it (a confirmation
    /// page shows it before anyone decides).
    public func previewValidation(_ model: ModelName, _ selector: VersionSelector, environment: EnvironmentName) async throws
        -> ValidationReport
    {
        let version = try await store.version(model, selector)
        return try await judge(
            version, policy: try await validationPolicy(model), environment: environment, actor: "preview", record: false)
    }

    /// The version's newest verdict; `nil` when it was never validated.
    public func validationReport(_ model: ModelName, _ selector: VersionSelector) async throws -> ValidationReport? {
        try await store.validationReport(model, try await resolve(model, selector))
    }

    func judge(
        _ version: ModelVersion, policy: PolicyRevision, environment: EnvironmentName, actor: String, record: Bool = true
    ) async throws -> ValidationReport {
        let serving = try await store.aliases(version.model).first { $0.environment == environment }
        var baseline: ModelVersion?
        if let serving { baseline = try await store.version(version.model, .version(serving.version)) }
        let manifest = try await store.artifacts(version.model, version.version)
        var version = version
        var evaluation: EvaluationOutcome?
        if let rule = policy.policy.evaluation, let dataset = manifest.first(where: { $0.path.rawValue == rule.dataset }) {
            evaluation = try await reevaluate(&version, dataset: dataset, rule: rule, actor: actor, record: record)
        }
        let report = Validator.evaluate(Validator.Input(
            version: version, files: manifest.map(\.path), policy: policy, environment: environment, baseline: baseline,
            model: try await store.model(named: version.model), evaluation: evaluation, actor: actor, now: clock()))
        if record { try await store.addValidationReport(report) }
        return report
    }

    /// Re-evaluation: runs the model on the dataset once per dataset digest and keeps the measured scores as the
    /// version's (the claims are kept in a tag, so every later verdict can compare them). Returns nil when it
    /// cannot run here (no model server, no servable model file).
    func reevaluate(
        _ version: inout ModelVersion, dataset: ArtifactEntry, rule: ValidationPolicy.Evaluation, actor: String, record: Bool
    ) async throws -> EvaluationOutcome? {
        let claimedTag = "evaluation.claimed", digestTag = "evaluation.sha256", rowsTag = "evaluation.rows"
        func decode(_ text: String?) -> [String: Double] {
            guard let text, let data = text.data(using: .utf8) else { return [:] }
            return (try? JSONDecoder().decode([String: Double].self, from: data)) ?? [:]
        }
        let measuredNames = ["accuracy", "precision", "recall", "f1_score", "roc_auc"]
        if version.tags[digestTag] == dataset.sha256.rawValue {
            return EvaluationOutcome(
                dataset: rule.dataset, rows: Int(version.tags[rowsTag] ?? "") ?? 0,
                measured: version.scores.filter { measuredNames.contains($0.key) }, claimed: decode(version.tags[claimedTag]),
                tolerance: rule.tolerance)
        }
        guard record, let serving, version.serving?.servable == true else { return nil }
        let result: (rows: Int, metrics: [String: Double])
        do {
            result = try await serving.evaluate(version, dataset: dataset, rule: rule)
        } catch let error as RegistryError where error.code != .internal {
            return EvaluationOutcome(
                dataset: rule.dataset, rows: 0, measured: [:], claimed: [:], tolerance: rule.tolerance, problem: error.message)
        }
        let claimed = version.scores.filter { result.metrics[$0.key] != nil }
        let audit = AuditContext(actor: actor, reason: "measured on \(rule.dataset) (\(result.rows) rows)")
        let encoded = String(decoding: try JSONEncoder().encode(claimed), as: UTF8.self)
        try await store.setVersionTag(version.model, version.version, key: claimedTag, value: encoded, audit: audit)
        try await store.setVersionTag(version.model, version.version, key: rowsTag, value: String(result.rows), audit: audit)
        _ = try await store.setScores(version.model, version.version, scores: result.metrics, mode: .merge, audit: audit)
        // The digest last: a crash before it leaves the evaluation to run again, never a half-recorded one.
        try await store.setVersionTag(version.model, version.version, key: digestTag, value: dataset.sha256.rawValue, audit: audit)
        version = try await store.version(version.model, .version(version.version))
        return EvaluationOutcome(
            dataset: rule.dataset, rows: result.rows, measured: result.metrics, claimed: claimed, tolerance: rule.tolerance)
    }

    /// The deploy gate: judges `version` against what `environment` serves now and refuses a failing version unless
    /// the caller overrides with a reason. Returns the audit context with the verdict in its details, so the
    /// deployment's audit entry says what was known when it was made.
    func gate(
        _ version: ModelVersion, environment: EnvironmentName, override: Bool, refuse: Bool = true,
        audit: AuditContext
    ) async throws -> AuditContext {
        let policy = try await validationPolicy(version.model)
        let report = try await judge(version, policy: policy, environment: environment, actor: audit.actor)
        var audit = audit
        audit.details["validation"] = report.passed ? "passed" : "failed"
        audit.details["validation_score"] = ValidationReport.format(report.score)
        audit.details["policy_revision"] = String(policy.revision)
        if !report.passed {
            audit.details["failed_checks"] = report.errors.map(\.name).joined(separator: ",")
            if refuse {
                guard override else {
                    let unchanged = report.baseline.map { "'\(environment)' still serves \($0)" }
                        ?? "'\(environment)' was not changed"
                    throw RegistryError(
                        .validationFailed,
                        "version \(version.version) of '\(version.model)' failed validation under policy revision "
                            + "\(policy.revision): \(report.failureSummary); \(unchanged). Fix the version or the "
                            + "policy, or override with force and a reason")
                }
                guard !audit.reason.isEmpty else {
                    throw RegistryError.invalidArgument(
                        "overriding the validation of \(version.version) needs a reason; say why it should serve anyway")
                }
                audit.details["override"] = "true"
            }
        }
        return audit
    }

    /// Refuses to point `environment` at `version` when its embeddings are not comparable with those of the version
    /// serving there now, unless `allowIncompatible` (with a reason in `audit`) acknowledges the re-indexing; the
    /// differences and the acknowledgement go into the audit entry.
    func embeddingGate(
        _ version: ModelVersion, environment: EnvironmentName, allowIncompatible: Bool, audit: AuditContext
    ) async throws -> AuditContext {
        guard let current = try await store.aliases(version.model).first(where: { $0.environment == environment })?.version,
            current != version.version
        else { return audit }
        let serving = try await store.version(version.model, .version(current))
        let differences = EmbeddingFacts.differences(serving: serving, candidate: version)
        guard !differences.isEmpty else { return audit }
        var audit = audit
        audit.details["embedding_changes"] = differences.joined(separator: "; ")
        guard allowIncompatible else {
            throw RegistryError(
                .incompatibleEmbedding,
                "version \(version.version) of '\(version.model)' makes vectors that do not match those of \(current), which "
                    + "'\(environment)' serves (\(differences.joined(separator: "; "))): an index built with \(current) would "
                    + "silently stop matching. '\(environment)' was not changed. Re-index with \(version.version), then "
                    + "deploy with allow_incompatible and a reason")
        }
        guard !audit.reason.isEmpty else {
            throw RegistryError.invalidArgument(
                "switching to incompatible embeddings needs a reason; say how the index was rebuilt")
        }
        audit.details["allow_incompatible"] = "true"
        return audit
    }
}
