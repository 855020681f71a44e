import Foundation
import Hummingbird
import Registry
import RegistryCore

/// `/api/2.0/mlflow/experiments/*`, `runs/*`, `metrics/*`: MLflow tracking over Modelyard's own runs.
struct MLflowTrackingRoutes {
    let registry: Registry

    func register(on api: RouterGroup<ModelyardRequestContext>) {
        registerExperiments(on: api)
        registerRuns(on: api)
        registerRunData(on: api)
    }

    // MARK: Experiments

    struct CreateExperiment: Decodable {
        let name: String?
        let artifact_location: String?
        let tags: [KeyValue]?
    }

    struct ExperimentIDBody: Decodable {
        let experiment_id: String?
        let new_name: String?
        let key: String?
        let value: String?
    }

    struct SearchExperiments: Decodable {
        let max_results: LenientInt64?
        let page_token: String?
        let filter: String?
        let order_by: [String]?
        let view_type: String?
    }

    func registerExperiments(on api: RouterGroup<ModelyardRequestContext>) {
        api.post("experiments/create") { request, _ in
            let body = try await JSONBody.decode(CreateExperiment.self, from: request)
            let experiment = try await registry.createExperiment(
                name: MLflow.required(body.name, "name"), tags: (body.tags ?? []).dictionary)
            return MLflowJSON.object([("experiment_id", .string(String(experiment.id)))]).response()
        }
        api.get("experiments/get") { request, _ in
            let query = FormQuery(request)
            let experiment = try await registry.experiment(id: MLflow.experimentID(query["experiment_id"]))
            return MLflowJSON.object([("experiment", MLflowEntities.experiment(experiment))]).response()
        }
        api.get("experiments/get-by-name") { request, _ in
            let name = try MLflow.required(FormQuery(request)["experiment_name"], "experiment_name")
            let experiment = try await registry.experiment(named: name)
            return MLflowJSON.object([("experiment", MLflowEntities.experiment(experiment))]).response()
        }
        let search: @Sendable (SearchExperiments) async throws -> Response = { body in
            let limit = try MLflowPage.limit(body.max_results?.value, default: 1000, max: 50_000, what: "experiments")
            let offset = try MLflowPage.offset(body.page_token)
            let page = try await registry.searchExperiments(
                filter: SearchFilter(parsing: body.filter), orderBy: try SearchOrder.list(body.order_by ?? []),
                view: try ViewType(parsing: body.view_type), offset: offset, limit: limit)
            return MLflowJSON.object([
                ("experiments", .array(page.items.map(MLflowEntities.experiment))),
                ("next_page_token", MLflowPage.token(offset: offset, count: page.items.count, more: page.more)),
            ]).response()
        }
        api.post("experiments/search") { request, _ in
            try await search(try await JSONBody.decode(SearchExperiments.self, from: request))
        }
        api.get("experiments/search") { request, _ in
            let query = FormQuery(request)
            return try await search(
                SearchExperiments(
                    max_results: try query.int64("max_results").map { LenientInt64(value: $0) }, page_token: query["page_token"],
                    filter: query["filter"], order_by: query.all("order_by"), view_type: query["view_type"]))
        }
        api.post("experiments/update") { request, _ in
            let body = try await JSONBody.decode(ExperimentIDBody.self, from: request)
            try await registry.renameExperiment(
                id: MLflow.experimentID(body.experiment_id), to: MLflow.required(body.new_name, "new_name"))
            return MLflowJSON.empty.response()
        }
        for (path, stage) in [("experiments/delete", LifecycleStage.deleted), ("experiments/restore", .active)] {
            api.post(RouterPath(stringLiteral: path)) { request, _ in
                let body = try await JSONBody.decode(ExperimentIDBody.self, from: request)
                try await registry.setExperimentLifecycle(id: MLflow.experimentID(body.experiment_id), stage)
                return MLflowJSON.empty.response()
            }
        }
        api.post("experiments/set-experiment-tag") { request, _ in
            let body = try await JSONBody.decode(ExperimentIDBody.self, from: request)
            try await registry.setExperimentTag(
                id: MLflow.experimentID(body.experiment_id), key: MLflow.required(body.key, "key"), value: body.value ?? "")
            return MLflowJSON.empty.response()
        }
    }

    // MARK: Runs

    struct CreateRun: Decodable {
        let experiment_id: String?
        let user_id: String?
        let run_name: String?
        let start_time: LenientInt64?
        let tags: [KeyValue]?
    }

    struct RunBody: Decodable {
        let run_id: String?
        let run_uuid: String?
        let status: String?
        let end_time: LenientInt64?
        let run_name: String?

        var id: String? { (run_id?.isEmpty ?? true) ? run_uuid : run_id }
    }

    struct SearchRuns: Decodable {
        let experiment_ids: [String]?
        let filter: String?
        let run_view_type: String?
        let max_results: LenientInt64?
        let order_by: [String]?
        let page_token: String?
    }

    func registerRuns(on api: RouterGroup<ModelyardRequestContext>) {
        let registry = self.registry
        api.post("runs/create") { request, _ in
            let body = try await JSONBody.decode(CreateRun.self, from: request)
            let tags = (body.tags ?? []).dictionary
            try FieldLimits.checkTags(tags)
            let run = try await registry.createRun(
                NewRun(
                    experimentID: try MLflow.experimentID(body.experiment_id ?? "0"), name: body.run_name,
                    userID: body.user_id ?? tags["mlflow.user"] ?? "", startTime: body.start_time?.value, tags: tags))
            return MLflowJSON.object([("run", MLflowEntities.run(run))]).response()
        }
        api.get("runs/get") { request, _ in
            let query = FormQuery(request)
            let run = try await registry.run(id: MLflow.required(query["run_id"] ?? query["run_uuid"], "run_id"))
            return MLflowJSON.object([("run", MLflowEntities.run(run))]).response()
        }
        api.post("runs/update") { request, _ in
            let body = try await JSONBody.decode(RunBody.self, from: request)
            // Unknown status strings are ignored, as MLflow does.
            let info = try await registry.updateRun(
                id: MLflow.required(body.id, "run_id"),
                RunUpdate(status: body.status.flatMap(RunStatus.init(lenient:)), endTime: body.end_time?.value, name: body.run_name))
            return MLflowJSON.object([("run_info", MLflowEntities.runInfo(info))]).response()
        }
        for (path, stage) in [("runs/delete", LifecycleStage.deleted), ("runs/restore", .active)] {
            api.post(RouterPath(stringLiteral: path)) { request, _ in
                let body = try await JSONBody.decode(RunBody.self, from: request)
                try await registry.setRunLifecycle(id: MLflow.required(body.id, "run_id"), stage)
                return MLflowJSON.empty.response()
            }
        }
        api.post("runs/search") { request, _ in
            let body = try await JSONBody.decode(SearchRuns.self, from: request)
            let limit = try MLflowPage.limit(body.max_results?.value, default: 1000, max: 50_000, what: "runs")
            let offset = try MLflowPage.offset(body.page_token)
            let experimentIDs = try MLflow.experimentIDs(body.experiment_ids)
            let page = try await registry.searchRuns(
                experimentIDs: experimentIDs, filter: SearchFilter(parsing: body.filter),
                orderBy: try SearchOrder.list(body.order_by ?? []),
                view: try ViewType(parsing: body.run_view_type), offset: offset, limit: limit)
            return MLflowJSON.object([
                ("runs", MLflowJSON.list(page.items.map(MLflowEntities.run))),
                ("next_page_token", MLflowPage.token(offset: offset, count: page.items.count, more: page.more)),
            ]).response()
        }
    }

    // MARK: Run data

    struct MetricBody: Decodable {
        let run_id: String?
        let run_uuid: String?
        let key: String?
        let value: LenientDouble?
        let timestamp: LenientInt64?
        let step: LenientInt64?

        var id: String? { (run_id?.isEmpty ?? true) ? run_uuid : run_id }
    }

    struct KeyValueBody: Decodable {
        let run_id: String?
        let run_uuid: String?
        let key: String?
        let value: String?

        var id: String? { (run_id?.isEmpty ?? true) ? run_uuid : run_id }
    }

    struct LogInputs: Decodable {
        struct DatasetInputBody: Decodable {
            struct Dataset: Decodable {
                let name: String?
                let digest: String?
                let source_type: String?
                let source: String?
                let schema: String?
                let profile: String?
            }
            let tags: [KeyValue]?
            let dataset: Dataset?
        }
        let run_id: String?
        let datasets: [DatasetInputBody]?
    }

    struct LogOutputs: Decodable {
        struct Output: Decodable {
            let model_id: String?
            let step: LenientInt64?
        }
        let run_id: String?
        let models: [Output]?
    }

    static func metric(key: String?, value: LenientDouble?, timestamp: LenientInt64?, step: LenientInt64?) throws
        -> TrackedMetric
    {
        TrackedMetric(
            key: try MLflow.required(key, "key"), value: try MLflow.required(value, "value").value,
            timestamp: try MLflow.required(timestamp, "timestamp").value, step: step?.value ?? 0)
    }

    func registerRunData(on api: RouterGroup<ModelyardRequestContext>) {
        api.post("runs/log-metric") { request, _ in
            let body = try await JSONBody.decode(MetricBody.self, from: request)
            let metric = try Self.metric(key: body.key, value: body.value, timestamp: body.timestamp, step: body.step)
            try await registry.logRunData(id: MLflow.required(body.id, "run_id"), RunDataBatch(metrics: [metric]))
            return MLflowJSON.empty.response()
        }
        api.post("runs/log-parameter") { request, _ in
            let body = try await JSONBody.decode(KeyValueBody.self, from: request)
            try await registry.logRunData(
                id: MLflow.required(body.id, "run_id"),
                RunDataBatch(params: [(try MLflow.required(body.key, "key"), body.value ?? "")]))
            return MLflowJSON.empty.response()
        }
        api.post("runs/set-tag") { request, _ in
            let body = try await JSONBody.decode(KeyValueBody.self, from: request)
            try await registry.logRunData(
                id: MLflow.required(body.id, "run_id"), RunDataBatch(tags: [(try MLflow.required(body.key, "key"), body.value ?? "")]))
            return MLflowJSON.empty.response()
        }
        api.post("runs/delete-tag") { request, _ in
            let body = try await JSONBody.decode(KeyValueBody.self, from: request)
            try await registry.deleteRunTag(id: MLflow.required(body.id, "run_id"), key: MLflow.required(body.key, "key"))
            return MLflowJSON.empty.response()
        }
        api.post("runs/log-batch") { request, _ in
            let (runID, batch) = try await MLflowLogBatch.decode(from: request)
            try await registry.logRunData(id: MLflow.required(runID, "run_id"), batch)
            return MLflowJSON.empty.response()
        }
        api.post("runs/log-inputs") { request, _ in
            let body = try await JSONBody.decode(LogInputs.self, from: request)
            let datasets = try (body.datasets ?? []).map { input -> DatasetInput in
                let dataset = try MLflow.required(input.dataset, "dataset")
                return DatasetInput(
                    name: try MLflow.required(dataset.name, "dataset.name"),
                    digest: try MLflow.required(dataset.digest, "dataset.digest"), sourceType: dataset.source_type ?? "",
                    source: dataset.source ?? "", schema: dataset.schema, profile: dataset.profile,
                    tags: (input.tags ?? []).dictionary)
            }
            try await registry.logRunInputs(id: MLflow.required(body.run_id, "run_id"), datasets: datasets)
            return MLflowJSON.empty.response()
        }
        api.post("runs/outputs") { request, _ in
            let body = try await JSONBody.decode(LogOutputs.self, from: request)
            let models = try (body.models ?? []).map {
                RunModelOutput(modelID: try MLflow.required($0.model_id, "model_id"), step: $0.step?.value ?? 0)
            }
            try await registry.logRunOutputs(id: MLflow.required(body.run_id, "run_id"), models: models)
            return MLflowJSON.empty.response()
        }
        api.get("metrics/get-history") { request, _ in
            let query = FormQuery(request)
            let runID = try MLflow.required(query["run_id"] ?? query["run_uuid"], "run_id")
            let limit = try MLflowPage.limit(try query.int64("max_results"), default: 25_000, max: 1_000_000, what: "metric history")
            let offset = try MLflowPage.offset(query["page_token"])
            let page = try await registry.metricHistory(
                runID: runID, key: MLflow.required(query["metric_key"], "metric_key"), offset: offset, limit: limit)
            return MLflowJSON.object([
                ("metrics", MLflowJSON.list(page.items.map(MLflowEntities.metric))),
                ("next_page_token", MLflowPage.token(offset: offset, count: page.items.count, more: page.more)),
            ]).response()
        }
    }
}
