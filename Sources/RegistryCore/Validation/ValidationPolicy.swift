import Foundation

/// What a version must satisfy before it may serve. One per model, versioned: each change is a new revision, and
/// a verdict names the revision it was reached under. A model without one uses `ValidationPolicy.default`.
///
/// Rules apply where they can: a metric rule only to versions that report the metric (unless it is `required`),
/// the feature and loadability checks only to versions with a model file or declared features, the age rule only
/// to versions that say when they were trained. A version registered by hand without any of these passes.
public struct ValidationPolicy: Sendable, Equatable {
    /// How bad a failed check is.
    public enum Severity: String, Sendable, Codable, CaseIterable {
        case error, warning, off
    }

    /// Thresholds for one evaluation score, in its direction (for `maximize`, a value below `error` fails).
    public struct MetricRule: Sendable, Equatable {
        public var metric: String
        /// `nil`: the model's direction for the metric (declared, or guessed from the name).
        public var direction: MetricDirection?
        /// A value worse than this is an error.
        public var error: Double?
        /// A value worse than this (and not worse than `error`) is a warning.
        public var warning: Double?
        /// Whether a version must report the metric at all.
        public var required: Bool
        /// Against the version serving in the baseline environment: the candidate must be at least this much better
        /// (a negative value tolerates that much regression). In the metric's direction.
        public var minAbsoluteChange: Double?
        /// As `minAbsoluteChange`, as a fraction of the baseline's value (0.01 = 1 % better).
        public var minRelativeChange: Double?
        /// What a failed change rule is.
        public var changeSeverity: Severity

        public init(
            metric: String, direction: MetricDirection? = nil, error: Double? = nil, warning: Double? = nil,
            required: Bool = false, minAbsoluteChange: Double? = nil, minRelativeChange: Double? = nil,
            changeSeverity: Severity = .error
        ) {
            self.metric = metric
            self.direction = direction
            self.error = error
            self.warning = warning
            self.required = required
            self.minAbsoluteChange = minAbsoluteChange
            self.minRelativeChange = minRelativeChange
            self.changeSeverity = changeSeverity
        }
    }

    /// Where an imported version that passes goes by itself: deployed to `environment`, or given a canary share of
    /// it when something already serves there. Off unless set.
    public struct Promotion: Sendable, Equatable {
        public var environment: EnvironmentName
        /// Percent of the environment's traffic (1-99) for the new version; `nil` deploys it outright.
        public var canaryPercent: Int?

        public init(environment: EnvironmentName, canaryPercent: Int? = nil) {
            self.environment = environment
            self.canaryPercent = canaryPercent
        }
    }

    /// Files the version's manifest must hold (paths within the version).
    public var requiredFiles: [String]
    public var metrics: [MetricRule]
    /// A version trained longer ago than this gets a warning: monitor for drift.
    public var monitorAfterDays: Int?
    /// A version trained longer ago than this gets a warning: consider retraining.
    public var retrainAfterDays: Int?
    /// A version trained longer ago than this fails.
    public var maxAgeDays: Int?
    /// Whether input features differing from the baseline's (names, order, types) fail, warn or are not checked.
    public var featureCompatibility: Severity
    /// Whether a version whose model file the server cannot load and run fails.
    public var loadability: Bool
    /// The least quality score (1 − 0.2 × errors − 0.05 × warnings) a passing version has.
    public var minScore: Double
    /// Whose serving version is the baseline when a version is validated outside a deploy (a deploy compares with
    /// the version its own environment serves).
    public var baselineEnvironment: EnvironmentName
    public var promote: Promotion?
    /// Re-evaluation on a dataset the version carries; off unless set.
    public var evaluation: Evaluation?
    /// Decision thresholds given to imported versions whose metadata names none (see `DecisionThreshold`).
    public var anomalyThreshold: Double?
    public var confidenceThreshold: Double?

    public init(
        requiredFiles: [String] = [], metrics: [MetricRule] = [], monitorAfterDays: Int? = nil,
        retrainAfterDays: Int? = nil, maxAgeDays: Int? = nil, featureCompatibility: Severity = .error,
        loadability: Bool = true, minScore: Double = 0.6, baselineEnvironment: EnvironmentName = .production,
        promote: Promotion? = nil, evaluation: Evaluation? = nil, anomalyThreshold: Double? = nil,
        confidenceThreshold: Double? = nil
    ) {
        self.requiredFiles = requiredFiles
        self.metrics = metrics
        self.monitorAfterDays = monitorAfterDays
        self.retrainAfterDays = retrainAfterDays
        self.maxAgeDays = maxAgeDays
        self.featureCompatibility = featureCompatibility
        self.loadability = loadability
        self.minScore = minScore
        self.baselineEnvironment = baselineEnvironment
        self.promote = promote
        self.evaluation = evaluation
        self.anomalyThreshold = anomalyThreshold
        self.confidenceThreshold = confidenceThreshold
    }

    /// The policy a model has until one is set: our users' validator's thresholds.
    public static let `default` = ValidationPolicy(
        metrics: [
            MetricRule(metric: "f1_score", error: 0.5, warning: 0.7),
            MetricRule(metric: "roc_auc", error: 0.6, warning: 0.8),
            MetricRule(metric: "precision", warning: 0.5),
            MetricRule(metric: "recall", warning: 0.5),
        ],
        monitorAfterDays: 7, retrainAfterDays: 30)

    public static let maxRules = 100

    /// Checks the policy itself; a policy that could never be evaluated sensibly is refused when set.
    public func validate() throws {
        guard metrics.count <= Self.maxRules, requiredFiles.count <= Self.maxRules else {
            throw RegistryError.invalidArgument("a policy holds at most \(Self.maxRules) metric rules and required files")
        }
        for path in requiredFiles { _ = try ArtifactPath(validating: path) }
        var seen: Set<String> = []
        for rule in metrics {
            try FieldLimits.checkMetricName(rule.metric)
            guard seen.insert(rule.metric).inserted else {
                throw RegistryError.invalidArgument("metric '\(rule.metric)' has two rules; give each metric one")
            }
            for (name, value) in [
                ("error", rule.error), ("warning", rule.warning), ("min_absolute_change", rule.minAbsoluteChange),
                ("min_relative_change", rule.minRelativeChange),
            ] {
                if let value, !value.isFinite {
                    throw RegistryError.invalidArgument("\(name) of metric '\(rule.metric)' must be a finite number")
                }
            }
            let direction = rule.direction ?? MetricDirection.inferred(forMetric: rule.metric)
            if let error = rule.error, let warning = rule.warning, direction.isBetter(error, than: warning) {
                throw RegistryError.invalidArgument(
                    "metric '\(rule.metric)': the error threshold \(error) is better than the warning threshold \(warning); "
                        + "for \(direction.rawValue) the error threshold is the worse one")
            }
        }
        for (name, days) in [("monitor_after_days", monitorAfterDays), ("retrain_after_days", retrainAfterDays), ("max_age_days", maxAgeDays)] {
            if let days, !(0...36_500).contains(days) {
                throw RegistryError.invalidArgument("\(name) is \(days); give 0 to 36500 days")
            }
        }
        guard minScore.isFinite, (0...1).contains(minScore) else {
            throw RegistryError.invalidArgument("min_score is \(minScore); give a number between 0 and 1")
        }
        try evaluation?.validate()
        for (name, value) in [("anomaly_threshold", anomalyThreshold), ("confidence_threshold", confidenceThreshold)] {
            if let value, !value.isFinite { throw RegistryError.invalidArgument("\(name) must be a finite number") }
        }
        if let percent = promote?.canaryPercent, !(1...99).contains(percent) {
            throw RegistryError.invalidArgument("promote.canary_percent is \(percent); give 1 to 99, or leave it out to deploy outright")
        }
    }
}

/// A model's policy and its revision (0 for the default, before any was set).
public struct PolicyRevision: Sendable, Equatable {
    public var revision: Int
    public var policy: ValidationPolicy
    public var updatedAt: Date?
    public var updatedBy: String?

    public init(revision: Int, policy: ValidationPolicy, updatedAt: Date? = nil, updatedBy: String? = nil) {
        self.revision = revision
        self.policy = policy
        self.updatedAt = updatedAt
        self.updatedBy = updatedBy
    }
}
