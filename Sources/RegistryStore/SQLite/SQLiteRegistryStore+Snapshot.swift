import Foundation
import GRDB
import RegistryCore

extension SQLiteRegistryStore {
    public func exportSnapshot() async throws -> RegistrySnapshot {
        let now = self.now
        // One read transaction: the snapshot is consistent even while writers keep going.
        return try await read { db in
            var models: [ModelSnapshot] = []
            for name in try String.fetchAll(db, sql: "SELECT name FROM models ORDER BY name") {
                let (modelID, model) = try SQLiteRows.model(db, ModelName(rawValue: name))
                let rows = try Row.fetchAll(
                    db, sql: "SELECT \(SQLiteRows.versionColumns) FROM versions v WHERE v.model_id = ? ORDER BY v.ordinal",
                    arguments: [modelID])
                let versions = try SQLiteRows.versions(db, model: model.name, rows: rows).map { id, version in
                    VersionSnapshot(
                        version: version, artifacts: try Self.artifacts(db, versionID: id),
                        scoreChanges: try Self.scoreChanges(db, versionID: id))
                }
                let audit = try Row.fetchAll(
                    db, sql: "SELECT * FROM audit WHERE model_name = ? ORDER BY id", arguments: [name]
                ).map(Self.auditEntry)
                models.append(
                    ModelSnapshot(
                        model: model, versions: versions, aliases: try Self.aliases(db, modelID: modelID),
                        deployments: try Self.deploymentRecords(
                            db, modelID: modelID, model: model.name, environment: nil, descending: false),
                        audit: audit))
            }
            let runs = try Row.fetchAll(db, sql: "SELECT id, name, created_at FROM runs ORDER BY created_at, id").map { row in
                RunSnapshot(
                    id: row["id"], name: row["name"], createdAt: SQLiteRows.date(row, "created_at"),
                    metrics: try Self.metrics(db, runID: row["id"], name: nil))
            }
            return RegistrySnapshot(exportedAt: now, models: models, runs: runs)
        }
    }

    public func importSnapshot(_ snapshot: RegistrySnapshot, audit: AuditContext) async throws {
        guard snapshot.format == RegistrySnapshot.currentFormat else {
            throw RegistryError.invalidArgument(
                "snapshot format \(snapshot.format) is not supported; this server reads format \(RegistrySnapshot.currentFormat)")
        }
        let now = self.now
        try await write { db in
            for model in snapshot.models {
                if try Bool.fetchOne(db, sql: "SELECT 1 FROM models WHERE name = ?", arguments: [model.model.name.rawValue]) == true {
                    throw RegistryError.alreadyExists(
                        "model '\(model.model.name)' exists already; import into a registry without it")
                }
            }
            for run in snapshot.runs {
                if try Bool.fetchOne(db, sql: "SELECT 1 FROM runs WHERE id = ?", arguments: [run.id]) == true {
                    throw RegistryError.alreadyExists("run '\(run.id)' exists already; import into a fresh registry")
                }
                try db.execute(
                    sql: "INSERT INTO runs (id, name, created_at, start_time) VALUES (?, ?, ?, ?)",
                    arguments: [run.id, run.name, SQLiteRows.millis(run.createdAt), SQLiteRows.millis(run.createdAt)])
                try Self.insertMetrics(db, runID: run.id, points: run.metrics)
            }
            var versionIDs: [VersionKey: Int64] = [:]
            var modelIDs: [ModelName: Int64] = [:]
            for snap in snapshot.models {
                let modelID = try Self.insertModel(db, snap.model)
                modelIDs[snap.model.name] = modelID
                // Exports older than registration numbers carry 0: number those in version order after the rest.
                var nextNumber = (snap.versions.map(\.version.number).max() ?? 0) + 1
                for versionSnap in snap.versions.sorted(by: { $0.version.version < $1.version.version }) {
                    var versionSnap = versionSnap
                    if versionSnap.version.number <= 0 {
                        versionSnap.version.number = nextNumber
                        nextNumber += 1
                    }
                    versionIDs[versionSnap.version.key] = try Self.insertVersion(db, modelID: modelID, versionSnap)
                }
                try db.execute(
                    sql: "UPDATE models SET last_number = (SELECT COALESCE(MAX(number), 0) FROM versions WHERE model_id = ?) WHERE id = ?",
                    arguments: [modelID, modelID])
            }
            for snap in snapshot.models {
                for versionSnap in snap.versions {
                    guard let childID = versionIDs[versionSnap.version.key] else { continue }
                    for (position, parent) in versionSnap.version.parents.enumerated() {
                        let parentID: Int64
                        if let known = versionIDs[parent] {
                            parentID = known
                        } else {
                            parentID = try SQLiteRows.version(db, parent.model, .version(parent.version)).id
                        }
                        try db.execute(
                            sql: "INSERT INTO version_parents (child_id, parent_id, position) VALUES (?, ?, ?)",
                            arguments: [childID, parentID, position])
                    }
                }
                guard let modelID = modelIDs[snap.model.name] else { continue }
                try Self.insertHistory(db, modelID: modelID, snap, versionIDs: versionIDs)
                try SQLiteRows.audit(
                    db, model: snap.model.name, version: nil, action: "registry.import", context: audit,
                    details: ["versions": String(snap.versions.count)], at: now)
            }
        }
    }

    private static func insertModel(_ db: Database, _ model: RegisteredModel) throws -> Int64 {
        try db.execute(
            sql: """
                INSERT INTO models (name, description, owner, task, primary_metric, metric_direction, default_bump,
                    deprecate_on_replace, pinned_best, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                model.name.rawValue, model.description, model.owner, model.task, model.primaryMetric,
                model.metricDirection.rawValue, model.defaultBump.rawValue, model.deprecateOnReplace,
                model.pinnedBest?.ordinal, SQLiteRows.millis(model.createdAt), SQLiteRows.millis(model.updatedAt),
            ])
        let id = db.lastInsertedRowID
        try SQLiteRows.replaceTags(db, table: "model_tags", owner: "model_id", id: id, tags: model.tags)
        return id
    }

    private static func insertVersion(_ db: Database, modelID: Int64, _ snap: VersionSnapshot) throws -> Int64 {
        let v = snap.version
        try db.execute(
            sql: """
                INSERT INTO versions (model_id, ordinal, status, description, framework, base_model, source_uri,
                    git_commit, params, datasets, duration_seconds, cost, hardware, signature, run_id, created_by,
                    created_at, updated_at, number, stage)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                modelID, v.version.ordinal, v.status.rawValue, v.description, v.framework, v.baseModel, v.sourceURI,
                v.gitCommit, try SQLiteRows.json(v.params), try SQLiteRows.json(v.datasets), v.durationSeconds, v.cost,
                v.hardware, try v.signature.map(SQLiteRows.json), v.runID, v.createdBy, SQLiteRows.millis(v.createdAt),
                SQLiteRows.millis(v.updatedAt), v.number, v.stage.rawValue,
            ])
        let id = db.lastInsertedRowID
        try SQLiteRows.replaceTags(db, table: "version_tags", owner: "version_id", id: id, tags: v.tags)
        for (name, value) in v.scores {
            try db.execute(
                sql: "INSERT INTO version_scores (version_id, name, value) VALUES (?, ?, ?)", arguments: [id, name, value])
        }
        for change in snap.scoreChanges {
            try db.execute(
                sql: "INSERT INTO score_changes (version_id, name, value, actor, recorded_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [id, change.name, change.value, change.actor, SQLiteRows.millis(change.recordedAt)])
        }
        for artifact in snap.artifacts {
            try db.execute(
                sql: "INSERT INTO artifacts (version_id, path, size, sha256, created_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [
                    id, artifact.path.rawValue, artifact.size, artifact.sha256.rawValue,
                    SQLiteRows.millis(artifact.createdAt),
                ])
        }
        return id
    }

    private static func insertHistory(
        _ db: Database, modelID: Int64, _ snap: ModelSnapshot, versionIDs: [VersionKey: Int64]
    ) throws {
        for alias in snap.aliases {
            guard let versionID = versionIDs[VersionKey(model: snap.model.name, version: alias.version)] else {
                throw RegistryError.invalidArgument(
                    "snapshot alias \(alias.environment) of '\(snap.model.name)' points at a missing version")
            }
            try db.execute(
                sql: "INSERT INTO aliases (model_id, environment, version_id, updated_at) VALUES (?, ?, ?, ?)",
                arguments: [modelID, alias.environment.rawValue, versionID, SQLiteRows.millis(snap.model.updatedAt)])
        }
        for record in snap.deployments {
            try db.execute(
                sql: """
                    INSERT INTO deployments (model_id, environment, action, from_ordinal, to_ordinal, actor, reason, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    modelID, record.environment.rawValue, record.action.rawValue, record.fromVersion?.ordinal,
                    record.toVersion?.ordinal, record.actor, record.reason, SQLiteRows.millis(record.createdAt),
                ])
        }
        for entry in snap.audit {
            try db.execute(
                sql: """
                    INSERT INTO audit (model_name, version, action, actor, reason, details, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    entry.model.rawValue, entry.version?.description, entry.action, entry.actor, entry.reason,
                    try SQLiteRows.json(entry.details), SQLiteRows.millis(entry.createdAt),
                ])
        }
    }
}
