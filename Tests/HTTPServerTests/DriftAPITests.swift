import DriftStatistics
import Foundation
import HTTPServer
import Hummingbird
import HummingbirdTesting
import Logging
@testable import ModelRuntime
import ModelyardAPI
import Registry
import RegistryCore
import Serving
import Testing

/// Drift through the API: references set from a dataset or found among a version's files, the batch check, the
/// served rows' windows, settings, state changes, gauges and history, against the real router, SQLite registry and
/// model server.
@Suite struct DriftAPITests {
    static let oracle = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fixtures/drift")

    static func csv(_ name: String) throws -> String {
        try String(contentsOf: oracle.appendingPathComponent("\(name).csv"), encoding: .utf8)
    }

    /// An ONNX model taking each column as an input of its own (numbers as float64 so the served values are the
    /// file's, text as strings), answering the first numeric column back as its score.
    static func columnModel(numeric: [String], text: [String]) throws -> [UInt8] {
        func value(_ name: String, _ type: ElementType) -> Onnx_ValueInfoProto {
            var info = ServingAPITests.value(name, [nil, 1])
            info.type.tensorType.elemType = Int32(type.onnxCode)
            return info
        }
        var identity = Onnx_NodeProto()
        identity.opType = "Identity"
        identity.name = "echo"
        identity.input = [numeric[0]]
        identity.output = ["variable"]
        var graph = Onnx_GraphProto()
        graph.name = "columns"
        graph.node = [identity]
        graph.input = numeric.map { value($0, .float64) } + text.map { value($0, .string) }
        graph.output = [value("variable", .float64)]
        return try ServingAPITests.model(graph)
    }

    /// The CSV's columns split as pandas types them, and its rows as objects for `/predict` (missing numbers as
    /// null, missing text as "").
    static func rows(_ text: String) throws -> (numeric: [String], text: [String], objects: [[String: Any]]) {
        let table = try DriftTable(parsing: Data(text.utf8), name: "csv")
        var numeric: [String] = []
        var strings: [String] = []
        var objects = [[String: Any]](repeating: [:], count: table.rows)
        for column in table.columns {
            switch column.values {
            case .numbers(let values, _):
                numeric.append(column.name)
                for (r, value) in values.enumerated() { objects[r][column.name] = value.isFinite ? value : NSNull() }
            case .categories(let values):
                strings.append(column.name)
                for (r, value) in values.enumerated() { objects[r][column.name] = value ?? "" }
            }
        }
        return (numeric, strings, objects)
    }

    static func expectOracle(_ report: DriftReport, _ name: String, ignoring: Set<String> = []) throws {
        // The server keeps a sketch above the exact size: its statistics are within the sketch's documented bound.
        let profile = ReferenceProfile(try DriftTable(parsing: Data(try csv("\(name).reference").utf8), name: name))
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: oracle.appendingPathComponent("\(name).json"))) as! [String: Any]
        let expected = object["columns"] as! [String: [String: Any]]
        let dataset = object["dataset"] as! [String: Double]
        let columns = report.columns.filter { !ignoring.contains($0.name) }
        #expect(Set(columns.map(\.name)) == Set(expected.keys), "\(name)")
        for column in columns {
            let want = try #require(expected[column.name])
            let statistic = want["statistic"] as! Double
            let mine = try #require(column.statistic, "\(name) \(column.name): \(column.problem ?? "")")
            #expect(column.method?.rawValue == want["method"] as? String, "\(name) \(column.name)")
            let bound = column.method.flatMap { profile.column(named: column.name)?.sketchErrorBound($0) } ?? 0
            let close = mine == statistic || abs(mine - statistic) <= max(1e-6 * abs(statistic), bound)
                || (column.method?.isPValue == true && statistic < 1e-12 && mine < 1e-12)
            #expect(close, "\(name) \(column.name): \(mine), Evidently \(statistic)")
            #expect(column.drifted == want["drifted"] as? Bool, "\(name) \(column.name)")
        }
        #expect(Double(report.driftedColumns) == dataset["count"], "\(name)")
        #expect(report.datasetDrift == (dataset["share"]! >= dataset["drift_share"]!), "\(name)")
    }

    /// Every oracle scenario twice: the current CSV through `POST .../drift/check`, and the same rows served one
    /// request at a time through `/predict` and read back from `GET .../drift`. Both give Evidently's method,
    /// statistic and verdict per column and its dataset verdict.
    @Test func theBatchCheckAndTheServedRowsGiveEvidentlysVerdicts() async throws {
        let scenarios = try FileManager.default.contentsOfDirectory(atPath: Self.oracle.path)
            .filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
        #expect(scenarios.count >= 14)
        try await APIHarness().run { client in
            for (index, name) in scenarios.enumerated() {
                let reference = try Self.csv("\(name).reference")
                let current = try Self.csv("\(name).current")
                let (numeric, text, objects) = try Self.rows(reference)
                let model = "drift-\(index)"
                _ = try await client.call(.post, "/api/v1/models", json: CreateModelRequest(name: model))
                let version = try await ServingAPITests.register(client, model: model, bytes: try Self.columnModel(numeric: numeric, text: text))
                #expect(version.serving?.servable == true, "\(name): \(String(describing: version.serving))")
                // The model's score echoes a column: left out so the columns are Evidently's.
                let settings = try await client.call(.put, "/api/v1/models/\(model)/drift/settings", raw: #"{"ignore": ["score"]}"#)
                #expect(settings.status == .ok, "\(settings.text)")
                let set = try await client.call(.put, "/api/v1/models/\(model)/versions/\(version.version)/drift/reference", raw: reference)
                #expect(set.status == .created, "\(name): \(set.text)")
                let stored = try set.decode(DriftReferenceDTO.self)
                #expect(stored.source == "upload" && stored.rows == objects.count && stored.columns.contains("score"))

                let checked = try await client.call(.post, "/api/v1/models/\(model)/versions/\(version.version)/drift/check", raw: current)
                #expect(checked.status == .ok, "\(name): \(checked.text)")
                try Self.expectOracle(try checked.decode(DriftReport.self), name)

                #expect(try await client.call(.post, "/api/v1/models/\(model)/deployments", raw: #"{"version": "\#(version.version)"}"#).status == .created)
                let served = try Self.rows(current).objects
                for start in stride(from: 0, to: served.count, by: 100) {
                    let batch = Array(served[start..<min(start + 100, served.count)])
                    let answer = try await client.call(.post, "/api/v1/models/\(model)/predict", raw: try ServingAPITests.body(["inputs": batch]))
                    #expect(answer.status == .ok, "\(name): \(answer.text)")
                }
                let status = try await client.call(.get, "/api/v1/models/\(model)/versions/\(version.version)/drift").decode(DriftStatusResponse.self)
                #expect(status.monitoring && status.rowsSeen == served.count && status.skippedRows == 0, "\(name)")
                // The smallest window that holds every served row (1,000, or 10,000 for the 3,000-row current).
                let window = try #require(status.windows.first { $0.size >= served.count }, "\(name): no window")
                #expect(window.rows == served.count && status.windows.map(\.size) == [1_000, 10_000])
                try Self.expectOracle(window.report, name)
            }
        }
    }
}

extension DriftAPITests {
    /// Deterministic rows of `count` standard-normal-ish features (a sum of uniforms), shifted by `shift`.
    static func features(_ count: Int, rows: Int, shift: Double, seed: UInt64) -> [[Double]] {
        var state = seed
        func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        return (0..<rows).map { _ in
            (0..<count).map { _ in ((0..<6).reduce(0.0) { sum, _ in sum + uniform() } - 3) * 1.4 + shift }
        }
    }

    static func csv(_ names: [String], _ rows: [[Double]]) -> String {
        ([names.joined(separator: ",")] + rows.map { $0.map { String($0) }.joined(separator: ",") }).joined(separator: "\n") + "\n"
    }

    struct AuditShape: Decodable {
        struct Entry: Decodable {
            var action: String
            var actor: String?
            var version: String?
            var details: [String: String]?
        }
        var entries: [Entry]
    }

    /// A training folder naming its reference sample in `metadata.json`: the reference is computed from it the
    /// first time it is asked for, with the model's own predictions on it as the prediction columns. Served rows
    /// fill the windows off the request path; when the smallest window starts and stops drifting, the audit log
    /// (and so the dashboard's event stream) says so, the gauges follow, and an hour's summary is kept as history.
    @Test func aVersionStartsAndStopsDriftingFromItsTrainingSample() async throws {
        let root = try TrainingImportTests.temporary()
        defer { try? FileManager.default.removeItem(at: root) }
        let names = TrainingImportTests.features
        let harness = try APIHarness(serving: .init(driftWindows: [50, 200]))
        let service = DriftService(pool: harness.pool, logger: Logger(label: "drift"))
        let metadata = """
            {"model_info": {"name": "fraud", "model_type": "IsolationForest", "version": "with-sample"},
             "training_info": {"feature_names": \(String(decoding: try JSONSerialization.data(withJSONObject: names), as: UTF8.self)),
                               "reference_dataset": "sample.csv"},
             "evaluation_info": {"basic_metrics": {"f1_score": 0.83, "roc_auc": 0.91}}}
            """
        let folder = try TrainingImportTests.folder(
            in: root, "with-sample", onnx: try ServingAPITests.fixture("isolation_forest"), metadata: metadata)
        try Data(Self.csv(names, Self.features(20, rows: 400, shift: 0, seed: 1)).utf8).write(to: folder.appendingPathComponent("sample.csv"))
        try await harness.run { client in
            let record = try await TrainingImportTests.importFolder(client, folder).decode(ImportRecord.self)
            let version = try #require(record.version, "\(String(describing: record.reason))")
            let path = "/api/v1/models/fraud/versions/\(version)/drift"
            var status = try await client.call(.get, path).decode(DriftStatusResponse.self)
            let reference = try #require(status.reference, "\(String(describing: status.hint))")
            #expect(reference.source == "sample.csv" && reference.rows == 400)
            #expect(Set(reference.columns) == Set(names + [DriftOutputs.label, DriftOutputs.score]))
            #expect(status.rowsSeen == 0 && status.windows.isEmpty && status.drifting == nil, "nothing served yet")
            #expect(try await client.call(.post, "/api/v1/models/fraud/deployments", raw: #"{"version": "\#(version)"}"#).status == .created)

            func serve(_ rows: [[Double]]) async throws {
                let answer = try await client.call(.post, "/api/v1/models/fraud/predict", json: ["inputs": rows])
                #expect(answer.status == .ok, "\(answer.text)")
            }
            func actions() async throws -> [String] {
                try await client.call(.get, "/api/v1/models/fraud/audit").decode(AuditShape.self).entries.map(\.action)
                    .filter { $0.hasPrefix("drift.") && $0 != "drift.reference.set" }
            }
            try await serve(Self.features(20, rows: 50, shift: 0, seed: 2))
            await service.tick(now: Date(), flush: false)
            status = try await client.call(.get, path).decode(DriftStatusResponse.self)
            #expect(status.monitoring && status.rowsSeen == 50 && status.drifting == false && status.unmappedColumns.isEmpty)
            #expect(status.windows.map(\.size) == [50, 200] && status.windows[0].report.columns.count == 22)
            #expect(try await actions().isEmpty, "a window that never drifted records nothing")

            try await serve(Self.features(20, rows: 50, shift: 3, seed: 3))
            await service.tick(now: Date(), flush: false)
            #expect(try await actions() == ["drift.started"])
            status = try await client.call(.get, path).decode(DriftStatusResponse.self)
            let shifted = status.windows[0].report
            #expect(status.drifting == true && shifted.datasetDrift && shifted.columns.first?.drifted == true)
            #expect(shifted.columns.filter { names.contains($0.name) }.allSatisfy { $0.drifted && $0.method == .ks })
            // The window of 200 holds both halves.
            #expect(status.windows[1].rows == 100)
            let metrics = try await client.call(.get, "/metrics").text
            #expect(metrics.contains(#"modelyard_drift_dataset{model="fraud",version="\#(version)",window="50"} 1"#), "\(metrics.suffix(2000))")
            #expect(metrics.contains(#"modelyard_drift_column_score{model="fraud",version="\#(version)",column="feature_0"}"#))

            // The dashboard: the version's drift panel (drifted columns first, a bar chart each) and the monitoring
            // page with the version as drifting.
            let page = try await client.call(.get, "/models/fraud/versions/\(version)").text
            #expect(page.contains("id=\"drift-state\"") && page.contains("badge failed\">drifting"), "\(page.suffix(3000))")
            let table = try #require(page.range(of: "id=\"drift-columns\"")).upperBound
            let firstRow = String(page[table...].prefix(2_000))
            #expect(firstRow.contains("class=\"drifted\"><th scope=\"row\" class=\"mono\">feature_"))
            #expect(page.components(separatedBy: "<svg class=\"bars\"").count - 1 == 22)
            let monitoring = try await client.call(.get, "/monitoring").text
            #expect(monitoring.contains("fraud 1.0.0") && monitoring.contains("drifting") && monitoring.contains("production"))

            try await serve(Self.features(20, rows: 50, shift: 0, seed: 4))
            await service.tick(now: Date(), flush: false)
            #expect(try await actions() == ["drift.stopped", "drift.started"])

            // At shutdown the hour so far is stored: 150 rows, judged together.
            await service.tick(now: Date(), flush: true)
            status = try await client.call(.get, path).decode(DriftStatusResponse.self)
            #expect(status.history.count == 1 && status.history[0].rows == 150 && status.history[0].columns.count == 22)
        }
    }

    /// A version without a reference says how to add one; datasets and settings that cannot be used are refused
    /// with a 4xx that says why, and change nothing.
    @Test func missingReferencesAndBadInputAreExplained() async throws {
        try await APIHarness().run { client in
            _ = try await client.call(.post, "/api/v1/models", json: CreateModelRequest(name: "plain"))
            let version = try await ServingAPITests.register(
                client, model: "plain", bytes: try Self.columnModel(numeric: ["amount"], text: ["channel"])).version
            let base = "/api/v1/models/plain/versions/\(version)/drift"
            let status = try await client.call(.get, base).decode(DriftStatusResponse.self)
            #expect(status.reference == nil && status.hint?.contains("PUT /api/v1/models/plain/versions/\(version)/drift/reference") == true)
            let unchecked = try await client.call(.post, base + "/check", raw: "amount,channel\n1,web\n")
            #expect(unchecked.status == .conflict && unchecked.error?.code == "failed_precondition", "\(unchecked.text)")
            #expect(unchecked.error?.message.contains("drift/reference") == true)

            for (body, fragment) in [
                ("", "empty"), ("amount,channel\n", "no rows"), ("a,a\n1,2\n", "twice"), ("amount\n\"open\n", "not closed"),
                ("amount,channel\n1,web,extra\n", "fields"), ("{\"amount\": [1]}\n", "array"),
            ] {
                let refused = try await client.call(.put, base + "/reference", raw: body)
                #expect(refused.status == .badRequest && refused.error?.message.contains(fragment) == true, "\(body): \(refused.text)")
            }
            #expect(try await client.call(.get, base).decode(DriftStatusResponse.self).reference == nil)
            #expect(try await client.call(.put, "/api/v1/models/plain/versions/9.9.9/drift/reference", raw: "a\n1\n").status == .notFound)

            let set = try await client.call(.put, base + "/reference", raw: "amount,channel\n1.5,web\n2.5,app\n3.5,web\n")
            #expect(set.status == .created, "\(set.text)")
            // A check whose column types disagree with the reference reports the column, not a failure.
            let mixed = try await client.call(.post, base + "/check", raw: "amount,channel\nlots,web\nmore,app\n")
            #expect(mixed.status == .ok)
            let report = try mixed.decode(DriftReport.self)
            #expect(report.columns.first { $0.name == "amount" }?.problem?.contains("numbers") == true && report.comparedColumns == 1)

            let settings = "/api/v1/models/plain/drift/settings"
            #expect(try await client.call(.put, settings, raw: #"{"drift_shares": 0.3}"#).status == .badRequest)
            #expect(try await client.call(.put, settings, raw: #"{"drift_share": 2}"#).status == .badRequest)
            #expect(try await client.call(.put, settings, raw: #"{"columns": {"amount": {"method": "magic"}}}"#).status == .badRequest)
            let chosen = try await client.call(.put, settings, raw: #"{"columns": {"amount": {"method": "psi", "threshold": 0.2}}, "drift_share": 0.3}"#)
            #expect(chosen.status == .ok)
            #expect(try await client.call(.get, settings).decode(DriftSettings.self).columns["amount"]?.method == .psi)
            let again = try await client.call(.post, base + "/check", raw: "amount,channel\n1.5,web\n2.5,app\n3.5,web\n").decode(DriftReport.self)
            #expect(again.columns.first { $0.name == "amount" }?.method == .psi && again.driftShare == 0.3)
            #expect(try await client.call(.delete, settings).decode(DriftSettings.self) == DriftSettings())
        }
    }

    /// A model whose drift settings say `rollback`: when the version it serves starts drifting, production goes
    /// back to the version before, audited as an automatic rollback by `modelyard-drift`; with `notify` (the
    /// default) nothing moves.
    @Test func theRollbackActionMovesProductionBackWhenItsVersionDrifts() async throws {
        let harness = try APIHarness(serving: .init(driftWindows: [40]))
        let service = DriftService(pool: harness.pool, registry: harness.registry, logger: Logger(label: "drift"))
        let names = (0..<20).map { "f\($0)" }
        try await harness.run { client in
            _ = try await client.call(.post, "/api/v1/models", json: CreateModelRequest(name: "forest"))
            for _ in 0..<2 {
                _ = try await ServingAPITests.register(client, model: "forest", bytes: try ServingAPITests.fixture("random_forest"))
            }
            #expect(try await client.call(.post, "/api/v1/models/forest/deployments", raw: #"{"version": "1.0.0"}"#).status == .created)
            #expect(try await client.call(.post, "/api/v1/models/forest/deployments", raw: #"{"version": "1.1.0"}"#).status == .created)
            let reference = Self.csv(names, Self.features(20, rows: 300, shift: 0, seed: 5))
            #expect(try await client.call(.put, "/api/v1/models/forest/versions/1.1.0/drift/reference", raw: reference).status == .created)
            func aliases() async throws -> String {
                try await client.call(.get, "/api/v1/models/forest/aliases").text
            }
            // notify: drift is recorded, production stays.
            _ = try await client.call(.post, "/api/v1/models/forest/predict", json: ["inputs": Self.features(20, rows: 40, shift: 4, seed: 6)])
            await service.tick(now: Date(), flush: false)
            #expect(try await client.call(.get, "/api/v1/models/forest/versions/1.1.0/drift").decode(DriftStatusResponse.self).drifting == true)
            #expect(try await aliases().contains("\"1.1.0\""))
            // Back to normal, then rollback is the action and the version drifts again.
            _ = try await client.call(.post, "/api/v1/models/forest/predict", json: ["inputs": Self.features(20, rows: 40, shift: 0, seed: 7)])
            await service.tick(now: Date(), flush: false)
            #expect(try await client.call(.put, "/api/v1/models/forest/drift/settings", raw: #"{"action": "rollback"}"#).status == .ok)
            _ = try await client.call(.post, "/api/v1/models/forest/predict", json: ["inputs": Self.features(20, rows: 40, shift: 4, seed: 8)])
            await service.tick(now: Date(), flush: false)
            let after = try await aliases()
            #expect(after.contains("\"1.0.0\"") && !after.contains("\"1.1.0\""), "\(after)")
            let audit = try await client.call(.get, "/api/v1/models/forest/audit").decode(AuditShape.self).entries
            #expect(audit.first?.action == "rollback" && audit.first?.actor == DriftService.actor, "\(audit.map(\.action))")
            #expect(audit.prefix(4).contains { $0.action == "drift.started" })
        }
    }
}
