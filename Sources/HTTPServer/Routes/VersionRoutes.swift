import Hummingbird
import Registry
import RegistryCore
import ModelyardAPI

/// Versions: register, list, show, update, delete; scores, lineage and report.
struct VersionRoutes {
    let registry: Registry

    func register(on api: RouterGroup<ModelyardRequestContext>) {
        api.get("models/{model}/versions") { request, context in
            let model = try context.modelName()
            let filter = VersionFilter(
                status: try request.query("status").map(VersionStatus.init(parsing:)),
                tag: try request.query("tag").map(TagFilter.init(parsing:)))
            let page = try await registry.listVersions(model, filter: filter, page: try request.pageRequest())
            let aliases = try await registry.aliases(model)
            return try JSONBody.response(
                VersionListResponse(
                    versions: page.items.map { VersionResponse($0, aliases: aliases) },
                    nextPageToken: page.nextPageToken))
        }
        api.post("models/{model}/versions") { request, context in
            let model = try context.modelName()
            let body = try await JSONBody.decode(RegisterVersionRequest.self, from: request)
            let version = try await registry.registerVersion(model, try body.domain(model: model), audit: request.audit())
            return try JSONBody.response(VersionResponse(version, aliases: [], artifacts: []), status: .created)
        }
        api.get("models/{model}/versions/{version}") { _, context in
            let model = try context.modelName()
            let version = try await registry.version(model, try context.versionSelector())
            return try JSONBody.response(
                VersionResponse(
                    version, aliases: try await registry.aliases(model),
                    artifacts: try await registry.listArtifacts(model, .version(version.version))))
        }
        api.patch("models/{model}/versions/{version}") { request, context in
            let model = try context.modelName()
            let body = try await JSONBody.decode(UpdateVersionRequest.self, from: request)
            let version = try await registry.updateVersion(
                model, try context.versionSelector(), patch: try body.domain(), audit: request.audit(reason: body.reason))
            return try JSONBody.response(VersionResponse(version, aliases: try await registry.aliases(model)))
        }
        api.delete("models/{model}/versions/{version}") { request, context in
            let body = try await JSONBody.decode(ReasonRequest.self, from: request)
            try await registry.deleteVersion(
                try context.modelName(), try context.versionSelector(), audit: request.audit(reason: body.reason))
            return Response(status: .noContent)
        }
        api.put("models/{model}/versions/{version}/scores") { request, context in
            let model = try context.modelName()
            let body = try await JSONBody.decode(ScoresRequest.self, from: request)
            let version = try await registry.setScores(
                model, try context.versionSelector(), scores: body.scores, mode: try body.updateMode(),
                audit: request.audit(reason: body.reason))
            return try JSONBody.response(
                ScoresResponse(
                    scores: version.scores, changes: try await registry.scoreChanges(model, .version(version.version))))
        }
        api.get("models/{model}/versions/{version}/scores") { _, context in
            let model = try context.modelName()
            let version = try await registry.version(model, try context.versionSelector())
            return try JSONBody.response(
                ScoresResponse(
                    scores: version.scores, changes: try await registry.scoreChanges(model, .version(version.version))))
        }
        api.get("models/{model}/versions/{version}/lineage") { _, context in
            try JSONBody.response(try await registry.lineage(try context.modelName(), try context.versionSelector()))
        }
        api.get("models/{model}/versions/{version}/report") { request, context in
            let report = try await registry.report(try context.modelName(), try context.versionSelector())
            return try request.wantsMarkdown() ? JSONBody.text(report.markdown) : JSONBody.response(report)
        }
    }
}
