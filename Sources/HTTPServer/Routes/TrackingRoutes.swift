import Hummingbird
import Registry
import RegistryCore
import ModelyardAPI

/// Experiments and runs in the native API: the same records MLflow clients write.
struct TrackingRoutes {
    let registry: Registry

    /// Offset pages behind the API's opaque tokens.
    static func offset(_ request: Request) throws -> (offset: Int, limit: Int) {
        let page = try request.pageRequest()
        return (try PageToken.offset(page.token), page.limit)
    }

    func register(on api: RouterGroup<ModelyardRequestContext>) {
        api.get("experiments") { request, _ in
            let (offset, limit) = try Self.offset(request)
            var filter = SearchFilter(clauses: [])
            if let name = request.query("name") {
                filter.clauses.append(.init(key: .init(kind: .attribute, name: "name"), op: .ilike, value: .string("%\(name)%")))
            }
            let page = try await registry.searchExperiments(
                filter: filter, orderBy: [SearchOrder(key: .init(kind: .attribute, name: "experiment_id"), ascending: true)],
                view: try ViewType(parsing: request.query("view")), offset: offset, limit: limit)
            return try JSONBody.response(
                ExperimentListResponse(
                    experiments: page.items.map(ExperimentResponse.init),
                    nextPageToken: PageToken.next(offset: offset, count: page.items.count, more: page.more)))
        }
        api.get("experiments/{experiment}") { _, context in
            let text = try context.pathParameter("experiment")
            guard let id = Int64(text) else {
                throw RegistryError.invalidArgument("experiment id '\(text.prefix(40))' must be an integer")
            }
            return try JSONBody.response(ExperimentResponse(try await registry.experiment(id: id)))
        }
        api.get("runs") { request, _ in
            let (offset, limit) = try Self.offset(request)
            let experiment = request.query("experiment") ?? "0"
            guard let experimentID = Int64(experiment) else {
                throw RegistryError.invalidArgument("experiment '\(experiment.prefix(40))' must be an experiment id")
            }
            let page = try await registry.searchRuns(
                experimentIDs: [experimentID], filter: try SearchFilter(parsing: request.query("filter")),
                orderBy: [], view: try ViewType(parsing: request.query("view")), offset: offset, limit: limit)
            return try JSONBody.response(
                RunListResponse(
                    runs: page.items.map(RunResponse.init),
                    nextPageToken: PageToken.next(offset: offset, count: page.items.count, more: page.more)))
        }
        api.get("runs/{run}") { _, context in
            try JSONBody.response(RunResponse(try await registry.run(id: context.pathParameter("run"))))
        }
    }
}
