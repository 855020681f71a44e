import Foundation
import Hummingbird
import Registry
import RegistryCore

/// The artifact proxy (`/api/2.0/mlflow-artifacts/artifacts`), MLflow 3's logged models, and the small endpoints
/// the client probes (`/health`, `/version`, `server-info`).
struct MLflowArtifactRoutes {
    let registry: Registry

    /// The MLflow release whose protocol this server speaks (reported by `GET /version`).
    static let compatibleVersion = "3.17.2"

    func register(proxy: RouterGroup<ModelyardRequestContext>, tracking: RouterGroup<ModelyardRequestContext>,
                  root: Router<ModelyardRequestContext>)
    {
        registerProxy(on: proxy)
        registerLoggedModels(on: tracking)
        root.get("health") { _, _ in JSONBody.text("OK", contentType: "text/plain; charset=utf-8") }
        root.get("version") { _, _ in JSONBody.text(Self.compatibleVersion, contentType: "text/plain; charset=utf-8") }
        root.get("api/3.0/mlflow/server-info") { _, _ in
            MLflowJSON.object([
                ("store_type", .string("SqlStore")), ("workspaces_enabled", .bool(false)),
                ("multipart_uploads_enabled", .bool(false)), ("multipart_downloads_enabled", .bool(false)),
            ]).response()
        }
    }

    /// The proxy path captured by a trailing `**`, percent-decoded.
    static func path(_ context: ModelyardRequestContext) throws -> String {
        try context.parameters.getCatchAll().map { segment -> String in
            guard let decoded = String(segment).removingPercentEncoding else {
                throw RegistryError.invalidArgument("the artifact path is not valid percent-encoding")
            }
            return decoded
        }.joined(separator: "/")
    }

    func registerProxy(on proxy: RouterGroup<ModelyardRequestContext>) {
        let registry = self.registry
        proxy.put("artifacts/**") { request, context in
            if let length = request.headers[.contentLength].flatMap(Int64.init), length > registry.limits.maxArtifactSize {
                throw RegistryError.payloadTooLarge(
                    "the file is \(length) bytes, over the limit of \(registry.limits.maxArtifactSize) bytes")
            }
            _ = try await registry.uploadTrackedFile(path: Self.path(context), bytes: request.body)
            return Response(status: .ok)
        }
        proxy.get("artifacts/**") { request, context in
            let (file, contents) = try await registry.downloadTrackedFile(path: Self.path(context))
            return ArtifactRoutes.blobResponse(request: request, digest: file.sha256, size: contents.size, chunks: contents.chunks)
        }
        proxy.delete("artifacts/**") { _, context in
            try await registry.deleteTracked(path: Self.path(context))
            return MLflowJSON.empty.response()
        }
        proxy.get("artifacts") { request, _ in
            let listing = try await registry.listTrackedDirectory(FormQuery(request)["path"] ?? "")
            return MLflowJSON.object([
                (
                    "files",
                    MLflowJSON.list(
                        listing.map { entry in
                            .object([
                                ("path", .string(entry.name)), ("is_dir", .bool(entry.isDirectory)),
                                ("file_size", entry.size.map(MLflowJSON.int)),
                            ])
                        })
                )
            ]).response()
        }
    }

    struct CreateLoggedModel: Decodable {
        let experiment_id: String?
        let name: String?
        let source_run_id: String?
        let model_type: String?
        let params: [KeyValue]?
        let tags: [KeyValue]?
    }

    struct LoggedModelBody: Decodable {
        let status: String?
        let tags: [KeyValue]?
        let params: [KeyValue]?
    }

    struct SearchLoggedModels: Decodable {
        let experiment_ids: [String]?
        let filter: String?
        let max_results: LenientInt64?
        let page_token: String?
    }

    func registerLoggedModels(on api: RouterGroup<ModelyardRequestContext>) {
        let registry = self.registry
        api.post("logged-models") { request, _ in
            let body = try await JSONBody.decode(CreateLoggedModel.self, from: request)
            let params = (body.params ?? []).dictionary
            guard params.count <= RunDataBatch.maxParams else {
                throw RegistryError.invalidArgument("a logged model is created with at most \(RunDataBatch.maxParams) params")
            }
            let model = try await registry.createLoggedModel(
                NewLoggedModel(
                    experimentID: try MLflow.experimentID(body.experiment_id),
                    name: (body.name?.isEmpty ?? true) ? "model" : body.name!,
                    sourceRunID: (body.source_run_id?.isEmpty ?? true) ? nil : body.source_run_id,
                    modelType: body.model_type ?? "", tags: (body.tags ?? []).dictionary, params: params))
            return MLflowJSON.object([("model", MLflowEntities.loggedModel(model))]).response()
        }
        api.get("logged-models/{id}") { _, context in
            let model = try await registry.loggedModel(id: context.pathParameter("id"))
            return MLflowJSON.object([("model", MLflowEntities.loggedModel(model))]).response()
        }
        api.patch("logged-models/{id}") { request, context in
            let body = try await JSONBody.decode(LoggedModelBody.self, from: request)
            let id = try context.pathParameter("id")
            let model: LoggedModel
            if let status = body.status {
                model = try await registry.setLoggedModelStatus(id: id, try LoggedModelStatus(parsing: status))
            } else {
                model = try await registry.loggedModel(id: id)
            }
            return MLflowJSON.object([("model", MLflowEntities.loggedModel(model))]).response()
        }
        api.delete("logged-models/{id}") { _, context in
            try await registry.deleteLoggedModel(id: context.pathParameter("id"))
            return MLflowJSON.empty.response()
        }
        api.patch("logged-models/{id}/tags") { request, context in
            let body = try await JSONBody.decode(LoggedModelBody.self, from: request)
            try await registry.setLoggedModelTags(id: context.pathParameter("id"), tags: (body.tags ?? []).dictionary)
            return MLflowJSON.empty.response()
        }
        api.delete("logged-models/{id}/tags/{key}") { _, context in
            try await registry.deleteLoggedModelTag(id: context.pathParameter("id"), key: context.pathParameter("key"))
            return MLflowJSON.empty.response()
        }
        api.post("logged-models/{id}/params") { request, context in
            let body = try await JSONBody.decode(LoggedModelBody.self, from: request)
            try await registry.logLoggedModelParams(id: context.pathParameter("id"), params: (body.params ?? []).dictionary)
            return MLflowJSON.empty.response()
        }
        api.post("logged-models/search") { request, _ in
            let body = try await JSONBody.decode(SearchLoggedModels.self, from: request)
            let limit = try MLflowPage.limit(body.max_results?.value, default: 100, max: 1_000, what: "logged models")
            let offset = try MLflowPage.offset(body.page_token)
            var name: String?
            let filter = try SearchFilter(parsing: body.filter)
            for clause in filter.clauses {
                guard clause.key.kind == .attribute, clause.key.name == "name", clause.op == .equal,
                    case .string(let value) = clause.value
                else {
                    throw RegistryError.invalidArgument("logged models can be filtered by name = '<name>' only")
                }
                name = value
            }
            let page = try await registry.searchLoggedModels(
                experimentIDs: try MLflow.experimentIDs(body.experiment_ids), name: name,
                offset: offset, limit: limit)
            return MLflowJSON.object([
                ("models", MLflowJSON.list(page.items.map(MLflowEntities.loggedModel))),
                ("next_page_token", MLflowPage.token(offset: offset, count: page.items.count, more: page.more)),
            ]).response()
        }
    }
}
