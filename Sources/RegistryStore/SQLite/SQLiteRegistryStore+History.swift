import GRDB
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
                try db.execute(
                    sql: "INSERT INTO runs (id, name, created_at) VALUES (?, ?, ?)",
                    arguments: [runID, "\(model) \(version)", SQLiteRows.millis(now)])
                try db.execute(sql: "UPDATE versions SET run_id = ? WHERE id = ?", arguments: [runID, ref.id])
            }
            try Self.insertMetrics(db, runID: runID, points: points)
            return points.count
        }
    }

    static func insertMetrics(_ db: Database, runID: String, points: [MetricPoint]) throws {
        let statement = try db.cachedStatement(
            sql: "INSERT INTO metrics (run_id, name, step, value, timestamp) VALUES (?, ?, ?, ?, ?)")
        for point in points {
            try statement.execute(arguments: [runID, point.name, point.step, point.value, point.timestamp])
        }
    }

    public func history(_ model: ModelName, _ version: SemanticVersion, metric: String?) async throws -> [MetricPoint] {
        try await read { db in
            guard let runID = try SQLiteRows.versionRef(db, model, version).runID else { return [] }
            return try Self.metrics(db, runID: runID, name: metric)
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
            points.append(MetricPoint(name: row[0], step: row[1], value: row[2], timestamp: row[3]))
        }
        return points
    }
}
