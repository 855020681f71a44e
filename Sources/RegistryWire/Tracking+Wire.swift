public import Foundation
public import RegistryCore

extension Experiment: Codable {
    enum CodingKeys: String, CodingKey {
        case id, name, tags
        case artifactLocation = "artifact_location"
        case lifecycleStage = "lifecycle_stage"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try c.decode(Int64.self, forKey: .id),
            name: try c.decode(String.self, forKey: .name),
            artifactLocation: try c.decode(String.self, forKey: .artifactLocation),
            lifecycleStage: try c.decode(LifecycleStage.self, forKey: .lifecycleStage),
            tags: try c.decode([String: String].self, forKey: .tags),
            createdAt: try c.decode(Int64.self, forKey: .createdAt),
            updatedAt: try c.decode(Int64.self, forKey: .updatedAt))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(artifactLocation, forKey: .artifactLocation)
        try c.encode(lifecycleStage, forKey: .lifecycleStage)
        try c.encode(tags, forKey: .tags)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(updatedAt, forKey: .updatedAt)
    }
}

extension LoggedModel: Codable {
    enum CodingKeys: String, CodingKey {
        case id, name, status, tags, params
        case experimentID = "experiment_id"
        case sourceRunID = "source_run_id"
        case modelType = "model_type"
        case lifecycleStage = "lifecycle_stage"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try c.decode(String.self, forKey: .id),
            experimentID: try c.decode(Int64.self, forKey: .experimentID),
            name: try c.decode(String.self, forKey: .name),
            sourceRunID: try c.decodeIfPresent(String.self, forKey: .sourceRunID),
            modelType: try c.decode(String.self, forKey: .modelType),
            status: try c.decode(LoggedModelStatus.self, forKey: .status),
            lifecycleStage: try c.decode(LifecycleStage.self, forKey: .lifecycleStage),
            tags: try c.decode([String: String].self, forKey: .tags),
            params: try c.decode([String: String].self, forKey: .params),
            createdAt: try c.decode(Int64.self, forKey: .createdAt),
            updatedAt: try c.decode(Int64.self, forKey: .updatedAt))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(experimentID, forKey: .experimentID)
        try c.encode(name, forKey: .name)
        try c.encodeIfPresent(sourceRunID, forKey: .sourceRunID)
        try c.encode(modelType, forKey: .modelType)
        try c.encode(status, forKey: .status)
        try c.encode(lifecycleStage, forKey: .lifecycleStage)
        try c.encode(tags, forKey: .tags)
        try c.encode(params, forKey: .params)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(updatedAt, forKey: .updatedAt)
    }
}

extension RunInfo: Codable {
    enum CodingKeys: String, CodingKey {
        case id, name, status
        case experimentID = "experiment_id"
        case userID = "user_id"
        case startTime = "start_time"
        case endTime = "end_time"
        case lifecycleStage = "lifecycle_stage"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try c.decode(String.self, forKey: .id),
            experimentID: try c.decode(Int64.self, forKey: .experimentID),
            name: try c.decode(String.self, forKey: .name),
            userID: try c.decode(String.self, forKey: .userID),
            status: try c.decode(RunStatus.self, forKey: .status),
            startTime: try c.decode(Int64.self, forKey: .startTime),
            endTime: try c.decodeIfPresent(Int64.self, forKey: .endTime),
            lifecycleStage: try c.decode(LifecycleStage.self, forKey: .lifecycleStage))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(experimentID, forKey: .experimentID)
        try c.encode(name, forKey: .name)
        try c.encode(userID, forKey: .userID)
        try c.encode(status, forKey: .status)
        try c.encode(startTime, forKey: .startTime)
        try c.encodeIfPresent(endTime, forKey: .endTime)
        try c.encode(lifecycleStage, forKey: .lifecycleStage)
    }
}

extension DatasetInput: Codable {
    enum CodingKeys: String, CodingKey {
        case name, digest, source, schema, profile, tags
        case sourceType = "source_type"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            name: try c.decode(String.self, forKey: .name),
            digest: try c.decode(String.self, forKey: .digest),
            sourceType: try c.decode(String.self, forKey: .sourceType),
            source: try c.decode(String.self, forKey: .source),
            schema: try c.decodeIfPresent(String.self, forKey: .schema),
            profile: try c.decodeIfPresent(String.self, forKey: .profile),
            tags: try c.decode([String: String].self, forKey: .tags))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(digest, forKey: .digest)
        try c.encode(sourceType, forKey: .sourceType)
        try c.encode(source, forKey: .source)
        try c.encodeIfPresent(schema, forKey: .schema)
        try c.encodeIfPresent(profile, forKey: .profile)
        try c.encode(tags, forKey: .tags)
    }
}

extension RunModelOutput: Codable {
    enum CodingKeys: String, CodingKey {
        case step
        case modelID = "model_id"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            modelID: try c.decode(String.self, forKey: .modelID),
            step: try c.decode(Int64.self, forKey: .step))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(modelID, forKey: .modelID)
        try c.encode(step, forKey: .step)
    }
}

extension TrackedMetric: Codable {
    enum CodingKeys: String, CodingKey {
        case key, value, timestamp, step
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            key: try c.decode(String.self, forKey: .key),
            value: try c.decode(Double.self, forKey: .value),
            timestamp: try c.decode(Int64.self, forKey: .timestamp),
            step: try c.decode(Int64.self, forKey: .step))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(key, forKey: .key)
        try c.encode(value, forKey: .value)
        try c.encode(timestamp, forKey: .timestamp)
        try c.encode(step, forKey: .step)
    }
}

extension Run: Codable {
    enum CodingKeys: String, CodingKey {
        case info, params, tags, metrics, inputs, outputs
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            info: try c.decode(RunInfo.self, forKey: .info),
            params: try c.decode([String: String].self, forKey: .params),
            tags: try c.decode([String: String].self, forKey: .tags),
            metrics: try c.decode([TrackedMetric].self, forKey: .metrics),
            inputs: try c.decode([DatasetInput].self, forKey: .inputs),
            outputs: try c.decode([RunModelOutput].self, forKey: .outputs))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(info, forKey: .info)
        try c.encode(params, forKey: .params)
        try c.encode(tags, forKey: .tags)
        try c.encode(metrics, forKey: .metrics)
        try c.encode(inputs, forKey: .inputs)
        try c.encode(outputs, forKey: .outputs)
    }
}
