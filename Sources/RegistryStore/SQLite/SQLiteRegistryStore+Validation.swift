import Foundation
import GRDB
public import RegistryCore
import RegistryWire

extension SQLiteRegistryStore {
    public func validationPolicy(_ model: ModelName) async throws -> PolicyRevision? {
        try await read { db in
            let modelID = try SQLiteRows.modelID(db, model)
            guard let row = try Row.fetchOne(
                db.cachedStatement(sql: """
                    SELECT revision, policy, actor, created_at FROM validation_policies WHERE model_id = ?
                    ORDER BY revision DESC LIMIT 1
                    """), arguments: [modelID])
            else { return nil }
            guard let policy = try SQLiteRows.decodeJSON(ValidationPolicy.self, row[1] as String?) else { return nil }
            return PolicyRevision(
                revision: row[0], policy: policy, updatedAt: ISO8601.date(milliseconds: row[3]), updatedBy: row[2])
        }
    }

    public func setValidationPolicy(_ model: ModelName, _ policy: ValidationPolicy, audit: AuditContext) async throws
        -> PolicyRevision
    {
        try policy.validate()
        let json = try SQLiteRows.json(policy)
        let now = self.now
        return try await write { db in
            let modelID = try SQLiteRows.modelID(db, model)
            let revision = (try Int.fetchOne(
                db.cachedStatement(sql: "SELECT MAX(revision) FROM validation_policies WHERE model_id = ?"),
                arguments: [modelID]) ?? 0) + 1
            try db.cachedStatement(sql: """
                    INSERT INTO validation_policies (model_id, revision, policy, actor, created_at) VALUES (?, ?, ?, ?, ?)
                    """).execute(arguments: [modelID, revision, json, audit.actor, SQLiteRows.millis(now)])
            try SQLiteRows.audit(
                db, model: model, version: nil, action: "policy.set", context: audit,
                details: ["revision": String(revision), "policy": json], at: now)
            return PolicyRevision(revision: revision, policy: policy, updatedAt: now, updatedBy: audit.actor)
        }
    }

    public func addValidationReport(_ report: ValidationReport) async throws {
        let json = try SQLiteRows.json(report)
        try await write { db in
            let (versionID, _, _) = try SQLiteRows.version(db, report.model, .version(report.version))
            try db.cachedStatement(sql: """
                    INSERT INTO validation_reports (version_id, policy_revision, passed, report, created_at)
                    VALUES (?, ?, ?, ?, ?)
                    """).execute(arguments: [
                    versionID, report.policyRevision, report.passed, json, SQLiteRows.millis(report.validatedAt),
                ])
        }
    }

    public func validationReport(_ model: ModelName, _ version: SemanticVersion) async throws -> ValidationReport? {
        try await read { db in
            let (versionID, _, _) = try SQLiteRows.version(db, model, .version(version))
            return try SQLiteRows.decodeJSON(
                ValidationReport.self,
                try String.fetchOne(
                    db.cachedStatement(sql: "SELECT report FROM validation_reports WHERE version_id = ? ORDER BY id DESC LIMIT 1"),
                    arguments: [versionID]))
        }
    }
}
