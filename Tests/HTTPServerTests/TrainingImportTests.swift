import Crypto
import Foundation
import HTTPServer
import Hummingbird
import HummingbirdTesting
import Logging
import ModelRuntime
import ModelyardAPI
import Registry
import RegistryCore
import RegistryWire
import ScikitLearn
import Testing

/// The training hand-off with folders shaped like our users' training services write, against the real router,
/// a real SQLite registry, the real model server and real ONNX files.
@Suite struct TrainingImportTests {
    static let features = (0..<20).map { "feature_\($0)" }
    /// One "now" for every folder, so writing the same folder twice writes the same bytes.
    static let today = Date()

    /// A training folder on disk.
    static func folder(
        in root: URL, _ name: String, metrics: [String: Double] = ["f1_score": 0.83, "roc_auc": 0.91],
        features: [String] = features, trainedDaysAgo: Double = 2, onnx: [UInt8]? = nil, joblib: [UInt8]? = nil, scaler: [UInt8]? = nil,
        metadata: String? = nil, model: String = "fraud", history: String? = nil
    ) throws -> URL {
        let url = root.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        if let onnx { try Data(onnx).write(to: url.appendingPathComponent("model.onnx")) }
        if let joblib { try Data(joblib).write(to: url.appendingPathComponent("model.joblib")) }
        if let scaler { try Data(scaler).write(to: url.appendingPathComponent("scaler.joblib")) }
        if let history { try Data(history.utf8).write(to: url.appendingPathComponent("history.csv")) }
        let created = ISO8601.format(today.addingTimeInterval(-trainedDaysAgo * 86_400))
        let featureJSON = String(decoding: try JSONSerialization.data(withJSONObject: features), as: UTF8.self)
        let metricJSON = String(decoding: try JSONSerialization.data(withJSONObject: metrics, options: .sortedKeys), as: UTF8.self)
        let text = metadata ?? """
            {"model_info": {"name": "\(model)", "model_type": "IsolationForest", "version": "\(name)", "created_at": "\(created)"},
             "training_info": {"feature_names": \(featureJSON),
                               "n_samples": 120000, "training_time_seconds": 41.2,
                               "parameters": {"n_estimators": 200, "contamination": 0.01}},
             "evaluation_info": {"basic_metrics": \(metricJSON),
                                 "anomaly_threshold": -0.12},
             "owner_team": "risk"}
            """
        try Data(text.utf8).write(to: url.appendingPathComponent("metadata.json"))
        return url
    }

    /// Uploads the folder's files as blobs and asks for the import, as the CLI does.
    static func importFolder(_ client: any TestClientProtocol, _ url: URL, source: String? = nil) async throws -> TestResponse {
        var files: [ImportRecord.File] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: url.path).sorted() where !name.hasPrefix(".") {
            let bytes = Array(try Data(contentsOf: url.appendingPathComponent(name)))
            let put = try await client.upload("/api/v1/blobs/\(sha256(bytes))", bytes: bytes)
            #expect(put.status == .created)
            files.append(ImportRecord.File(path: name, size: Int64(bytes.count), sha256: BlobDigest(rawValue: sha256(bytes))))
        }
        return try await client.call(
            .post, "/api/v1/imports", json: TrainingImportRequest(files: files, source: source ?? url.lastPathComponent))
    }

    static func sha256(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    static func temporary() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("modelyard-import-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A training folder of scikit-learn files as our users' services write them: `model.joblib` (an IsolationForest)
    /// with a `scaler.joblib` beside it. It imports, validates, deploys and serves natively, the scaler applied first,
    /// and the metadata's anomaly threshold decides the labels.
    @Test func joblibTrainingFolderServesWithItsScaler() async throws {
        let root = try Self.temporary()
        defer { try? FileManager.default.removeItem(at: root) }
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("fixtures/sklearn/1.9.1")
        let forest = Array(try Data(contentsOf: fixtures.appendingPathComponent("isolation_forest.z3.joblib")))
        let scaler = Array(try Data(contentsOf: fixtures.appendingPathComponent("standard_scaler.joblib")))
        let names = ["amount", "age", "balance", "velocity", "channel"]
        let rows: [[Double]] = [
            [0.1, 1.2, -2.0, 50.0, 1.0], [3.5, -4.0, -0.5, 80.0, 2.0], [-0.7, 0.9, -2.2, 45.5, 0.0],
            [0.0, 0.0, 0.0, 0.0, 0.0], [1.5, 2.5, -1.9, 51.0, -1.0],
        ]
        try await APIHarness().run { client in
            let response = try await Self.importFolder(
                client, try Self.folder(in: root, "fraud-sklearn", features: names, joblib: forest, scaler: scaler))
            #expect(response.status == .created)
            let record = try response.decode(ImportRecord.self)
            #expect(record.outcome == .imported && record.validation?.passed == true, "\(String(describing: record.validation))")
            #expect(record.validation?.checks.first { $0.name == "features:model" }?.outcome == .pass)
            let version = try await client.call(.get, "/api/v1/models/fraud/versions/\(record.version!)").decode(VersionResponse.self).version
            #expect(version.serving?.servable == true && version.framework == "scikit-learn")
            #expect(version.serving?.artifact?.rawValue == "model.joblib" && version.serving?.runtime == "scikit-learn")
            let deployed = try await client.call(.post, "/api/v1/models/fraud/deployments", raw: #"{"version": "\#(record.version!)"}"#)
            #expect(deployed.status == .created)
            let predicted = try ServingAPITests.json(
                try await client.call(.post, "/api/v1/models/fraud/predict", json: ["inputs": rows]))
            let scores = try #require(predicted["scores"] as? [Double])
            let input = try Tensor(shape: [rows.count, 5], doubles: rows.flatMap { $0 })
            let scaled = try SklearnSession(bytes: forest, preprocessing: scaler).run(["X": input])["decision_function"]?.doubles
            let unscaled = try SklearnSession(bytes: forest).run(["X": input])["decision_function"]?.doubles
            #expect(scaled != nil && unscaled != nil && scaled != unscaled, "the scaler changes the scores")
            #expect(zip(scores, scaled ?? []).allSatisfy { abs($0 - $1) <= 1e-12 } && scores.count == rows.count)
            #expect(predicted["labels"] as? [Int] == scores.map { $0 < -0.12 ? -1 : 1 })
        }
    }

    /// A scikit-learn Pipeline fitted on a DataFrame (a ColumnTransformer imputing numbers and one-hot encoding a
    /// string column, then a logistic regression): its signature names the columns, requests send rows as objects
    /// with strings, and the answers are scikit-learn's (labels exactly, probabilities to 1e-9).
    @Test func aDataFramePipelineTakesNamedColumnsWithStrings() async throws {
        let root = try Self.temporary()
        defer { try? FileManager.default.removeItem(at: root) }
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("fixtures/sklearn/1.9.1")
        let model = Array(try Data(contentsOf: fixtures.appendingPathComponent("column_transformer_pipeline.joblib")))
        let record = try FastJSON.parse(Data(contentsOf: fixtures.appendingPathComponent("column_transformer_pipeline.json"))) as! [String: Any]
        let names = (record["inputs"] as! [[String: Any]]).map { $0["name"] as! String }
        let cases = record["cases"] as! [[String: Any]]
        let rows = (cases[0]["X"] as! [[Any]]).map { row in Dictionary(uniqueKeysWithValues: zip(names, row.map { $0 as? String ?? $0 })) }
        let outputs = cases[0]["outputs"] as! [String: [String: Any]]
        let labels = outputs["predict"]?["values"] as? [String]
        let want = (outputs["predict_proba"]?["values"] as! [[Any]]).map { $0.map { $0 as! Double } }
        let body = try ServingAPITests.body(["inputs": rows])
        var unknown = rows[0]
        unknown["channel"] = "fax"
        let unknownBody = try ServingAPITests.body(["inputs": [unknown]])
        try await APIHarness().run { client in
            let imported = try await Self.importFolder(
                client, try Self.folder(in: root, "churn", features: names, joblib: model, model: "churn"))
            let importedRecord = try imported.decode(ImportRecord.self)
            let version = try #require(importedRecord.version)
            // The metadata's feature names are the model's named inputs.
            #expect(importedRecord.validation?.checks.first { $0.name == "features:model" }?.outcome == .pass)
            let info = try await client.call(.get, "/api/v1/models/churn/versions/\(version)").decode(VersionResponse.self).version
            #expect(info.serving?.servable == true, "\(String(describing: info.serving))")
            #expect(try await client.call(.post, "/api/v1/models/churn/deployments", raw: #"{"version": "\#(version)"}"#).status == .created)
            let answer = try await client.call(.post, "/api/v1/models/churn/predict", raw: body)
            #expect(answer.status == .ok, "\(answer.text)")
            let predicted = try ServingAPITests.json(answer)
            #expect(labels != nil && predicted["labels"] as? [String] == labels)
            let probabilities = try #require(predicted["probabilities"] as? [[Double]])
            #expect(probabilities.count == want.count && zip(probabilities.joined(), want.joined()).allSatisfy { abs($0 - $1) <= 1e-9 })
            // An unknown category is refused with the column named, as scikit-learn refuses it; nothing is served.
            let refused = try await client.call(.post, "/api/v1/models/churn/predict", raw: unknownBody)
            #expect(refused.status == .badRequest && refused.error?.message.contains("'fax'") == true, "\(refused.text)")
        }
    }

    @Test func seedShapedFoldersImportAndOnlyPassingVersionsDeploy() async throws {
        let root = try Self.temporary()
        defer { try? FileManager.default.removeItem(at: root) }
        let onnx = try ServingAPITests.fixture("isolation_forest")
        try await APIHarness().run { client in
            // A good folder: a ready version with everything mapped, validated, deployable.
            let good = try await Self.importFolder(client, try Self.folder(in: root, "fraud-good", onnx: onnx))
            #expect(good.status == .created)
            let record = try good.decode(ImportRecord.self)
            #expect(record.outcome == .imported && record.model?.rawValue == "fraud" && record.version?.description == "1.0.0")
            #expect(record.files.map(\.path) == ["metadata.json", "model.onnx"] && record.validation?.passed == true)
            #expect(record.validation?.checks.first { $0.name == "features:model" }?.outcome == .pass)
            let version = try await client.call(.get, "/api/v1/models/fraud/versions/1.0.0").decode(VersionResponse.self).version
            #expect(version.status == .ready && version.scores["f1_score"] == 0.83 && version.durationSeconds == 41.2)
            #expect(version.params["n_estimators"] == .number(200) && version.params["n_samples"] == .number(120000))
            #expect(version.params["anomaly_threshold"] == .number(-0.12))
            #expect(version.params["metadata"] == .object(["owner_team": .string("risk")]))
            #expect(version.tags["model_type"] == "IsolationForest" && version.tags["training.label"] == "fraud-good")
            #expect(version.trainedAt != nil && version.serving?.servable == true && version.framework == "onnx")
            #expect(FeatureList(version)?.features.map(\.name) == Self.features)
            let model = try await client.call(.get, "/api/v1/models/fraud")
            #expect(model.status == .ok, "the import created the model")
            #expect(try await client.call(.post, "/api/v1/models/fraud/deployments", raw: #"{"version": "1.0.0"}"#).status == .created)
            // The metadata's anomaly_threshold decides the labels: anomaly (-1) below it, normal (1) above.
            let rows = try ServingAPITests.rows("isolation_forest")
            let predicted = try ServingAPITests.json(
                try await client.call(.post, "/api/v1/models/fraud/predict", json: ["inputs": rows.map { $0.map { $0 as? Double ?? 0 } }]))
            let scores = try #require(predicted["scores"] as? [Double])
            #expect(predicted["threshold"] as? Double == -0.12)
            #expect(predicted["labels"] as? [Int] == scores.map { $0 < -0.12 ? -1 : 1 })
            #expect(scores.count == rows.count)

            // The same content again, under another name: the version it made, recorded as a duplicate.
            let again = try await Self.importFolder(client, try Self.folder(in: root, "fraud-good", onnx: onnx), source: "copy-of-fraud-good")
            #expect(again.status == .ok)
            let duplicate = try again.decode(ImportRecord.self)
            #expect(duplicate.outcome == .duplicate && duplicate.version?.description == "1.0.0" && duplicate.id != record.id)

            // f1 0.45: stored, failed, refused at deploy.
            let low = try await Self.importFolder(client, try Self.folder(in: root, "fraud-low", metrics: ["f1_score": 0.45], onnx: onnx))
            let lowRecord = try low.decode(ImportRecord.self)
            #expect(lowRecord.outcome == .imported && lowRecord.validation?.passed == false)
            #expect(lowRecord.validation?.errors.map(\.name) == ["metric:f1_score"])
            let refused = try await client.call(.post, "/api/v1/models/fraud/deployments", raw: #"{"version": "\#(lowRecord.version!)"}"#)
            #expect(refused.status == .conflict && refused.error?.code == "validation_failed")

            // f1 0.65 warns and deploys; 40 days old warns "consider retraining".
            let warned = try await Self.importFolder(client, try Self.folder(in: root, "fraud-ok", metrics: ["f1_score": 0.65], onnx: onnx))
            #expect(try warned.decode(ImportRecord.self).validation.map { $0.passed && $0.warnings.count == 1 } == true)
            let old = try await Self.importFolder(client, try Self.folder(in: root, "fraud-old", trainedDaysAgo: 40, onnx: onnx))
            #expect(try old.decode(ImportRecord.self).validation?.warnings.first?.message.contains("consider retraining") == true)

            // Feature names differing from the serving version's: every client of production would get 400s.
            let renamed = try await Self.importFolder(
                client, try Self.folder(in: root, "fraud-renamed", features: (0..<20).map { "col_\($0)" }, onnx: onnx))
            let renamedRecord = try renamed.decode(ImportRecord.self)
            #expect(renamedRecord.validation?.passed == false)
            #expect(renamedRecord.validation?.errors.first?.message.contains("missing feature_0") == true)
            // Metadata naming 10 features for a model that takes 20 columns.
            let narrow = try await Self.importFolder(
                client, try Self.folder(in: root, "fraud-narrow", features: Array(Self.features.prefix(10)), onnx: onnx))
            #expect(try narrow.decode(ImportRecord.self).validation?.errors.contains { $0.name == "features:model" } == true)

            // A corrupt model file: stored, not servable, and the verdict says why.
            let corrupt = try await Self.importFolder(client, try Self.folder(in: root, "fraud-corrupt", onnx: Array("not a model".utf8)))
            let corruptRecord = try corrupt.decode(ImportRecord.self)
            #expect(corruptRecord.outcome == .imported && corruptRecord.validation?.errors.map(\.name) == ["loadability"])

            // A model.joblib that is no joblib file: stored, not servable, and the verdict says why.
            let joblib = try await Self.importFolder(
                client, try Self.folder(in: root, "fraud-joblib", joblib: Array("joblib pickle bytes".utf8)))
            let joblibRecord = try joblib.decode(ImportRecord.self)
            #expect(joblibRecord.validation?.errors.first?.message.contains("neither a pickle nor a joblib") == true)
            #expect(joblibRecord.validation?.errors.first?.name == "loadability")

            // A history file: one row per epoch, a column per metric, stored with the version in the same transaction.
            let withHistory = try await Self.importFolder(
                client, try Self.folder(in: root, "fraud-history", metrics: ["f1_score": 0.8], onnx: onnx,
                                        history: "epoch,loss,val_loss\n1,0.9,1.0\n2,0.5,0.7\n3,0.3,0.6\n"))
            let historyVersion = try #require(try withHistory.decode(ImportRecord.self).version)
            let summary = try await client.call(.get, "/api/v1/models/fraud/versions/\(historyVersion)/history/summary")
                .decode([MetricSummary].self)
            #expect(summary.map(\.name) == ["loss", "val_loss"] && summary.allSatisfy { $0.count == 3 && $0.direction == .minimize })
            #expect(summary.first?.best == 0.3 && summary.first?.bestStep == 3)
            let badHistory = try await Self.importFolder(
                client, try Self.folder(in: root, "fraud-badhistory", onnx: onnx, history: "epoch,loss\n1,oops\n"))
            #expect(badHistory.status == .badRequest && badHistory.error?.message.contains("history.csv:2") == true)

            // Refused: no metadata.json, invalid JSON, no model name. Recorded, nothing registered.
            let noMetadata = try Self.folder(in: root, "fraud-nometa", onnx: onnx)
            try FileManager.default.removeItem(at: noMetadata.appendingPathComponent("metadata.json"))
            let missing = try await Self.importFolder(client, noMetadata)
            #expect(missing.status == .badRequest && missing.error?.message.contains("metadata.json is missing") == true)
            let broken = try await Self.importFolder(client, try Self.folder(in: root, "fraud-badjson", onnx: onnx, metadata: "{not json"))
            #expect(broken.status == .badRequest && broken.error?.message.contains("not valid JSON") == true)
            let nameless = try await Self.importFolder(client, try Self.folder(in: root, "nameless", onnx: onnx, metadata: "{}"))
            #expect(nameless.status == .badRequest && nameless.error?.message.contains("no model name") == true)

            let versions = try await client.call(.get, "/api/v1/models/fraud/versions").decode(VersionListResponse.self)
            #expect(versions.versions.count == 9)
            let refusals = try await client.call(.get, "/api/v1/imports?outcome=refused").decode(ImportListResponse.self)
            #expect(refusals.imports.count == 4 && refusals.imports.allSatisfy { $0.version == nil && $0.reason != nil })
            let all = try await client.call(.get, "/api/v1/imports?model=fraud&limit=2").decode(ImportListResponse.self)
            #expect(all.imports.count == 2 && all.nextPageToken != nil)
            let shown = try await client.call(.get, "/api/v1/imports/\(record.id)").decode(ImportRecord.self)
            #expect(shown == record)

            // Client errors: blobs not uploaded, both path and files, bad paths.
            let unknownBlob = try await client.call(
                .post, "/api/v1/imports",
                raw: #"{"files": [{"path": "metadata.json", "size": 3, "sha256": "\#(String(repeating: "0", count: 64))"}]}"#)
            #expect(unknownBlob.status == .badRequest && unknownBlob.error?.message.contains("is not stored") == true)
            let both = try await client.call(.post, "/api/v1/imports", raw: #"{"path": "x", "files": []}"#)
            #expect(both.status == .badRequest)
            let noRoot = try await client.call(.post, "/api/v1/imports", raw: #"{"path": "x"}"#)
            #expect(noRoot.status == .conflict && noRoot.error?.message.contains("--import-root") == true)
            #expect(try await client.call(.post, "/api/v1/imports", raw: #"{"pth": "x"}"#).status == .badRequest)
            #expect(try await client.call(.get, "/api/v1/imports/999").status == .notFound)
        }
    }

    @Test func aPolicyMayPromoteAPassingImportByItself() async throws {
        let root = try Self.temporary()
        defer { try? FileManager.default.removeItem(at: root) }
        let onnx = try ServingAPITests.fixture("isolation_forest")
        try await APIHarness().run { client in
            _ = try await client.call(.post, "/api/v1/models", json: CreateModelRequest(name: "fraud"))
            let tooMuch = try await client.call(
                .put, "/api/v1/models/fraud/policy", raw: #"{"promote": {"environment": "production", "canary_percent": 150}}"#)
            #expect(tooMuch.status == .badRequest)
            #expect(try await client.call(.put, "/api/v1/models/fraud/policy", raw: #"{"promote": {"environment": "production"}}"#).status == .ok)
            let first = try await Self.importFolder(client, try Self.folder(in: root, "fraud-1", onnx: onnx)).decode(ImportRecord.self)
            #expect(first.promotion == "deployed to production")
            let aliases = try await client.call(.get, "/api/v1/models/fraud/aliases").decode(AliasListResponse.self).aliases
            #expect(aliases.map(\.version) == [first.version!])
            let audit = try await client.call(.get, "/api/v1/models/fraud/audit?limit=1").decode(AuditListResponse.self).entries
            #expect(audit.first?.action == "deploy" && audit.first?.reason.contains("promoted by the model's policy") == true)

            // With a canary share, the next passing import takes 10 % of what production serves.
            #expect(try await client.call(
                .put, "/api/v1/models/fraud/policy", raw: #"{"metrics": [{"metric": "f1_score", "error": 0.5}], "promote": {"environment": "production", "canary_percent": 10}}"#
            ).status == .ok)
            let second = try await Self.importFolder(
                client, try Self.folder(in: root, "fraud-2", metrics: ["f1_score": 0.86], onnx: onnx)).decode(ImportRecord.self)
            #expect(second.promotion == "canary 10 % of production")
            let traffic = try ServingAPITests.json(try await client.call(.get, "/api/v1/models/fraud/traffic"))
            let shares = ((traffic["environments"] as? [String: Any])?["production"] as? [String: Any])?["shares"] as? [[String: Any]]
            #expect(shares?.first?["version"] as? String == second.version?.description && shares?.first?["percent"] as? Int == 10)

            // A failing import is stored and left alone.
            let failing = try await Self.importFolder(
                client, try Self.folder(in: root, "fraud-3", metrics: ["f1_score": 0.4], onnx: onnx)).decode(ImportRecord.self)
            #expect(failing.promotion == "not promoted: the version failed validation")

            // A policy threshold applies to folders whose metadata names none.
            _ = try await client.call(.put, "/api/v1/models/fraud/policy", raw: #"{"anomaly_threshold": -0.05}"#)
            let bare = #"{"model_info": {"name": "fraud", "created_at": "2026-12-01T10:22:05Z"}}"#
            let plain = try await Self.importFolder(client, try Self.folder(in: root, "fraud-4", onnx: onnx, metadata: bare))
                .decode(ImportRecord.self)
            let version = try await client.call(.get, "/api/v1/models/fraud/versions/\(plain.version!)").decode(VersionResponse.self).version
            #expect(version.params["anomaly_threshold"] == .number(-0.05))
        }
    }

    @Test func aConfidenceThresholdFlagsUncertainPredictions() async throws {
        let root = try Self.temporary()
        defer { try? FileManager.default.removeItem(at: root) }
        let metadata = #"{"model_info": {"name": "churn", "created_at": "2026-12-01T10:22:05Z"}, "evaluation_info": {"basic_metrics": {"f1_score": 0.9}, "confidence_threshold": 0.9}}"#
        let folder = try Self.folder(in: root, "churn-1", onnx: try ServingAPITests.fixture("logreg_binary"), metadata: metadata)
        try await APIHarness().run { client in
            let record = try await Self.importFolder(client, folder).decode(ImportRecord.self)
            #expect(record.outcome == .imported && record.validation?.passed == true)
            #expect(try await client.call(.post, "/api/v1/models/churn/deployments", raw: #"{"version": "1.0.0"}"#).status == .created)
            let rows = try ServingAPITests.rows("logreg_binary")
            let predicted = try ServingAPITests.json(
                try await client.call(.post, "/api/v1/models/churn/predict", json: ["inputs": rows.map { $0.map { $0 as? Double ?? 0 } }]))
            let probabilities = try #require(predicted["probabilities"] as? [[Double]])
            #expect(predicted["threshold"] as? Double == 0.9)
            #expect(predicted["low_confidence"] as? [Bool] == probabilities.map { ($0.max() ?? 0) < 0.9 })
        }
    }

    /// The fixture's rows as an evaluation CSV labelled with `labels`.
    static func evaluationCSV(_ fixture: String, labels: [Int]) throws -> String {
        let rows = try ServingAPITests.rows(fixture)
        var lines = [(Self.features + ["label"]).joined(separator: ",")]
        for (row, label) in zip(rows, labels) {
            lines.append((row.map { "\($0 as? Double ?? 0)" } + [String(label)]).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Re-evaluation of a scikit-learn forest fitted on a DataFrame: the dataset's columns go to the model's named
    /// inputs by name (in another order than the CSV's), and the measured accuracy is the true one.
    @Test func reEvaluationFeedsNamedColumnsToADataFrameModel() async throws {
        let root = try Self.temporary()
        defer { try? FileManager.default.removeItem(at: root) }
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("fixtures/sklearn/1.9.1")
        let model = Array(try Data(contentsOf: fixtures.appendingPathComponent("random_forest_frame.joblib")))
        let record = try FastJSON.parse(Data(contentsOf: fixtures.appendingPathComponent("random_forest_frame.json"))) as! [String: Any]
        let names = (record["inputs"] as! [[String: Any]]).map { $0["name"] as! String }
        let rows = ((record["cases"] as! [[String: Any]])[0]["X"] as! [[Any]]).map { $0.map { $0 as! Double } }
        var truth = ((record["cases"] as! [[String: Any]])[0]["outputs"] as! [String: [String: Any]])["predict"]!["values"] as! [Any]
        truth = truth.map { ($0 as? Double).map { Int($0) } ?? ($0 as! Int) }
        truth[0] = 1 - (truth[0] as! Int)
        truth[1] = 1 - (truth[1] as! Int)
        // Columns reversed against the model's inputs: matched by name.
        var csv = (names.reversed() + ["label"]).joined(separator: ",") + "\n"
        for (row, label) in zip(rows, truth) { csv += (row.reversed().map { "\($0)" } + ["\(label)"]).joined(separator: ",") + "\n" }
        let text = csv
        let count = rows.count
        try await APIHarness().run { client in
            _ = try await client.call(.post, "/api/v1/models", json: CreateModelRequest(name: "fraud"))
            let set = try await client.call(
                .put, "/api/v1/models/fraud/policy", raw: #"{"evaluation": {"dataset": "evaluation.csv", "tolerance": 0.02}}"#)
            #expect(set.status == .ok)
            let folder = try Self.folder(in: root, "fraud-frame", metrics: ["accuracy": 0.99], features: names, joblib: model)
            try Data(text.utf8).write(to: folder.appendingPathComponent("evaluation.csv"))
            let imported = try await Self.importFolder(client, folder).decode(ImportRecord.self)
            let accuracy = try #require(imported.validation?.checks.first { $0.name == "evaluation:accuracy" })
            #expect(abs((accuracy.observed ?? 0) - Double(count - 2) / Double(count)) < 1e-9, "\(accuracy.message)")
        }
    }

    @Test func reEvaluationDisprovesAClaimAndKeepsTheMeasuredScore() async throws {
        let root = try Self.temporary()
        defer { try? FileManager.default.removeItem(at: root) }
        let expected = try ServingAPITests.expectations("logreg_binary")["outputs"]!.first { $0["name"] as? String == "label" }!
        let labels = (expected["data"] as! [Any]).map { ($0 as? NSNumber)?.intValue ?? 0 }
        // The true labels are the model's own predictions but for two rows: accuracy 12/14.
        var truth = labels
        truth[0] = 1 - truth[0]
        truth[4] = 1 - truth[4]
        let csv = try Self.evaluationCSV("logreg_binary", labels: truth)
        try await APIHarness().run { client in
            _ = try await client.call(.post, "/api/v1/models", json: CreateModelRequest(name: "fraud"))
            let set = try await client.call(
                .put, "/api/v1/models/fraud/policy",
                raw: #"{"metrics": [{"metric": "f1_score", "error": 0.5}], "evaluation": {"dataset": "evaluation.csv", "tolerance": 0.02}}"#)
            #expect(set.status == .ok)
            let folder = try Self.folder(in: root, "fraud-claims", metrics: ["f1_score": 0.99, "accuracy": 0.99], onnx: try ServingAPITests.fixture("logreg_binary"))
            try Data(csv.utf8).write(to: folder.appendingPathComponent("evaluation.csv"))
            let record = try await Self.importFolder(client, folder).decode(ImportRecord.self)
            let verdict = try #require(record.validation)
            #expect(!verdict.passed)
            let accuracy = try #require(verdict.checks.first { $0.name == "evaluation:accuracy" })
            #expect(accuracy.outcome == .error && abs((accuracy.observed ?? 0) - 12.0 / 14.0) < 1e-9)
            #expect(accuracy.message.contains("claimed accuracy 0.99 but measured 0.857 on evaluation.csv (14 rows)"))
            // The score on record is the measured one; the claim is kept beside it.
            let version = try await client.call(.get, "/api/v1/models/fraud/versions/1.0.0").decode(VersionResponse.self).version
            #expect(abs((version.scores["accuracy"] ?? 0) - 12.0 / 14.0) < 1e-9 && version.scores["roc_auc"] != nil)
            #expect(version.tags["evaluation.claimed"]?.contains("0.99") == true && version.tags["evaluation.rows"] == "14")
            // A later verdict compares the same claim without running the model again.
            let again = try await client.call(.post, "/api/v1/models/fraud/versions/1.0.0/validate", raw: "{}").decode(ValidationReport.self)
            #expect(again.checks.first { $0.name == "evaluation:accuracy" }?.outcome == .error)

            // An honest claim passes: within the tolerance of what was measured.
            let honest = try Self.folder(
                in: root, "fraud-honest", metrics: ["f1_score": version.scores["f1_score"]!, "accuracy": 0.86],
                onnx: try ServingAPITests.fixture("logreg_binary"))
            try Data(csv.utf8).write(to: honest.appendingPathComponent("evaluation.csv"))
            let passed = try await Self.importFolder(client, honest).decode(ImportRecord.self)
            #expect(passed.validation?.passed == true)
            #expect(passed.validation?.checks.filter { $0.kind == .evaluation }.allSatisfy { $0.outcome == .pass } == true)

            // A dataset that does not fit the model fails the evaluation check with the reason.
            let broken = try Self.folder(in: root, "fraud-broken-eval", onnx: try ServingAPITests.fixture("logreg_binary"))
            try Data("feature_0,label\n1,0\n".utf8).write(to: broken.appendingPathComponent("evaluation.csv"))
            let failed = try await Self.importFolder(client, broken).decode(ImportRecord.self)
            #expect(failed.validation?.errors.first?.message.contains("has no column for the feature 'feature_1'") == true)
        }
    }

    @Test func foldersUnderTheImportRootImportByPathAndNothingOutsideIt() async throws {
        let root = try Self.temporary()
        defer { try? FileManager.default.removeItem(at: root) }
        let harness = try APIHarness()
        defer { harness.cleanup() }
        var components = harness.components
        components.importRoot = root
        _ = try Self.folder(in: root, "fraud-1", onnx: try ServingAPITests.fixture("isolation_forest"))
        let outside = try Self.temporary()
        defer { try? FileManager.default.removeItem(at: outside) }
        _ = try Self.folder(in: outside, "secret", onnx: try ServingAPITests.fixture("isolation_forest"))
        try FileManager.default.createSymbolicLink(at: root.appendingPathComponent("link"), withDestinationURL: outside)
        try await Application(router: ModelyardServer.buildRouter(components)).test(.router) { client in
            let imported = try await client.call(.post, "/api/v1/imports", raw: #"{"path": "fraud-1"}"#)
            #expect(imported.status == .created)
            #expect(try imported.decode(ImportRecord.self).source.hasSuffix("/fraud-1"))
            for escape in ["../\(outside.lastPathComponent)/secret", outside.appendingPathComponent("secret").path, "link/secret"] {
                let refused = try await client.call(.post, "/api/v1/imports", json: TrainingImportRequest(path: escape))
                #expect(refused.status == .badRequest && refused.error?.message.contains("outside the import root") == true, "\(escape)")
            }
            #expect(try await client.call(.post, "/api/v1/imports", raw: #"{"path": "missing"}"#).status == .notFound)
        }
    }

    @Test func theWatcherImportsAFolderOnlyOnceItIsCompleteAndOnlyOnce() async throws {
        let watched = try Self.temporary()
        defer { try? FileManager.default.removeItem(at: watched) }
        let harness = try APIHarness()
        defer { harness.cleanup() }
        let clock = TestClock()
        let watcher = TrainingFolderWatcher(
            registry: harness.registry, directory: watched, settle: 5, clock: { clock.now }, logger: Logger(label: "test"))
        let onnx = try ServingAPITests.fixture("isolation_forest")

        // Written slowly: the model file first, the metadata later. Nothing is imported until the files settle.
        let slow = watched.appendingPathComponent("fraud-slow")
        try FileManager.default.createDirectory(at: slow, withIntermediateDirectories: true)
        try Data(onnx).write(to: slow.appendingPathComponent("model.onnx"))
        #expect(try await watcher.scanOnce().isEmpty)
        clock.advance(3)
        let metadata = try Self.folder(in: watched, "scratch", onnx: nil)
        try FileManager.default.moveItem(
            at: metadata.appendingPathComponent("metadata.json"), to: slow.appendingPathComponent("metadata.json"))
        try FileManager.default.removeItem(at: metadata)
        #expect(try await watcher.scanOnce().isEmpty, "a file appeared: the folder is still being written")
        clock.advance(4)
        #expect(try await watcher.scanOnce().isEmpty, "4 s unchanged is not yet settled")
        clock.advance(2)
        let imported = try await watcher.scanOnce()
        #expect(imported.map(\.outcome) == [.imported] && imported.first?.version?.description == "1.0.0")

        // A _SUCCESS marker makes a folder complete at once.
        let marked = try Self.folder(in: watched, "fraud-marked", metrics: ["f1_score": 0.9], onnx: onnx)
        try Data().write(to: marked.appendingPathComponent("_SUCCESS"))
        #expect(try await watcher.scanOnce().map(\.version?.description) == ["1.1.0"])

        // Nothing is imported twice, by this watcher or by one started later on the same directory.
        clock.advance(60)
        #expect(try await watcher.scanOnce().isEmpty)
        let restarted = TrainingFolderWatcher(
            registry: harness.registry, directory: watched, settle: 5, clock: { clock.now }, logger: Logger(label: "test"))
        _ = try await restarted.scanOnce()
        clock.advance(60)
        #expect(try await restarted.scanOnce().isEmpty)
        let records = try await harness.registry.importRecords(ImportFilter(), page: try PageRequest(limit: 100)).items
        #expect(records.count == 2 && records.allSatisfy { $0.outcome == .imported && $0.actor == "watcher" })
    }
}

/// A clock tests move by hand.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current = Date(timeIntervalSince1970: 1_765_000_000)
    var now: Date { lock.withLock { current } }
    func advance(_ seconds: TimeInterval) { lock.withLock { current += seconds } }
}
