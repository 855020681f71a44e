import GRDB
import RegistryCore

extension SQLiteRegistryStore {
    public func createModel(_ new: NewModel, audit: AuditContext) async throws -> RegisteredModel {
        try new.validate()
        let now = self.now
        return try await write { db in
            if try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM models WHERE name = ?"), arguments: [new.name.rawValue]) == true {
                throw RegistryError.alreadyExists("model '\(new.name)' exists already; choose another name or update it")
            }
            try db.cachedStatement(sql: """
                    INSERT INTO models (name, description, owner, task, primary_metric, metric_direction, default_bump,
                        deprecate_on_replace, pinned_best, created_at, updated_at, metric_directions)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)
                    """).execute(arguments: [
                    new.name.rawValue, new.description, new.owner, new.task, new.primaryMetric,
                    new.metricDirection.rawValue, new.defaultBump.rawValue, new.deprecateOnReplace,
                    SQLiteRows.millis(now), SQLiteRows.millis(now), try SQLiteRows.json(new.metricDirections.mapValues(\.rawValue)),
                ])
            let id = db.lastInsertedRowID
            try SQLiteRows.replaceTags(db, table: "model_tags", owner: "model_id", id: id, tags: new.tags)
            try SQLiteRows.audit(db, model: new.name, version: nil, action: "model.create", context: audit, at: now)
            return try SQLiteRows.model(db, new.name).model
        }
    }

    public func model(named name: ModelName) async throws -> RegisteredModel {
        try await read { db in try SQLiteRows.model(db, name).model }
    }

    public func listModels(filter: ModelFilter, page: PageRequest) async throws -> Page<RegisteredModel> {
        let after = try page.token.map(PageToken.decode)
        return try await read { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let after {
                conditions.append("m.name > ?")
                arguments += [after]
            }
            if let text = filter.nameContains, !text.isEmpty {
                conditions.append("m.name LIKE ? ESCAPE '\\'")
                arguments += ["%" + Self.escapeLike(text) + "%"]
            }
            if let tag = filter.tag {
                if let value = tag.value {
                    conditions.append("EXISTS (SELECT 1 FROM model_tags t WHERE t.model_id = m.id AND t.key = ? AND t.value = ?)")
                    arguments += [tag.key, value]
                } else {
                    conditions.append("EXISTS (SELECT 1 FROM model_tags t WHERE t.model_id = m.id AND t.key = ?)")
                    arguments += [tag.key]
                }
            }
            let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            let rows = try Row.fetchAll(
                db, sql: "SELECT \(SQLiteRows.modelColumns) FROM models m \(whereClause) ORDER BY m.name LIMIT ?",
                arguments: arguments + [page.limit + 1])
            let pageRows = Array(rows.prefix(page.limit))
            let tags = try SQLiteRows.tags(db, table: "model_tags", owner: "model_id", ids: pageRows.map { $0["id"] })
            let models = pageRows.map { SQLiteRows.model($0, tags: tags[$0["id"]] ?? [:]) }
            let next = rows.count > page.limit ? models.last.map { PageToken.encode($0.name.rawValue) } : nil
            return Page(items: models, nextPageToken: next)
        }
    }

    static func escapeLike(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_")
    }

    public func updateModel(_ name: ModelName, patch: ModelPatch, audit: AuditContext) async throws -> RegisteredModel {
        let now = self.now
        return try await write { db in
            let (id, current) = try SQLiteRows.model(db, name)
            let updated = try patch.applied(to: current, at: now)
            try db.cachedStatement(sql: """
                    UPDATE models SET description = ?, owner = ?, task = ?, primary_metric = ?, metric_direction = ?,
                        default_bump = ?, deprecate_on_replace = ?, updated_at = ?, metric_directions = ? WHERE id = ?
                    """).execute(arguments: [
                    updated.description, updated.owner, updated.task, updated.primaryMetric,
                    updated.metricDirection.rawValue, updated.defaultBump.rawValue, updated.deprecateOnReplace,
                    SQLiteRows.millis(now), try SQLiteRows.json(updated.metricDirections.mapValues(\.rawValue)), id,
                ])
            if patch.tags != nil {
                try SQLiteRows.replaceTags(db, table: "model_tags", owner: "model_id", id: id, tags: updated.tags)
            }
            try SQLiteRows.audit(
                db, model: name, version: nil, action: "model.update", context: audit,
                details: ["fields": patch.changedFields.joined(separator: ",")], at: now)
            return updated
        }
    }

    public func deleteModel(_ name: ModelName, audit: AuditContext) async throws {
        let now = self.now
        try await write { db in
            let id = try SQLiteRows.modelID(db, name)
            let deployed = try Row.fetchAll(db.cachedStatement(sql: "SELECT a.environment, v.ordinal FROM aliases a JOIN versions v ON v.id = a.version_id WHERE a.model_id = ?"),
                arguments: [id])
            if let first = deployed.first {
                throw RegistryError.failedPrecondition(
                    "model '\(name)' has version \(SemanticVersion(ordinal: first["ordinal"])) deployed to "
                        + "\(first["environment"] as String); roll back or remove its deployments before deleting it")
            }
            if let row = try Row.fetchOne(db.cachedStatement(sql: """
                    SELECT cm.name, cv.ordinal FROM version_parents p
                    JOIN versions pv ON pv.id = p.parent_id JOIN versions cv ON cv.id = p.child_id
                    JOIN models cm ON cm.id = cv.model_id
                    WHERE pv.model_id = ? AND cv.model_id != ? LIMIT 1
                    """), arguments: [id, id])
            {
                throw RegistryError.failedPrecondition(
                    "a version of '\(name)' is a parent of \(row["name"] as String) "
                        + "\(SemanticVersion(ordinal: row["ordinal"])); lineage must stay complete")
            }
            // Parent edges inside the model would block deleting rows one by one; drop them with the model.
            try db.cachedStatement(sql: "DELETE FROM version_parents WHERE parent_id IN (SELECT id FROM versions WHERE model_id = ?)").execute(arguments: [id])
            try db.cachedStatement(sql: "DELETE FROM models WHERE id = ?").execute(arguments: [id])
            try SQLiteRows.audit(db, model: name, version: nil, action: "model.delete", context: audit, at: now)
        }
    }

    public func pinBest(_ name: ModelName, version: SemanticVersion?, audit: AuditContext) async throws
        -> RegisteredModel
    {
        let now = self.now
        return try await write { db in
            let id = try SQLiteRows.modelID(db, name)
            if let version {
                let found = try SQLiteRows.version(db, name, .version(version)).version
                guard found.status != .archived else {
                    throw RegistryError.failedPrecondition("version \(version) is archived and cannot be marked best")
                }
            }
            try db.cachedStatement(sql: "UPDATE models SET pinned_best = ?, updated_at = ? WHERE id = ?").execute(arguments: [version?.ordinal, SQLiteRows.millis(now), id])
            try SQLiteRows.audit(
                db, model: name, version: version, action: version == nil ? "best.unpin" : "best.pin", context: audit,
                at: now)
            return try SQLiteRows.model(db, name).model
        }
    }
}
