import GRDB
import RegistryCore

extension SQLiteRegistryStore {
    public func createLoggedModel(_ new: NewLoggedModel, id: String) async throws -> LoggedModel {
        try FieldLimits.checkTags(new.tags)
        let now = nowMillis
        return try await write { db in
            let experiment = try Self.experiment(db, id: new.experimentID)
            guard experiment.lifecycleStage == .active else {
                throw RegistryError.invalidArgument("experiment \(new.experimentID) is deleted; restore it or use another")
            }
            if let runID = new.sourceRunID { _ = try Self.runInfo(db, id: runID, mustBeActive: false) }
            try db.cachedStatement(sql: """
                    INSERT INTO logged_models (id, experiment_id, name, source_run_id, model_type, status, lifecycle_stage,
                        created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, 'active', ?, ?)
                    """).execute(arguments: [
                    id, new.experimentID, new.name, new.sourceRunID, new.modelType, LoggedModelStatus.pending.rawValue,
                    now, now,
                ])
            for (key, value) in new.tags {
                try db.cachedStatement(sql: "INSERT INTO logged_model_tags (model_id, key, value) VALUES (?, ?, ?)").execute(arguments: [id, key, value])
            }
            for (key, value) in new.params {
                try db.cachedStatement(sql: "INSERT INTO logged_model_params (model_id, key, value) VALUES (?, ?, ?)").execute(arguments: [id, key, value])
            }
            return try Self.loggedModel(db, id: id, allowDeleted: false)
        }
    }

    public func loggedModel(id: String) async throws -> LoggedModel {
        try await read { db in try Self.loggedModel(db, id: id, allowDeleted: true) }
    }

    static func loggedModel(_ db: Database, id: String, allowDeleted: Bool) throws -> LoggedModel {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM logged_models WHERE id = ?"), arguments: [id]),
            let model = try loggedModels(db, rows: [row]).first, allowDeleted || model.lifecycleStage == .active
        else {
            throw RegistryError.notFound("logged model '\(id.prefix(64))' does not exist")
        }
        return model
    }

    static func loggedModels(_ db: Database, rows: [Row]) throws -> [LoggedModel] {
        var tags: [String: [String: String]] = [:]
        var params: [String: [String: String]] = [:]
        let ids: [String] = rows.map { $0["id"] }
        for (marks, arguments) in SQLiteRows.inLists(ids) {
            for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT model_id, key, value FROM logged_model_tags WHERE model_id IN (\(marks))"), arguments: arguments) {
                tags[row[0], default: [:]][row[1]] = row[2] as String
            }
            for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT model_id, key, value FROM logged_model_params WHERE model_id IN (\(marks))"), arguments: arguments) {
                params[row[0], default: [:]][row[1]] = row[2] as String
            }
        }
        return rows.map { row in
            let id: String = row["id"]
            return LoggedModel(
                id: id, experimentID: row["experiment_id"], name: row["name"], sourceRunID: row["source_run_id"],
                modelType: row["model_type"], status: LoggedModelStatus(rawValue: row["status"]) ?? .unspecified,
                lifecycleStage: LifecycleStage(rawValue: row["lifecycle_stage"]) ?? .active, tags: tags[id] ?? [:],
                params: params[id] ?? [:], createdAt: row["created_at"], updatedAt: row["updated_at"])
        }
    }

    public func setLoggedModelStatus(id: String, _ status: LoggedModelStatus) async throws -> LoggedModel {
        let now = nowMillis
        return try await write { db in
            _ = try Self.loggedModel(db, id: id, allowDeleted: false)
            try db.cachedStatement(sql: "UPDATE logged_models SET status = ?, updated_at = ? WHERE id = ?").execute(arguments: [status.rawValue, now, id])
            return try Self.loggedModel(db, id: id, allowDeleted: false)
        }
    }

    public func setLoggedModelTags(id: String, tags: [String: String]) async throws {
        try FieldLimits.checkTags(tags)
        let now = nowMillis
        try await write { db in
            _ = try Self.loggedModel(db, id: id, allowDeleted: false)
            for (key, value) in tags {
                try db.cachedStatement(sql: """
                        INSERT INTO logged_model_tags (model_id, key, value) VALUES (?, ?, ?)
                        ON CONFLICT (model_id, key) DO UPDATE SET value = excluded.value
                        """).execute(arguments: [id, key, value])
            }
            try db.cachedStatement(sql: "UPDATE logged_models SET updated_at = ? WHERE id = ?").execute(arguments: [now, id])
        }
    }

    public func deleteLoggedModelTag(id: String, key: String) async throws {
        try await write { db in
            _ = try Self.loggedModel(db, id: id, allowDeleted: false)
            try db.cachedStatement(sql: "DELETE FROM logged_model_tags WHERE model_id = ? AND key = ?").execute(arguments: [id, key])
        }
    }

    public func logLoggedModelParams(id: String, params: [String: String]) async throws {
        try await write { db in
            _ = try Self.loggedModel(db, id: id, allowDeleted: false)
            for (key, value) in params {
                try db.cachedStatement(sql: """
                        INSERT INTO logged_model_params (model_id, key, value) VALUES (?, ?, ?)
                        ON CONFLICT (model_id, key) DO UPDATE SET value = excluded.value
                        """).execute(arguments: [id, key, value])
            }
        }
    }

    public func deleteLoggedModel(id: String) async throws {
        let now = nowMillis
        try await write { db in
            _ = try Self.loggedModel(db, id: id, allowDeleted: false)
            try db.cachedStatement(sql: "UPDATE logged_models SET lifecycle_stage = 'deleted', updated_at = ? WHERE id = ?").execute(arguments: [now, id])
        }
    }

    public func searchLoggedModels(experimentIDs: [Int64], name: String?, offset: Int, limit: Int) async throws
        -> (items: [LoggedModel], more: Bool)
    {
        var sql = "SELECT * FROM logged_models WHERE lifecycle_stage = 'active'"
        var arguments = StatementArguments()
        if !experimentIDs.isEmpty {
            sql += " AND experiment_id IN (\(SQLiteRows.placeholders(experimentIDs.count)))"
            arguments += StatementArguments(experimentIDs)
        }
        if let name {
            sql += " AND name = ?"
            arguments += [name]
        }
        sql += " ORDER BY created_at DESC, id LIMIT ? OFFSET ?"
        arguments += [limit + 1, offset]
        return try await read { [sql, arguments] db in
            let rows = try Row.fetchAll(db, sql: sql, arguments: arguments)
            return (try Self.loggedModels(db, rows: Array(rows.prefix(limit))), rows.count > limit)
        }
    }

    // MARK: Tracked files

    public func putTrackedFile(_ file: TrackedFile) async throws {
        let now = nowMillis
        try await write { db in
            try db.cachedStatement(sql: """
                    INSERT INTO tracked_files (path, size, sha256, created_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (path) DO UPDATE SET size = excluded.size, sha256 = excluded.sha256,
                        created_at = excluded.created_at
                    """).execute(arguments: [file.path, file.size, file.sha256.rawValue, now])
        }
    }

    public func trackedFile(path: String) async throws -> TrackedFile? {
        try await read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT path, size, sha256 FROM tracked_files WHERE path = ?"), arguments: [path]).map {
                TrackedFile(path: $0[0], size: $0[1], sha256: BlobDigest(rawValue: $0[2]))
            }
        }
    }

    public func listTrackedDirectory(_ directory: String) async throws -> [TrackedListing] {
        let prefix = directory.isEmpty ? "" : directory + "/"
        return try await read { db in
            let (condition, arguments) = Self.underDirectory(prefix)
            let rows = try Row.fetchAll(
                db, sql: "SELECT path, size FROM tracked_files \(condition) ORDER BY path", arguments: arguments)
            return TrackedListing.children(of: prefix, among: rows.map { (path: $0[0], size: $0[1]) })
        }
    }

    public func trackedFiles(under directory: String) async throws -> [TrackedFile] {
        let prefix = directory.isEmpty ? "" : directory + "/"
        return try await read { db in
            let (condition, arguments) = Self.underDirectory(prefix)
            return try Row.fetchAll(
                db, sql: "SELECT path, size, sha256 FROM tracked_files \(condition) ORDER BY path", arguments: arguments
            ).map { row in
                let path: String = row[0]
                return TrackedFile(path: String(path.dropFirst(prefix.count)), size: row[1], sha256: BlobDigest(rawValue: row[2]))
            }
        }
    }

    /// Paths under `prefix` (which ends with `/`, or is empty for everything) as a range on the primary key:
    /// `[prefix, prefix with its final '/' replaced by '0')`, since '0' follows '/' in byte order.
    static func underDirectory(_ prefix: String) -> (String, StatementArguments) {
        guard !prefix.isEmpty else { return ("", []) }
        return ("WHERE (path >= ? AND path < ?)", [prefix, String(prefix.dropLast()) + "0"])
    }

    public func deleteTracked(path: String) async throws -> Int {
        try await write { db in
            let (condition, arguments) = Self.underDirectory(path + "/")
            try db.execute(
                sql: "DELETE FROM tracked_files \(condition) OR path = ?", arguments: arguments + [path])
            return db.changesCount
        }
    }
}
