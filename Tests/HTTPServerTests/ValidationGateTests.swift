import Foundation
import HTTPServer
import HummingbirdTesting
import ModelyardAPI
import RegistryCore
import RegistryWire
import Testing

/// The validation policy, the stored verdict, and the gate on every deploy path (native deploy, traffic shares,
/// the MLflow alias), with the audited override and the rollback escape hatch. A real router over a real SQLite
/// registry.
@Suite struct ValidationGateTests {
    static func register(_ client: any TestClientProtocol, _ scores: [String: Double], trainedAt: Date? = nil) async throws -> String {
        var body = RegisterVersionRequest()
        body.status = "ready"
        body.scores = scores
        body.trainedAt = trainedAt
        let created = try await client.call(.post, "/api/v1/models/fraud/versions", json: body)
        #expect(created.status == .created)
        return try created.decode(VersionResponse.self).version.version.description
    }

    static func deploy(_ client: any TestClientProtocol, _ version: String, _ extra: String = "") async throws -> TestResponse {
        try await client.call(
            .post, "/api/v1/models/fraud/deployments", raw: #"{"version": "\#(version)", "environment": "production"\#(extra)}"#)
    }

    static func newestAudit(_ client: any TestClientProtocol) async throws -> AuditEntry {
        try #require(try await client.call(.get, "/api/v1/models/fraud/audit?limit=1").decode(AuditListResponse.self).entries.first)
    }

    @Test func failingVersionsAreRefusedOnEveryDeployPathUnlessOverriddenWithAReason() async throws {
        try await APIHarness().run { client in
            _ = try await client.call(.post, "/api/v1/models", json: CreateModelRequest(name: "fraud"))
            let policy = try await client.call(.get, "/api/v1/models/fraud/policy").decode(PolicyRevision.self)
            #expect(policy.revision == 0 && policy.policy == .default)

            let good = try await Self.register(client, ["f1_score": 0.83, "roc_auc": 0.91])
            #expect(try await Self.deploy(client, good).status == .created)
            #expect(try await Self.newestAudit(client).details["validation"] == "passed")

            // f1 0.45: refused, with the failed check named and production untouched.
            let bad = try await Self.register(client, ["f1_score": 0.45])
            let refused = try await Self.deploy(client, bad)
            #expect(refused.status == .conflict && refused.error?.code == "validation_failed")
            #expect(refused.error?.message.contains("metric:f1_score: f1_score 0.45 is below the error threshold 0.5") == true)
            #expect(refused.error?.message.contains("'production' still serves \(good)") == true)
            let aliases = try await client.call(.get, "/api/v1/models/fraud/aliases").decode(AliasListResponse.self)
            #expect(aliases.aliases.map(\.version.description) == [good])

            // The verdict is stored, with the serving version as its baseline.
            let verdict = try await client.call(.get, "/api/v1/models/fraud/versions/\(bad)/validation").decode(ValidationReport.self)
            #expect(!verdict.passed && verdict.baseline?.description == good && verdict.errors.map(\.name) == ["metric:f1_score"])

            // A canary share and an MLflow alias are deploys too.
            let share = try await client.call(
                .put, "/api/v1/models/fraud/traffic", raw: #"{"environment": "production", "shares": [{"version": "\#(bad)", "percent": 10}]}"#)
            #expect(share.status == .conflict && share.error?.code == "validation_failed")
            let mlflow = try await client.call(
                .post, "/api/2.0/mlflow/registered-models/alias", raw: #"{"name": "fraud", "alias": "production", "version": "2"}"#)
            let mlflowError = try JSONSerialization.jsonObject(with: Data(mlflow.text.utf8)) as? [String: Any]
            #expect(mlflow.status == .conflict && mlflowError?["error_code"] as? String == "INVALID_STATE")
            #expect((mlflowError?["message"] as? String)?.contains("f1_score") == true)

            // The override needs a reason, and is audited with the verdict.
            let noReason = try await Self.deploy(client, bad, #", "force": true"#)
            #expect(noReason.status == .badRequest && noReason.error?.message.contains("needs a reason") == true)
            let forced = try await Self.deploy(client, bad, #", "force": true, "reason": "hotfix accepted by the risk team""#)
            #expect(forced.status == .created)
            let override = try await Self.newestAudit(client)
            #expect(override.action == "deploy" && override.reason == "hotfix accepted by the risk team")
            #expect(override.details["override"] == "true" && override.details["failed_checks"] == "metric:f1_score")
            #expect(override.details["validation"] == "failed" && override.details["policy_revision"] == "0")

            // Rollback is the escape hatch: allowed whatever the verdict, which the audit records.
            #expect(try await client.call(.post, "/api/v1/models/fraud/rollback", raw: #"{"environment": "production"}"#).status == .created)
            #expect(try await Self.newestAudit(client).details["validation"] == "passed")

            // A warning does not block.
            let warned = try await Self.register(client, ["f1_score": 0.65])
            #expect(try await Self.deploy(client, warned).status == .created)
        }
    }

    @Test func declaredMetricDirectionsDriveCompareBestAndThePolicy() async throws {
        try await APIHarness().run { client in
            let created = try await client.call(
                .post, "/api/v1/models", raw: #"{"name": "fraud", "primary_metric": "p99_ms", "metric_direction": "min", "metric_directions": {"drift_score": "min"}}"#)
            #expect(created.status == .created)
            let model = try created.decode(RegisteredModel.self)
            #expect(model.metricDirections == ["drift_score": .minimize])
            #expect(try await client.call(.post, "/api/v1/models", raw: #"{"name": "x", "metric_directions": {"a": "sideways"}}"#).status == .badRequest)
            _ = try await Self.register(client, ["drift_score": 0.2, "p99_ms": 12])
            _ = try await Self.register(client, ["drift_score": 0.4, "p99_ms": 9])
            let comparison = try await client.call(.get, "/api/v1/models/fraud/compare?versions=1.0.0,1.1.0").decode(VersionComparison.self)
            let drift = try #require(comparison.metrics.first { $0.name == "drift_score" })
            #expect(drift.direction == .minimize && drift.deltas[1]?.improved == false)
            #expect(try await client.call(.get, "/api/v1/models/fraud/best").decode(BestVersion.self).version.description == "1.1.0")
            // A policy rule without a direction follows the declared one.
            _ = try await client.call(.put, "/api/v1/models/fraud/policy", raw: #"{"metrics": [{"metric": "drift_score", "error": 0.3}]}"#)
            let verdict = try await client.call(.post, "/api/v1/models/fraud/versions/1.1.0/validate", raw: "{}").decode(ValidationReport.self)
            #expect(!verdict.passed && verdict.errors.first?.message.contains("above the error threshold 0.3") == true)
            // A PATCH replaces them; the change is audited.
            let patched = try await client.call(.patch, "/api/v1/models/fraud", raw: #"{"metric_directions": {"drift_score": "max"}}"#)
            #expect(try patched.decode(RegisteredModel.self).metricDirections == ["drift_score": .maximize])
            #expect(try await Self.newestAudit(client).details["fields"] == "metric_directions")
        }
    }

    @Test func aPolicyIsVersionedAuditedAndReappliedToTheVersions() async throws {
        try await APIHarness().run { client in
            _ = try await client.call(.post, "/api/v1/models", json: CreateModelRequest(name: "fraud"))
            let bad = try await Self.register(client, ["f1_score": 0.45])
            #expect(try await Self.deploy(client, bad).status == .conflict)

            // Client errors in the policy are 400s naming the field, and change nothing.
            let typo = try await client.call(.put, "/api/v1/models/fraud/policy", raw: #"{"min_scroe": 0.5}"#)
            #expect(typo.status == .badRequest && typo.error?.message.contains("min_scroe") == true)
            let inverted = try await client.call(
                .put, "/api/v1/models/fraud/policy", raw: #"{"metrics": [{"metric": "f1_score", "error": 0.9, "warning": 0.5}]}"#)
            #expect(inverted.status == .badRequest && inverted.error?.code == "invalid_argument")
            let badType = try await client.call(.put, "/api/v1/models/fraud/policy", raw: #"{"min_score": "high"}"#)
            #expect(badType.status == .badRequest)
            #expect(try await client.call(.get, "/api/v1/models/fraud/policy").decode(PolicyRevision.self).revision == 0)

            let set = try await client.call(
                .put, "/api/v1/models/fraud/policy",
                raw: #"{"metrics": [{"metric": "f1_score", "error": 0.4}, {"metric": "val_loss", "warning": 0.3}], "max_age_days": 60}"#)
            #expect(set.status == .ok)
            let revision = try set.decode(PolicyRevision.self)
            #expect(revision.revision == 1 && revision.policy.metrics.count == 2 && revision.policy.maxAgeDays == 60)
            // A rule without a direction follows the model's (declared, or guessed from the name).
            #expect(revision.policy.metrics[1].direction == nil)
            #expect(try await Self.newestAudit(client).action == "policy.set")

            // The version was judged again under revision 1, and now deploys.
            let verdict = try await client.call(.get, "/api/v1/models/fraud/versions/\(bad)/validation").decode(ValidationReport.self)
            #expect(verdict.passed && verdict.policyRevision == 1)
            #expect(try await Self.deploy(client, bad).status == .created)

            // Uploading a model file judges the version at once: its verdict is stored with the file's loadability.
            let created = try await client.call(.post, "/api/v1/models/fraud/versions", raw: "{}").decode(VersionResponse.self)
            let draft = created.version.version.description
            #expect(try await client.call(.get, "/api/v1/models/fraud/versions/\(draft)/validation").status == .notFound)
            let upload = try await client.upload(
                "/api/v1/models/fraud/versions/\(draft)/artifacts/model.onnx", bytes: try ServingAPITests.fixture("logreg_binary"))
            #expect(upload.status == .created)
            let onUpload = try await client.call(.get, "/api/v1/models/fraud/versions/\(draft)/validation").decode(ValidationReport.self)
            #expect(onUpload.checks.first { $0.name == "loadability" }?.outcome == .pass && onUpload.validatedBy == "anonymous")

            // The age rule reads when the model was trained.
            let old = try await Self.register(client, ["f1_score": 0.9], trainedAt: Date().addingTimeInterval(-70 * 86_400))
            let judged = try await client.call(.post, "/api/v1/models/fraud/versions/\(old)/validate", raw: "{}")
            let report = try judged.decode(ValidationReport.self)
            #expect(!report.passed && report.errors.first?.name == "age" && report.baseline?.description == bad)
            let shown = try await client.call(.get, "/api/v1/models/fraud/versions/\(old)").decode(VersionResponse.self)
            #expect(shown.version.trainedAt != nil)
            #expect(try await client.call(.get, "/api/v1/models/fraud/versions/9.9.9/validation").status == .notFound)
        }
    }
}
