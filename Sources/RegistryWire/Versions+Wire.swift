public import Foundation
public import RegistryCore

extension ModelVersion: Codable {
    enum CodingKeys: String, CodingKey {
        case model, version, status, description, tags, framework, params, scores, datasets, cost, hardware
        case signature, parents, number, stage, serving
        case baseModel = "base_model"
        case sourceURI = "source_uri"
        case gitCommit = "git_commit"
        case durationSeconds = "duration_seconds"
        case runID = "run_id"
        case createdBy = "created_by"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case trainedAt = "trained_at"
    }

    /// Exports written before versions had a registration number and a stage decode with 0 and `None`; import
    /// assigns numbers in version order.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            model: try c.decode(ModelName.self, forKey: .model),
            version: try c.decode(SemanticVersion.self, forKey: .version),
            status: try c.decode(VersionStatus.self, forKey: .status),
            description: try c.decode(String.self, forKey: .description),
            tags: try c.decode([String: String].self, forKey: .tags),
            framework: try c.decodeIfPresent(String.self, forKey: .framework),
            baseModel: try c.decodeIfPresent(String.self, forKey: .baseModel),
            sourceURI: try c.decodeIfPresent(String.self, forKey: .sourceURI),
            gitCommit: try c.decodeIfPresent(String.self, forKey: .gitCommit),
            params: try c.decode([String: JSONValue].self, forKey: .params),
            scores: try c.decode([String: Double].self, forKey: .scores),
            datasets: try c.decode([DatasetRef].self, forKey: .datasets),
            durationSeconds: try c.decodeIfPresent(Double.self, forKey: .durationSeconds),
            cost: try c.decodeIfPresent(Double.self, forKey: .cost),
            hardware: try c.decodeIfPresent(String.self, forKey: .hardware),
            signature: try c.decodeIfPresent(JSONValue.self, forKey: .signature),
            parents: try c.decode([VersionKey].self, forKey: .parents),
            runID: try c.decodeIfPresent(String.self, forKey: .runID),
            createdBy: try c.decode(String.self, forKey: .createdBy),
            createdAt: try c.decode(Date.self, forKey: .createdAt),
            updatedAt: try c.decode(Date.self, forKey: .updatedAt),
            number: try c.decodeIfPresent(Int64.self, forKey: .number) ?? 0,
            stage: try c.decodeIfPresent(VersionStage.self, forKey: .stage) ?? .none,
            serving: try c.decodeIfPresent(ServingInfo.self, forKey: .serving),
            trainedAt: try c.decodeIfPresent(Date.self, forKey: .trainedAt))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(model, forKey: .model)
        try c.encode(version, forKey: .version)
        try c.encode(status, forKey: .status)
        try c.encode(description, forKey: .description)
        try c.encode(tags, forKey: .tags)
        try c.encodeIfPresent(framework, forKey: .framework)
        try c.encodeIfPresent(baseModel, forKey: .baseModel)
        try c.encodeIfPresent(sourceURI, forKey: .sourceURI)
        try c.encodeIfPresent(gitCommit, forKey: .gitCommit)
        try c.encode(params, forKey: .params)
        try c.encode(scores, forKey: .scores)
        try c.encode(datasets, forKey: .datasets)
        try c.encodeIfPresent(durationSeconds, forKey: .durationSeconds)
        try c.encodeIfPresent(cost, forKey: .cost)
        try c.encodeIfPresent(hardware, forKey: .hardware)
        try c.encodeIfPresent(signature, forKey: .signature)
        try c.encode(parents, forKey: .parents)
        try c.encodeIfPresent(runID, forKey: .runID)
        try c.encode(createdBy, forKey: .createdBy)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(updatedAt, forKey: .updatedAt)
        try c.encode(number, forKey: .number)
        try c.encode(stage, forKey: .stage)
        try c.encodeIfPresent(serving, forKey: .serving)
        try c.encodeIfPresent(trainedAt, forKey: .trainedAt)
    }
}
