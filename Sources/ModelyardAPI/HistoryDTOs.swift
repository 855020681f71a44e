import Foundation
public import RegistryCore
import RegistryWire

/// One point as clients send it: `metric` (or `name`), `step` (or `epoch`), `value`, optional `timestamp`
/// (milliseconds since the epoch; the server's time when absent).
public struct MetricPointInput: Codable, Sendable {
    public var metric: String
    public var step: Int64
    public var value: Double
    public var timestamp: Int64?

    public init(metric: String, step: Int64, value: Double, timestamp: Int64? = nil) {
        self.metric = metric
        self.step = step
        self.value = value
        self.timestamp = timestamp
    }

    enum CodingKeys: String, CodingKey {
        case metric, name, step, epoch, value, timestamp
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        guard let metric = try c.decodeIfPresent(String.self, forKey: .metric) ?? c.decodeIfPresent(String.self, forKey: .name)
        else {
            throw DecodingError.keyNotFound(
                CodingKeys.metric, .init(codingPath: c.codingPath, debugDescription: "metric (or name) is required"))
        }
        guard let step = try c.decodeIfPresent(Int64.self, forKey: .step) ?? c.decodeIfPresent(Int64.self, forKey: .epoch)
        else {
            throw DecodingError.keyNotFound(
                CodingKeys.step, .init(codingPath: c.codingPath, debugDescription: "step (or epoch) is required"))
        }
        self.metric = metric
        self.step = step
        self.value = try c.decode(Double.self, forKey: .value)
        self.timestamp = try c.decodeIfPresent(Int64.self, forKey: .timestamp)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(metric, forKey: .metric)
        try c.encode(step, forKey: .step)
        try c.encode(value, forKey: .value)
        try c.encodeIfPresent(timestamp, forKey: .timestamp)
    }
}

/// Body of `POST .../history`.
public struct AppendHistoryRequest: Codable, Sendable {
    public var points: [MetricPointInput]

    public init(points: [MetricPointInput]) { self.points = points }
}

public struct AppendHistoryResponse: Codable, Sendable {
    public var appended: Int
    package init(appended: Int) {
        self.appended = appended
    }
}

/// `GET .../history`: the series and their summaries.
public struct HistoryResponse: Codable, Sendable {
    public var points: [MetricPoint]
    public var summaries: [MetricSummary]
    package init(points: [MetricPoint], summaries: [MetricSummary]) {
        self.points = points
        self.summaries = summaries
    }
}
