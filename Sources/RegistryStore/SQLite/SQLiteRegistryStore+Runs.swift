import GRDB
import RegistryCore

extension SQLiteRegistryStore {
    static let runNameTag = "mlflow.runName"

    public func createRun(_ new: NewRun, id: String) async throws -> Run {
        try FieldLimits.checkTags(new.tags)
        let now = nowMillis
        return try await write { db in
            let experiment = try Self.experiment(db, id: new.experimentID)
            guard experiment.lifecycleStage == .active else {
                throw RegistryError.invalidArgument("experiment \(new.experimentID) is deleted; restore it or use another")
            }
            let name = new.name ?? new.tags[Self.runNameTag] ?? id
            try db.cachedStatement(sql: """
                    INSERT INTO runs (id, name, created_at, experiment_id, user_id, status, start_time, lifecycle_stage)
                    VALUES (?, ?, ?, ?, ?, 'RUNNING', ?, 'active')
                    """).execute(arguments: [id, name, now, new.experimentID, new.userID, new.startTime ?? now])
            var tags = new.tags
            tags[Self.runNameTag] = name
            for (key, value) in tags {
                try Self.setRunTag(db, runID: id, key: key, value: value)
            }
            return try Self.run(db, id: id)
        }
    }

    public func run(id: String) async throws -> Run {
        try await read { db in try Self.run(db, id: id) }
    }

    static func run(_ db: Database, id: String) throws -> Run {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT \(runColumns) FROM runs r WHERE r.id = ?"), arguments: [id]) else {
            throw RegistryError.notFound("run '\(id.prefix(64))' does not exist")
        }
        return try runs(db, rows: [row])[0]
    }

    static let runColumns = "r.id, r.name, r.experiment_id, r.user_id, r.status, r.start_time, r.end_time, r.lifecycle_stage"

    static func runInfo(_ row: Row) -> RunInfo {
        RunInfo(
            id: row["id"], experimentID: row["experiment_id"], name: row["name"], userID: row["user_id"],
            status: RunStatus(rawValue: row["status"]) ?? .finished, startTime: row["start_time"], endTime: row["end_time"],
            lifecycleStage: LifecycleStage(rawValue: row["lifecycle_stage"]) ?? .active)
    }

    /// Full runs for rows of `runColumns`, loading params, tags, latest metrics, inputs and outputs in batches.
    static func runs(_ db: Database, rows: [Row]) throws -> [Run] {
        var runs = rows.map { Run(info: runInfo($0)) }
        guard !runs.isEmpty else { return [] }
        var index: [String: Int] = [:]
        for (position, run) in runs.enumerated() { index[run.info.id] = position }
        for (marks, arguments) in SQLiteRows.inLists(runs.map(\.info.id)) {
            for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT run_id, key, value FROM run_params WHERE run_id IN (\(marks))"), arguments: arguments) {
                runs[index[row[0]]!].params[row[1]] = row[2] as String
            }
            for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT run_id, key, value FROM run_tags WHERE run_id IN (\(marks))"), arguments: arguments) {
                runs[index[row[0]]!].tags[row[1]] = row[2] as String
            }
            for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT run_id, name, value, timestamp, step FROM latest_metrics WHERE run_id IN (\(marks)) ORDER BY name"),
                arguments: arguments)
            {
                let value: Double? = row[2]
                runs[index[row[0]]!].metrics.append(
                    TrackedMetric(key: row[1], value: value ?? .nan, timestamp: row[3], step: row[4]))
            }
            for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM run_inputs WHERE run_id IN (\(marks)) ORDER BY rowid"), arguments: arguments)
            {
                runs[index[row["run_id"]]!].inputs.append(
                    DatasetInput(
                        name: row["name"], digest: row["digest"], sourceType: row["source_type"], source: row["source"],
                        schema: row["schema"], profile: row["profile"],
                        tags: try SQLiteRows.decodeJSON([String: String].self, row["tags"]) ?? [:]))
            }
            for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT run_id, model_id, step FROM run_outputs WHERE run_id IN (\(marks)) ORDER BY rowid"),
                arguments: arguments)
            {
                runs[index[row[0]]!].outputs.append(RunModelOutput(modelID: row[1], step: row[2]))
            }
        }
        return runs
    }

    /// The run's info, or `not_found`; `invalid_argument` when `mustBeActive` and the run is deleted.
    static func runInfo(_ db: Database, id: String, mustBeActive: Bool) throws -> RunInfo {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT \(runColumns) FROM runs r WHERE r.id = ?"), arguments: [id]) else {
            throw RegistryError.notFound("run '\(id.prefix(64))' does not exist")
        }
        let info = runInfo(row)
        if mustBeActive, info.lifecycleStage != .active {
            throw RegistryError.invalidArgument(
                "run '\(id)' is deleted; restore it before logging to it")
        }
        return info
    }

    public func updateRun(id: String, _ update: RunUpdate) async throws -> RunInfo {
        try await write { db in
            _ = try Self.runInfo(db, id: id, mustBeActive: false)
            if let status = update.status {
                try db.cachedStatement(sql: "UPDATE runs SET status = ? WHERE id = ?").execute(arguments: [status.rawValue, id])
            }
            if let endTime = update.endTime {
                try db.cachedStatement(sql: "UPDATE runs SET end_time = ? WHERE id = ?").execute(arguments: [endTime, id])
            }
            if let name = update.name, !name.isEmpty {
                try Self.setRunTag(db, runID: id, key: Self.runNameTag, value: name)
            }
            return try Self.runInfo(db, id: id, mustBeActive: false)
        }
    }

    public func setRunLifecycle(id: String, _ stage: LifecycleStage) async throws {
        try await write { db in
            _ = try Self.runInfo(db, id: id, mustBeActive: false)
            try db.cachedStatement(sql: "UPDATE runs SET lifecycle_stage = ? WHERE id = ?").execute(arguments: [stage.rawValue, id])
        }
    }

    public func logRunData(id: String, _ batch: RunDataBatch) async throws {
        try batch.validate()
        try await write { db in
            _ = try Self.runInfo(db, id: id, mustBeActive: true)
            if !batch.params.isEmpty {
                let insert = try db.cachedStatement(
                    sql: "INSERT INTO run_params (run_id, key, value) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
                for param in batch.params {
                    try insert.execute(arguments: [id, param.key, param.value])
                    if db.changesCount == 0,
                        let existing = try String.fetchOne(db.cachedStatement(sql: "SELECT value FROM run_params WHERE run_id = ? AND key = ?"), arguments: [id, param.key]),
                        existing != param.value
                    {
                        throw RegistryError.invalidArgument(
                            "changing param values is not allowed: param '\(param.key)' of run '\(id)' is already '\(existing.prefix(100))', not '\(param.value.prefix(100))'")
                    }
                }
            }
            for tag in batch.tags {
                try Self.setRunTag(db, runID: id, key: tag.key, value: tag.value)
            }
            try Self.insertMetrics(db, runID: id, metrics: batch.metrics)
        }
    }

    /// Sets a run tag; `mlflow.runName` also renames the run.
    static func setRunTag(_ db: Database, runID: String, key: String, value: String) throws {
        try db.cachedStatement(
            sql: "INSERT INTO run_tags (run_id, key, value) VALUES (?, ?, ?) ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value"
        ).execute(arguments: [runID, key, value])
        if key == runNameTag {
            try db.cachedStatement(sql: "UPDATE runs SET name = ? WHERE id = ?").execute(arguments: [value, runID])
        }
    }

    public func deleteRunTag(id: String, key: String) async throws {
        try await write { db in
            _ = try Self.runInfo(db, id: id, mustBeActive: true)
            try db.cachedStatement(sql: "DELETE FROM run_tags WHERE run_id = ? AND key = ?").execute(arguments: [id, key])
            guard db.changesCount > 0 else {
                throw RegistryError.notFound("run '\(id)' has no tag '\(key.prefix(100))'")
            }
        }
    }

    public func logRunInputs(id: String, datasets: [DatasetInput]) async throws {
        try await write { db in
            _ = try Self.runInfo(db, id: id, mustBeActive: true)
            for dataset in datasets {
                try db.cachedStatement(sql: """
                        INSERT INTO run_inputs (run_id, name, digest, source_type, source, schema, profile, tags)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (run_id, name, digest) DO UPDATE SET tags = excluded.tags
                        """).execute(arguments: [
                        id, dataset.name, dataset.digest, dataset.sourceType, dataset.source, dataset.schema,
                        dataset.profile, try SQLiteRows.json(dataset.tags),
                    ])
            }
        }
    }

    public func logRunOutputs(id: String, models: [RunModelOutput]) async throws {
        try await write { db in
            _ = try Self.runInfo(db, id: id, mustBeActive: true)
            for model in models {
                try db.cachedStatement(sql: """
                        INSERT INTO run_outputs (run_id, model_id, step) VALUES (?, ?, ?)
                        ON CONFLICT (run_id, model_id) DO UPDATE SET step = excluded.step
                        """).execute(arguments: [id, model.modelID, model.step])
            }
        }
    }

    public func metricHistory(runID: String, key: String, offset: Int, limit: Int) async throws
        -> (items: [TrackedMetric], more: Bool)
    {
        try await read { db in
            _ = try Self.runInfo(db, id: runID, mustBeActive: false)
            // A cursor reads columns in place; the series can be tens of thousands of points.
            let cursor = try Row.fetchCursor(
                db.cachedStatement(
                    sql: """
                        SELECT m.timestamp, m.step, m.is_nan, m.value
                        FROM latest_metrics s JOIN metrics m ON m.series_id = s.id WHERE s.run_id = ? AND s.name = ?
                        ORDER BY m.timestamp, m.step, m.is_nan DESC, m.value LIMIT ? OFFSET ?
                        """), arguments: [runID, key, limit + 1, offset])
            var items: [TrackedMetric] = []
            var more = false
            while let row = try cursor.next() {
                guard items.count < limit else {
                    more = true
                    break
                }
                let isNaN: Bool = row[2]
                items.append(TrackedMetric(key: key, value: isNaN ? .nan : row[3], timestamp: row[0], step: row[1]))
            }
            return (items, more)
        }
    }

    public func searchRuns(
        experimentIDs: [Int64], filter: SearchFilter, orderBy: [SearchOrder], view: ViewType, offset: Int, limit: Int
    ) async throws -> (items: [Run], more: Bool) {
        var query = SQLQuery()
        query.conditions.append("r.experiment_id IN (\(SQLiteRows.placeholders(experimentIDs.count)))")
        query.arguments += StatementArguments(experimentIDs)
        query.conditions.append("r.lifecycle_stage IN (\(SQLiteRows.placeholders(view.stages.count)))")
        query.arguments += StatementArguments(view.stages.map(\.rawValue))
        for clause in filter.clauses {
            try Self.addRunCondition(&query, clause)
        }
        var joins: [String] = []
        var order: [String] = []
        var orderArguments = StatementArguments()
        for (position, item) in orderBy.enumerated() {
            let direction = item.ascending ? "ASC" : "DESC"
            let column: String
            switch item.key.kind {
            case .metric, .param, .tag:
                let (table, valueColumn, keyColumn) =
                    item.key.kind == .metric
                    ? ("latest_metrics", "value", "name") : (item.key.kind == .param ? "run_params" : "run_tags", "value", "key")
                let alias = "o\(position)"
                joins.append("LEFT JOIN \(table) \(alias) ON \(alias).run_id = r.id AND \(alias).\(keyColumn) = ?")
                orderArguments += [item.key.name]
                column = "\(alias).\(valueColumn)"
                // Runs without the key sort last in either direction.
                order.append("(\(alias).run_id IS NULL) ASC")
            case .attribute:
                column = try Self.runAttributeColumn(item.key.name)
            case .dataset:
                throw RegistryError.invalidArgument("runs cannot be ordered by datasets")
            }
            order.append("\(column) \(direction)")
        }
        order.append(contentsOf: ["r.start_time DESC", "r.id ASC"])
        let sql = """
            SELECT \(Self.runColumns) FROM runs r \(joins.joined(separator: " ")) \(query.whereClause)
            ORDER BY \(order.joined(separator: ", ")) LIMIT ? OFFSET ?
            """
        let arguments = orderArguments + query.arguments + [limit + 1, offset]
        return try await read { db in
            let rows = try Row.fetchAll(db, sql: sql, arguments: arguments)
            return (try Self.runs(db, rows: Array(rows.prefix(limit))), rows.count > limit)
        }
    }

    static func runAttributeColumn(_ name: String) throws -> String {
        switch name {
        case "run_id", "run_uuid", "id": return "r.id"
        case "run_name", "name": return "r.name"
        case "status": return "r.status"
        case "user_id": return "r.user_id"
        case "start_time", "created", "Created": return "r.start_time"
        case "end_time": return "r.end_time"
        case "experiment_id": return "r.experiment_id"
        case "lifecycle_stage": return "r.lifecycle_stage"
        case "artifact_uri":
            return "('mlflow-artifacts:/' || r.experiment_id || '/' || r.id || '/artifacts')"
        default:
            throw RegistryError.invalidArgument(
                "unknown run attribute '\(name.prefix(60))'; use run_id, run_name, status, user_id, artifact_uri, start_time or end_time")
        }
    }

    static func addRunCondition(_ query: inout SQLQuery, _ clause: SearchFilter.Clause) throws {
        switch clause.key.kind {
        case .metric:
            var inner = StatementArguments([clause.key.name])
            let condition = try SQLQuery.numberCondition(column: "m.value", clause, arguments: &inner)
            query.conditions.append(
                "EXISTS (SELECT 1 FROM latest_metrics m WHERE m.run_id = r.id AND m.name = ? AND \(condition))")
            query.arguments += inner
        case .param:
            try query.addTag(table: "run_params", owner: "run_id", ownerColumn: "r.id", key: clause.key.name, clause)
        case .tag:
            try query.addTag(table: "run_tags", owner: "run_id", ownerColumn: "r.id", key: clause.key.name, clause)
        case .attribute:
            let column = try runAttributeColumn(clause.key.name)
            if ["r.start_time", "r.end_time", "r.experiment_id"].contains(column) {
                try query.addNumber(column: column, clause)
            } else {
                try query.addString(column: column, clause)
            }
        case .dataset:
            let column: String
            switch clause.key.name {
            case "name": column = "d.name"
            case "digest": column = "d.digest"
            case "context": column = "json_extract(d.tags, '$.\"mlflow.data.context\"')"
            default:
                throw RegistryError.invalidArgument("datasets can be filtered by name, digest or context")
            }
            var inner = StatementArguments()
            let condition = try SQLQuery.stringCondition(column: column, clause, arguments: &inner)
            query.conditions.append("EXISTS (SELECT 1 FROM run_inputs d WHERE d.run_id = r.id AND \(condition))")
            query.arguments += inner
        }
    }
}
