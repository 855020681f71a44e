/// The best version of a model and the rule that chose it.
public struct BestVersion: Sendable, Equatable {
    public enum Rule: String, Sendable, Codable {
        /// Pinned by a person with mark-best.
        case pinned
        /// Highest (or lowest) primary metric among evaluation scores, archived versions excluded.
        case primaryMetric = "primary_metric"
    }

    public var version: SemanticVersion
    public var rule: Rule
    public var metric: String?
    public var direction: MetricDirection?
    public var value: Double?
    /// A sentence a person can read: why this version is the best.
    public var explanation: String

    public init(
        version: SemanticVersion, rule: Rule, metric: String?, direction: MetricDirection?, value: Double?,
        explanation: String
    ) {
        self.version = version
        self.rule = rule
        self.metric = metric
        self.direction = direction
        self.value = value
        self.explanation = explanation
    }
}

/// One version as best-selection sees it.
public struct BestCandidate: Sendable, Equatable {
    public var version: SemanticVersion
    public var status: VersionStatus
    public var scores: [String: Double]

    public init(version: SemanticVersion, status: VersionStatus, scores: [String: Double]) {
        self.version = version
        self.status = status
        self.scores = scores
    }
}

/// Chooses the best version of a model.
public enum BestVersionSelector {
    /// The pinned version if there is one; otherwise the candidate with the best primary metric (archived
    /// versions excluded; on a tie the newer version wins). `nil` when no candidate has the metric.
    public static func select(model: RegisteredModel, candidates: [BestCandidate]) throws -> BestVersion? {
        if let pinned = model.pinnedBest {
            return BestVersion(
                version: pinned, rule: .pinned, metric: model.primaryMetric, direction: model.metricDirection,
                value: model.primaryMetric.flatMap { metric in
                    candidates.first(where: { $0.version == pinned })?.scores[metric]
                },
                explanation: "version \(pinned) was pinned as best with mark-best")
        }
        guard let metric = model.primaryMetric else {
            throw RegistryError.failedPrecondition(
                "model \(model.name) has no primary metric; set primary_metric on the model or pin a version with mark-best")
        }
        var best: (version: SemanticVersion, value: Double)?
        for candidate in candidates where candidate.status != .archived {
            guard let value = candidate.scores[metric] else { continue }
            if let current = best {
                if model.metricDirection.isBetter(value, than: current.value)
                    || (value == current.value && candidate.version > current.version)
                {
                    best = (candidate.version, value)
                }
            } else {
                best = (candidate.version, value)
            }
        }
        guard let best else { return nil }
        let word = model.metricDirection == .maximize ? "highest" : "lowest"
        return BestVersion(
            version: best.version, rule: .primaryMetric, metric: metric, direction: model.metricDirection,
            value: best.value,
            explanation: "version \(best.version) has the \(word) \(metric) (\(best.value)) among non-archived versions")
    }
}
