import Foundation
import GRDB
import RegistryCore
import RegistryWire

extension SQLiteRegistryStore {
    public func registerVersion(_ model: ModelName, _ new: NewVersion, audit: AuditContext) async throws
        -> ModelVersion
    {
        try new.validate()
        let now = self.now
        return try await write { db in
            let (modelID, defaultBump) = try SQLiteRows.modelIDAndBump(db, model)
            let number = try Int64.fetchOne(db.cachedStatement(sql: "UPDATE models SET last_number = last_number + 1 WHERE id = ? RETURNING last_number"),
                arguments: [modelID]) ?? 1
            // The model's high-water mark, not its highest surviving version: deleted numbers are never reused.
            let highest = try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT highest_ordinal FROM models WHERE id = ?"), arguments: [modelID]
            ).map(SemanticVersion.init(ordinal:))
            let assigned = try (new.request ?? .bump(defaultBump)).assign(after: highest)
            try db.cachedStatement(sql: "UPDATE models SET highest_ordinal = ? WHERE id = ?").execute(
                arguments: [assigned.ordinal, modelID])
            var parentIDs: [Int64] = []
            for parent in new.parents {
                let parentModel = try SQLiteRows.modelID(db, parent.model)
                guard let parentID = try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM versions WHERE model_id = ? AND ordinal = ?"),
                    arguments: [parentModel, parent.version.ordinal])
                else {
                    throw RegistryError.notFound("parent \(parent) does not exist; register it first or fix the reference")
                }
                parentIDs.append(parentID)
            }
            var new = new
            if let runID = new.runID {
                guard try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM runs WHERE id = ?"), arguments: [runID]) == true
                else {
                    throw RegistryError.notFound("run '\(runID)' does not exist")
                }
                if new.inheritsRun {
                    try Self.inherit(db, runID: runID, into: &new)
                    try new.validate()
                }
            }
            try db.cachedStatement(sql: """
                    INSERT INTO versions (model_id, ordinal, status, description, framework, base_model, source_uri,
                        git_commit, params, datasets, duration_seconds, cost, hardware, signature, run_id, created_by,
                        created_at, updated_at, number, logged_model_id, trained_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """).execute(arguments: [
                    modelID, assigned.ordinal, new.status.rawValue, new.description, new.framework, new.baseModel,
                    new.sourceURI, new.gitCommit, try SQLiteRows.json(new.params), try SQLiteRows.json(new.datasets),
                    new.durationSeconds, new.cost, new.hardware, try new.signature.map(SQLiteRows.json), new.runID,
                    audit.actor, SQLiteRows.millis(now), SQLiteRows.millis(now), number, new.loggedModelID,
                    new.trainedAt.map(SQLiteRows.millis),
                ])
            let versionID = db.lastInsertedRowID
            for entry in new.artifacts {
                try Self.insertArtifact(db, versionID: versionID, entry: entry)
            }
            try SQLiteRows.insertTags(db, table: "version_tags", owner: "version_id", id: versionID, tags: new.tags)
            for (position, parentID) in parentIDs.enumerated() {
                try db.cachedStatement(sql: "INSERT INTO version_parents (child_id, parent_id, position) VALUES (?, ?, ?)").execute(arguments: [versionID, parentID, position])
            }
            try Self.writeScores(
                db, versionID: versionID, current: [:], new: new.scores, mode: .merge, actor: audit.actor, at: now)
            if !new.history.isEmpty {
                var runID = new.runID
                if runID == nil {
                    runID = makeRunID()
                    try db.cachedStatement(sql: "INSERT INTO runs (id, name, created_at, start_time) VALUES (?, ?, ?, ?)")
                        .execute(arguments: [runID, "\(model) \(assigned)", SQLiteRows.millis(now), SQLiteRows.millis(now)])
                    try db.cachedStatement(sql: "UPDATE versions SET run_id = ? WHERE id = ?").execute(arguments: [runID, versionID])
                }
                try Self.insertMetrics(db, runID: runID!, points: new.history)
            }
            try SQLiteRows.audit(
                db, model: model, version: assigned, action: "version.register", context: audit,
                details: ["status": new.status.rawValue], at: now)
            return try SQLiteRows.version(db, model, id: versionID)
        }
    }

    /// The run's params, git commit and datasets, as a version registered from it carries them.
    static func inherit(_ db: Database, runID: String, into new: inout NewVersion) throws {
        new.params = [:]
        for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT key, value FROM run_params WHERE run_id = ?"), arguments: [runID]) {
            new.params[row[0]] = .string(row[1])
        }
        new.gitCommit = try String.fetchOne(
            db.cachedStatement(sql: "SELECT value FROM run_tags WHERE run_id = ? AND key = 'mlflow.source.git.commit'"),
            arguments: [runID])
        new.datasets = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT name, source, digest, tags FROM run_inputs WHERE run_id = ? ORDER BY rowid"),
            arguments: [runID]
        ).map { row in
            let tags = try SQLiteRows.decodeJSON([String: String].self, row[3]) ?? [:]
            // MLflow's dataset digests are short hashes of a sample (8 hex characters), not a SHA-256 of the data:
            // only a real SHA-256 becomes the version's `sha256`; the run keeps the digest either way.
            let digest: String = row[2]
            let sha256 = (try? BlobDigest(validating: digest.lowercased()))?.rawValue
            return DatasetRef(name: row[0], uri: row[1], sha256: sha256, role: tags["mlflow.data.context"])
        }
    }

    public func version(_ model: ModelName, _ selector: VersionSelector) async throws -> ModelVersion {
        try await read { db in try SQLiteRows.version(db, model, selector).version }
    }

    public func listVersions(_ model: ModelName, filter: VersionFilter, page: PageRequest) async throws
        -> Page<ModelVersion>
    {
        let after = try page.token.map { token -> Int64 in
            guard let ordinal = Int64(try PageToken.decode(token)) else {
                throw RegistryError.invalidArgument("page_token is not valid for versions")
            }
            return ordinal
        }
        return try await read { db in
            let modelID = try SQLiteRows.modelID(db, model)
            var conditions = ["v.model_id = ?"]
            var arguments: StatementArguments = [modelID]
            if let after {
                conditions.append("v.ordinal < ?")
                arguments += [after]
            }
            if let status = filter.status {
                conditions.append("v.status = ?")
                arguments += [status.rawValue]
            }
            if let tag = filter.tag {
                conditions.append(
                    "EXISTS (SELECT 1 FROM version_tags t WHERE t.version_id = v.id AND t.key = ?"
                        + (tag.value == nil ? ")" : " AND t.value = ?)"))
                arguments += [tag.key]
                if let value = tag.value { arguments += [value] }
            }
            let rows = try SQLiteRows.fetchVersions(
                db,
                sql: """
                    SELECT \(SQLiteRows.versionColumns) FROM versions v WHERE \(conditions.joined(separator: " AND "))
                    ORDER BY v.ordinal DESC LIMIT ?
                    """, arguments: arguments + [page.limit + 1], model: model)
            let versions = rows.prefix(page.limit).map(\.version)
            let next = rows.count > page.limit ? versions.last.map { PageToken.encode(String($0.version.ordinal)) } : nil
            return Page(items: versions, nextPageToken: next)
        }
    }

    public func setServing(_ model: ModelName, _ version: SemanticVersion, info: ServingInfo, audit: AuditContext)
        async throws
    {
        let json = try SQLiteRows.json(info)
        let now = self.now
        try await write { db in
            let (versionID, _, current) = try SQLiteRows.version(db, model, .version(version))
            try db.cachedStatement(sql: "UPDATE versions SET serving = ? WHERE id = ?").execute(arguments: [json, versionID])
            // Re-inspections that find the same thing are not changes; becoming servable or not (and why) is.
            guard current.serving?.servable != info.servable || current.serving?.reasonCode != info.reasonCode else {
                return
            }
            var details = ["servable": info.servable ? "true" : "false"]
            if let code = info.reasonCode { details["reason_code"] = code }
            if let artifact = info.artifact { details["artifact"] = artifact.rawValue }
            try SQLiteRows.audit(
                db, model: model, version: version, action: "version.serving", context: audit, details: details, at: now)
        }
    }

    public func updateVersion(
        _ model: ModelName, _ version: SemanticVersion, patch: VersionPatch, audit: AuditContext
    ) async throws -> ModelVersion {
        try patch.validate()
        let now = self.now
        return try await write { db in
            let (versionID, modelID, current) = try SQLiteRows.version(db, model, .version(version))
            if let description = patch.description {
                try db.cachedStatement(sql: "UPDATE versions SET description = ? WHERE id = ?").execute(arguments: [description, versionID])
            }
            if let tags = patch.tags {
                try SQLiteRows.replaceTags(db, table: "version_tags", owner: "version_id", id: versionID, tags: tags)
            }
            if patch.description != nil || patch.tags != nil {
                var fields: [String] = []
                if patch.description != nil { fields.append("description") }
                if patch.tags != nil { fields.append("tags") }
                try SQLiteRows.audit(
                    db, model: model, version: version, action: "version.update", context: audit,
                    details: ["fields": fields.joined(separator: ",")], at: now)
            }
            if let status = patch.status, status != current.status {
                try VersionRules.checkStatusChange(
                    version, from: current.status, to: status,
                    servingIn: try SQLiteRows.environments(db, versionID: versionID))
                try Self.setStatus(
                    db, model: model, modelID: modelID, versionID: versionID, version: version, from: current.status,
                    to: status, audit: audit, at: now)
            }
            try db.cachedStatement(sql: "UPDATE versions SET updated_at = ? WHERE id = ?").execute(arguments: [SQLiteRows.millis(now), versionID])
            return try SQLiteRows.version(db, model, .version(version)).version
        }
    }

    /// Changes a version's status and records it; archiving clears a best pin on the version.
    static func setStatus(
        _ db: Database, model: ModelName, modelID: Int64, versionID: Int64, version: SemanticVersion,
        from: VersionStatus, to: VersionStatus, audit: AuditContext, at now: Date
    ) throws {
        try db.cachedStatement(sql: "UPDATE versions SET status = ?, updated_at = ? WHERE id = ?").execute(arguments: [to.rawValue, SQLiteRows.millis(now), versionID])
        if to == .archived {
            try db.cachedStatement(sql: "UPDATE models SET pinned_best = NULL WHERE id = ? AND pinned_best = ?").execute(arguments: [modelID, version.ordinal])
        }
        try SQLiteRows.audit(
            db, model: model, version: version, action: "version.status", context: audit,
            details: ["from": from.rawValue, "to": to.rawValue], at: now)
    }

    public func deleteVersion(_ model: ModelName, _ version: SemanticVersion, audit: AuditContext) async throws {
        let now = self.now
        try await write { db in
            let ref = try SQLiteRows.versionRef(db, model, version)
            let (versionID, modelID) = (ref.id, ref.modelID)
            let children = try Self.children(db, versionID: versionID)
            try VersionRules.checkDelete(
                version, servingIn: try SQLiteRows.environments(db, versionID: versionID), children: children)
            try db.cachedStatement(sql: "DELETE FROM versions WHERE id = ?").execute(arguments: [versionID])
            try db.cachedStatement(sql: "UPDATE models SET pinned_best = NULL WHERE id = ? AND pinned_best = ?").execute(arguments: [modelID, version.ordinal])
            try SQLiteRows.audit(db, model: model, version: version, action: "version.delete", context: audit, at: now)
        }
    }

    public func children(of key: VersionKey) async throws -> [VersionKey] {
        try await read { db in
            try Self.children(db, versionID: SQLiteRows.versionRef(db, key.model, key.version).id)
        }
    }

    static func children(_ db: Database, versionID: Int64) throws -> [VersionKey] {
        try Row.fetchAll(db.cachedStatement(sql: """
                SELECT m.name, v.ordinal FROM version_parents p JOIN versions v ON v.id = p.child_id
                JOIN models m ON m.id = v.model_id WHERE p.parent_id = ? ORDER BY m.name, v.ordinal
                """), arguments: [versionID]
        ).map { VersionKey(model: ModelName(rawValue: $0["name"]), version: SemanticVersion(ordinal: $0["ordinal"])) }
    }

    public func topScoring(_ model: ModelName, metric: String, direction: MetricDirection) async throws
        -> BestCandidate?
    {
        try await read { db in try Self.topScoring(db, modelID: try SQLiteRows.modelID(db, model), metric: metric, direction: direction) }
    }

    /// Walks this model's versions (CROSS JOIN fixes that order): the score index would instead visit every model's
    /// scores of that name, which made one small model's best cost as much as the biggest model's.
    static func topScoring(_ db: Database, modelID: Int64, metric: String, direction: MetricDirection) throws
        -> BestCandidate?
    {
        let order = direction == .maximize ? "DESC" : "ASC"
        guard let row = try Row.fetchOne(
            db,
            sql: """
                SELECT v.ordinal, v.status, s.value FROM versions v
                CROSS JOIN version_scores s ON s.version_id = v.id AND s.name = ?
                WHERE v.model_id = ? AND v.status != 'archived'
                ORDER BY s.value \(order), v.ordinal DESC LIMIT 1
                """, arguments: [metric, modelID])
        else { return nil }
        return BestCandidate(
            version: SemanticVersion(ordinal: row["ordinal"]),
            status: VersionStatus(rawValue: row["status"]) ?? .ready, scores: [metric: row["value"]])
    }

    public func overviews(_ models: [RegisteredModel]) async throws -> [ModelOverview] {
        try await read { db in
            try models.map { model in
                let modelID = try SQLiteRows.modelID(db, model.name)
                let newest = try Row.fetchAll(
                    db, sql: "SELECT \(SQLiteRows.versionColumns) FROM versions v WHERE v.model_id = ? ORDER BY v.ordinal DESC LIMIT 1",
                    arguments: [modelID])
                let latest = try SQLiteRows.versions(db, model: model.name, rows: newest).first?.version
                var candidate: BestCandidate?
                if let pinned = model.pinnedBest {
                    let version = try SQLiteRows.version(db, model.name, .version(pinned)).version
                    candidate = BestCandidate(version: pinned, status: version.status, scores: version.scores)
                } else if let metric = model.primaryMetric {
                    candidate = try Self.topScoring(db, modelID: modelID, metric: metric, direction: model.metricDirection)
                }
                return ModelOverview(
                    latest: latest, aliases: try Self.aliases(db, modelID: modelID), bestCandidate: candidate)
            }
        }
    }
}

