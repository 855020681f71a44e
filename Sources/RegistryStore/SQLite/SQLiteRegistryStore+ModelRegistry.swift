import GRDB
import RegistryCore

/// The model-registry operations MLflow clients use beyond the native API: rename, single-tag changes, stages,
/// alias removal, searches with MLflow's filter grammar, latest versions per stage.
extension SQLiteRegistryStore {
    public func renameModel(_ name: ModelName, to newName: ModelName, audit: AuditContext) async throws -> RegisteredModel {
        let now = self.now
        return try await write { db in
            let id = try SQLiteRows.modelID(db, name)
            guard newName != name else { return try SQLiteRows.model(db, name).model }
            if try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM models WHERE name = ?"), arguments: [newName.rawValue]) == true {
                throw RegistryError.alreadyExists("model '\(newName)' exists already; choose another name")
            }
            try db.cachedStatement(sql: "UPDATE models SET name = ?, updated_at = ? WHERE id = ?").execute(arguments: [newName.rawValue, SQLiteRows.millis(now), id])
            // The audit log follows the model, so its history stays in one place.
            try db.cachedStatement(sql: "UPDATE audit SET model_name = ? WHERE model_name = ?").execute(arguments: [newName.rawValue, name.rawValue])
            try SQLiteRows.audit(
                db, model: newName, version: nil, action: "model.rename", context: audit,
                details: ["from": name.rawValue, "to": newName.rawValue], at: now)
            return try SQLiteRows.model(db, newName).model
        }
    }

    public func setModelTag(_ name: ModelName, key: String, value: String?, audit: AuditContext) async throws {
        if let value { try FieldLimits.checkTags([key: value]) }
        let now = self.now
        try await write { db in
            let id = try SQLiteRows.modelID(db, name)
            try Self.setTag(db, table: "model_tags", owner: "model_id", id: id, key: key, value: value)
            try db.cachedStatement(sql: "UPDATE models SET updated_at = ? WHERE id = ?").execute(arguments: [SQLiteRows.millis(now), id])
            try SQLiteRows.audit(
                db, model: name, version: nil, action: value == nil ? "model.tag.delete" : "model.tag.set", context: audit,
                details: ["key": key], at: now)
        }
    }

    public func setVersionTag(
        _ model: ModelName, _ version: SemanticVersion, key: String, value: String?, audit: AuditContext
    ) async throws {
        if let value { try FieldLimits.checkTags([key: value]) }
        let now = self.now
        try await write { db in
            let ref = try SQLiteRows.versionRef(db, model, version)
            try Self.setTag(db, table: "version_tags", owner: "version_id", id: ref.id, key: key, value: value)
            try db.cachedStatement(sql: "UPDATE versions SET updated_at = ? WHERE id = ?").execute(arguments: [SQLiteRows.millis(now), ref.id])
            try SQLiteRows.audit(
                db, model: model, version: version, action: value == nil ? "version.tag.delete" : "version.tag.set",
                context: audit, details: ["key": key], at: now)
        }
    }

    /// Sets one tag (or deletes it when `value` is nil), bounded by `FieldLimits.maxTags`.
    static func setTag(_ db: Database, table: String, owner: String, id: Int64, key: String, value: String?) throws {
        guard let value else {
            try db.cachedStatement(sql: "DELETE FROM \(table) WHERE \(owner) = ? AND key = ?").execute(arguments: [id, key])
            return
        }
        try db.cachedStatement(sql: "INSERT INTO \(table) (\(owner), key, value) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET value = excluded.value").execute(arguments: [id, key, value])
        let count = try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM \(table) WHERE \(owner) = ?"), arguments: [id]) ?? 0
        guard count <= FieldLimits.maxTags else {
            throw RegistryError.invalidArgument("at most \(FieldLimits.maxTags) tags are allowed; delete one first")
        }
    }

    public func transitionStage(
        _ model: ModelName, _ version: SemanticVersion, to stage: VersionStage, archiveExisting: Bool,
        audit: AuditContext
    ) async throws -> ModelVersion {
        let now = self.now
        return try await write { db in
            let ref = try SQLiteRows.versionRef(db, model, version)
            let at = SQLiteRows.millis(now)
            if archiveExisting, stage == .staging || stage == .production {
                let others = try Row.fetchAll(db.cachedStatement(sql: "SELECT id, ordinal FROM versions WHERE model_id = ? AND stage = ? AND id != ?"),
                    arguments: [ref.modelID, stage.rawValue, ref.id])
                for other in others {
                    try db.cachedStatement(sql: "UPDATE versions SET stage = 'Archived', updated_at = ? WHERE id = ?").execute(arguments: [at, other["id"]])
                    try SQLiteRows.audit(
                        db, model: model, version: SemanticVersion(ordinal: other["ordinal"]), action: "version.stage",
                        context: audit, details: ["to": VersionStage.archived.rawValue], at: now)
                }
            }
            try db.cachedStatement(sql: "UPDATE versions SET stage = ?, updated_at = ? WHERE id = ?").execute(arguments: [stage.rawValue, at, ref.id])
            try SQLiteRows.audit(
                db, model: model, version: version, action: "version.stage", context: audit,
                details: ["to": stage.rawValue], at: now)
            return try SQLiteRows.version(db, model, .version(version)).version
        }
    }

    /// Removes an alias; the removal is a deployment record (`undeploy`) like any other move. `nil` if it was unset.
    public func undeploy(_ model: ModelName, environment: EnvironmentName, audit: AuditContext) async throws -> Deployment? {
        let now = self.now
        return try await write { db in
            let modelID = try SQLiteRows.modelID(db, model)
            guard let ordinal = try Int64.fetchOne(db.cachedStatement(sql: """
                    SELECT v.ordinal FROM aliases a JOIN versions v ON v.id = a.version_id
                    WHERE a.model_id = ? AND a.environment = ?
                    """), arguments: [modelID, environment.rawValue])
            else { return nil }
            let from = SemanticVersion(ordinal: ordinal)
            try db.cachedStatement(sql: "DELETE FROM aliases WHERE model_id = ? AND environment = ?").execute(arguments: [modelID, environment.rawValue])
            // Shares are relative to the alias: with nothing deployed they have nothing to share.
            try db.cachedStatement(sql: "DELETE FROM traffic WHERE model_id = ? AND environment = ?").execute(arguments: [modelID, environment.rawValue])
            try db.cachedStatement(sql: """
                    INSERT INTO deployments (model_id, environment, action, from_ordinal, to_ordinal, actor, reason, created_at)
                    VALUES (?, ?, 'undeploy', ?, NULL, ?, ?, ?)
                    """).execute(arguments: [modelID, environment.rawValue, ordinal, audit.actor, audit.reason, SQLiteRows.millis(now)])
            let record = Deployment(
                id: db.lastInsertedRowID, model: model, environment: environment, action: .undeploy, fromVersion: from,
                toVersion: nil, actor: audit.actor, reason: audit.reason, createdAt: now)
            try SQLiteRows.audit(
                db, model: model, version: from, action: "undeploy", context: audit,
                details: ["environment": environment.rawValue], at: now)
            return record
        }
    }

    /// The newest version (highest number) in each stage, or in the given stages.
    public func latestVersions(_ model: ModelName, stages: [VersionStage]?) async throws -> [ModelVersion] {
        try await read { db in
            let modelID = try SQLiteRows.modelID(db, model)
            return try Self.latestVersions(db, model: model, modelID: modelID, stages: stages)
        }
    }

    static func latestVersions(_ db: Database, model: ModelName, modelID: Int64, stages: [VersionStage]?) throws
        -> [ModelVersion]
    {
        // One pass over the model's versions for the newest number per stage, then a lookup by (model, number).
        var sql = """
            SELECT \(SQLiteRows.versionColumns) FROM (
                SELECT MAX(number) AS number FROM versions WHERE model_id = ? GROUP BY stage) latest
            JOIN versions v ON v.model_id = ? AND v.number = latest.number
            """
        var arguments: StatementArguments = [modelID, modelID]
        if let stages {
            sql += " WHERE v.stage IN (\(SQLiteRows.placeholders(stages.count)))"
            arguments += StatementArguments(stages.map(\.rawValue))
        }
        sql += " ORDER BY v.number"
        return try SQLiteRows.fetchVersions(db, sql: sql, arguments: arguments, model: model).map(\.version)
    }

    public func searchModels(filter: SearchFilter, orderBy: [SearchOrder], offset: Int, limit: Int) async throws
        -> (items: [RegisteredModel], more: Bool)
    {
        var query = SQLQuery()
        for clause in filter.clauses {
            switch (clause.key.kind, clause.key.name) {
            case (.tag, let key):
                try query.addTag(table: "model_tags", owner: "model_id", ownerColumn: "m.id", key: key, clause)
            case (.attribute, "name"):
                try query.addString(column: "m.name", clause)
            default:
                throw RegistryError.invalidArgument(
                    "registered models can be filtered by name and tags.<key>, not '\(clause.key.name.prefix(60))'")
            }
        }
        var order: [String] = []
        for item in orderBy {
            let column: String
            switch item.key.name {
            case "name": column = "m.name"
            case "creation_timestamp", "timestamp": column = "m.created_at"
            case "last_updated_timestamp": column = "m.updated_at"
            default:
                throw RegistryError.invalidArgument(
                    "registered models can be ordered by name, creation_timestamp or last_updated_timestamp")
            }
            order.append("\(column) \(item.ascending ? "ASC" : "DESC")")
        }
        order.append("m.name ASC")
        let sql = """
            SELECT \(SQLiteRows.modelColumns) FROM models m \(query.whereClause)
            ORDER BY \(order.joined(separator: ", ")) LIMIT ? OFFSET ?
            """
        let arguments = query.arguments + [limit + 1, offset]
        return try await read { db in
            let rows = Array(try Row.fetchAll(db, sql: sql, arguments: arguments))
            let pageRows = Array(rows.prefix(limit))
            let tags = try SQLiteRows.tags(db, table: "model_tags", owner: "model_id", ids: pageRows.map { $0["id"] })
            return (pageRows.map { SQLiteRows.model($0, tags: tags[$0["id"]] ?? [:]) }, rows.count > limit)
        }
    }

    public func searchVersions(filter: SearchFilter, orderBy: [SearchOrder], offset: Int, limit: Int) async throws
        -> (items: [ModelVersion], more: Bool)
    {
        var query = SQLQuery()
        for clause in filter.clauses {
            switch (clause.key.kind, clause.key.name) {
            case (.tag, let key):
                try query.addTag(table: "version_tags", owner: "version_id", ownerColumn: "v.id", key: key, clause)
            case (.attribute, "name"):
                try query.addString(column: "m.name", clause)
            case (.attribute, "run_id"):
                try query.addString(column: "v.run_id", clause)
            case (.attribute, "source_path"), (.attribute, "source"):
                try query.addString(column: "v.source_uri", clause)
            case (.attribute, "version_number"):
                try query.addNumber(column: "v.number", clause)
            default:
                throw RegistryError.invalidArgument(
                    "model versions can be filtered by name, run_id, source_path, version_number and tags.<key>, not '\(clause.key.name.prefix(60))'")
            }
        }
        var order: [String] = []
        for item in orderBy {
            let column: String
            switch item.key.name {
            case "name": column = "m.name"
            case "version_number": column = "v.number"
            case "creation_timestamp", "timestamp": column = "v.created_at"
            case "last_updated_timestamp": column = "v.updated_at"
            default:
                throw RegistryError.invalidArgument(
                    "model versions can be ordered by name, version_number, creation_timestamp or last_updated_timestamp")
            }
            order.append("\(column) \(item.ascending ? "ASC" : "DESC")")
        }
        order.append(contentsOf: ["v.updated_at DESC", "m.name ASC", "v.number DESC"])
        let sql = """
            SELECT \(SQLiteRows.versionColumns), m.name AS model_name FROM versions v JOIN models m ON m.id = v.model_id
            \(query.whereClause) ORDER BY \(order.joined(separator: ", ")) LIMIT ? OFFSET ?
            """
        let arguments = query.arguments + [limit + 1, offset]
        return try await read { db in
            let versions = try SQLiteRows.fetchVersions(db, sql: sql, arguments: arguments, model: nil, cache: false).map(\.version)
            return (Array(versions.prefix(limit)), versions.count > limit)
        }
    }
}
