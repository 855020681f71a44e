import Foundation

/// Everything about one version in one document: metadata, params, scores, history, lineage, artifacts and
/// deployments. Rendered as JSON for machines and Markdown for people.
public struct VersionReport: Sendable, Equatable {
    public var model: RegisteredModel
    public var version: ModelVersion
    /// Environments this version serves now.
    public var environments: [EnvironmentName]
    public var isBest: Bool
    public var history: [MetricSummary]
    public var scoreChanges: [ScoreChange]
    public var lineage: Lineage
    public var artifacts: [ArtifactEntry]
    /// Deployments that moved an alias to or from this version.
    public var deployments: [Deployment]
    public var generatedAt: Date

    public init(
        model: RegisteredModel, version: ModelVersion, environments: [EnvironmentName], isBest: Bool,
        history: [MetricSummary], scoreChanges: [ScoreChange], lineage: Lineage, artifacts: [ArtifactEntry],
        deployments: [Deployment], generatedAt: Date
    ) {
        self.model = model
        self.version = version
        self.environments = environments
        self.isBest = isBest
        self.history = history
        self.scoreChanges = scoreChanges
        self.lineage = lineage
        self.artifacts = artifacts
        self.deployments = deployments
        self.generatedAt = generatedAt
    }
}
