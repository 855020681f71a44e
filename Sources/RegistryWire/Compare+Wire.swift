public import Foundation
public import RegistryCore

extension VersionComparison: Codable {
    enum CodingKeys: String, CodingKey {
        case model, versions, metrics, params, history
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            model: try c.decode(ModelName.self, forKey: .model),
            versions: try c.decode([SemanticVersion].self, forKey: .versions),
            metrics: try c.decode([VersionComparison.MetricRow].self, forKey: .metrics),
            params: try c.decode([VersionComparison.ParamsDiff].self, forKey: .params),
            history: try c.decode([VersionComparison.HistoryRow].self, forKey: .history))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(model, forKey: .model)
        try c.encode(versions, forKey: .versions)
        try c.encode(metrics, forKey: .metrics)
        try c.encode(params, forKey: .params)
        try c.encode(history, forKey: .history)
    }
}

extension VersionComparison.Delta: Codable {
    enum CodingKeys: String, CodingKey {
        case absolute, relative, improved
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            absolute: try c.decode(Double.self, forKey: .absolute),
            relative: try c.decodeIfPresent(Double.self, forKey: .relative),
            improved: try c.decodeIfPresent(Bool.self, forKey: .improved))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(absolute, forKey: .absolute)
        try c.encodeIfPresent(relative, forKey: .relative)
        try c.encodeIfPresent(improved, forKey: .improved)
    }
}

extension VersionComparison.MetricRow: Codable {
    enum CodingKeys: String, CodingKey {
        case name, direction, values, deltas
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            name: try c.decode(String.self, forKey: .name),
            direction: try c.decode(MetricDirection.self, forKey: .direction),
            values: try c.decode([Double?].self, forKey: .values),
            deltas: try c.decode([VersionComparison.Delta?].self, forKey: .deltas))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(direction, forKey: .direction)
        try c.encode(values, forKey: .values)
        try c.encode(deltas, forKey: .deltas)
    }
}

extension VersionComparison.ParamChange: Codable {
    enum CodingKeys: String, CodingKey {
        case key, from, to
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            key: try c.decode(String.self, forKey: .key),
            from: try c.decodeIfPresent(JSONValue.self, forKey: .from),
            to: try c.decodeIfPresent(JSONValue.self, forKey: .to))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(key, forKey: .key)
        try c.encodeIfPresent(from, forKey: .from)
        try c.encodeIfPresent(to, forKey: .to)
    }
}

extension VersionComparison.ParamsDiff: Codable {
    enum CodingKeys: String, CodingKey {
        case version, changed, added, removed
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            version: try c.decode(SemanticVersion.self, forKey: .version),
            changed: try c.decode([VersionComparison.ParamChange].self, forKey: .changed),
            added: try c.decode([VersionComparison.ParamChange].self, forKey: .added),
            removed: try c.decode([VersionComparison.ParamChange].self, forKey: .removed))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(version, forKey: .version)
        try c.encode(changed, forKey: .changed)
        try c.encode(added, forKey: .added)
        try c.encode(removed, forKey: .removed)
    }
}

extension VersionComparison.HistoryRow: Codable {
    enum CodingKeys: String, CodingKey {
        case name, summaries
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            name: try c.decode(String.self, forKey: .name),
            summaries: try c.decode([MetricSummary?].self, forKey: .summaries))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(summaries, forKey: .summaries)
    }
}
