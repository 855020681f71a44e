public import RegistryCore

/// Registry operations MLflow clients need beyond the native API.
extension Registry {
    public func model(named name: ModelName) async throws -> RegisteredModel {
        try await store.model(named: name)
    }

    public func renameModel(_ name: ModelName, to newName: ModelName, audit: AuditContext) async throws -> RegisteredModel {
        try await store.renameModel(name, to: newName, audit: audit)
    }

    /// Sets one model tag, or deletes it when `value` is nil.
    public func setModelTag(_ name: ModelName, key: String, value: String?, audit: AuditContext) async throws {
        try await store.setModelTag(name, key: key, value: value, audit: audit)
    }

    /// Sets one version tag, or deletes it when `value` is nil.
    public func setVersionTag(
        _ model: ModelName, _ selector: VersionSelector, key: String, value: String?, audit: AuditContext
    ) async throws {
        try await store.setVersionTag(model, try await resolve(model, selector), key: key, value: value, audit: audit)
    }

    public func transitionStage(
        _ model: ModelName, _ selector: VersionSelector, to stage: VersionStage, archiveExisting: Bool,
        audit: AuditContext
    ) async throws -> ModelVersion {
        try await store.transitionStage(
            model, try await resolve(model, selector), to: stage, archiveExisting: archiveExisting, audit: audit)
    }

    /// Removes an alias (an `undeploy` deployment record); `nil` when it was not set.
    public func undeploy(_ model: ModelName, environment: EnvironmentName, audit: AuditContext) async throws -> Deployment? {
        let record = try await store.undeploy(model, environment: environment, audit: audit)
        await serving?.environmentsChanged(model)
        return record
    }

    public func latestVersions(_ model: ModelName, stages: [VersionStage]?) async throws -> [ModelVersion] {
        try await store.latestVersions(model, stages: stages)
    }

    public func searchModels(filter: SearchFilter, orderBy: [SearchOrder], offset: Int, limit: Int) async throws
        -> (items: [RegisteredModel], more: Bool)
    {
        try await store.searchModels(filter: filter, orderBy: orderBy, offset: offset, limit: limit)
    }

    public func searchVersions(filter: SearchFilter, orderBy: [SearchOrder], offset: Int, limit: Int) async throws
        -> (items: [ModelVersion], more: Bool)
    {
        try await store.searchVersions(filter: filter, orderBy: orderBy, offset: offset, limit: limit)
    }

    /// Where an MLflow client downloads a version's files from: the version's own manifest, served by the artifact
    /// proxy under `registry/<model>/<number>` when it has files; otherwise its recorded source.
    public func downloadURI(of version: ModelVersion) async throws -> String {
        let files = try await store.artifacts(version.model, version.version)
        if files.isEmpty { return version.sourceURI ?? "" }
        return "mlflow-artifacts:/" + RegistryArtifactPath.root(model: version.model, number: version.number)
    }
}

/// The artifact proxy path where a registered version's manifest is readable: `_registry/<model>/<number>/<file>`.
/// The `_registry` prefix never collides with experiment ids; model names contain no `/`.
public enum RegistryArtifactPath {
    public static let prefix = "_registry"

    public static func root(model: ModelName, number: Int64) -> String {
        "\(prefix)/\(model.rawValue)/\(number)"
    }

    /// The model, version number and file path (possibly empty) of a proxy path under `_registry/`.
    public static func parse(_ path: String) throws -> (model: ModelName, number: Int64, file: String)? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        guard segments.first == Substring(prefix) else { return nil }
        guard segments.count >= 3, let number = Int64(segments[2]) else {
            throw RegistryError.notFound("'\(path.prefix(200))' is not a registered version's path (_registry/<model>/<number>/...)")
        }
        return (try ModelName(validating: String(segments[1])), number, segments.dropFirst(3).joined(separator: "/"))
    }
}
