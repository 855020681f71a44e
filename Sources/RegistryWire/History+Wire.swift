public import Foundation
public import RegistryCore

extension MetricSummary: Codable {
    enum CodingKeys: String, CodingKey {
        case name, count, last, min, max, direction, best
        case firstStep = "first_step"
        case lastStep = "last_step"
        case bestStep = "best_step"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            name: try c.decode(String.self, forKey: .name),
            count: try c.decode(Int.self, forKey: .count),
            firstStep: try c.decode(Int64.self, forKey: .firstStep),
            lastStep: try c.decode(Int64.self, forKey: .lastStep),
            last: try c.decode(Double.self, forKey: .last),
            min: try c.decode(Double.self, forKey: .min),
            max: try c.decode(Double.self, forKey: .max),
            direction: try c.decode(MetricDirection.self, forKey: .direction),
            best: try c.decode(Double.self, forKey: .best),
            bestStep: try c.decode(Int64.self, forKey: .bestStep))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(count, forKey: .count)
        try c.encode(firstStep, forKey: .firstStep)
        try c.encode(lastStep, forKey: .lastStep)
        try c.encode(last, forKey: .last)
        try c.encode(min, forKey: .min)
        try c.encode(max, forKey: .max)
        try c.encode(direction, forKey: .direction)
        try c.encode(best, forKey: .best)
        try c.encode(bestStep, forKey: .bestStep)
    }
}

extension ScoreChange: Codable {
    enum CodingKeys: String, CodingKey {
        case name, value, actor
        case recordedAt = "recorded_at"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            name: try c.decode(String.self, forKey: .name),
            value: try c.decodeIfPresent(Double.self, forKey: .value),
            actor: try c.decode(String.self, forKey: .actor),
            recordedAt: try c.decode(Date.self, forKey: .recordedAt))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encodeIfPresent(value, forKey: .value)
        try c.encode(actor, forKey: .actor)
        try c.encode(recordedAt, forKey: .recordedAt)
    }
}

extension MetricPoint: Codable {
    enum CodingKeys: String, CodingKey {
        case name, step, value, timestamp
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            name: try c.decode(String.self, forKey: .name),
            step: try c.decode(Int64.self, forKey: .step),
            value: try c.decode(Double.self, forKey: .value),
            timestamp: try c.decode(Int64.self, forKey: .timestamp))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(step, forKey: .step)
        try c.encode(value, forKey: .value)
        try c.encode(timestamp, forKey: .timestamp)
    }
}
