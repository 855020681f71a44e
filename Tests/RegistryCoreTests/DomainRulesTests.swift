import Foundation
import Testing

@testable import RegistryCore

@Suite struct DomainRulesTests {
    let epoch = Date(timeIntervalSince1970: 0)

    func model(metric: String? = "f1", direction: MetricDirection = .maximize, pinned: SemanticVersion? = nil) -> RegisteredModel {
        RegisteredModel(
            name: ModelName(rawValue: "m"), primaryMetric: metric, metricDirection: direction, pinnedBest: pinned,
            createdAt: epoch, updatedAt: epoch)
    }

    func version(_ text: String, scores: [String: Double] = [:], params: [String: JSONValue] = [:]) throws -> ModelVersion {
        ModelVersion(
            model: ModelName(rawValue: "m"), version: try SemanticVersion(parsing: text), status: .ready, params: params,
            scores: scores, createdAt: epoch, updatedAt: epoch)
    }

    @Test func summariesFindLastMinMaxAndBestStep() {
        let points = [
            MetricPoint(name: "loss", step: 0, value: 1.0, timestamp: 1),
            MetricPoint(name: "loss", step: 2, value: 0.2, timestamp: 3),
            MetricPoint(name: "loss", step: 1, value: 0.5, timestamp: 2),
            MetricPoint(name: "loss", step: 3, value: 0.3, timestamp: 4),
            MetricPoint(name: "accuracy", step: 0, value: 0.5, timestamp: 1),
            MetricPoint(name: "accuracy", step: 1, value: 0.9, timestamp: 2),
            MetricPoint(name: "accuracy", step: 2, value: 0.8, timestamp: 3),
        ]
        let summaries = MetricSummary.summarize(points)
        let loss = summaries.first { $0.name == "loss" }
        #expect(loss?.last == 0.3 && loss?.min == 0.2 && loss?.max == 1.0)
        #expect(loss?.direction == .minimize && loss?.best == 0.2 && loss?.bestStep == 2)
        let accuracy = summaries.first { $0.name == "accuracy" }
        #expect(accuracy?.direction == .maximize && accuracy?.bestStep == 1 && accuracy?.last == 0.8 && accuracy?.count == 3)
    }

    @Test func directionIsInferredFromTheMetricName() {
        #expect(MetricDirection.inferred(forMetric: "val_loss") == .minimize)
        #expect(MetricDirection.inferred(forMetric: "latency_ms") == .minimize)
        #expect(MetricDirection.inferred(forMetric: "rmse") == .minimize)
        #expect(MetricDirection.inferred(forMetric: "accuracy") == .maximize)
        #expect(MetricDirection.inferred(forMetric: "f1") == .maximize)
    }

    @Test func bestFollowsDirectionSkipsArchivedAndPrefersNewerOnTies() throws {
        let candidates = [
            BestCandidate(version: try SemanticVersion(parsing: "1.0.0"), status: .ready, scores: ["f1": 0.9]),
            BestCandidate(version: try SemanticVersion(parsing: "1.1.0"), status: .archived, scores: ["f1": 0.99]),
            BestCandidate(version: try SemanticVersion(parsing: "1.2.0"), status: .ready, scores: ["f1": 0.9]),
            BestCandidate(version: try SemanticVersion(parsing: "1.3.0"), status: .ready, scores: ["loss": 0.1]),
        ]
        let best = try BestVersionSelector.select(model: model(), candidates: candidates)
        #expect(best?.version.description == "1.2.0")
        #expect(best?.rule == .primaryMetric)
        let lowest = try BestVersionSelector.select(model: model(metric: "f1", direction: .minimize), candidates: candidates)
        #expect(lowest?.version.description == "1.2.0")
        let pinned = try BestVersionSelector.select(model: model(pinned: .initial), candidates: candidates)
        #expect(pinned?.rule == .pinned && pinned?.version == .initial)
        #expect(throws: RegistryError.self) { try BestVersionSelector.select(model: model(metric: nil), candidates: candidates) }
    }

    @Test func comparisonHasDeltasAndParamsDiff() throws {
        let a = try version("1.0.0", scores: ["f1": 0.8, "loss": 0.5], params: ["lr": .number(0.1), "depth": .number(4), "old": .bool(true)])
        let b = try version("1.1.0", scores: ["f1": 0.88, "loss": 0.6], params: ["lr": .number(0.05), "depth": .number(4), "new": .string("x")])
        let comparison = try VersionComparison.make(model: model(), versions: [a, b], histories: [[], []])
        let f1 = comparison.metrics.first { $0.name == "f1" }
        #expect(abs((f1?.deltas[1]?.absolute ?? 0) - 0.08) < 1e-12)
        #expect(abs((f1?.deltas[1]?.relative ?? 0) - 0.1) < 1e-12)
        #expect(f1?.deltas[1]?.improved == true)
        #expect(comparison.metrics.first { $0.name == "loss" }?.deltas[1]?.improved == false)
        let diff = comparison.params[0]
        #expect(diff.changed.map(\.key) == ["lr"] && diff.added.map(\.key) == ["new"] && diff.removed.map(\.key) == ["old"])
        let markdown = comparison.markdown
        #expect(markdown.contains("| f1 (max) | 0.8 | 0.88 (+0.08, +10.00%) ▲ |"))
        #expect(markdown.contains("| lr | changed | 0.1 | 0.05 |"))
        #expect(throws: RegistryError.self) { try VersionComparison.make(model: model(), versions: [a], histories: [[]]) }
    }

    func record(_ action: Deployment.Action, _ to: String?, id: Int64) throws -> Deployment {
        Deployment(
            id: id, model: ModelName(rawValue: "m"), environment: .production, action: action, fromVersion: nil,
            toVersion: try to.map(SemanticVersion.init(parsing:)), actor: "a", reason: "", createdAt: epoch)
    }

    @Test func rollbackWalksBackThroughHistory() throws {
        var history = [try record(.deploy, "1.0.0", id: 1), try record(.deploy, "2.0.0", id: 2), try record(.deploy, "3.0.0", id: 3)]
        let three = try SemanticVersion(parsing: "3.0.0")
        let first = try RollbackPlanner.target(history: history, current: three, requested: nil, environment: .production)
        #expect(first.description == "2.0.0")
        history.append(try record(.rollback, "2.0.0", id: 4))
        let second = try RollbackPlanner.target(history: history, current: first, requested: nil, environment: .production)
        #expect(second.description == "1.0.0")
        history.append(try record(.rollback, "1.0.0", id: 5))
        #expect(throws: RegistryError.self) {
            try RollbackPlanner.target(history: history, current: second, requested: nil, environment: .production)
        }
        #expect(throws: RegistryError.self) {
            try RollbackPlanner.target(history: history, current: second, requested: SemanticVersion(parsing: "9.0.0"), environment: .production)
        }
        #expect(try RollbackPlanner.target(history: history, current: second, requested: three, environment: .production) == three)
    }

    @Test func deployPlanDeprecatesTheReplacedVersionUnlessItServesElsewhere() throws {
        let target = DeploymentTarget(version: try SemanticVersion(parsing: "2.0.0"), status: .ready, otherEnvironments: [])
        let current = DeploymentTarget(version: .initial, status: .ready, otherEnvironments: [])
        let plan = try DeploymentPlanner.plan(action: .deploy, environment: .production, target: target, current: current, deprecateReplaced: true)
        #expect(plan.statusChanges == [.init(version: .initial, from: .ready, to: .deprecated)])
        var shared = current
        shared.otherEnvironments = [EnvironmentName(rawValue: "staging")]
        #expect(try DeploymentPlanner.plan(action: .deploy, environment: .production, target: target, current: shared, deprecateReplaced: true).statusChanges.isEmpty)
        #expect(try DeploymentPlanner.plan(action: .deploy, environment: .production, target: target, current: current, deprecateReplaced: false).statusChanges.isEmpty)
        var draft = target
        draft.status = .draft
        #expect(throws: RegistryError.self) {
            try DeploymentPlanner.plan(action: .deploy, environment: .production, target: draft, current: nil, deprecateReplaced: true)
        }
        var deprecated = target
        deprecated.status = .deprecated
        let rollback = try DeploymentPlanner.plan(action: .rollback, environment: .production, target: deprecated, current: current, deprecateReplaced: true)
        #expect(rollback.statusChanges.contains(.init(version: deprecated.version, from: .deprecated, to: .ready)))
    }

    @Test func pageTokensRoundTripAndRejectGarbage() throws {
        #expect(try PageToken.decode(PageToken.encode("model name/ü")) == "model name/ü")
        #expect(throws: RegistryError.self) { try PageToken.decode("zz") }
        #expect(throws: RegistryError.self) { try PageToken.decode("abc") }
        #expect(throws: RegistryError.self) { try PageRequest(limit: 0) }
        #expect(throws: RegistryError.self) { try PageRequest(limit: 5000) }
    }

    @Test func auditActorIsTrimmedCappedAndNeverEmpty() {
        #expect(AuditContext(actor: "  alice \t").actor == "alice")
        #expect(AuditContext(actor: "bob smith").actor == "bob smith")
        #expect(AuditContext(actor: " \t ").actor == AuditContext.anonymousActor)
        #expect(AuditContext(actor: "").actor == AuditContext.anonymousActor)
        #expect(AuditContext(actor: nil).actor == AuditContext.anonymousActor)
        #expect(AuditContext(actor: " " + String(repeating: "é", count: 300)).actor == String(repeating: "é", count: 250))
    }
}
