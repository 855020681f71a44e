import Foundation
import RegistryCore

/// Modelyard's entities in MLflow's JSON shapes (see `shared/reference/mlflow-protocol.md` §4).
enum MLflowEntities {
    static func millis(_ date: Date) -> MLflowJSON { .int(ISO8601.milliseconds(date)) }

    static func experiment(_ experiment: Experiment) -> MLflowJSON {
        .object([
            ("experiment_id", .string(String(experiment.id))),
            ("name", .string(experiment.name)),
            ("artifact_location", .string(experiment.artifactLocation)),
            ("lifecycle_stage", .string(experiment.lifecycleStage.rawValue)),
            ("last_update_time", .int(experiment.updatedAt)),
            ("creation_time", .int(experiment.createdAt)),
            ("tags", MLflowJSON.list(MLflowJSON.tags(experiment.tags).items)),
        ])
    }

    static func runInfo(_ info: RunInfo) -> MLflowJSON {
        .object([
            ("run_uuid", .string(info.id)),
            ("run_id", .string(info.id)),
            ("experiment_id", .string(String(info.experimentID))),
            ("run_name", .string(info.name)),
            ("user_id", .string(info.userID)),
            ("status", .string(info.status.rawValue)),
            ("start_time", .int(info.startTime)),
            ("end_time", info.endTime.map(MLflowJSON.int)),
            ("artifact_uri", .string(info.artifactURI)),
            ("lifecycle_stage", .string(info.lifecycleStage.rawValue)),
        ])
    }

    static func metric(_ metric: TrackedMetric) -> MLflowJSON {
        var object = JSONObjectWriter(capacity: 80)
        object.string("key", metric.key)
        object.double("value", metric.value)
        object.int("timestamp", metric.timestamp)
        object.int("step", metric.step)
        return object.finish()
    }

    static func run(_ run: Run) -> MLflowJSON {
        .object([
            ("info", runInfo(run.info)),
            (
                "data",
                .object([
                    ("metrics", MLflowJSON.list(run.metrics.map(metric))),
                    ("params", MLflowJSON.list(MLflowJSON.tags(run.params).items)),
                    ("tags", MLflowJSON.list(MLflowJSON.tags(run.tags).items)),
                ])
            ),
            (
                "inputs",
                .object([
                    (
                        "dataset_inputs",
                        MLflowJSON.list(
                            run.inputs.map { input in
                                .object([
                                    ("tags", MLflowJSON.list(MLflowJSON.tags(input.tags).items)),
                                    (
                                        "dataset",
                                        .object([
                                            ("name", .string(input.name)), ("digest", .string(input.digest)),
                                            ("source_type", .string(input.sourceType)), ("source", .string(input.source)),
                                            ("schema", input.schema.map(MLflowJSON.string)),
                                            ("profile", input.profile.map(MLflowJSON.string)),
                                        ])
                                    ),
                                ])
                            })
                    )
                ])
            ),
            (
                "outputs",
                .object([
                    (
                        "model_outputs",
                        MLflowJSON.list(
                            run.outputs.map { .object([("model_id", .string($0.modelID)), ("step", .int($0.step))]) })
                    )
                ])
            ),
        ])
    }

    static func loggedModel(_ model: LoggedModel) -> MLflowJSON {
        .object([
            (
                "info",
                .object([
                    ("model_id", .string(model.id)),
                    ("experiment_id", .string(String(model.experimentID))),
                    ("name", .string(model.name)),
                    ("creation_timestamp_ms", .int(model.createdAt)),
                    ("last_updated_timestamp_ms", .int(model.updatedAt)),
                    ("artifact_uri", .string(model.artifactURI)),
                    ("status", .string(model.status.rawValue)),
                    ("model_type", .string(model.modelType)),
                    ("source_run_id", model.sourceRunID.map(MLflowJSON.string)),
                    ("tags", MLflowJSON.list(MLflowJSON.tags(model.tags).items)),
                ])
            ),
            ("data", .object([("params", MLflowJSON.list(MLflowJSON.tags(model.params).items))])),
        ])
    }

    /// A version; `aliases` is omitted inside a registered model's `latest_versions`.
    static func modelVersion(_ version: ModelVersion, aliases: [String]?) -> MLflowJSON {
        var object = JSONObjectWriter(capacity: 320 + version.description.utf8.count + (version.sourceURI?.utf8.count ?? 0))
        object.string("name", version.model.rawValue)
        object.string("version", String(version.number))
        object.int("creation_timestamp", ISO8601.milliseconds(version.createdAt))
        object.int("last_updated_timestamp", ISO8601.milliseconds(version.updatedAt))
        object.string("current_stage", version.stage.rawValue)
        object.string("description", version.description)
        object.string("source", version.sourceURI ?? "")
        object.string("run_id", version.runID ?? "")
        object.string("status", "READY")
        object.string("run_link", "")
        object.json("tags", MLflowJSON.list(MLflowJSON.tags(version.tags).items))
        object.json("aliases", aliases.map { MLflowJSON.array($0.map(MLflowJSON.string)) })
        return object.finish()
    }

    static func registeredModel(_ model: RegisteredModel, latest: [ModelVersion], aliases: [AliasPointer]) -> MLflowJSON {
        .object([
            ("name", .string(model.name.rawValue)),
            ("creation_timestamp", millis(model.createdAt)),
            ("last_updated_timestamp", millis(model.updatedAt)),
            ("description", .string(model.description)),
            ("latest_versions", MLflowJSON.list(latest.map { modelVersion($0, aliases: nil) })),
            ("tags", MLflowJSON.list(MLflowJSON.tags(model.tags).items)),
            (
                "aliases",
                MLflowJSON.list(
                    aliases.map {
                        .object([("alias", .string($0.environment.rawValue)), ("version", .string(String($0.number)))])
                    })
            ),
        ])
    }
}

extension MLflowJSON {
    var items: [MLflowJSON] {
        if case .array(let items) = self { return items }
        return []
    }
}
