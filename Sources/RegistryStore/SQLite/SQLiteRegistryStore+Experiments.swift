import GRDB
import RegistryCore

extension SQLiteRegistryStore {
    var nowMillis: Int64 { SQLiteRows.millis(clock()) }

    public func createExperiment(name: String, tags: [String: String]) async throws -> Experiment {
        try ExperimentRules.checkName(name)
        try FieldLimits.checkTags(tags)
        let now = nowMillis
        return try await write { db in
            guard try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM experiments WHERE name = ?"), arguments: [name]) != true else {
                throw RegistryError.alreadyExists("experiment '\(name)' already exists; pick another name")
            }
            let id = (try Int64.fetchOne(db.cachedStatement(sql: "SELECT MAX(id) FROM experiments")) ?? 0) + 1
            try db.cachedStatement(sql: """
                    INSERT INTO experiments (id, name, artifact_location, lifecycle_stage, created_at, updated_at)
                    VALUES (?, ?, ?, 'active', ?, ?)
                    """).execute(arguments: [id, name, Experiment.artifactLocation(id: id), now, now])
            for (key, value) in tags {
                try db.cachedStatement(sql: "INSERT INTO experiment_tags (experiment_id, key, value) VALUES (?, ?, ?)").execute(arguments: [id, key, value])
            }
            return try Self.experiment(db, id: id)
        }
    }

    public func experiment(id: Int64) async throws -> Experiment {
        try await read { db in try Self.experiment(db, id: id) }
    }

    public func experiment(named name: String) async throws -> Experiment {
        try await read { db in
            guard let id = try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM experiments WHERE name = ?"), arguments: [name]) else {
                throw RegistryError.notFound("experiment '\(name)' does not exist")
            }
            return try Self.experiment(db, id: id)
        }
    }

    static func experiment(_ db: Database, id: Int64) throws -> Experiment {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM experiments WHERE id = ?"), arguments: [id]) else {
            throw RegistryError.notFound("experiment \(id) does not exist")
        }
        return try experiments(db, rows: [row])[0]
    }

    static func experiments(_ db: Database, rows: [Row]) throws -> [Experiment] {
        let tags = try SQLiteRows.tags(db, table: "experiment_tags", owner: "experiment_id", ids: rows.map { $0["id"] })
        return rows.map { row in
            Experiment(
                id: row["id"], name: row["name"], artifactLocation: row["artifact_location"],
                lifecycleStage: LifecycleStage(rawValue: row["lifecycle_stage"]) ?? .active, tags: tags[row["id"]] ?? [:],
                createdAt: row["created_at"], updatedAt: row["updated_at"])
        }
    }

    public func searchExperiments(
        filter: SearchFilter, orderBy: [SearchOrder], view: ViewType, offset: Int, limit: Int
    ) async throws -> (items: [Experiment], more: Bool) {
        var query = SQLQuery()
        query.conditions.append("e.lifecycle_stage IN (\(SQLiteRows.placeholders(view.stages.count)))")
        query.arguments += StatementArguments(view.stages.map(\.rawValue))
        for clause in filter.clauses {
            switch (clause.key.kind, clause.key.name) {
            case (.tag, let key):
                try query.addTag(table: "experiment_tags", owner: "experiment_id", ownerColumn: "e.id", key: key, clause)
            case (.attribute, "name"):
                try query.addString(column: "e.name", clause)
            case (.attribute, "creation_time"), (.attribute, "created"):
                try query.addNumber(column: "e.created_at", clause)
            case (.attribute, "last_update_time"):
                try query.addNumber(column: "e.updated_at", clause)
            case (.attribute, "experiment_id"), (.attribute, "id"):
                try query.addNumber(column: "e.id", clause)
            default:
                throw RegistryError.invalidArgument(
                    "experiments can be filtered by name, tags.<key>, creation_time and last_update_time, not '\(clause.key.name)'")
            }
        }
        var order: [String] = []
        for item in orderBy {
            let column: String
            switch item.key.name {
            case "name": column = "e.name"
            case "experiment_id", "id": column = "e.id"
            case "creation_time", "created": column = "e.created_at"
            case "last_update_time": column = "e.updated_at"
            default:
                throw RegistryError.invalidArgument(
                    "experiments can be ordered by name, experiment_id, creation_time or last_update_time")
            }
            order.append("\(column) \(item.ascending ? "ASC" : "DESC")")
        }
        order.append(contentsOf: ["e.created_at DESC", "e.id ASC"])
        let sql = "SELECT e.* FROM experiments e \(query.whereClause) ORDER BY \(order.joined(separator: ", ")) LIMIT ? OFFSET ?"
        let arguments = query.arguments + [limit + 1, offset]
        return try await read { db in
            let rows = try Row.fetchAll(db, sql: sql, arguments: arguments)
            return (try Self.experiments(db, rows: Array(rows.prefix(limit))), rows.count > limit)
        }
    }

    public func renameExperiment(id: Int64, to name: String) async throws {
        try ExperimentRules.checkName(name)
        let now = nowMillis
        try await write { db in
            _ = try Self.experiment(db, id: id)
            if let other = try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM experiments WHERE name = ?"), arguments: [name]),
                other != id
            {
                throw RegistryError.alreadyExists("experiment '\(name)' already exists; pick another name")
            }
            try db.cachedStatement(sql: "UPDATE experiments SET name = ?, updated_at = ? WHERE id = ?").execute(arguments: [name, now, id])
        }
    }

    public func setExperimentLifecycle(id: Int64, _ stage: LifecycleStage) async throws {
        let now = nowMillis
        try await write { db in
            let experiment = try Self.experiment(db, id: id)
            if stage == .deleted, id == Experiment.defaultID {
                throw RegistryError.invalidArgument("the Default experiment (0) cannot be deleted")
            }
            guard experiment.lifecycleStage != stage else {
                throw RegistryError.invalidArgument(
                    "experiment \(id) is already \(stage.rawValue)")
            }
            try db.cachedStatement(sql: "UPDATE experiments SET lifecycle_stage = ?, updated_at = ? WHERE id = ?").execute(arguments: [stage.rawValue, now, id])
            // Runs follow their experiment, as in MLflow.
            try db.cachedStatement(sql: "UPDATE runs SET lifecycle_stage = ? WHERE experiment_id = ?").execute(arguments: [stage.rawValue, id])
        }
    }

    public func setExperimentTag(id: Int64, key: String, value: String) async throws {
        try FieldLimits.checkTags([key: value])
        let now = nowMillis
        try await write { db in
            let experiment = try Self.experiment(db, id: id)
            guard experiment.lifecycleStage == .active else {
                throw RegistryError.invalidArgument("experiment \(id) is deleted; restore it before changing it")
            }
            try db.cachedStatement(sql: """
                    INSERT INTO experiment_tags (experiment_id, key, value) VALUES (?, ?, ?)
                    ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value
                    """).execute(arguments: [id, key, value])
            try db.cachedStatement(sql: "UPDATE experiments SET updated_at = ? WHERE id = ?").execute(arguments: [now, id])
        }
    }
}

/// Builds the WHERE clause of a search from filter clauses, with every value bound.
struct SQLQuery {
    var conditions: [String] = []
    var arguments = StatementArguments()

    var whereClause: String { conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ") }

    /// A string comparison on a column: `= != LIKE ILIKE IN NOT IN`, and `IS [NOT] NULL`.
    mutating func addString(column: String, _ clause: SearchFilter.Clause) throws {
        conditions.append(try Self.stringCondition(column: column, clause, arguments: &arguments))
    }

    static func stringCondition(column: String, _ clause: SearchFilter.Clause, arguments: inout StatementArguments) throws
        -> String
    {
        switch (clause.op, clause.value) {
        case (.isNull, _): return "\(column) IS NULL"
        case (.isNotNull, _): return "\(column) IS NOT NULL"
        case (.in, .list(let items)), (.notIn, .list(let items)):
            arguments += StatementArguments(items)
            return "\(column) \(clause.op == .in ? "IN" : "NOT IN") (\(SQLiteRows.placeholders(items.count)))"
        case (_, .string(let text)):
            switch clause.op {
            case .equal:
                arguments += [text]
                return "\(column) = ?"
            case .notEqual:
                arguments += [text]
                return "\(column) != ?"
            case .like:
                arguments += [LikePattern.glob(text)]
                return "\(column) GLOB ?"
            case .ilike:
                arguments += [LikePattern.glob(text.lowercased())]
                return "lower(\(column)) GLOB ?"
            default: break
            }
        default: break
        }
        throw RegistryError.invalidArgument(
            "'\(clause.key.name)' takes a quoted string with =, !=, LIKE, ILIKE, IN or NOT IN, not \(clause.op.rawValue)")
    }

    /// A numeric comparison on a column.
    mutating func addNumber(column: String, _ clause: SearchFilter.Clause) throws {
        conditions.append(try Self.numberCondition(column: column, clause, arguments: &arguments))
    }

    static func numberCondition(column: String, _ clause: SearchFilter.Clause, arguments: inout StatementArguments) throws
        -> String
    {
        let number: Double?
        switch clause.value {
        case .number(let value): number = value
        case .string(let text): number = Double(text)
        default: number = nil
        }
        guard let number else {
            throw RegistryError.invalidArgument("'\(clause.key.name)' is compared with a number, e.g. \(clause.key.name) > 0.5")
        }
        switch clause.op {
        case .equal, .notEqual, .greater, .greaterOrEqual, .less, .lessOrEqual:
            arguments += [number]
            return "\(column) \(clause.op.rawValue) ?"
        default:
            throw RegistryError.invalidArgument(
                "'\(clause.key.name)' is numeric and takes =, !=, >, >=, < or <=, not \(clause.op.rawValue)")
        }
    }

    /// A tag condition: `!=` and `IS NULL` also match owners without the tag.
    mutating func addTag(
        table: String, owner: String, ownerColumn: String, key: String, _ clause: SearchFilter.Clause
    ) throws {
        switch clause.op {
        case .isNull:
            conditions.append("NOT EXISTS (SELECT 1 FROM \(table) t WHERE t.\(owner) = \(ownerColumn) AND t.key = ?)")
            arguments += [key]
        case .isNotNull:
            conditions.append("EXISTS (SELECT 1 FROM \(table) t WHERE t.\(owner) = \(ownerColumn) AND t.key = ?)")
            arguments += [key]
        case .notEqual:
            var inner = StatementArguments([key])
            let condition = try Self.stringCondition(
                column: "t.value", SearchFilter.Clause(key: clause.key, op: .equal, value: clause.value), arguments: &inner)
            conditions.append("NOT EXISTS (SELECT 1 FROM \(table) t WHERE t.\(owner) = \(ownerColumn) AND t.key = ? AND \(condition))")
            arguments += inner
        default:
            var inner = StatementArguments([key])
            let condition = try Self.stringCondition(column: "t.value", clause, arguments: &inner)
            conditions.append("EXISTS (SELECT 1 FROM \(table) t WHERE t.\(owner) = \(ownerColumn) AND t.key = ? AND \(condition))")
            arguments += inner
        }
    }
}
