import Foundation

/// The verdict on one version under one policy revision: every check with what was measured, the baseline it was
/// compared with, the quality score, and whether the version may serve.
public struct ValidationReport: Sendable, Equatable {
    public enum Outcome: String, Sendable, Codable {
        case pass, warning, error, skipped
    }

    public enum Kind: String, Sendable, Codable {
        case file, metric, change, age, features, loadability, evaluation
    }

    public struct Check: Sendable, Equatable {
        /// `metric:f1_score`, `change:f1_score`, `file:model.onnx`, `age`, `features`, `loadability`.
        public var name: String
        public var kind: Kind
        public var outcome: Outcome
        /// What was measured, when a number.
        public var observed: Double?
        /// The threshold it was held to, when a number.
        public var threshold: Double?
        public var message: String

        public init(name: String, kind: Kind, outcome: Outcome, observed: Double? = nil, threshold: Double? = nil, message: String) {
            self.name = name
            self.kind = kind
            self.outcome = outcome
            self.observed = observed
            self.threshold = threshold
            self.message = message
        }
    }

    public var model: ModelName
    public var version: SemanticVersion
    public var policyRevision: Int
    /// The environment whose serving version was the baseline, and that version (nil when nothing served there).
    public var environment: EnvironmentName
    public var baseline: SemanticVersion?
    public var passed: Bool
    public var score: Double
    public var checks: [Check]
    public var validatedAt: Date
    public var validatedBy: String

    public init(
        model: ModelName, version: SemanticVersion, policyRevision: Int, environment: EnvironmentName,
        baseline: SemanticVersion?, passed: Bool, score: Double, checks: [Check], validatedAt: Date, validatedBy: String
    ) {
        self.model = model
        self.version = version
        self.policyRevision = policyRevision
        self.environment = environment
        self.baseline = baseline
        self.passed = passed
        self.score = score
        self.checks = checks
        self.validatedAt = validatedAt
        self.validatedBy = validatedBy
    }

    public var errors: [Check] { checks.filter { $0.outcome == .error } }
    public var warnings: [Check] { checks.filter { $0.outcome == .warning } }

    /// One sentence naming what failed, for a refused deploy.
    public var failureSummary: String {
        var reasons = errors.map { "\($0.name): \($0.message)" }
        if reasons.isEmpty { reasons = ["quality score \(Self.format(score)) is below the policy's minimum"] }
        return reasons.joined(separator: "; ")
    }

    /// A figure as people read it: at most three decimals, no trailing zeros.
    public static func format(_ value: Double) -> String {
        let rounded = (value * 1000).rounded() / 1000
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
