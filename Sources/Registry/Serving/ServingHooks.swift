public import DriftStatistics
public import RegistryCore
public import RegistryStore

/// What the registry asks of the model server, which sits above it (the `Serving` target implements this).
///
/// The registry calls these around its own transactions so that every path that registers or deploys — the native
/// API, the MLflow API, the CLI — gets the same checks.
public protocol ServingHooks: Sendable {
    /// Reads the version's model file (if any) and says whether and how it can be served. Never throws: a model
    /// that cannot be read or executed is reported with the reason.
    func inspect(_ version: ModelVersion, manifest: [ArtifactEntry]) async -> ServingInfo
    /// Makes `version` ready to take `environment`'s traffic: loaded, sha256-verified and warmed up. Throwing
    /// refuses the move, so the environment keeps serving what it served. A version without a model file is not
    /// served and passes.
    func prepare(_ version: ModelVersion, environment: EnvironmentName) async throws
    /// `model`'s environments moved in this process: serve what they point at now.
    func environmentsChanged(_ model: ModelName) async
    /// Runs the version's model on a labelled dataset among its files and measures binary classification metrics
    /// (accuracy, precision, recall, f1_score, roc_auc): the policy's re-evaluation.
    func evaluate(_ version: ModelVersion, dataset: ArtifactEntry, rule: ValidationPolicy.Evaluation) async throws
        -> (rows: Int, metrics: [String: Double])
    /// The version's predictions for a dataset's rows as drift columns (`prediction`, `score`, `probability`), so
    /// a reference and a batch check cover prediction drift too. Empty when the model cannot take the rows.
    func driftOutputs(_ version: ModelVersion, table: DriftTable) async -> [DriftTable.Column]
    /// `model`'s drift reference or settings changed: monitors of its loaded versions start over from them.
    func driftChanged(_ model: ModelName) async
}

extension Registry {
    /// Records what the model server makes of the version's model file, when the version has one or had one
    /// inspected before, and judges the version under its model's policy. Called after a model file changes.
    func refreshServing(_ model: ModelName, _ version: SemanticVersion, audit: AuditContext) async throws {
        if let serving {
            let current = try await store.version(model, .version(version))
            let manifest = try await store.artifacts(model, version)
            let info = await serving.inspect(current, manifest: manifest)
            try await store.setServing(model, version, info: info, audit: audit.with(reason: "model file inspected"))
        }
        let policy = try await validationPolicy(model)
        _ = try await judge(
            try await store.version(model, .version(version)), policy: policy,
            environment: policy.policy.baselineEnvironment, actor: audit.actor)
    }

    /// The files besides the weights that decide what a text-embedding folder serves.
    static let embeddingFolderFiles: Set<String> = [
        "modules.json", "config.json", "tokenizer.json", "vocab.txt", "tokenizer_config.json", "sentence_bert_config.json",
        "config_sentence_transformers.json",
    ]

    /// Whether adding these files can change what serving makes of a version.
    static func touchesModelFile(_ paths: [ArtifactPath]) -> Bool {
        paths.contains {
            let lower = $0.rawValue.lowercased()
            let name = lower.split(separator: "/").last.map(String.init) ?? lower
            return lower.hasSuffix(".onnx") || lower.hasSuffix(".joblib") || lower.hasSuffix(".safetensors")
                || Self.embeddingFolderFiles.contains(name)
        }
    }
}
