import DriftStatistics
import Foundation
import GRDB
public import RegistryCore

extension SQLiteRegistryStore {
    public func driftReference(_ model: ModelName, _ version: SemanticVersion) async throws -> DriftReferenceRecord? {
        try await read { db in
            let (versionID, _, _) = try SQLiteRows.version(db, model, .version(version))
            guard let row = try Row.fetchOne(
                db.cachedStatement(sql: """
                    SELECT source, rows, columns, profile, created_at, created_by FROM drift_references WHERE version_id = ?
                    """), arguments: [versionID])
            else { return nil }
            return DriftReferenceRecord(
                model: model, version: version, source: row[0], rows: row[1],
                columns: try SQLiteRows.decodeJSON([String].self, row[2] as String?) ?? [], profile: row[3],
                createdAt: ISO8601.date(milliseconds: row[4]), createdBy: row[5])
        }
    }

    public func setDriftReference(_ record: DriftReferenceRecord, audit: AuditContext) async throws {
        let columns = try SQLiteRows.json(record.columns)
        let now = self.now
        try await write { db in
            let (versionID, _, _) = try SQLiteRows.version(db, record.model, .version(record.version))
            try db.cachedStatement(sql: """
                    INSERT INTO drift_references (version_id, source, rows, columns, profile, created_at, created_by)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (version_id) DO UPDATE SET source = excluded.source, rows = excluded.rows,
                        columns = excluded.columns, profile = excluded.profile, created_at = excluded.created_at,
                        created_by = excluded.created_by
                    """).execute(arguments: [
                    versionID, record.source, record.rows, columns, record.profile, SQLiteRows.millis(record.createdAt),
                    record.createdBy,
                ])
            try SQLiteRows.audit(
                db, model: record.model, version: record.version, action: "drift.reference.set", context: audit,
                details: ["source": record.source, "rows": String(record.rows), "columns": String(record.columns.count)],
                at: now)
        }
    }

    public func driftSettings(_ model: ModelName) async throws -> DriftSettings? {
        try await read { db in
            let modelID = try SQLiteRows.modelID(db, model)
            return try SQLiteRows.decodeJSON(
                DriftSettings.self,
                try String.fetchOne(db.cachedStatement(sql: "SELECT settings FROM drift_settings WHERE model_id = ?"), arguments: [modelID]))
        }
    }

    public func setDriftSettings(_ model: ModelName, _ settings: DriftSettings?, audit: AuditContext) async throws {
        do {
            try settings?.validate()
        } catch {
            throw RegistryError.invalidArgument(error.description)
        }
        let json = try settings.map(SQLiteRows.json)
        let now = self.now
        try await write { db in
            let modelID = try SQLiteRows.modelID(db, model)
            if let json {
                try db.cachedStatement(sql: """
                        INSERT INTO drift_settings (model_id, settings, updated_at) VALUES (?, ?, ?)
                        ON CONFLICT (model_id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at
                        """).execute(arguments: [modelID, json, SQLiteRows.millis(now)])
            } else {
                try db.cachedStatement(sql: "DELETE FROM drift_settings WHERE model_id = ?").execute(arguments: [modelID])
            }
            try SQLiteRows.audit(
                db, model: model, version: nil, action: "drift.settings.set", context: audit,
                details: ["settings": json ?? "default"], at: now)
        }
    }

    public func addDriftSummaries(_ summaries: [DriftSummary]) async throws {
        guard !summaries.isEmpty else { return }
        let encoded = try summaries.map { try SQLiteRows.json($0.columns) }
        try await write { db in
            for (summary, columns) in zip(summaries, encoded) {
                guard let (versionID, _, _) = try? SQLiteRows.version(db, summary.model, .version(summary.version)) else { continue }
                try db.cachedStatement(sql: """
                        INSERT INTO drift_summaries (version_id, period_start, period_seconds, rows, compared_columns,
                            drifted_columns, share, dataset_drift, max_score, columns)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """).execute(arguments: [
                        versionID, SQLiteRows.millis(summary.periodStart), summary.periodSeconds, summary.rows,
                        summary.comparedColumns, summary.driftedColumns, summary.share, summary.datasetDrift,
                        summary.maxScore, columns,
                    ])
            }
        }
    }

    public func driftSummaries(_ model: ModelName, _ version: SemanticVersion, since: Date) async throws -> [DriftSummary] {
        try await read { db in
            let (versionID, _, _) = try SQLiteRows.version(db, model, .version(version))
            return try Row.fetchAll(
                db.cachedStatement(sql: """
                    SELECT period_start, period_seconds, rows, compared_columns, drifted_columns, share, dataset_drift,
                        max_score, columns
                    FROM drift_summaries WHERE version_id = ? AND period_start >= ? ORDER BY period_start, id
                    """), arguments: [versionID, SQLiteRows.millis(since)]
            ).map { row in
                DriftSummary(
                    model: model, version: version, periodStart: ISO8601.date(milliseconds: row[0]), periodSeconds: row[1],
                    rows: row[2], comparedColumns: row[3], driftedColumns: row[4], share: row[5], datasetDrift: row[6],
                    maxScore: row[7], columns: try SQLiteRows.decodeJSON([DriftSummary.Column].self, row[8] as String?) ?? [])
            }
        }
    }

    @discardableResult
    public func pruneDriftSummaries(before cutoff: Date) async throws -> Int {
        try await write { db in
            try db.cachedStatement(sql: "DELETE FROM drift_summaries WHERE period_start < ?").execute(
                arguments: [SQLiteRows.millis(cutoff)])
            return db.changesCount
        }
    }

    public func recordDriftChange(_ model: ModelName, _ version: SemanticVersion, drifting: Bool, details: [String: String]) async throws {
        let now = self.now
        try await write { db in
            _ = try SQLiteRows.version(db, model, .version(version))
            try SQLiteRows.audit(
                db, model: model, version: version, action: drifting ? "drift.started" : "drift.stopped",
                context: AuditContext(actor: "modelyard", reason: drifting ? "the served rows drifted from the reference" : "the served rows no longer drift"),
                details: details, at: now)
        }
    }
}
