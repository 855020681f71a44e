import Hummingbird
import Registry
import RegistryCore
import ModelyardAPI

/// `/api/v1/models` and `/api/v1/models/{model}`: create, list, show, update, delete; best and its pin.
struct ModelRoutes {
    let registry: Registry

    func register(on api: RouterGroup<ModelyardRequestContext>) {
        api.get("models") { request, _ in
            let filter = ModelFilter(
                nameContains: request.query("name"), tag: try request.query("tag").map(TagFilter.init(parsing:)))
            let page = try await registry.listModels(filter: filter, page: try request.pageRequest())
            return try JSONBody.response(ModelListResponse(models: page.items, nextPageToken: page.nextPageToken))
        }
        api.post("models") { request, _ in
            let body = try await JSONBody.decode(CreateModelRequest.self, from: request)
            let model = try await registry.createModel(try body.domain(), audit: request.audit())
            return try JSONBody.response(model, status: .created)
        }
        api.get("models/{model}") { _, context in
            try JSONBody.response(ModelDetailsResponse(try await registry.modelDetails(try context.modelName())))
        }
        api.patch("models/{model}") { request, context in
            let body = try await JSONBody.decode(UpdateModelRequest.self, from: request)
            let model = try await registry.updateModel(
                try context.modelName(), patch: try body.domain(), audit: request.audit(reason: body.reason))
            return try JSONBody.response(model)
        }
        api.delete("models/{model}") { request, context in
            let body = try await JSONBody.decode(ReasonRequest.self, from: request)
            try await registry.deleteModel(try context.modelName(), audit: request.audit(reason: body.reason))
            return Response(status: .noContent)
        }
        api.get("models/{model}/best") { _, context in
            try JSONBody.response(try await registry.best(try context.modelName()))
        }
        api.delete("models/{model}/best") { request, context in
            let body = try await JSONBody.decode(ReasonRequest.self, from: request)
            try await registry.unpinBest(try context.modelName(), audit: request.audit(reason: body.reason))
            return Response(status: .noContent)
        }
        api.post("models/{model}/versions/{version}/mark-best") { request, context in
            let body = try await JSONBody.decode(ReasonRequest.self, from: request)
            let best = try await registry.markBest(
                try context.modelName(), try context.versionSelector(), audit: request.audit(reason: body.reason))
            return try JSONBody.response(best)
        }
        api.get("models/{model}/tree") { _, context in
            try JSONBody.response(try await registry.tree(try context.modelName()))
        }
        api.get("models/{model}/compare") { request, context in
            guard let list = request.query("versions") else {
                throw RegistryError.invalidArgument("give the versions to compare: ?versions=1.0.0,1.1.0")
            }
            let selectors = try list.split(separator: ",").map {
                try VersionSelector(parsing: $0.trimmingCharacters(in: .whitespaces))
            }
            let comparison = try await registry.compare(try context.modelName(), selectors)
            return try request.wantsMarkdown() ? JSONBody.text(comparison.markdown) : JSONBody.response(comparison)
        }
    }
}
