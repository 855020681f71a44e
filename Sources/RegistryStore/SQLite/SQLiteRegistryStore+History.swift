import GRDB
import GRDBSQLite
import RegistryCore

extension SQLiteRegistryStore {
    public func appendHistory(_ model: ModelName, _ version: SemanticVersion, points: [MetricPoint]) async throws -> Int {
        guard points.count <= MetricPoint.maxBatch else {
            throw RegistryError.invalidArgument(
                "a batch carries at most \(MetricPoint.maxBatch) points; split it into several requests")
        }
        for point in points { try point.validate() }
        let now = self.now
        let newRunID = makeRunID()
        return try await write { db in
            let ref = try SQLiteRows.versionRef(db, model, version)
            let runID: String
            if let existing = ref.runID {
                runID = existing
            } else {
                runID = newRunID
                try db.cachedStatement(sql: "INSERT INTO runs (id, name, created_at, start_time) VALUES (?, ?, ?, ?)").execute(arguments: [runID, "\(model) \(version)", SQLiteRows.millis(now), SQLiteRows.millis(now)])
                try db.cachedStatement(sql: "UPDATE versions SET run_id = ? WHERE id = ?").execute(arguments: [runID, ref.id])
            }
            try Self.insertMetrics(db, runID: runID, points: points)
            return points.count
        }
    }

    static func insertMetrics(_ db: Database, runID: String, points: [MetricPoint]) throws {
        try insertMetrics(
            db, runID: runID,
            metrics: points.map {
                TrackedMetric(key: $0.name, value: $0.value, timestamp: $0.timestamp, step: $0.step)
            })
    }

    /// Appends to the run's series and keeps `latest_metrics` current. NaN is stored as NULL.
    static func insertMetrics(_ db: Database, runID: String, metrics: [TrackedMetric]) throws {
        guard !metrics.isEmpty else { return }
        let insert = try db.cachedStatement(
            sql: "INSERT INTO metrics (run_id, name, step, value, timestamp) VALUES (?, ?, ?, ?, ?)")
        // Latest = greatest (step, timestamp, value); NULL (NaN) ranks lowest among equal step and timestamp.
        let latest = try db.cachedStatement(
            sql: """
                INSERT INTO latest_metrics (run_id, name, step, value, timestamp) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (run_id, name) DO UPDATE SET step = excluded.step, value = excluded.value,
                    timestamp = excluded.timestamp
                WHERE (excluded.step, excluded.timestamp, COALESCE(excluded.value, -9e999))
                    > (latest_metrics.step, latest_metrics.timestamp, COALESCE(latest_metrics.value, -9e999))
                """)
        // A batch usually carries many points of few keys: upsert only each key's greatest point.
        var newest: [String: TrackedMetric] = [:]
        // Bound through SQLite's C API: building GRDB's `StatementArguments` for each point cost more than the
        // insert itself, and a batch carries up to 1,000 points.
        let handle = insert.sqliteStatement
        defer { sqlite3_reset(handle) }
        try bindText(handle, 1, runID)
        for metric in metrics {
            sqlite3_reset(handle)
            try bindText(handle, 2, metric.key)
            sqlite3_bind_int64(handle, 3, metric.step)
            if metric.value.isNaN { sqlite3_bind_null(handle, 4) } else { sqlite3_bind_double(handle, 4, metric.value) }
            sqlite3_bind_int64(handle, 5, metric.timestamp)
            let code = sqlite3_step(handle)
            guard code == SQLITE_DONE else {
                throw DatabaseError(
                    resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(sqlite3_db_handle(handle))))
            }
            if let current = newest[metric.key], !Self.isNewer(metric, than: current) { continue }
            newest[metric.key] = metric
        }
        for metric in newest.values {
            try latest.execute(
                arguments: [runID, metric.key, metric.step, metric.value.isNaN ? nil : metric.value, metric.timestamp])
        }
    }

    /// Binds a copy of `text` (SQLite keeps bindings across `sqlite3_reset`).
    static func bindText(_ handle: OpaquePointer, _ index: Int32, _ text: String) throws {
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        let length = Int32(text.utf8.count)
        let code = text.withCString { sqlite3_bind_text(handle, index, $0, length, transient) }
        guard code == SQLITE_OK else { throw DatabaseError(resultCode: ResultCode(rawValue: code)) }
    }

    /// Greatest (step, timestamp, value) wins; NaN ranks lowest, as in the SQL upsert.
    static func isNewer(_ a: TrackedMetric, than b: TrackedMetric) -> Bool {
        if a.step != b.step { return a.step > b.step }
        if a.timestamp != b.timestamp { return a.timestamp > b.timestamp }
        if a.value.isNaN { return false }
        return b.value.isNaN || a.value > b.value
    }

    public func history(_ model: ModelName, _ version: SemanticVersion, metric: String?) async throws -> [MetricPoint] {
        try await read { db in
            guard let runID = try SQLiteRows.versionRef(db, model, version).runID else { return [] }
            return try Self.metrics(db, runID: runID, name: metric)
        }
    }

    public func historySeries(_ model: ModelName, _ versions: [SemanticVersion]) async throws -> [[MetricSeries]] {
        try await read { db in
            try versions.map { version in
                guard let runID = try SQLiteRows.versionRef(db, model, version).runID else { return [] }
                return try Self.series(db, runID: runID)
            }
        }
    }

    /// One index-only scan per metric name, stepped through SQLite's C API: a chart of 100,000 points needs two
    /// numbers per point, and building a GRDB row for each costs several times the scan. Names come from
    /// `latest_metrics`, which has one row per run and name.
    static func series(_ db: Database, runID: String) throws -> [MetricSeries] {
        let names = try String.fetchAll(
            db, sql: "SELECT name FROM latest_metrics WHERE run_id = ? ORDER BY name", arguments: [runID])
        let statement = try db.cachedStatement(
            sql: "SELECT step, value FROM metrics WHERE run_id = ? AND name = ? ORDER BY step, timestamp, value")
        return try names.map { name in
            try statement.setArguments([runID, name])
            var steps: [Int64] = []
            var values: [Double] = []
            try SQLiteRows.eachRow(of: statement.sqliteStatement) { row in
                steps.append(row.int64(0))
                values.append(row.double(1) ?? .nan)
            }
            return MetricSeries(name: name, steps: steps, values: values)
        }
    }

    static func metrics(_ db: Database, runID: String, name: String?) throws -> [MetricPoint] {
        var sql = "SELECT name, step, value, timestamp FROM metrics WHERE run_id = ?"
        var arguments: StatementArguments = [runID]
        if let name {
            sql += " AND name = ?"
            arguments += [name]
        }
        sql += " ORDER BY name, step, timestamp, rowid"
        var points: [MetricPoint] = []
        let cursor = try Row.fetchCursor(db, sql: sql, arguments: arguments)
        while let row = try cursor.next() {
            let value: Double? = row[2]
            points.append(
                MetricPoint(
                    name: row[0], step: row[1], value: value ?? .nan, timestamp: row[3]))
        }
        return points
    }
}
