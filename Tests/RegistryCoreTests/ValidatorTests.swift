import Foundation
import Testing

@testable import RegistryCore

/// The policy rules one by one, on versions shaped like our users' training output.
@Suite struct ValidatorTests {
    static let now = Date(timeIntervalSince1970: 1_765_000_000)
    static let model = ModelName(rawValue: "fraud")

    static func version(
        _ text: String, scores: [String: Double] = [:], signature: JSONValue? = nil, serving: ServingInfo? = nil,
        trainedDaysAgo: Double? = nil
    ) -> ModelVersion {
        ModelVersion(
            model: model, version: try! SemanticVersion(parsing: text), scores: scores, signature: signature,
            createdAt: now, updatedAt: now, serving: serving,
            trainedAt: trainedDaysAgo.map { now.addingTimeInterval(-$0 * 86_400) })
    }

    static func judge(
        _ version: ModelVersion, policy: ValidationPolicy = .default, baseline: ModelVersion? = nil, files: [String] = []
    ) -> ValidationReport {
        Validator.evaluate(.init(
            version: version, files: files.map { try! ArtifactPath(validating: $0) },
            policy: PolicyRevision(revision: 3, policy: policy), environment: .production, baseline: baseline,
            actor: "ana", now: now))
    }

    static func outcome(_ report: ValidationReport, _ name: String) -> ValidationReport.Outcome? {
        report.checks.first { $0.name == name }?.outcome
    }

    @Test func defaultThresholdsSeparateGoodWarningAndFailingVersions() {
        let good = Self.judge(Self.version("1.0.0", scores: ["f1_score": 0.83, "roc_auc": 0.91, "precision": 0.8, "recall": 0.86]))
        #expect(good.passed && good.score == 1 && good.errors.isEmpty && good.warnings.isEmpty)
        #expect(good.policyRevision == 3 && good.validatedBy == "ana")

        let warned = Self.judge(Self.version("1.1.0", scores: ["f1_score": 0.65]))
        #expect(warned.passed, "a warning alone does not block: score \(warned.score)")
        #expect(Self.outcome(warned, "metric:f1_score") == .warning && abs(warned.score - 0.95) < 1e-9)

        let failed = Self.judge(Self.version("1.2.0", scores: ["f1_score": 0.45, "roc_auc": 0.9]))
        #expect(!failed.passed && Self.outcome(failed, "metric:f1_score") == .error)
        #expect(failed.failureSummary.contains("f1_score 0.45 is below the error threshold 0.5"))
        #expect(abs(failed.score - 0.8) < 1e-9)

        // No metrics, no model file, no training time: nothing applies, so it passes as hand registrations do today.
        let bare = Self.judge(Self.version("1.3.0"))
        #expect(bare.passed && bare.errors.isEmpty && bare.warnings.isEmpty)
        #expect(bare.checks.allSatisfy { $0.outcome == .skipped })
    }

    @Test func scoreIsClampedAndHeldToTheMinimum() {
        // Five warnings: 1 - 0.25 = 0.75 passes the default 0.6; with min_score 0.8 it fails without any error.
        var policy = ValidationPolicy(metrics: (1...5).map { .init(metric: "m\($0)", warning: 0.9) })
        let version = Self.version("1.0.0", scores: Dictionary(uniqueKeysWithValues: (1...5).map { ("m\($0)", 0.5) }))
        #expect(Self.judge(version, policy: policy).passed)
        policy.minScore = 0.8
        let strict = Self.judge(version, policy: policy)
        #expect(!strict.passed && strict.errors.isEmpty && strict.failureSummary.contains("below the policy's minimum"))
        // Six errors clamp at 0.
        let many = ValidationPolicy(metrics: (1...6).map { .init(metric: "m\($0)", error: 0.9) })
        let sixErrors = Self.judge(Self.version("1.0.0", scores: Dictionary(uniqueKeysWithValues: (1...6).map { ("m\($0)", 0.1) })), policy: many)
        #expect(sixErrors.score == 0)
    }

    @Test func directionDecidesWhichSideFails() {
        let policy = ValidationPolicy(metrics: [.init(metric: "p99_ms", direction: .minimize, error: 50, warning: 20)])
        #expect(Self.outcome(Self.judge(Self.version("1.0.0", scores: ["p99_ms": 10]), policy: policy), "metric:p99_ms") == .pass)
        #expect(Self.outcome(Self.judge(Self.version("1.0.0", scores: ["p99_ms": 30]), policy: policy), "metric:p99_ms") == .warning)
        #expect(Self.outcome(Self.judge(Self.version("1.0.0", scores: ["p99_ms": 80]), policy: policy), "metric:p99_ms") == .error)
        #expect(Self.outcome(Self.judge(Self.version("1.0.0", scores: ["p99_ms": .nan]), policy: policy), "metric:p99_ms") == .error)
    }

    @Test func aRuleWithoutADirectionFollowsTheModel() {
        let policy = ValidationPolicy(metrics: [.init(metric: "drift_score", error: 0.3)])
        let version = Self.version("1.0.0", scores: ["drift_score": 0.5])
        // Guessed from the name: higher is better, so 0.5 passes a floor of 0.3.
        #expect(Self.judge(version, policy: policy).passed)
        // Declared lower-is-better on the model: 0.5 is above the ceiling.
        let model = RegisteredModel(
            name: Self.model, metricDirections: ["drift_score": .minimize], createdAt: Self.now, updatedAt: Self.now)
        let report = Validator.evaluate(.init(
            version: version, files: [], policy: PolicyRevision(revision: 1, policy: policy), environment: .production,
            baseline: nil, model: model, actor: "ana", now: Self.now))
        #expect(!report.passed && report.errors.first?.message.contains("above the error threshold") == true)
    }

    @Test func namesGuessTheCommonLowerIsBetterMetrics() {
        for name in ["val_loss", "trainloss", "p99_ms", "memory_mb", "latency_p95", "error_rate", "rmse", "duration_seconds"] {
            #expect(MetricDirection.inferred(forMetric: name) == .minimize, "\(name)")
        }
        for name in ["f1_score", "roc_auc", "accuracy", "recall", "precision", "ndcg_at_10", "users"] {
            #expect(MetricDirection.inferred(forMetric: name) == .maximize, "\(name)")
        }
    }

    @Test func binaryMetricsMatchScikitLearn() {
        // roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75 in scikit-learn's documentation.
        #expect(BinaryMetrics.rocAUC(truth: [false, false, true, true], scores: [0.1, 0.4, 0.35, 0.8]) == 0.75)
        // Ties count half.
        #expect(BinaryMetrics.rocAUC(truth: [false, true], scores: [0.5, 0.5]) == 0.5)
        #expect(BinaryMetrics.rocAUC(truth: [true, true], scores: [0.1, 0.2]) == nil)
        let metrics = BinaryMetrics.compute(
            truth: [true, true, true, false, false], predicted: [true, false, true, true, false], scores: nil)
        #expect(metrics["precision"] == 2.0 / 3 && metrics["recall"] == 2.0 / 3 && metrics["accuracy"] == 0.6)
        #expect(abs(metrics["f1_score"]! - 2.0 / 3) < 1e-12 && metrics["roc_auc"] == nil)
        #expect(BinaryMetrics.compute(truth: [false], predicted: [false], scores: nil)["f1_score"] == 0)
    }

    @Test func evaluationDatasetsReadCSVAndJSONLinesInTheModelsFeatureOrder() throws {
        let csv = try EvaluationDataset(
            parsing: Data("b,label,a\n2,1,1\n4,0,3\n".utf8), name: "e.csv", label: "label", features: ["a", "b"])
        #expect(csv.values == [1, 2, 3, 4] && csv.labels == ["1", "0"] && csv.rows == 2)
        let lines = try EvaluationDataset(
            parsing: Data("{\"a\": 1, \"b\": 2, \"y\": 1}\n{\"a\": 3, \"b\": 4, \"y\": 0}\n".utf8), name: "e.jsonl", label: "y", features: nil)
        #expect(lines.features == ["a", "b"] && lines.values == [1, 2, 3, 4] && lines.labels == ["1", "0"])
        for (text, label) in [("a,b\n1,2\n", "label"), ("a,label\nx,1\n", "label"), ("a,label\n1\n", "label"), ("a,label\n", "label")] {
            #expect(throws: RegistryError.self, "\(text)") {
                try EvaluationDataset(parsing: Data(text.utf8), name: "e.csv", label: label, features: nil)
            }
        }
    }

    /// The CSV reader's fast decimal path gives exactly what strtod gives, bit for bit, on the shapes files hold.
    @Test func evaluationNumbersReadBitForBitAsStrtodDoes() throws {
        var state: UInt64 = 0x2026_1207
        func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state
        }
        var texts: [String] = ["0", "-0", "1e22", "1e23", "9007199254740993", "0.1", "-2.5E-3", " 7 ", "1e-22", "123456789012345678901", "nan", "inf"]
        for _ in 0..<20_000 {
            let magnitude = pow(10, Double(Int(next() % 40)) - 20)
            let value = (Double(next() % 1_000_000_007) / 1_000_000_007 - 0.5) * magnitude
            texts.append(String(format: ["%.9g", "%.17g", "%g", "%.3f", "%e"][Int(next() % 5)], value))
        }
        let csv = "x,label\n" + texts.map { "\($0),1" }.joined(separator: "\n") + "\n"
        let parsed = try EvaluationDataset(parsing: Data(csv.utf8), name: "e.csv", label: "label", features: nil)
        #expect(parsed.rows == texts.count)
        for (text, value) in zip(texts, parsed.values) {
            let expected = strtod(text, nil)
            #expect(value.bitPattern == expected.bitPattern || (value.isNaN && expected.isNaN), "\(text): \(value) vs \(expected)")
        }
        // Past 1 MiB the rows are parsed in chunks at once: the same values and labels, in file order.
        let big = "x,label\n" + (0..<6).flatMap { round in texts.enumerated().map { "\($0.element),\(($0.offset + round) % 3)" } }.joined(separator: "\n")
        #expect(big.utf8.count > 1 << 20)
        let chunked = try EvaluationDataset(parsing: Data(big.utf8), name: "big.csv", label: "label", features: nil)
        #expect(chunked.rows == texts.count * 6)
        #expect(chunked.labels == (0..<6).flatMap { round in texts.indices.map { String(($0 + round) % 3) } })
        #expect(zip(chunked.values, (0..<6).flatMap { _ in parsed.values }).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) })
    }

    @Test func requiredMetricMustBeReported() {
        let policy = ValidationPolicy(metrics: [.init(metric: "f1_score", error: 0.5, required: true)])
        let report = Self.judge(Self.version("1.0.0", scores: ["accuracy": 0.9]), policy: policy)
        #expect(!report.passed && report.errors.first?.message.contains("requires f1_score") == true)
    }

    @Test func changeRulesCatchARegressionAboveTheFloor() {
        let serving = Self.version("1.0.0", scores: ["f1_score": 0.85, "loss": 0.2])
        let policy = ValidationPolicy(metrics: [
            .init(metric: "f1_score", error: 0.5, minAbsoluteChange: -0.01),
            .init(metric: "loss", direction: .minimize, minRelativeChange: 0.05, changeSeverity: .warning),
        ])
        // f1 0.80 is far above 0.5 but 0.05 below what serves: an error. loss 0.19 is 5 % better: passes.
        let regressed = Self.judge(Self.version("1.1.0", scores: ["f1_score": 0.80, "loss": 0.19]), policy: policy, baseline: serving)
        #expect(Self.outcome(regressed, "metric:f1_score") == .pass && Self.outcome(regressed, "change:f1_score") == .error)
        #expect(Self.outcome(regressed, "change:loss") == .pass)
        #expect(regressed.baseline?.description == "1.0.0" && !regressed.passed)
        // Within the tolerance, and loss only 2.5 % better: a warning (the rule's severity).
        let steady = Self.judge(Self.version("1.2.0", scores: ["f1_score": 0.845, "loss": 0.195]), policy: policy, baseline: serving)
        #expect(Self.outcome(steady, "change:f1_score") == .pass && Self.outcome(steady, "change:loss") == .warning && steady.passed)
        // Nothing serves: the change rule is skipped, not failed.
        #expect(Self.outcome(Self.judge(Self.version("1.1.0", scores: ["f1_score": 0.8]), policy: policy), "change:f1_score") == .skipped)
        // The serving version is not compared with itself.
        #expect(Self.judge(serving, policy: policy, baseline: serving).baseline == nil)
    }

    @Test func ageWarnsThenFails() {
        var policy = ValidationPolicy.default
        #expect(Self.outcome(Self.judge(Self.version("1.0.0", trainedDaysAgo: 2)), "age") == .pass)
        let monitor = Self.judge(Self.version("1.0.0", trainedDaysAgo: 10))
        #expect(monitor.warnings.first?.message.contains("monitor for drift") == true)
        let old = Self.judge(Self.version("1.0.0", trainedDaysAgo: 40))
        #expect(old.warnings.first?.message.contains("consider retraining") == true && old.passed)
        policy.maxAgeDays = 35
        let tooOld = Self.judge(Self.version("1.0.0", trainedDaysAgo: 40), policy: policy)
        #expect(!tooOld.passed && Self.outcome(tooOld, "age") == .error)
        #expect(Self.outcome(Self.judge(Self.version("1.0.0")), "age") == .skipped)
    }

    @Test func featuresMustMatchTheServingVersion() {
        func declared(_ names: [(String, String)]) -> JSONValue {
            .object(["inputs": .array(names.map { .object(["name": .string($0.0), "type": .string($0.1)]) })])
        }
        let serving = Self.version("1.0.0", signature: declared([("hour", "long"), ("amount", "double")]))
        let same = Self.judge(Self.version("1.1.0", signature: declared([("hour", "long"), ("amount", "double")])), baseline: serving)
        #expect(Self.outcome(same, "features") == .pass)
        let reordered = Self.judge(Self.version("1.1.0", signature: declared([("amount", "double"), ("hour", "long")])), baseline: serving)
        #expect(reordered.errors.first?.message.contains("the order changed") == true)
        let changed = Self.judge(Self.version("1.1.0", signature: declared([("hour", "double"), ("merchant", "string")])), baseline: serving)
        let message = changed.errors.first?.message ?? ""
        #expect(message.contains("missing amount") && message.contains("new merchant") && message.contains("hour is double, was long"))
        // MLflow writes the inputs as a JSON string.
        let mlflow = Self.version("1.2.0", signature: .object(["inputs": .string(#"[{"name": "hour", "type": "long"}, {"name": "amount", "type": "double"}]"#)]))
        #expect(Self.outcome(Self.judge(mlflow, baseline: serving), "features") == .pass)
        // A model file's inputs count: 20 features where 30 served.
        func inspected(_ width: Int) -> ServingInfo {
            ServingInfo(
                artifact: nil, sha256: nil, servable: true,
                signature: .object(["inputs": .array([.object(["name": .string("X"), "datatype": .string("FP32"), "shape": .array([.number(-1), .number(Double(width))])])])]),
                inspectedAt: Self.now)
        }
        let wider = Self.judge(Self.version("1.3.0", serving: inspected(30)), baseline: Self.version("1.0.0", serving: inspected(20)))
        #expect(wider.errors.first?.message.contains("X is fp32[?, 30], was fp32[?, 20]") == true)
        // A version registered by hand declares no features: an imported one that does is compared with it by what
        // both model files take, not by names only one side has.
        let byHand = Self.version("1.0.0", serving: inspected(20))
        let importedSame = Self.version("1.4.0", signature: declared([("hour", "long"), ("amount", "double")]), serving: inspected(20))
        #expect(Self.outcome(Self.judge(importedSame, baseline: byHand), "features") == .pass)
        #expect(Self.outcome(Self.judge(Self.version("1.5.0", signature: declared([("hour", "long")])), baseline: byHand), "features") == .skipped)
        var lenient = ValidationPolicy.default
        lenient.featureCompatibility = .warning
        #expect(Self.judge(Self.version("1.3.0", serving: inspected(30)), policy: lenient, baseline: Self.version("1.0.0", serving: inspected(20))).passed)
    }

    @Test func aModelThatCannotBeLoadedFails() {
        let broken = ServingInfo(artifact: nil, sha256: nil, servable: false, reasonCode: "unsupported_operator", reason: "Relx is not supported", inspectedAt: Self.now)
        let report = Self.judge(Self.version("1.0.0", serving: broken))
        #expect(!report.passed && report.errors.first?.message == "Relx is not supported")
        var off = ValidationPolicy.default
        off.loadability = false
        #expect(Self.judge(Self.version("1.0.0", serving: broken), policy: off).passed)
    }

    @Test func requiredFilesAreChecked() {
        let policy = ValidationPolicy(requiredFiles: ["model.onnx", "metadata.json"])
        let report = Self.judge(Self.version("1.0.0"), policy: policy, files: ["model.onnx"])
        #expect(Self.outcome(report, "file:model.onnx") == .pass && Self.outcome(report, "file:metadata.json") == .error)
    }

    @Test func nonsensePoliciesAreRefused() {
        let bad: [ValidationPolicy] = [
            ValidationPolicy(metrics: [.init(metric: "f1", error: 0.8, warning: 0.5)]),
            ValidationPolicy(metrics: [.init(metric: "f1", error: .infinity)]),
            ValidationPolicy(metrics: [.init(metric: "f1"), .init(metric: "f1")]),
            ValidationPolicy(minScore: 1.5),
            ValidationPolicy(maxAgeDays: -1),
            ValidationPolicy(requiredFiles: ["../etc/passwd"]),
            ValidationPolicy(metrics: (0...ValidationPolicy.maxRules).map { .init(metric: "m\($0)") }),
        ]
        for policy in bad {
            #expect(throws: RegistryError.self) { try policy.validate() }
        }
        #expect((try? ValidationPolicy.default.validate()) != nil)
    }
}
