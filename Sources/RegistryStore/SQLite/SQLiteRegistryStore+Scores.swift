import Foundation
import GRDB
import RegistryCore

extension SQLiteRegistryStore {
    public func setScores(
        _ model: ModelName, _ version: SemanticVersion, scores: [String: Double], mode: ScoreUpdateMode,
        audit: AuditContext
    ) async throws -> ModelVersion {
        try ScoreRules.check(scores)
        let now = self.now
        return try await write { db in
            let (versionID, _, current) = try SQLiteRows.version(db, model, .version(version))
            let changed = try Self.writeScores(
                db, versionID: versionID, current: current.scores, new: scores, mode: mode, actor: audit.actor, at: now)
            if !changed.isEmpty {
                try db.cachedStatement(sql: "UPDATE versions SET updated_at = ? WHERE id = ?").execute(arguments: [SQLiteRows.millis(now), versionID])
                try SQLiteRows.audit(
                    db, model: model, version: version, action: "version.scores", context: audit,
                    details: ["changed": changed.joined(separator: ","), "mode": mode.rawValue], at: now)
            }
            return try SQLiteRows.version(db, model, .version(version)).version
        }
    }

    /// Writes the new score set and a change record per changed score; returns the changed names.
    @discardableResult
    static func writeScores(
        _ db: Database, versionID: Int64, current: [String: Double], new: [String: Double], mode: ScoreUpdateMode,
        actor: String, at now: Date
    ) throws -> [String] {
        var changed: [String] = []
        if mode == .replace {
            for name in current.keys.sorted() where new[name] == nil {
                try db.cachedStatement(sql: "DELETE FROM version_scores WHERE version_id = ? AND name = ?").execute(arguments: [versionID, name])
                try recordChange(db, versionID: versionID, name: name, value: nil, actor: actor, at: now)
                changed.append(name)
            }
        }
        for name in new.keys.sorted() where current[name] != new[name] {
            let value = new[name]
            try db.cachedStatement(sql: """
                    INSERT INTO version_scores (version_id, name, value) VALUES (?, ?, ?)
                    ON CONFLICT (version_id, name) DO UPDATE SET value = excluded.value
                    """).execute(arguments: [versionID, name, value])
            try recordChange(db, versionID: versionID, name: name, value: value, actor: actor, at: now)
            changed.append(name)
        }
        return changed
    }

    private static func recordChange(
        _ db: Database, versionID: Int64, name: String, value: Double?, actor: String, at now: Date
    ) throws {
        try db.cachedStatement(sql: "INSERT INTO score_changes (version_id, name, value, actor, recorded_at) VALUES (?, ?, ?, ?, ?)").execute(arguments: [versionID, name, value, actor, SQLiteRows.millis(now)])
    }

    public func scoreChanges(_ model: ModelName, _ version: SemanticVersion) async throws -> [ScoreChange] {
        try await read { db in
            try Self.scoreChanges(db, versionID: SQLiteRows.versionRef(db, model, version).id)
        }
    }

    static func scoreChanges(_ db: Database, versionID: Int64) throws -> [ScoreChange] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT name, value, actor, recorded_at FROM score_changes WHERE version_id = ? ORDER BY id"),
            arguments: [versionID]
        ).map { ScoreChange(name: $0["name"], value: $0["value"], actor: $0["actor"], recordedAt: SQLiteRows.date($0, "recorded_at")) }
    }
}
