import Dashboard
import Foundation
import RegistryCore

/// Core values built the way the store returns them, for rendering tests.
enum Fixtures {
    static let now = Date(timeIntervalSince1970: 1_790_000_000)

    static func model(
        _ name: String = "fraud", primary: String? = "f1", direction: MetricDirection = .maximize,
        description: String = "", tags: [String: String] = [:]
    ) -> RegisteredModel {
        RegisteredModel(
            name: ModelName(rawValue: name), description: description, owner: "risk", task: "classification",
            tags: tags, primaryMetric: primary, metricDirection: direction, createdAt: now, updatedAt: now)
    }

    static func version(
        _ text: String, model: String = "fraud", scores: [String: Double] = [:], params: [String: JSONValue] = [:],
        status: VersionStatus = .ready, parents: [String] = [], description: String = "", created: TimeInterval = 0
    ) -> ModelVersion {
        let version = try! SemanticVersion(parsing: text)
        return ModelVersion(
            model: ModelName(rawValue: model), version: version, status: status, description: description, tags: [:],
            framework: nil, baseModel: nil, sourceURI: nil, gitCommit: nil, params: params, scores: scores, datasets: [],
            durationSeconds: nil, cost: nil, hardware: nil, signature: nil,
            parents: parents.map { VersionKey(model: ModelName(rawValue: model), version: try! SemanticVersion(parsing: $0)) },
            runID: nil, createdBy: "ann", createdAt: now.addingTimeInterval(created), updatedAt: now, number: 1,
            stage: .none, serving: nil)
    }

    static let context = PageContext(csrfToken: String(repeating: "a", count: 64), actor: "ann", now: now)
}
