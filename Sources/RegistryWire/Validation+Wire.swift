public import Foundation
public import RegistryCore

/// A policy as clients write it: every field optional. An absent switch takes its everyday value (features checked
/// as errors, loadability checked, minimum score 0.6, baseline `production`); absent age limits and lists are off
/// and empty; a rule without a direction follows the model's direction for the metric. Unknown fields are refused, so
/// a misspelt rule is not silently ignored.
extension ValidationPolicy: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case metrics, loadability, promote, evaluation
        case requiredFiles = "required_files"
        case anomalyThreshold = "anomaly_threshold"
        case confidenceThreshold = "confidence_threshold"
        case monitorAfterDays = "monitor_after_days"
        case retrainAfterDays = "retrain_after_days"
        case maxAgeDays = "max_age_days"
        case featureCompatibility = "feature_compatibility"
        case minScore = "min_score"
        case baselineEnvironment = "baseline_environment"
    }

    public init(from decoder: any Decoder) throws {
        try WireKeys.refuseUnknown(in: decoder, known: CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            requiredFiles: try c.decodeIfPresent([String].self, forKey: .requiredFiles) ?? [],
            metrics: try c.decodeIfPresent([MetricRule].self, forKey: .metrics) ?? [],
            monitorAfterDays: try c.decodeIfPresent(Int.self, forKey: .monitorAfterDays),
            retrainAfterDays: try c.decodeIfPresent(Int.self, forKey: .retrainAfterDays),
            maxAgeDays: try c.decodeIfPresent(Int.self, forKey: .maxAgeDays),
            featureCompatibility: try c.decodeIfPresent(Severity.self, forKey: .featureCompatibility) ?? .error,
            loadability: try c.decodeIfPresent(Bool.self, forKey: .loadability) ?? true,
            minScore: try c.decodeIfPresent(Double.self, forKey: .minScore) ?? 0.6,
            baselineEnvironment: try c.decodeIfPresent(EnvironmentName.self, forKey: .baselineEnvironment) ?? .production,
            promote: try c.decodeIfPresent(Promotion.self, forKey: .promote),
            evaluation: try c.decodeIfPresent(Evaluation.self, forKey: .evaluation),
            anomalyThreshold: try c.decodeIfPresent(Double.self, forKey: .anomalyThreshold),
            confidenceThreshold: try c.decodeIfPresent(Double.self, forKey: .confidenceThreshold))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(requiredFiles, forKey: .requiredFiles)
        try c.encode(metrics, forKey: .metrics)
        try c.encodeIfPresent(monitorAfterDays, forKey: .monitorAfterDays)
        try c.encodeIfPresent(retrainAfterDays, forKey: .retrainAfterDays)
        try c.encodeIfPresent(maxAgeDays, forKey: .maxAgeDays)
        try c.encode(featureCompatibility, forKey: .featureCompatibility)
        try c.encode(loadability, forKey: .loadability)
        try c.encode(minScore, forKey: .minScore)
        try c.encode(baselineEnvironment, forKey: .baselineEnvironment)
        try c.encodeIfPresent(promote, forKey: .promote)
        try c.encodeIfPresent(evaluation, forKey: .evaluation)
        try c.encodeIfPresent(anomalyThreshold, forKey: .anomalyThreshold)
        try c.encodeIfPresent(confidenceThreshold, forKey: .confidenceThreshold)
    }
}

extension ValidationPolicy.Evaluation: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case dataset, label, tolerance
        case positiveLabel = "positive_label"
    }

    public init(from decoder: any Decoder) throws {
        try WireKeys.refuseUnknown(in: decoder, known: CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            dataset: try c.decodeIfPresent(String.self, forKey: .dataset) ?? "evaluation.csv",
            label: try c.decodeIfPresent(String.self, forKey: .label) ?? "label",
            tolerance: try c.decodeIfPresent(Double.self, forKey: .tolerance) ?? 0.02,
            positiveLabel: try c.decodeIfPresent(String.self, forKey: .positiveLabel) ?? "1")
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(dataset, forKey: .dataset)
        try c.encode(label, forKey: .label)
        try c.encode(tolerance, forKey: .tolerance)
        try c.encode(positiveLabel, forKey: .positiveLabel)
    }
}

extension ValidationPolicy.Promotion: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case environment
        case canaryPercent = "canary_percent"
    }

    public init(from decoder: any Decoder) throws {
        try WireKeys.refuseUnknown(in: decoder, known: CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            environment: try c.decode(EnvironmentName.self, forKey: .environment),
            canaryPercent: try c.decodeIfPresent(Int.self, forKey: .canaryPercent))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(environment, forKey: .environment)
        try c.encodeIfPresent(canaryPercent, forKey: .canaryPercent)
    }
}

extension ValidationPolicy.MetricRule: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case metric, direction, error, warning, required
        case minAbsoluteChange = "min_absolute_change"
        case minRelativeChange = "min_relative_change"
        case changeSeverity = "change_severity"
    }

    public init(from decoder: any Decoder) throws {
        try WireKeys.refuseUnknown(in: decoder, known: CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let metric = try c.decode(String.self, forKey: .metric)
        self.init(
            metric: metric,
            direction: try c.decodeIfPresent(MetricDirection.self, forKey: .direction),
            error: try c.decodeIfPresent(Double.self, forKey: .error),
            warning: try c.decodeIfPresent(Double.self, forKey: .warning),
            required: try c.decodeIfPresent(Bool.self, forKey: .required) ?? false,
            minAbsoluteChange: try c.decodeIfPresent(Double.self, forKey: .minAbsoluteChange),
            minRelativeChange: try c.decodeIfPresent(Double.self, forKey: .minRelativeChange),
            changeSeverity: try c.decodeIfPresent(ValidationPolicy.Severity.self, forKey: .changeSeverity) ?? .error)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(metric, forKey: .metric)
        try c.encodeIfPresent(direction, forKey: .direction)
        try c.encodeIfPresent(error, forKey: .error)
        try c.encodeIfPresent(warning, forKey: .warning)
        try c.encode(required, forKey: .required)
        try c.encodeIfPresent(minAbsoluteChange, forKey: .minAbsoluteChange)
        try c.encodeIfPresent(minRelativeChange, forKey: .minRelativeChange)
        try c.encode(changeSeverity, forKey: .changeSeverity)
    }
}

extension PolicyRevision: Codable {
    enum CodingKeys: String, CodingKey {
        case revision, policy
        case updatedAt = "updated_at"
        case updatedBy = "updated_by"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            revision: try c.decode(Int.self, forKey: .revision),
            policy: try c.decode(ValidationPolicy.self, forKey: .policy),
            updatedAt: try c.decodeIfPresent(Date.self, forKey: .updatedAt),
            updatedBy: try c.decodeIfPresent(String.self, forKey: .updatedBy))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(revision, forKey: .revision)
        try c.encode(policy, forKey: .policy)
        try c.encodeIfPresent(updatedAt, forKey: .updatedAt)
        try c.encodeIfPresent(updatedBy, forKey: .updatedBy)
    }
}

extension ValidationReport: Codable {
    enum CodingKeys: String, CodingKey {
        case model, version, environment, baseline, passed, score, checks
        case policyRevision = "policy_revision"
        case validatedAt = "validated_at"
        case validatedBy = "validated_by"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            model: try c.decode(ModelName.self, forKey: .model),
            version: try c.decode(SemanticVersion.self, forKey: .version),
            policyRevision: try c.decode(Int.self, forKey: .policyRevision),
            environment: try c.decode(EnvironmentName.self, forKey: .environment),
            baseline: try c.decodeIfPresent(SemanticVersion.self, forKey: .baseline),
            passed: try c.decode(Bool.self, forKey: .passed),
            score: try c.decode(Double.self, forKey: .score),
            checks: try c.decode([Check].self, forKey: .checks),
            validatedAt: try c.decode(Date.self, forKey: .validatedAt),
            validatedBy: try c.decode(String.self, forKey: .validatedBy))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(model, forKey: .model)
        try c.encode(version, forKey: .version)
        try c.encode(policyRevision, forKey: .policyRevision)
        try c.encode(environment, forKey: .environment)
        try c.encodeIfPresent(baseline, forKey: .baseline)
        try c.encode(passed, forKey: .passed)
        try c.encode(score, forKey: .score)
        try c.encode(checks, forKey: .checks)
        try c.encode(validatedAt, forKey: .validatedAt)
        try c.encode(validatedBy, forKey: .validatedBy)
    }
}

extension ValidationReport.Check: Codable {
    enum CodingKeys: String, CodingKey {
        case name, kind, outcome, observed, threshold, message
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            name: try c.decode(String.self, forKey: .name),
            kind: try c.decode(ValidationReport.Kind.self, forKey: .kind),
            outcome: try c.decode(ValidationReport.Outcome.self, forKey: .outcome),
            observed: try c.decodeIfPresent(Double.self, forKey: .observed),
            threshold: try c.decodeIfPresent(Double.self, forKey: .threshold),
            message: try c.decode(String.self, forKey: .message))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(kind, forKey: .kind)
        try c.encode(outcome, forKey: .outcome)
        try c.encodeIfPresent(observed, forKey: .observed)
        try c.encodeIfPresent(threshold, forKey: .threshold)
        try c.encode(message, forKey: .message)
    }
}

/// Helpers for documents clients write by hand.
enum WireKeys {
    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Throws when the object holds a key outside `known`, naming it.
    static func refuseUnknown(in decoder: any Decoder, known: [String]) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        if let unknown = container.allKeys.first(where: { !known.contains($0.stringValue) }) {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath + [unknown],
                debugDescription: "unknown field '\(unknown.stringValue.prefix(60))'; known: \(known.joined(separator: ", "))"))
        }
    }
}
