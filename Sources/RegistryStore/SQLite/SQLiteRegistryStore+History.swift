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

    /// Appends to the run's series and keeps each series' latest point in `latest_metrics`, whose row `id` keys
    /// the series' points in `metrics` (see `SQLiteSchema.metricSeries`). Re-logging a stored point is a no-op.
    static func insertMetrics(_ db: Database, runID: String, metrics: [TrackedMetric]) throws {
        guard !metrics.isEmpty else { return }
        // A batch usually carries many points of few keys: each key's series is looked up, and its latest point
        // upserted, once. `slot[i]` is the series of `metrics[i]`.
        var slots: [String: Int] = [:]
        var newest: [TrackedMetric] = []
        var slot: [Int] = []
        slot.reserveCapacity(metrics.count)
        for metric in metrics {
            if let index = slots[metric.key] {
                if Self.isNewer(metric, than: newest[index]) { newest[index] = metric }
                slot.append(index)
            } else {
                slots[metric.key] = newest.count
                slot.append(newest.count)
                newest.append(metric)
            }
        }
        let find = try db.cachedStatement(
            sql: "SELECT id, step, value, timestamp FROM latest_metrics WHERE run_id = ? AND name = ?")
        let create = try db.cachedStatement(
            sql: "INSERT INTO latest_metrics (run_id, name, step, value, timestamp) VALUES (?, ?, ?, ?, ?)")
        let update = try db.cachedStatement(
            sql: "UPDATE latest_metrics SET step = ?, value = ?, timestamp = ? WHERE id = ?")
        let seriesIDs = try newest.map { metric in
            let value = metric.value.isNaN ? nil : metric.value
            guard let row = try Row.fetchOne(find, arguments: [runID, metric.key]) else {
                try create.execute(arguments: [runID, metric.key, metric.step, value, metric.timestamp])
                return db.lastInsertedRowID
            }
            let id: Int64 = row[0]
            let stored: Double? = row[2]
            let latest = TrackedMetric(key: metric.key, value: stored ?? .nan, timestamp: row[3], step: row[1])
            if Self.isNewer(metric, than: latest) {
                try update.execute(arguments: [metric.step, value, metric.timestamp, id])
            }
            return id
        }
        // Bound through SQLite's C API: building GRDB's `StatementArguments` for each point cost more than the
        // insert itself, and a batch carries up to 1,000 points.
        let insert = try db.cachedStatement(
            sql: "INSERT OR IGNORE INTO metrics (series_id, step, timestamp, is_nan, value) VALUES (?, ?, ?, ?, ?)")
        let handle = insert.sqliteStatement
        defer { sqlite3_reset(handle) }
        for (metric, index) in zip(metrics, slot) {
            sqlite3_reset(handle)
            sqlite3_bind_int64(handle, 1, seriesIDs[index])
            sqlite3_bind_int64(handle, 2, metric.step)
            sqlite3_bind_int64(handle, 3, metric.timestamp)
            sqlite3_bind_int(handle, 4, metric.value.isNaN ? 1 : 0)
            sqlite3_bind_double(handle, 5, metric.value.isNaN ? 0 : metric.value)
            let code = sqlite3_step(handle)
            guard code == SQLITE_DONE else {
                throw DatabaseError(
                    resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(sqlite3_db_handle(handle))))
            }
        }
    }

    /// Greatest (step, timestamp, value) wins; NaN ranks lowest among equal step and timestamp.
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

    /// One in-order scan per series, stepped through SQLite's C API: a chart of 100,000 points needs two numbers
    /// per point, and building a GRDB row for each costs several times the scan.
    static func series(_ db: Database, runID: String) throws -> [MetricSeries] {
        let series = try Row.fetchAll(
            db, sql: "SELECT id, name FROM latest_metrics WHERE run_id = ? ORDER BY name", arguments: [runID])
        let statement = try db.cachedStatement(
            sql: "SELECT step, is_nan, value FROM metrics WHERE series_id = ? ORDER BY step, timestamp, is_nan DESC, value")
        return try series.map { row in
            try statement.setArguments([row[0] as Int64])
            var steps: [Int64] = []
            var values: [Double] = []
            try SQLiteRows.eachRow(of: statement.sqliteStatement) { point in
                steps.append(point.int64(0))
                values.append(point.int64(1) != 0 ? .nan : point.double(2) ?? .nan)
            }
            return MetricSeries(name: row[1], steps: steps, values: values)
        }
    }

    static func metrics(_ db: Database, runID: String, name: String?) throws -> [MetricPoint] {
        var sql = """
            SELECT s.name, m.step, m.is_nan, m.value, m.timestamp FROM latest_metrics s JOIN metrics m ON m.series_id = s.id
            WHERE s.run_id = ?
            """
        var arguments: StatementArguments = [runID]
        if let name {
            sql += " AND s.name = ?"
            arguments += [name]
        }
        sql += " ORDER BY s.name, m.step, m.timestamp, m.is_nan DESC, m.value"
        var points: [MetricPoint] = []
        let cursor = try Row.fetchCursor(db, sql: sql, arguments: arguments)
        while let row = try cursor.next() {
            let isNaN: Bool = row[2]
            points.append(
                MetricPoint(
                    name: row[0], step: row[1], value: isNaN ? .nan : row[3], timestamp: row[4]))
        }
        return points
    }
}
