import ArgumentParser
import Foundation
import Logging
import NIOCore
import ModelyardComposition
import Registry
import RegistryCore
import Serving

/// `imports`: the training hand-off per folder (import + validation) against the same versions registered by hand
/// through the separate use cases a script calls today, in the same run.
struct ImportBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "imports",
        abstract: "Import + validation of N training folders, time per folder, against registering them call by call.")

    @Option(help: "Training folders.") var folders = 100

    func run() async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("modelyard-bench-imports-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        let root = work.appendingPathComponent("training")
        let model = try Data(contentsOf: URL(fileURLWithPath: "fixtures/onnx/isolation_forest.onnx"))
        let features = (0..<20).map { "\"feature_\($0)\"" }.joined(separator: ",")
        for index in 0..<folders {
            let folder = root.appendingPathComponent(String(format: "fraud-%04d", index))
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try model.write(to: folder.appendingPathComponent("model.onnx"))
            let metadata = """
                {"model_info": {"name": "fraud", "model_type": "IsolationForest", "version": "run-\(index)", "created_at": "2026-12-01T10:22:05Z"},
                 "training_info": {"feature_names": [\(features)], "n_samples": 120000, "parameters": {"n_estimators": 100, "seed": \(index)}},
                 "evaluation_info": {"basic_metrics": {"f1_score": \(0.7 + Double(index % 25) / 100), "roc_auc": 0.9}}}
                """
            try Data(metadata.utf8).write(to: folder.appendingPathComponent("metadata.json"))
            let history = "epoch,loss\n" + (1...50).map { "\($0),\(1.0 / Double($0))" }.joined(separator: "\n")
            try Data(history.utf8).write(to: folder.appendingPathComponent("history.csv"))
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: root.path).sorted()
        let logger = Logger(label: "bench")

        // Modelyard: one import per folder.
        let imported = try Composition.open(dataDirectory: work.appendingPathComponent("a"), logger: logger).registry
        var importTimes: [Double] = []
        for name in names {
            let start = ContinuousClock.now
            let record = try await imported.importTrainingFolder(name, root: root, model: nil, audit: AuditContext(actor: "bench"))
            importTimes.append((ContinuousClock.now - start).seconds)
            guard record.outcome == .imported, record.validation?.passed == true else {
                throw BenchError(message: "\(name) was not imported and validated: \(record.reason ?? "failed validation")")
            }
        }

        // Baseline: the calls a hand-off script makes today, per folder.
        let manual = try Composition.open(dataDirectory: work.appendingPathComponent("b"), logger: logger).registry
        _ = try await manual.createModel(NewModel(name: ModelName(rawValue: "fraud")), audit: AuditContext(actor: "bench"))
        var manualTimes: [Double] = []
        for name in names {
            let folder = root.appendingPathComponent(name)
            let start = ContinuousClock.now
            let metadata = try TrainingMetadata(parsing: try Data(contentsOf: folder.appendingPathComponent("metadata.json")))
            let audit = AuditContext(actor: "bench")
            let version = try await manual.registerVersion(
                ModelName(rawValue: "fraud"),
                NewVersion(params: metadata.parameters, scores: metadata.metrics, signature: metadata.signature, trainedAt: metadata.trainedAt),
                audit: audit)
            for file in ["metadata.json", "model.onnx", "history.csv"] {
                let bytes = try Data(contentsOf: folder.appendingPathComponent(file))
                _ = try await manual.uploadArtifact(
                    version.model, .version(version.version), path: try ArtifactPath(validating: file),
                    bytes: OneBuffer(ByteBuffer(bytes: bytes)), expected: nil, audit: audit)
            }
            let points = try HistoryFile.parse(
                try Data(contentsOf: folder.appendingPathComponent("history.csv")), name: "history.csv", timestamp: 0)
            _ = try await manual.appendHistory(version.model, .version(version.version), points: points)
            _ = try await manual.updateVersion(version.model, .version(version.version), patch: VersionPatch(status: .ready), audit: audit)
            _ = try await manual.validate(version.model, .version(version.version), actor: "bench")
            manualTimes.append((ContinuousClock.now - start).seconds)
        }
        func summary(_ times: [Double]) -> String {
            let sorted = times.sorted()
            let mean = times.reduce(0, +) / Double(times.count)
            return String(
                format: "mean %.1f ms  p50 %.1f ms  p95 %.1f ms  total %.2f s", mean * 1e3, sorted[sorted.count / 2] * 1e3,
                sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.95))] * 1e3, times.reduce(0, +))
        }
        let ratio = manualTimes.reduce(0, +) / importTimes.reduce(0, +)
        print("""
            modelyard-bench imports (\(folders) folders: a 100-tree IsolationForest ONNX, metadata.json, a 50-epoch history.csv)
            import + validation    \(summary(importTimes))
            call by call (baseline) \(summary(manualTimes))
            ratio                  \(String(format: "%.2f", ratio))x (baseline time / import time)
            """)
    }
}

/// `evaluation`: re-evaluation rows/s against scikit-learn computing the same metrics in the same run.
struct EvaluationBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluation",
        abstract: "Re-evaluation of a logistic regression on N rows: Modelyard vs scikit-learn (same model, same rows).",
        discussion: "Needs the fixture venv (scripts/onnx/setup-venv.sh).")

    @Option(help: "Evaluation rows.") var rows = 100_000
    @Option(help: "Passes; the best is reported for both sides.") var passes = 5
    @Option(help: "Python with scikit-learn and skl2onnx.") var python = ".venv-onnx/bin/python"

    func run() async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("modelyard-bench-eval-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        let data = try ONNXBenchmark.runPython(
            python, ["scripts/onnx/bench_evaluation.py", "--rows", String(rows), "--passes", String(passes), "--out", work.path])
        guard let baseline = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let inMemory = baseline["in_memory_seconds"] as? Double, let withParse = baseline["with_parse_seconds"] as? Double,
            let expected = baseline["metrics"] as? [String: Double]
        else { throw BenchError(message: "the scikit-learn baseline printed no timings") }

        let components = try Composition.open(dataDirectory: work.appendingPathComponent("data"), logger: Logger(label: "bench"))
        let registry = components.registry
        let audit = AuditContext(actor: "bench")
        let name = ModelName(rawValue: "bench")
        _ = try await registry.createModel(NewModel(name: name), audit: audit)
        let version = try await registry.registerVersion(name, NewVersion(), audit: audit)
        var dataset: ArtifactEntry?
        for file in ["model.onnx", "evaluation.csv"] {
            let bytes = try Data(contentsOf: work.appendingPathComponent(file))
            let entry = try await registry.uploadArtifact(
                name, .version(version.version), path: try ArtifactPath(validating: file), bytes: OneBuffer(ByteBuffer(bytes: bytes)),
                expected: nil, audit: audit)
            if file == "evaluation.csv" { dataset = entry }
        }
        let loaded = try await registry.version(name, .version(version.version))
        var best = Double.infinity
        var measured: [String: Double] = [:]
        for _ in 0..<passes {
            let start = ContinuousClock.now
            let result = try await components.pool.evaluate(loaded, dataset: dataset!, rule: .init())
            best = min(best, (ContinuousClock.now - start).seconds)
            measured = result.metrics
        }
        let differences = expected.keys.sorted().map { key in
            String(format: "%@ %.6f vs %.6f", key, measured[key] ?? .nan, expected[key] ?? .nan)
        }
        print("""
            modelyard-bench evaluation (\(rows) rows x 20 features, LogisticRegression; best of \(passes))
            Modelyard (read + sha256 + parse CSV + run ONNX + metrics)  \(String(format: "%.3f s  %.0f rows/s", best, Double(rows) / best))
            scikit-learn, arrays in memory (baseline at its best)      \(String(format: "%.3f s  %.0f rows/s  ratio %.2fx", inMemory, Double(rows) / inMemory, inMemory / best))
            scikit-learn with pandas.read_csv of the same CSV          \(String(format: "%.3f s  %.0f rows/s  ratio %.2fx", withParse, Double(rows) / withParse, withParse / best))
            metrics (Modelyard vs scikit-learn): \(differences.joined(separator: "; "))
            """)
    }
}

/// One buffer as the byte stream an upload takes.
struct OneBuffer: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let buffer: ByteBuffer

    init(_ buffer: ByteBuffer) { self.buffer = buffer }

    struct AsyncIterator: AsyncIteratorProtocol {
        var buffer: ByteBuffer?
        mutating func next() async -> ByteBuffer? {
            defer { buffer = nil }
            return buffer
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(buffer: buffer) }
}
