import Foundation
import GRDB
import GRDBSQLite
import RegistryCore
import RegistryWire

/// Reading domain values out of rows, and the lookups every use case starts with.
enum SQLiteRows {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()
    static let decoder = JSONDecoder()

    static func json<T: Encodable>(_ value: T) throws -> String {
        // Most versions carry no params or datasets; skip the encoder for the empty containers (as decodeJSON does).
        // String maps take the overload below.
        if let dictionary = value as? [String: JSONValue], dictionary.isEmpty { return "{}" }
        if let array = value as? [DatasetRef], array.isEmpty { return "[]" }
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// A string map as `JSONEncoder` with sorted keys writes it (slashes escaped too), without the encoder: every
    /// audited change stores its details this way, and the encoder's set-up cost more than the insert.
    static func json(_ map: [String: String]) -> String {
        var out = "{"
        for (index, entry) in map.sorted(by: { $0.key < $1.key }).enumerated() {
            if index > 0 { out += "," }
            appendJSONString(entry.key, to: &out)
            out += ":"
            appendJSONString(entry.value, to: &out)
        }
        return out + "}"
    }

    private static func appendJSONString(_ text: String, to out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "/": out += "\\/"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
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
        m.deprecate_on_replace, m.pinned_best, m.created_at, m.updated_at, m.metric_directions
        """

    static func model(_ row: Row, tags: [String: String]) -> RegisteredModel {
        RegisteredModel(
            name: ModelName(rawValue: row["name"]), description: row["description"], owner: row["owner"],
            task: row["task"], tags: tags, primaryMetric: row["primary_metric"],
            metricDirection: MetricDirection(rawValue: row["metric_direction"]) ?? .maximize,
            defaultBump: VersionBump(rawValue: row["default_bump"]) ?? .minor,
            deprecateOnReplace: row["deprecate_on_replace"],
            pinnedBest: (row["pinned_best"] as Int64?).map(SemanticVersion.init(ordinal:)),
            metricDirections: directions(row["metric_directions"]),
            createdAt: date(row, "created_at"), updatedAt: date(row, "updated_at"))
    }

    /// Declared metric directions from their JSON column (`{"p99_ms": "minimize"}`); unknown values are skipped.
    static func directions(_ text: String?) -> [String: MetricDirection] {
        guard let text, text != "{}", let raw = try? decodeJSON([String: String].self, text) else { return [:] }
        return raw.compactMapValues(MetricDirection.init(rawValue:))
    }

    /// The model's row id and value, or `not_found`.
    static func model(_ db: Database, _ name: ModelName) throws -> (id: Int64, model: RegisteredModel) {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT \(modelColumns) FROM models m WHERE m.name = ?"), arguments: [name.rawValue])
        else { throw missingModel(name) }
        let id: Int64 = row["id"]
        return (id, model(row, tags: try tags(db, table: "model_tags", owner: "model_id", ids: [id])[id] ?? [:]))
    }

    static func modelID(_ db: Database, _ name: ModelName) throws -> Int64 {
        guard let id = try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM models WHERE name = ?"), arguments: [name.rawValue])
        else { throw missingModel(name) }
        return id
    }

    /// The id and default bump of a model: what registering a version needs (not its tags or the rest).
    static func modelIDAndBump(_ db: Database, _ name: ModelName) throws -> (id: Int64, defaultBump: VersionBump) {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT id, default_bump FROM models WHERE name = ?"),
            arguments: [name.rawValue])
        else { throw missingModel(name) }
        return (row[0], VersionBump(rawValue: row[1]) ?? .minor)
    }

    static func missingModel(_ name: ModelName) -> RegistryError {
        .notFound("model '\(name)' does not exist; list models with GET /api/v1/models")
    }

    /// Tags of many owners at once: `[owner id: [key: value]]`.
    static func tags(_ db: Database, table: String, owner: String, ids: [Int64]) throws -> [Int64: [String: String]] {
        var result: [Int64: [String: String]] = [:]
        try eachRow(db, ids: ids, sql: { "SELECT \(owner), key, value FROM \(table) WHERE \(owner) \($0)" }) { row in
            result[row.int64(0), default: [:]][row.text(1) ?? ""] = row.text(2) ?? ""
        }
        return result
    }

    /// Runs `sql(condition)` — a query whose rows start with an owner id, restricted by `condition` on that id —
    /// for the rows of `ids`, reading them through SQLite's C API: a listing of thousands of versions runs these for
    /// tags, scores and parents, and building GRDB's `StatementArguments` and `Row`s cost more than the queries.
    /// - Many ids in a narrow range (a model's versions, registered one after another) take one range scan
    ///   (`BETWEEN ? AND ?`), keeping only the rows of `ids`: SQLite builds an ephemeral index of every `IN` list.
    /// - Otherwise `IN (marks)` lists, in the chunks of `paddedChunks`.
    static func eachRow(
        _ db: Database, ids: [Int64], sql: (String) -> String, _ body: (StatementColumns) throws -> Void
    ) throws {
        if ids.count > 64, let low = ids.min(), let high = ids.max() {
            let (span, overflow) = high.subtractingReportingOverflow(low)
            if !overflow, span < Int64(ids.count) * 2 {
                let wanted = Set(ids)
                let handle = try db.cachedStatement(sql: sql("BETWEEN ? AND ?")).sqliteStatement
                sqlite3_reset(handle)
                sqlite3_bind_int64(handle, 1, low)
                sqlite3_bind_int64(handle, 2, high)
                try eachRow(of: handle) { row in
                    if wanted.contains(row.int64(0)) { try body(row) }
                }
                return
            }
        }
        for chunk in paddedChunks(ids) {
            let handle = try db.cachedStatement(sql: sql("IN (" + placeholders(chunk.count) + ")")).sqliteStatement
            sqlite3_reset(handle)
            for (position, id) in chunk.enumerated() { sqlite3_bind_int64(handle, Int32(position + 1), id) }
            try eachRow(of: handle, body)
        }
    }

    /// Steps a bound statement to its end, handing each row to `body`, and resets it.
    static func eachRow(of handle: OpaquePointer, _ body: (StatementColumns) throws -> Void) throws {
        defer { sqlite3_reset(handle) }
        let columns = StatementColumns(handle: handle)
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else {
                throw DatabaseError(
                    resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(sqlite3_db_handle(handle))))
            }
            try body(columns)
        }
    }

    static func replaceTags(_ db: Database, table: String, owner: String, id: Int64, tags: [String: String]) throws {
        try db.cachedStatement(sql: "DELETE FROM \(table) WHERE \(owner) = ?").execute(arguments: [id])
        try insertTags(db, table: table, owner: owner, id: id, tags: tags)
    }

    /// The tags of an owner that has none yet (just inserted).
    static func insertTags(_ db: Database, table: String, owner: String, id: Int64, tags: [String: String]) throws {
        for (key, value) in tags {
            try db.cachedStatement(sql: "INSERT INTO \(table) (\(owner), key, value) VALUES (?, ?, ?)").execute(arguments: [id, key, value])
        }
    }

    /// `IN (...)` lists for many ids, in the chunks of `paddedChunks`.
    static func inLists<ID: DatabaseValueConvertible & Sendable>(_ ids: [ID]) -> [(marks: String, arguments: StatementArguments)] {
        paddedChunks(ids).map { (placeholders($0.count), StatementArguments($0)) }
    }

    /// `ids` in chunks of at most 500, padded to a few fixed sizes (repeating the last id, which `IN` ignores), so
    /// each query has a handful of shapes that stay compiled in the statement cache.
    static func paddedChunks<ID>(_ ids: [ID]) -> [[ID]] {
        ids.chunked(500).map { chunk in
            let size = paddedSizes.first { $0 >= chunk.count } ?? chunk.count
            var padded = Array(chunk)
            while padded.count < size, let last = padded.last { padded.append(last) }
            return padded
        }
    }

    private static let paddedSizes = [1, 8, 64, 500]
    /// The `IN` lists of the padded sizes, built once: a listing of 2,000 versions otherwise joins twelve 500-mark
    /// lists per request.
    private static let paddedPlaceholders = Dictionary(uniqueKeysWithValues: paddedSizes.map { ($0, makePlaceholders($0)) })

    static func placeholders(_ count: Int) -> String {
        paddedPlaceholders[count] ?? makePlaceholders(count)
    }

    private static func makePlaceholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ",")
    }

    // MARK: Versions

    static let versionColumns = """
        v.id, v.model_id, v.ordinal, v.status, v.description, v.framework, v.base_model, v.source_uri, v.git_commit,
        v.params, v.datasets, v.duration_seconds, v.cost, v.hardware, v.signature, v.run_id, v.created_by,
        v.created_at, v.updated_at, v.number, v.stage, v.serving, v.trained_at
        """
    /// How many columns `versionColumns` selects (a query's extra columns start at this index).
    static let versionColumnCount = 23

    /// Loads full versions (tags, scores, parents included) for rows of `versionColumns`.
    static func versions(_ db: Database, model: ModelName, rows: [Row]) throws -> [(id: Int64, version: ModelVersion)] {
        try withRelated(db, rows.map { try version(RowColumns(row: $0), model: model) })
    }

    /// Runs a query of `versionColumns` (plus, when `model` is `nil`, the model's name as the next column) and
    /// loads the full versions, in row order. Columns are read through SQLite's C API: GRDB's generic row
    /// decoding cost several times the query when a listing returns thousands of versions.
    /// `cache: false` for SQL built from a user's filter, whose shapes are unbounded.
    static func fetchVersions(
        _ db: Database, sql: String, arguments: StatementArguments, model: ModelName?, cache: Bool = true
    ) throws -> [(id: Int64, version: ModelVersion)] {
        let statement = try cache ? db.cachedStatement(sql: sql) : db.makeStatement(sql: sql)
        try statement.setArguments(arguments)
        var loaded: [(id: Int64, version: ModelVersion)] = []
        var names: [String: ModelName] = [:]
        try eachRow(of: statement.sqliteStatement) { columns in
            let name: ModelName
            if let model {
                name = model
            } else {
                let text = columns.text(versionColumnCount) ?? ""
                if let known = names[text] { name = known } else { name = ModelName(rawValue: text); names[text] = name }
            }
            loaded.append(try version(columns, model: name))
        }
        return try withRelated(db, loaded)
    }

    /// One version row without its tags, scores and parents. Columns by position (the order of
    /// `versionColumns`): GRDB's lookup by name compares lowercased names per access.
    private static func version<C: VersionColumns>(_ row: C, model: ModelName) throws -> (id: Int64, version: ModelVersion) {
        let version = ModelVersion(
            model: model, version: SemanticVersion(ordinal: row.int64(2)),
            status: row.text(3).flatMap(VersionStatus.init(rawValue:)) ?? .draft, description: row.text(4) ?? "",
            framework: row.text(5), baseModel: row.text(6), sourceURI: row.text(7), gitCommit: row.text(8),
            params: try decodeJSON([String: JSONValue].self, row.text(9)) ?? [:],
            datasets: try decodeJSON([DatasetRef].self, row.text(10)) ?? [],
            durationSeconds: row.double(11), cost: row.double(12), hardware: row.text(13),
            signature: try decodeJSON(JSONValue.self, row.text(14)), runID: row.text(15), createdBy: row.text(16) ?? "",
            createdAt: ISO8601.date(milliseconds: row.int64(17)), updatedAt: ISO8601.date(milliseconds: row.int64(18)),
            number: row.int64(19), stage: row.text(20).flatMap(VersionStage.init(rawValue:)) ?? .none,
            serving: try decodeJSON(ServingInfo.self, row.text(21)),
            trainedAt: row.double(22).map { ISO8601.date(milliseconds: Int64($0)) })
        return (row.int64(0), version)
    }

    /// Fills in the tags, scores and parents of versions read by `version(_:model:)`.
    private static func withRelated(_ db: Database, _ loaded: [(id: Int64, version: ModelVersion)]) throws
        -> [(id: Int64, version: ModelVersion)]
    {
        let ids = loaded.map(\.id)
        let tags = try tags(db, table: "version_tags", owner: "version_id", ids: ids)
        var scores: [Int64: [String: Double]] = [:]
        var parents: [Int64: [VersionKey]] = [:]
        try eachRow(db, ids: ids, sql: { "SELECT version_id, name, value FROM version_scores WHERE version_id \($0)" }) { row in
            scores[row.int64(0), default: [:]][row.text(1) ?? ""] = row.double(2) ?? .nan
        }
        try eachRow(
            db, ids: ids,
            sql: {
                """
                SELECT p.child_id, m.name, v.ordinal FROM version_parents p
                JOIN versions v ON v.id = p.parent_id JOIN models m ON m.id = v.model_id
                WHERE p.child_id \($0) ORDER BY p.child_id, p.position
                """
            }
        ) { row in
            parents[row.int64(0), default: []].append(
                VersionKey(model: ModelName(rawValue: row.text(1) ?? ""), version: SemanticVersion(ordinal: row.int64(2))))
        }
        guard !tags.isEmpty || !scores.isEmpty || !parents.isEmpty else { return loaded }
        return loaded.map { id, version in
            var version = version
            version.tags = tags[id] ?? [:]
            version.scores = scores[id] ?? [:]
            version.parents = parents[id] ?? []
            return (id, version)
        }
    }

    /// The full version with this row id, which must exist (one the caller just inserted or looked up).
    static func version(_ db: Database, _ model: ModelName, id: Int64) throws -> ModelVersion {
        guard let loaded = try fetchVersions(
            db, sql: "SELECT \(versionColumns) FROM versions v WHERE v.id = ?", arguments: [id], model: model
        ).first else {
            throw RegistryError.notFound("model '\(model)' has no version with row id \(id)")
        }
        return loaded.version
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
                model.rawValue, version?.description, action, context.actor, context.reason,
                try json(context.details.isEmpty ? details : details.merging(context.details) { own, _ in own }),
                millis(now),
            ])
    }
}

extension Array {
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}

/// Columns of one result row by position, from a GRDB row or straight from a statement.
protocol VersionColumns {
    func int64(_ index: Int) -> Int64
    func double(_ index: Int) -> Double?
    func text(_ index: Int) -> String?
}

struct RowColumns: VersionColumns {
    let row: Row
    func int64(_ index: Int) -> Int64 { row[index] }
    func double(_ index: Int) -> Double? { row[index] }
    func text(_ index: Int) -> String? { row[index] }
}

/// The current row of a stepped statement (valid until the next `sqlite3_step`).
struct StatementColumns: VersionColumns {
    let handle: OpaquePointer

    func int64(_ index: Int) -> Int64 { sqlite3_column_int64(handle, Int32(index)) }

    func double(_ index: Int) -> Double? {
        sqlite3_column_type(handle, Int32(index)) == SQLITE_NULL ? nil : sqlite3_column_double(handle, Int32(index))
    }

    func text(_ index: Int) -> String? {
        guard let bytes = sqlite3_column_text(handle, Int32(index)) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, Int32(index)))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }
}
