import Foundation
import GRDB
import RegistryCore

/// Reading domain values out of rows, and the lookups every use case starts with.
enum SQLiteRows {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()
    static let decoder = JSONDecoder()

    static func json<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decodeJSON<T: Decodable>(_ type: T.Type, _ text: String?) throws -> T? {
        guard let text else { return nil }
        // Most versions carry no params or datasets; skip the decoder for the empty containers.
        if text == "{}", let empty = [String: JSONValue]() as? T ?? [String: String]() as? T { return empty }
        if text == "[]", let empty = [DatasetRef]() as? T { return empty }
        return try decoder.decode(type, from: Data(text.utf8))
    }

    static func millis(_ date: Date) -> Int64 { ISO8601.milliseconds(date) }
    static func date(_ row: Row, _ column: String) -> Date { ISO8601.date(milliseconds: row[column]) }

    // MARK: Models

    static let modelColumns = """
        m.id, m.name, m.description, m.owner, m.task, m.primary_metric, m.metric_direction, m.default_bump,
        m.deprecate_on_replace, m.pinned_best, m.created_at, m.updated_at
        """

    static func model(_ row: Row, tags: [String: String]) -> RegisteredModel {
        RegisteredModel(
            name: ModelName(rawValue: row["name"]), description: row["description"], owner: row["owner"],
            task: row["task"], tags: tags, primaryMetric: row["primary_metric"],
            metricDirection: MetricDirection(rawValue: row["metric_direction"]) ?? .maximize,
            defaultBump: VersionBump(rawValue: row["default_bump"]) ?? .minor,
            deprecateOnReplace: row["deprecate_on_replace"],
            pinnedBest: (row["pinned_best"] as Int64?).map(SemanticVersion.init(ordinal:)),
            createdAt: date(row, "created_at"), updatedAt: date(row, "updated_at"))
    }

    /// The model's row id and value, or `not_found`.
    static func model(_ db: Database, _ name: ModelName) throws -> (id: Int64, model: RegisteredModel) {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT \(modelColumns) FROM models m WHERE m.name = ?"), arguments: [name.rawValue])
        else {
            throw RegistryError.notFound("model '\(name)' does not exist; list models with GET /api/v1/models")
        }
        let id: Int64 = row["id"]
        return (id, model(row, tags: try tags(db, table: "model_tags", owner: "model_id", ids: [id])[id] ?? [:]))
    }

    static func modelID(_ db: Database, _ name: ModelName) throws -> Int64 {
        guard let id = try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM models WHERE name = ?"), arguments: [name.rawValue])
        else {
            throw RegistryError.notFound("model '\(name)' does not exist; list models with GET /api/v1/models")
        }
        return id
    }

    /// Tags of many owners at once: `[owner id: [key: value]]`.
    static func tags(_ db: Database, table: String, owner: String, ids: [Int64]) throws -> [Int64: [String: String]] {
        guard !ids.isEmpty else { return [:] }
        var result: [Int64: [String: String]] = [:]
        for (marks, arguments) in inLists(ids) {
            let rows = try Row.fetchAll(
                db.cachedStatement(sql: "SELECT \(owner) AS owner, key, value FROM \(table) WHERE \(owner) IN (\(marks))"),
                arguments: arguments)
            for row in rows { result[row[0], default: [:]][row[1]] = row[2] as String }
        }
        return result
    }

    static func replaceTags(_ db: Database, table: String, owner: String, id: Int64, tags: [String: String]) throws {
        try db.cachedStatement(sql: "DELETE FROM \(table) WHERE \(owner) = ?").execute(arguments: [id])
        for (key, value) in tags {
            try db.cachedStatement(sql: "INSERT INTO \(table) (\(owner), key, value) VALUES (?, ?, ?)").execute(arguments: [id, key, value])
        }
    }

    /// `IN (...)` lists for many ids, in chunks padded to a few fixed sizes (repeating the last id, which `IN`
    /// ignores), so each query has a handful of shapes that stay compiled in the statement cache.
    static func inLists<ID: DatabaseValueConvertible & Sendable>(_ ids: [ID]) -> [(marks: String, arguments: StatementArguments)] {
        ids.chunked(500).map { chunk in
            let size = [1, 8, 64, 500].first { $0 >= chunk.count } ?? chunk.count
            var padded = Array(chunk)
            while padded.count < size, let last = padded.last { padded.append(last) }
            return (placeholders(size), StatementArguments(padded))
        }
    }

    static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ",")
    }

    // MARK: Versions

    static let versionColumns = """
        v.id, v.model_id, v.ordinal, v.status, v.description, v.framework, v.base_model, v.source_uri, v.git_commit,
        v.params, v.datasets, v.duration_seconds, v.cost, v.hardware, v.signature, v.run_id, v.created_by,
        v.created_at, v.updated_at, v.number, v.stage, v.serving
        """
    /// How many columns `versionColumns` selects (a query's extra columns start at this index).
    static let versionColumnCount = 22

    /// Loads full versions (tags, scores, parents included) for rows of `versionColumns`.
    static func versions(_ db: Database, model: ModelName, rows: [Row]) throws -> [(id: Int64, version: ModelVersion)] {
        let ids: [Int64] = rows.map { $0[0] }
        let tags = try tags(db, table: "version_tags", owner: "version_id", ids: ids)
        var scores: [Int64: [String: Double]] = [:]
        var parents: [Int64: [VersionKey]] = [:]
        for (marks, args) in inLists(ids) {
            for row in try Row.fetchAll(
                db.cachedStatement(sql: "SELECT version_id, name, value FROM version_scores WHERE version_id IN (\(marks))"),
                arguments: args)
            {
                scores[row[0], default: [:]][row[1]] = row[2] as Double
            }
            for row in try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT p.child_id, m.name, v.ordinal FROM version_parents p
                        JOIN versions v ON v.id = p.parent_id JOIN models m ON m.id = v.model_id
                        WHERE p.child_id IN (\(marks)) ORDER BY p.child_id, p.position
                        """), arguments: args)
            {
                parents[row[0], default: []].append(
                    VersionKey(model: ModelName(rawValue: row[1]), version: SemanticVersion(ordinal: row[2])))
            }
        }
        // Columns by position (the order of `versionColumns`): GRDB's lookup by name compares lowercased
        // names per access, which dominated listing thousands of versions.
        return try rows.map { row in
            let id: Int64 = row[0]
            let version = ModelVersion(
                model: model, version: SemanticVersion(ordinal: row[2]),
                status: VersionStatus(rawValue: row[3]) ?? .draft, description: row[4],
                tags: tags[id] ?? [:], framework: row[5], baseModel: row[6], sourceURI: row[7], gitCommit: row[8],
                params: try decodeJSON([String: JSONValue].self, row[9]) ?? [:], scores: scores[id] ?? [:],
                datasets: try decodeJSON([DatasetRef].self, row[10]) ?? [],
                durationSeconds: row[11], cost: row[12], hardware: row[13],
                signature: try decodeJSON(JSONValue.self, row[14]), parents: parents[id] ?? [],
                runID: row[15], createdBy: row[16], createdAt: ISO8601.date(milliseconds: row[17]),
                updatedAt: ISO8601.date(milliseconds: row[18]), number: row[19],
                stage: VersionStage(rawValue: row[20]) ?? .none, serving: try decodeJSON(ServingInfo.self, row[21] as String?))
            return (id, version)
        }
    }

    /// The version's row id and value, or `not_found`.
    static func version(_ db: Database, _ model: ModelName, _ selector: VersionSelector) throws
        -> (id: Int64, modelID: Int64, version: ModelVersion)
    {
        let modelID = try modelID(db, model)
        let row: Row?
        switch selector {
        case .version(let version):
            row = try Row.fetchOne(db.cachedStatement(sql: "SELECT \(versionColumns) FROM versions v WHERE v.model_id = ? AND v.ordinal = ?"),
                arguments: [modelID, version.ordinal])
        case .alias(let environment):
            row = try Row.fetchOne(db.cachedStatement(sql: """
                    SELECT \(versionColumns) FROM aliases a JOIN versions v ON v.id = a.version_id
                    WHERE a.model_id = ? AND a.environment = ?
                    """), arguments: [modelID, environment.rawValue])
        case .number(let number):
            row = try Row.fetchOne(db.cachedStatement(sql: "SELECT \(versionColumns) FROM versions v WHERE v.model_id = ? AND v.number = ?"),
                arguments: [modelID, number])
        }
        guard let row, let loaded = try versions(db, model: model, rows: [row]).first else {
            switch selector {
            case .version(let version):
                throw RegistryError.notFound(
                    "model '\(model)' has no version \(version); list versions with GET /api/v1/models/\(model)/versions")
            case .alias(let environment):
                throw RegistryError.notFound("model '\(model)' has nothing deployed to \(environment)")
            case .number(let number):
                throw RegistryError.notFound(
                    "model '\(model)' has no version number \(number); list versions with GET /api/v1/models/\(model)/versions")
            }
        }
        return (loaded.id, modelID, loaded.version)
    }

    /// The few columns most use cases need, without loading tags, scores and parents.
    struct VersionRef {
        var id: Int64
        var modelID: Int64
        var status: VersionStatus
        var runID: String?
    }

    static func versionRef(_ db: Database, _ model: ModelName, _ version: SemanticVersion) throws -> VersionRef {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT v.id, v.model_id, v.status, v.run_id FROM versions v JOIN models m ON m.id = v.model_id
                WHERE m.name = ? AND v.ordinal = ?
                """), arguments: [model.rawValue, version.ordinal])
        else {
            _ = try modelID(db, model)
            throw RegistryError.notFound(
                "model '\(model)' has no version \(version); list versions with GET /api/v1/models/\(model)/versions")
        }
        return VersionRef(
            id: row["id"], modelID: row["model_id"], status: VersionStatus(rawValue: row["status"]) ?? .draft,
            runID: row["run_id"])
    }

    /// Environments whose alias points at the version row `versionID`.
    static func environments(_ db: Database, versionID: Int64) throws -> [EnvironmentName] {
        try String.fetchAll(db.cachedStatement(sql: "SELECT environment FROM aliases WHERE version_id = ? ORDER BY environment"), arguments: [versionID]
        ).map(EnvironmentName.init(rawValue:))
    }

    // MARK: Audit

    static func audit(
        _ db: Database, model: ModelName, version: SemanticVersion?, action: String, context: AuditContext,
        details: [String: String] = [:], at now: Date
    ) throws {
        try db.cachedStatement(sql: """
                INSERT INTO audit (model_name, version, action, actor, reason, details, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [
                model.rawValue, version?.description, action, context.actor, context.reason, try json(details),
                millis(now),
            ])
    }
}

extension Array {
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
