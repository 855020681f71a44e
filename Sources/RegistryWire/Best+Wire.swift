public import Foundation
public import RegistryCore

extension BestVersion: Codable {
    enum CodingKeys: String, CodingKey {
        case version, rule, metric, direction, value, explanation
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            version: try c.decode(SemanticVersion.self, forKey: .version),
            rule: try c.decode(Rule.self, forKey: .rule),
            metric: try c.decodeIfPresent(String.self, forKey: .metric),
            direction: try c.decodeIfPresent(MetricDirection.self, forKey: .direction),
            value: try c.decodeIfPresent(Double.self, forKey: .value),
            explanation: try c.decode(String.self, forKey: .explanation))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(version, forKey: .version)
        try c.encode(rule, forKey: .rule)
        try c.encodeIfPresent(metric, forKey: .metric)
        try c.encodeIfPresent(direction, forKey: .direction)
        try c.encodeIfPresent(value, forKey: .value)
        try c.encode(explanation, forKey: .explanation)
    }
}
