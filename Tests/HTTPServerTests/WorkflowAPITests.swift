import Foundation
import HTTPServer
import HummingbirdTesting
import RegistryCore
import RegistryStore
import Testing
import ModelyardAPI

@Suite struct WorkflowAPITests {
    @Test func historyScoresCompareBestAndReport() async throws {
        try await APIHarness().run { client in
            _ = try await client.call(.post, "/api/v1/models", json: CreateModelRequest(name: "m", primaryMetric: "f1"))
            for (index, f1) in [0.8, 0.85].enumerated() {
                var body = RegisterVersionRequest()
                body.params = ["lr": .number(index == 0 ? 0.1 : 0.05), "depth": .number(4)]
                body.scores = ["f1": f1]
                if index == 1 { body.parents = [ParentReference(model: nil, version: "1.0.0")] }
                _ = try await client.call(.post, "/api/v1/models/m/versions", json: body)
            }
            let points = (0..<2000).map { MetricPointInput(metric: "loss", step: Int64($0), value: 1.0 / Double($0 + 1)) }
            let appended = try await client.call(.post, "/api/v1/models/m/versions/1.1.0/history", json: AppendHistoryRequest(points: points))
            #expect(try appended.decode(AppendHistoryResponse.self).appended == 2000)
            let epoch = try await client.call(
                .post, "/api/v1/models/m/versions/1.1.0/history", raw: #"{"points": [{"name": "acc", "epoch": 1, "value": 0.5}]}"#)
            #expect(epoch.status == .created)
            let history = try await client.call(.get, "/api/v1/models/m/versions/1.1.0/history?metric=loss").decode(HistoryResponse.self)
            #expect(history.points.count == 2000 && history.summaries.first?.bestStep == 1999)
            let summary = try await client.call(.get, "/api/v1/models/m/versions/1.1.0/history/summary").decode([MetricSummary].self)
            #expect(summary.map(\.name) == ["acc", "loss"])

            let scores = try await client.call(.put, "/api/v1/models/m/versions/1.0.0/scores", json: ScoresRequest(scores: ["f1": 0.9, "auc": 0.7]))
            #expect(try scores.decode(ScoresResponse.self).scores == ["f1": 0.9, "auc": 0.7])
            #expect(try scores.decode(ScoresResponse.self).changes.count == 3)
            let best = try await client.call(.get, "/api/v1/models/m/best").decode(BestVersion.self)
            #expect(best.version.description == "1.0.0" && best.rule == .primaryMetric)
            _ = try await client.call(.post, "/api/v1/models/m/versions/1.1.0/mark-best", json: ReasonRequest(reason: "holdout"))
            let pinned = try await client.call(.get, "/api/v1/models/m/best").decode(BestVersion.self)
            #expect(pinned.version.description == "1.1.0" && pinned.rule == .pinned)

            let comparison = try await client.call(.get, "/api/v1/models/m/compare?versions=1.0.0,v1.1.0").decode(VersionComparison.self)
            #expect(comparison.params.first?.changed.map(\.key) == ["lr"])
            #expect(comparison.history.map(\.name) == ["acc", "loss"])
            let markdown = try await client.call(.get, "/api/v1/models/m/compare?versions=1.0.0,1.1.0&format=markdown")
            #expect(markdown.headers[.contentType]?.hasPrefix("text/markdown") == true)
            #expect(markdown.text.contains("| f1 (max) |"))
            #expect(try await client.call(.get, "/api/v1/models/m/compare?versions=1.0.0").status == .badRequest)

            let lineage = try await client.call(.get, "/api/v1/models/m/versions/1.0.0/lineage").decode(Lineage.self)
            #expect(lineage.children.map(\.version.description) == ["1.1.0"] && lineage.descendants.count == 1)
            let tree = try await client.call(.get, "/api/v1/models/m/tree").decode(VersionTree.self)
            #expect(tree.roots.map(\.description) == ["1.0.0"] && tree.nodes.first?.children.map(\.description) == ["1.1.0"])

            let report = try await client.call(.get, "/api/v1/models/m/versions/1.1.0/report").decode(VersionReport.self)
            #expect(report.isBest && report.history.count == 2 && report.lineage.parents.count == 1)
            let reportMarkdown = try await client.call(.get, "/api/v1/models/m/versions/1.1.0/report?format=markdown").text
            #expect(reportMarkdown.hasPrefix("# m 1.1.0") && reportMarkdown.contains("| loss | 2000 |"))
        }
    }

    @Test func undeployEmptiesAnEnvironmentAndItsTraffic() async throws {
        try await APIHarness().run { client in
            _ = try await client.call(.post, "/api/v1/models", json: CreateModelRequest(name: "m"))
            for _ in 0..<2 { _ = try await client.call(.post, "/api/v1/models/m/versions", raw: #"{"status": "ready"}"#) }
            _ = try await client.call(.post, "/api/v1/models/m/deployments", raw: #"{"version": "1.0.0", "environment": "staging"}"#)
            let undeployed = try await client.call(
                .post, "/api/v1/models/m/undeploy", raw: #"{"environment": "staging", "reason": "experiment over"}"#)
            #expect(undeployed.status == .created)
            let record = try undeployed.decode(Deployment.self)
            #expect(record.action == .undeploy && record.fromVersion?.description == "1.0.0" && record.toVersion == nil)
            #expect(try await client.call(.get, "/api/v1/models/m/aliases").decode(AliasListResponse.self).aliases.isEmpty)
            let audit = try await client.call(.get, "/api/v1/models/m/audit?limit=1").decode(AuditListResponse.self).entries
            #expect(audit.first?.action == "undeploy" && audit.first?.reason == "experiment over")
            let again = try await client.call(.post, "/api/v1/models/m/undeploy", raw: #"{"environment": "staging"}"#)
            #expect(again.status == .notFound && again.error?.message.contains("nothing is deployed to 'staging'") == true)
            #expect(try await client.call(.post, "/api/v1/models/m/undeploy", raw: #"{"env": "staging"}"#).status == .badRequest)
        }
    }

    @Test func deployRollbackHistoryAndAudit() async throws {
        try await APIHarness().run { client in
            _ = try await client.call(.post, "/api/v1/models", json: CreateModelRequest(name: "m"))
            for _ in 0..<2 { _ = try await client.call(.post, "/api/v1/models/m/versions", raw: #"{"status": "ready"}"#) }
            let draft = try await client.call(.post, "/api/v1/models/m/versions", raw: "{}")
            #expect(try draft.decode(VersionResponse.self).version.status == .draft)
            let refused = try await client.call(.post, "/api/v1/models/m/deployments", json: DeployRequest(version: "1.2.0"))
            #expect(refused.status == .conflict && refused.error?.message.contains("ready") == true)

            let first = try await client.call(.post, "/api/v1/models/m/deployments", json: DeployRequest(version: "1.0.0", reason: "first"), actor: "alice")
            #expect(first.status == .created)
            _ = try await client.call(.post, "/api/v1/models/m/deployments", json: DeployRequest(version: "1.1.0", environment: "production"))
            #expect(try await client.call(.get, "/api/v1/models/m/versions/@production").decode(VersionResponse.self).version.version.description == "1.1.0")
            #expect(try await client.call(.get, "/api/v1/models/m/versions/1.0.0").decode(VersionResponse.self).version.status == .deprecated)
            #expect(try await client.call(.delete, "/api/v1/models/m/versions/1.1.0").status == .conflict)
            #expect(try await client.call(.delete, "/api/v1/models/m").status == .conflict)

            let rolled = try await client.call(.post, "/api/v1/models/m/rollback", json: RollbackRequest(reason: "regression"))
            let record = try rolled.decode(Deployment.self)
            #expect(record.toVersion?.description == "1.0.0" && record.action == .rollback && record.reason == "regression")
            let history = try await client.call(.get, "/api/v1/models/m/deployments").decode(DeploymentListResponse.self)
            #expect(history.deployments.map(\.action) == [.rollback, .deploy, .deploy])
            let audit = try await client.call(.get, "/api/v1/models/m/audit?limit=100").decode(AuditListResponse.self)
            #expect(audit.entries.contains { $0.action == "deploy" && $0.actor == "alice" && $0.reason == "first" })
            #expect(audit.entries.contains { $0.action == "rollback" && $0.reason == "regression" })
            #expect(audit.entries.contains { $0.action == "version.status" && $0.details["to"] == "deprecated" })
        }
    }

    @Test func exportThenImportRoundTripsLosslessly() async throws {
        let source = try APIHarness()
        let target = try APIHarness()
        let snapshotData = try await Self.populateAndExport(source)
        defer { source.cleanup() }
        try await target.run { client in
            let snapshot = try JSONBody.decoder.decode(RegistrySnapshot.self, from: snapshotData)
            let early = try await client.execute(uri: "/api/v1/import", method: .post, body: .init(data: snapshotData))
            #expect(early.status == .conflict && early.error?.message.contains("not uploaded") == true, "blobs first")
            for digest in snapshot.digests {
                let blob = try await source.registry.artifacts.open(digest)
                var bytes: [UInt8] = []
                for try await chunk in blob.chunks { bytes += chunk.readableBytesView }
                #expect(try await client.upload("/api/v1/blobs/\(digest.rawValue)", bytes: bytes).status == .created)
            }
            let bad = try await client.upload("/api/v1/blobs/\(String(repeating: "1", count: 64))", bytes: [1])
            #expect(bad.status == .badRequest)
            #expect(try await client.execute(uri: "/api/v1/import", method: .post, body: .init(data: snapshotData)).status == .created)
            let again = try await client.call(.get, "/api/v1/export").decode(RegistrySnapshot.self)
            var imported = again
            for index in imported.models.indices {
                imported.models[index].audit.removeAll { $0.action == "registry.import" }
            }
            imported.exportedAt = snapshot.exportedAt
            // Every registry has its own Default experiment (0); import keeps the target's.
            imported.tracking?.experiments.removeAll { $0.id == 0 }
            var expected = snapshot
            expected.tracking?.experiments.removeAll { $0.id == 0 }
            #expect(imported == expected)
            let download = try await client.execute(uri: "/api/v1/models/m/versions/1.0.0/artifacts/model.bin", method: .get)
            #expect(String(buffer: download.body) == "weights")
            #expect(try await client.execute(uri: "/api/v1/import", method: .post, body: .init(data: snapshotData)).status == .conflict)
        }
    }

    static func populateAndExport(_ harness: APIHarness) async throws -> Data {
        let box = DataBox()
        try await harness.run(keep: true) { client in
            _ = try await client.call(.post, "/api/v1/models", json: CreateModelRequest(name: "m", tags: ["k": "v"], primaryMetric: "f1"))
            _ = try await client.call(.post, "/api/v1/models/m/versions", raw: #"{"params": {"a": [1, "x"]}, "scores": {"f1": 0.5}}"#)
            _ = try await client.upload("/api/v1/models/m/versions/1.0.0/artifacts/model.bin", bytes: Array("weights".utf8))
            _ = try await client.call(.post, "/api/v1/models/m/versions/1.0.0/history", json: AppendHistoryRequest(points: [MetricPointInput(metric: "loss", step: 1, value: 0.3, timestamp: 5)]))
            _ = try await client.call(.patch, "/api/v1/models/m/versions/1.0.0", json: UpdateVersionRequest(status: "ready"))
            _ = try await client.call(.post, "/api/v1/models/m/deployments", json: DeployRequest(version: "1.0.0"))
            _ = try await client.call(.post, "/api/v1/models/m/versions", raw: #"{"parents": [{"version": "1.0.0"}]}"#)
            box.data = Data(buffer: try await client.call(.get, "/api/v1/export").body)
        }
        return box.data
    }
}

final class DataBox: @unchecked Sendable {
    // Written once inside a test closure and read after it returns; no concurrent access.
    var data = Data()
}
