import Foundation
import ModelyardAPI
import RegistryCore
import RegistryWire
import Testing

/// Pins the JSON every record is written as. The API, export files and the store's JSON columns all read this
/// format, so a renamed Swift property must never rename a key: these tests fail first. Each case also reads its
/// JSON back to the same value.
@Suite struct WireFormatTests {
    static let at = Date(timeIntervalSince1970: 1_765_000_000.25)
    static let model = try! ModelName(validating: "fraud")
    static let v1 = try! SemanticVersion(parsing: "1.2.0")
    static let digest = try! BlobDigest(validating: String(repeating: "ab", count: 32))

    static func json<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try APIJSON.encoder.encode(value), as: UTF8.self)
    }

    static func pinned<T: Codable & Equatable>(_ value: T, _ expected: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let actual = try json(value)
        #expect(actual == expected, "written as \(actual)", sourceLocation: sourceLocation)
        #expect(try APIJSON.decoder.decode(T.self, from: Data(expected.utf8)) == value, sourceLocation: sourceLocation)
    }

    static var serving: ServingInfo {
        ServingInfo(
            artifact: try! ArtifactPath(validating: "model.onnx"), sha256: digest, servable: false,
            reasonCode: "unsupported_operator", reason: "LSTM", signature: .object(["inputs": .array([])]),
            inspectedAt: at)
    }

    @Test func versionKeysAreSnakeCase() throws {
        let version = ModelVersion(
            model: Self.model, version: Self.v1, status: .ready, description: "d", tags: ["team": "risk"],
            framework: "sklearn", baseModel: "base", sourceURI: "s3://b/m", gitCommit: "abc", params: ["depth": .number(3)],
            scores: ["auc": 0.9], datasets: [DatasetRef(name: "train", uri: "s3://d", sha256: "00", rows: 10, role: "training")],
            durationSeconds: 1.5, cost: 2, hardware: "cpu", signature: .string("sig"),
            parents: [VersionKey(model: Self.model, version: try SemanticVersion(parsing: "1.0.0"))], runID: "r1",
            createdBy: "ana", createdAt: Self.at, updatedAt: Self.at, number: 3, stage: .staging, serving: Self.serving)
        try Self.pinned(
            version,
            #"{"base_model":"base","cost":2,"created_at":"2025-12-06T05:46:40.250Z","created_by":"ana","datasets":[{"name":"train","role":"training","rows":10,"sha256":"00","uri":"s3://d"}],"description":"d","duration_seconds":1.5,"framework":"sklearn","git_commit":"abc","hardware":"cpu","model":"fraud","number":3,"params":{"depth":3},"parents":[{"model":"fraud","version":"1.0.0"}],"run_id":"r1","scores":{"auc":0.9},"serving":{"artifact":"model.onnx","inspected_at":"2025-12-06T05:46:40.250Z","reason":"LSTM","reason_code":"unsupported_operator","runtime":"onnx","servable":false,"sha256":"abababababababababababababababababababababababababababababababab","signature":{"inputs":[]}},"signature":"sig","source_uri":"s3://b/m","stage":"Staging","status":"ready","tags":{"team":"risk"},"updated_at":"2025-12-06T05:46:40.250Z","version":"1.2.0"}"#)
    }

    /// Exports written before versions had a registration number and a stage still read, with 0 and `None`.
    @Test func versionFromAnOldExportReads() throws {
        let old = #"{"model":"fraud","version":"1.2.0","status":"ready","description":"","tags":{},"params":{},"scores":{},"datasets":[],"parents":[],"created_by":"","created_at":"2025-12-06T05:46:40.250Z","updated_at":"2025-12-06T05:46:40.250Z"}"#
        let version = try APIJSON.decoder.decode(ModelVersion.self, from: Data(old.utf8))
        #expect(version.number == 0 && version.stage == VersionStage.none && version.serving == nil)
    }

    @Test func modelDeploymentAuditKeys() throws {
        try Self.pinned(
            RegisteredModel(
                name: Self.model, description: "d", owner: "o", task: "classification", tags: [:], primaryMetric: "auc",
                pinnedBest: Self.v1, metricDirections: ["p99_ms": .minimize], createdAt: Self.at, updatedAt: Self.at),
            #"{"created_at":"2025-12-06T05:46:40.250Z","default_bump":"minor","deprecate_on_replace":true,"description":"d","metric_direction":"maximize","metric_directions":{"p99_ms":"minimize"},"name":"fraud","owner":"o","pinned_best":"1.2.0","primary_metric":"auc","tags":{},"task":"classification","updated_at":"2025-12-06T05:46:40.250Z"}"#)
        try Self.pinned(
            Deployment(
                id: 7, model: Self.model, environment: try EnvironmentName(validating: "prod"), action: .rollback,
                fromVersion: Self.v1, toVersion: nil, actor: "ana", reason: "r", createdAt: Self.at),
            #"{"action":"rollback","actor":"ana","created_at":"2025-12-06T05:46:40.250Z","environment":"prod","from_version":"1.2.0","id":7,"model":"fraud","reason":"r"}"#)
        try Self.pinned(
            AuditEntry(
                id: 1, model: Self.model, version: Self.v1, action: "deploy", actor: "ana", reason: "", details: ["to": "1.2.0"],
                createdAt: Self.at),
            #"{"action":"deploy","actor":"ana","created_at":"2025-12-06T05:46:40.250Z","details":{"to":"1.2.0"},"id":1,"model":"fraud","reason":"","version":"1.2.0"}"#)
        try Self.pinned(
            ArtifactEntry(path: try ArtifactPath(validating: "m.onnx"), size: 4, sha256: Self.digest, createdAt: Self.at),
            #"{"created_at":"2025-12-06T05:46:40.250Z","path":"m.onnx","sha256":"abababababababababababababababababababababababababababababababab","size":4}"#)
        try Self.pinned(
            ScoreChange(name: "auc", value: nil, actor: "ana", recordedAt: Self.at),
            #"{"actor":"ana","name":"auc","recorded_at":"2025-12-06T05:46:40.250Z"}"#)
    }

    @Test func servingRecordKeys() throws {
        try Self.pinned(
            ServingLimits(maxErrorRate: 0.25, maxP99Milliseconds: 80, windowSeconds: 30, minRequests: 5),
            #"{"max_error_rate":0.25,"max_p99_ms":80,"min_requests":5,"window_seconds":30}"#)
        try Self.pinned(
            BenchmarkReport(
                model: Self.model, version: Self.v1,
                measurements: [.init(batch: 1, iterations: 10, meanMilliseconds: 0.5, p50Milliseconds: 0.25, p99Milliseconds: 1, rowsPerSecond: 2000)],
                runBy: "ana", runAt: Self.at),
            #"{"measurements":[{"batch":1,"iterations":10,"mean_ms":0.5,"p50_ms":0.25,"p99_ms":1,"rows_per_second":2000}],"model":"fraud","run_at":"2025-12-06T05:46:40.250Z","run_by":"ana","version":"1.2.0"}"#)
        try Self.pinned(
            InferenceSummary(
                model: Self.model, version: Self.v1, periodStart: Self.at, periodSeconds: 60, requests: 9, rows: 90, errors: 1,
                rejected: 2, p50Milliseconds: 1, p95Milliseconds: nil, p99Milliseconds: 3),
            #"{"errors":1,"model":"fraud","p50_ms":1,"p99_ms":3,"period_seconds":60,"period_start":"2025-12-06T05:46:40.250Z","rejected":2,"requests":9,"rows":90,"version":"1.2.0"}"#)
        try Self.pinned(
            TrafficPolicy(shares: [.init(version: Self.v1, percent: 10)], shadow: nil),
            #"{"shares":[{"percent":10,"version":"1.2.0"}]}"#)
    }

    @Test func trackingRecordKeys() throws {
        let info = RunInfo(
            id: "r1", experimentID: 2, name: "n", userID: "u", status: .finished, startTime: 5, endTime: nil,
            lifecycleStage: .active)
        try Self.pinned(
            Run(
                info: info, params: ["p": "1"], tags: [:], metrics: [TrackedMetric(key: "loss", value: 0.5, timestamp: 5, step: 1)],
                inputs: [DatasetInput(name: "d", digest: "x", sourceType: "s3", source: "s3://d")],
                outputs: [RunModelOutput(modelID: "m-1", step: 1)]),
            #"{"info":{"experiment_id":2,"id":"r1","lifecycle_stage":"active","name":"n","start_time":5,"status":"FINISHED","user_id":"u"},"inputs":[{"digest":"x","name":"d","source":"s3://d","source_type":"s3","tags":{}}],"metrics":[{"key":"loss","step":1,"timestamp":5,"value":0.5}],"outputs":[{"model_id":"m-1","step":1}],"params":{"p":"1"},"tags":{}}"#)
        try Self.pinned(
            Experiment(id: 2, name: "e", artifactLocation: "mlflow-artifacts:/2", createdAt: 1, updatedAt: 2),
            #"{"artifact_location":"mlflow-artifacts:/2","created_at":1,"id":2,"lifecycle_stage":"active","name":"e","tags":{},"updated_at":2}"#)
        try Self.pinned(
            LoggedModel(
                id: "m-1", experimentID: 2, name: "model", sourceRunID: "r1", modelType: "", status: .ready, tags: [:],
                params: [:], createdAt: 1, updatedAt: 2),
            #"{"created_at":1,"experiment_id":2,"id":"m-1","lifecycle_stage":"active","model_type":"","name":"model","params":{},"source_run_id":"r1","status":"LOGGED_MODEL_READY","tags":{},"updated_at":2}"#)
    }

    @Test func derivedViewKeys() throws {
        let summary = MetricSummary(
            name: "loss", count: 3, firstStep: 0, lastStep: 2, last: 0.25, min: 0.25, max: 1, direction: .minimize, best: 0.25,
            bestStep: 2)
        try Self.pinned(
            summary,
            #"{"best":0.25,"best_step":2,"count":3,"direction":"minimize","first_step":0,"last":0.25,"last_step":2,"max":1,"min":0.25,"name":"loss"}"#)
        try Self.pinned(
            BestVersion(version: Self.v1, rule: .primaryMetric, metric: "auc", direction: .maximize, value: 0.9, explanation: "e"),
            #"{"direction":"maximize","explanation":"e","metric":"auc","rule":"primary_metric","value":0.9,"version":"1.2.0"}"#)
        try Self.pinned(
            Lineage(
                model: Self.model, version: Self.v1, parents: [], children: [],
                ancestors: [.init(key: VersionKey(model: Self.model, version: Self.v1), depth: 1)], descendants: [], datasets: [],
                runID: "r1", gitCommit: "abc", sourceURI: nil),
            #"{"ancestors":[{"depth":1,"model":"fraud","version":"1.2.0"}],"children":[],"datasets":[],"descendants":[],"git_commit":"abc","model":"fraud","parents":[],"run_id":"r1","version":"1.2.0"}"#)
        try Self.pinned(
            VersionComparison(
                model: Self.model, versions: [Self.v1],
                metrics: [.init(name: "auc", direction: .maximize, values: [0.9, nil], deltas: [nil, .init(absolute: 0.1, relative: nil, improved: true)])],
                params: [.init(version: Self.v1, changed: [.init(key: "k", from: .number(1), to: nil)], added: [], removed: [])],
                history: [.init(name: "loss", summaries: [summary, nil])]),
            #"{"history":[{"name":"loss","summaries":[{"best":0.25,"best_step":2,"count":3,"direction":"minimize","first_step":0,"last":0.25,"last_step":2,"max":1,"min":0.25,"name":"loss"},null]}],"metrics":[{"deltas":[null,{"absolute":0.1,"improved":true}],"direction":"maximize","name":"auc","values":[0.9,null]}],"model":"fraud","params":[{"added":[],"changed":[{"from":1,"key":"k"}],"removed":[],"version":"1.2.0"}],"versions":["1.2.0"]}"#)
    }
}
