public import Foundation
public import RegistryCore

extension VersionReport: Codable {
    enum CodingKeys: String, CodingKey {
        case model, version, environments, history, lineage, artifacts, deployments
        case isBest = "is_best"
        case scoreChanges = "score_changes"
        case generatedAt = "generated_at"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            model: try c.decode(RegisteredModel.self, forKey: .model),
            version: try c.decode(ModelVersion.self, forKey: .version),
            environments: try c.decode([EnvironmentName].self, forKey: .environments),
            isBest: try c.decode(Bool.self, forKey: .isBest),
            history: try c.decode([MetricSummary].self, forKey: .history),
            scoreChanges: try c.decode([ScoreChange].self, forKey: .scoreChanges),
            lineage: try c.decode(Lineage.self, forKey: .lineage),
            artifacts: try c.decode([ArtifactEntry].self, forKey: .artifacts),
            deployments: try c.decode([Deployment].self, forKey: .deployments),
            generatedAt: try c.decode(Date.self, forKey: .generatedAt))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(model, forKey: .model)
        try c.encode(version, forKey: .version)
        try c.encode(environments, forKey: .environments)
        try c.encode(isBest, forKey: .isBest)
        try c.encode(history, forKey: .history)
        try c.encode(scoreChanges, forKey: .scoreChanges)
        try c.encode(lineage, forKey: .lineage)
        try c.encode(artifacts, forKey: .artifacts)
        try c.encode(deployments, forKey: .deployments)
        try c.encode(generatedAt, forKey: .generatedAt)
    }
}
