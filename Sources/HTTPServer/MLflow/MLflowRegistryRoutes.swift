import Foundation
import Hummingbird
import Registry
import RegistryCore

/// `/api/2.0/mlflow/registered-models/*` and `model-versions/*`: the MLflow model registry over Modelyard's models.
/// A version's MLflow number is its registration number; requests also accept its semantic version.
struct MLflowRegistryRoutes {
    let registry: Registry

    struct ModelBody: Decodable {
        let name: String?
        let new_name: String?
        let description: String?
        let tags: [KeyValue]?
        let key: String?
        let value: String?
        let alias: String?
        let version: String?
        let stages: [String]?
    }

    struct VersionBody: Decodable {
        let name: String?
        let version: String?
        let source: String?
        let run_id: String?
        let model_id: String?
        let description: String?
        let tags: [KeyValue]?
        let key: String?
        let value: String?
        let stage: String?
        let archive_existing_versions: Bool?
    }

    func register(on api: RouterGroup<ModelyardRequestContext>) {
        registerModels(on: api)
        registerVersions(on: api)
    }

    /// The registered model in MLflow's shape: latest version per stage, tags, aliases.
    func registeredModelJSON(_ name: ModelName) async throws -> MLflowJSON {
        let model = try await registry.model(named: name)
        async let latest = registry.latestVersions(name, stages: nil)
        async let aliases = registry.aliases(name)
        return MLflowEntities.registeredModel(model, latest: try await latest, aliases: try await aliases)
    }

    func versionJSON(_ version: ModelVersion) async throws -> MLflowJSON {
        let aliases = try await registry.aliases(version.model).filter { $0.version == version.version }
        return MLflowEntities.modelVersion(version, aliases: aliases.map(\.environment.rawValue))
    }

    func registerModels(on api: RouterGroup<ModelyardRequestContext>) {
        let registry = self.registry
        api.post("registered-models/create") { request, _ in
            let body = try await JSONBody.decode(ModelBody.self, from: request)
            let name = try MLflow.modelName(body.name)
            _ = try await registry.createModel(
                NewModel(
                    name: name, description: body.description ?? "", tags: (body.tags ?? []).dictionary,
                    deprecateOnReplace: false),
                audit: request.mlflowAudit())
            return MLflowJSON.object([("registered_model", try await registeredModelJSON(name))]).response()
        }
        api.get("registered-models/get") { request, _ in
            let name = try MLflow.modelName(FormQuery(request)["name"])
            return MLflowJSON.object([("registered_model", try await registeredModelJSON(name))]).response()
        }
        api.post("registered-models/rename") { request, _ in
            let body = try await JSONBody.decode(ModelBody.self, from: request)
            let newName = try ModelName(validating: MLflow.required(body.new_name, "new_name"))
            _ = try await registry.renameModel(try MLflow.modelName(body.name), to: newName, audit: request.mlflowAudit())
            return MLflowJSON.object([("registered_model", try await registeredModelJSON(newName))]).response()
        }
        api.patch("registered-models/update") { request, _ in
            let body = try await JSONBody.decode(ModelBody.self, from: request)
            let name = try MLflow.modelName(body.name)
            if let description = body.description {
                _ = try await registry.updateModel(name, patch: ModelPatch(description: description), audit: request.mlflowAudit())
            }
            return MLflowJSON.object([("registered_model", try await registeredModelJSON(name))]).response()
        }
        api.delete("registered-models/delete") { request, _ in
            let body = try await JSONBody.decode(ModelBody.self, from: request)
            try await registry.deleteModel(try MLflow.modelName(body.name), audit: request.mlflowAudit())
            return MLflowJSON.empty.response()
        }
        api.get("registered-models/search") { request, _ in
            let query = FormQuery(request)
            let limit = try MLflowPage.limit(try query.int64("max_results"), default: 100, max: 1_000, what: "registered models")
            let offset = try MLflowPage.offset(query["page_token"])
            let page = try await registry.searchModels(
                filter: SearchFilter(parsing: query["filter"]), orderBy: try SearchOrder.list(query.all("order_by")),
                offset: offset, limit: limit)
            var models: [MLflowJSON] = []
            for model in page.items {
                async let latest = registry.latestVersions(model.name, stages: nil)
                async let aliases = registry.aliases(model.name)
                models.append(MLflowEntities.registeredModel(model, latest: try await latest, aliases: try await aliases))
            }
            return MLflowJSON.object([
                ("registered_models", MLflowJSON.list(models)),
                ("next_page_token", MLflowPage.token(offset: offset, count: page.items.count, more: page.more)),
            ]).response()
        }
        let latestVersions: @Sendable (String?, [String]) async throws -> Response = { name, stages in
            let name = try MLflow.modelName(name)
            let parsed = Array(Set(try stages.map(VersionStage.init(parsing:))))  // at most the four stages
            let versions = try await registry.latestVersions(name, stages: parsed.isEmpty ? nil : parsed)
            return MLflowJSON.object([
                ("model_versions", MLflowJSON.list(versions.map { MLflowEntities.modelVersion($0, aliases: nil) }))
            ]).response()
        }
        api.post("registered-models/get-latest-versions") { request, _ in
            let body = try await JSONBody.decode(ModelBody.self, from: request)
            return try await latestVersions(body.name, body.stages ?? [])
        }
        api.get("registered-models/get-latest-versions") { request, _ in
            let query = FormQuery(request)
            return try await latestVersions(query["name"], query.all("stages"))
        }
        api.post("registered-models/set-tag") { request, _ in
            let body = try await JSONBody.decode(ModelBody.self, from: request)
            try await registry.setModelTag(
                try MLflow.modelName(body.name), key: MLflow.required(body.key, "key"), value: body.value ?? "",
                audit: request.mlflowAudit())
            return MLflowJSON.empty.response()
        }
        api.delete("registered-models/delete-tag") { request, _ in
            let body = try await JSONBody.decode(ModelBody.self, from: request)
            try await registry.setModelTag(
                try MLflow.modelName(body.name), key: MLflow.required(body.key, "key"), value: nil, audit: request.mlflowAudit())
            return MLflowJSON.empty.response()
        }
        // Setting an alias is a deployment to the environment of that name; deleting it is an undeploy.
        api.post("registered-models/alias") { request, _ in
            let body = try await JSONBody.decode(ModelBody.self, from: request)
            let name = try MLflow.modelName(body.name)
            let alias = try MLflow.alias(body.alias)
            let selector = try MLflow.versionSelector(body.version)
            let current = try await registry.aliases(name).first { $0.environment == alias }
            let target = try await registry.version(name, selector)
            if current?.version != target.version {
                _ = try await registry.deploy(name, selector, environment: alias, audit: request.mlflowAudit())
            }
            return MLflowJSON.empty.response()
        }
        api.delete("registered-models/alias") { request, _ in
            let body = try await JSONBody.decode(ModelBody.self, from: request)
            let name = try MLflow.modelName(body.name)
            _ = try await registry.undeploy(
                name, environment: try EnvironmentName(validating: MLflow.required(body.alias, "alias")),
                audit: request.mlflowAudit())
            return MLflowJSON.empty.response()
        }
        api.get("registered-models/alias") { request, _ in
            let query = FormQuery(request)
            let name = try MLflow.modelName(query["name"])
            let aliasText = try MLflow.required(query["alias"], "alias")
            guard let alias = try? EnvironmentName(validating: aliasText),
                let pointer = try await registry.aliases(name).first(where: { $0.environment == alias })
            else {
                throw RegistryError.invalidArgument("registered model alias \(aliasText) not found")
            }
            let version = try await registry.version(name, .version(pointer.version))
            return MLflowJSON.object([("model_version", try await versionJSON(version))]).response()
        }
    }

    func registerVersions(on api: RouterGroup<ModelyardRequestContext>) {
        let registry = self.registry
        api.post("model-versions/create") { request, _ in
            let body = try await JSONBody.decode(VersionBody.self, from: request)
            let tags = (body.tags ?? []).dictionary
            try FieldLimits.checkTags(tags)
            let version = try await registry.registerFromSource(
                try MLflow.modelName(body.name), source: MLflow.required(body.source, "source"), runID: body.run_id,
                loggedModelID: body.model_id, description: body.description ?? "", tags: tags, audit: request.mlflowAudit())
            return MLflowJSON.object([("model_version", MLflowEntities.modelVersion(version, aliases: []))]).response()
        }
        api.get("model-versions/get") { request, _ in
            let query = FormQuery(request)
            let version = try await registry.version(MLflow.modelName(query["name"]), MLflow.versionSelector(query["version"]))
            return MLflowJSON.object([("model_version", try await versionJSON(version))]).response()
        }
        api.patch("model-versions/update") { request, _ in
            let body = try await JSONBody.decode(VersionBody.self, from: request)
            let name = try MLflow.modelName(body.name)
            let selector = try MLflow.versionSelector(body.version)
            var version = try await registry.version(name, selector)
            if let description = body.description {
                version = try await registry.updateVersion(
                    name, selector, patch: VersionPatch(description: description), audit: request.mlflowAudit())
            }
            return MLflowJSON.object([("model_version", try await versionJSON(version))]).response()
        }
        api.delete("model-versions/delete") { request, _ in
            let body = try await JSONBody.decode(VersionBody.self, from: request)
            try await registry.deleteVersion(
                try MLflow.modelName(body.name), try MLflow.versionSelector(body.version), audit: request.mlflowAudit())
            return MLflowJSON.empty.response()
        }
        api.post("model-versions/transition-stage") { request, _ in
            let body = try await JSONBody.decode(VersionBody.self, from: request)
            let name = try MLflow.modelName(body.name)
            let stage = try VersionStage(parsing: MLflow.required(body.stage, "stage"))
            let moved = try await registry.transitionStage(
                name, try MLflow.versionSelector(body.version), to: stage, archiveExisting: body.archive_existing_versions ?? false,
                audit: request.mlflowAudit())
            return MLflowJSON.object([("model_version", try await versionJSON(moved))]).response()
        }
        api.get("model-versions/search") { request, _ in
            let query = FormQuery(request)
            let limit = try MLflowPage.limit(try query.int64("max_results"), default: 10_000, max: 200_000, what: "model versions")
            let offset = try MLflowPage.offset(query["page_token"])
            let page = try await registry.searchVersions(
                filter: SearchFilter(parsing: query["filter"]), orderBy: try SearchOrder.list(query.all("order_by")),
                offset: offset, limit: limit)
            var aliasesByModel: [ModelName: [SemanticVersion: [String]]] = [:]
            for name in Set(page.items.map(\.model)) {
                var byVersion: [SemanticVersion: [String]] = [:]
                for pointer in try await registry.aliases(name) { byVersion[pointer.version, default: []].append(pointer.environment.rawValue) }
                aliasesByModel[name] = byVersion
            }
            return MLflowJSON.object([
                (
                    "model_versions",
                    MLflowJSON.list(
                        page.items.map {
                            MLflowEntities.modelVersion($0, aliases: aliasesByModel[$0.model]?[$0.version] ?? [])
                        })
                ),
                ("next_page_token", MLflowPage.token(offset: offset, count: page.items.count, more: page.more)),
            ]).response()
        }
        api.get("model-versions/get-download-uri") { request, _ in
            let query = FormQuery(request)
            let version = try await registry.version(MLflow.modelName(query["name"]), MLflow.versionSelector(query["version"]))
            return MLflowJSON.object([("artifact_uri", .string(try await registry.downloadURI(of: version)))]).response()
        }
        api.post("model-versions/set-tag") { request, _ in
            let body = try await JSONBody.decode(VersionBody.self, from: request)
            let name = try MLflow.modelName(body.name)
            try await registry.setVersionTag(
                name, try MLflow.versionSelector(body.version), key: MLflow.required(body.key, "key"), value: body.value ?? "",
                audit: request.mlflowAudit())
            return MLflowJSON.empty.response()
        }
        api.delete("model-versions/delete-tag") { request, _ in
            let body = try await JSONBody.decode(VersionBody.self, from: request)
            let name = try MLflow.modelName(body.name)
            try await registry.setVersionTag(
                name, try MLflow.versionSelector(body.version), key: MLflow.required(body.key, "key"), value: nil,
                audit: request.mlflowAudit())
            return MLflowJSON.empty.response()
        }
    }
}
