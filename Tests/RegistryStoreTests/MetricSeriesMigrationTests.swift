import Foundation
import GRDB
import RegistryCore
import Testing

@testable import RegistryStore

/// Migration v9 moves every stored point into the series-keyed `metrics` table: a registry written before it reads
/// back the same histories, NaNs and latest values after it.
@Suite struct MetricSeriesMigrationTests {
    @Test func pointsWrittenBeforeTheMigrationReadBackUnchanged() async throws {
        try await SQLiteStoreConformanceTests.withRegistryFile { path in try await migrateAndRead(path) }
    }

    func migrateAndRead(_ path: String) async throws {
        do {
            let pool = try DatabasePool(path: path)
            try SQLiteSchema.migrator.migrate(pool, upTo: "v8-versions-by-model-and-update")
            try await pool.write { db in
                for run in ["r1", "r2"] {
                    try db.execute(
                        sql: "INSERT INTO runs (id, name, created_at, start_time) VALUES (?, ?, 0, 0)",
                        arguments: [run, run])
                }
                // The layout before v9: one row per point, NaN as NULL, a retried point stored twice.
                let points: [(String, String, Int64, Double?, Int64)] = [
                    ("r1", "loss", 0, 0.9, 10), ("r1", "loss", 1, nil, 20), ("r1", "loss", 1, 0.7, 20),
                    ("r1", "loss", 2, 0.5, 30), ("r1", "loss", 2, 0.5, 30), ("r1", "acc", 0, 0.8, 10),
                    ("r2", "loss", 0, 0.4, 10),
                ]
                for point in points {
                    try db.execute(
                        sql: "INSERT INTO metrics (run_id, name, step, value, timestamp) VALUES (?, ?, ?, ?, ?)",
                        arguments: [point.0, point.1, point.2, point.3, point.4])
                }
                for latest in [("r1", "loss", 2, 0.5, 30), ("r1", "acc", 0, 0.8, 10), ("r2", "loss", 0, 0.4, 10)] {
                    try db.execute(
                        sql: "INSERT INTO latest_metrics (run_id, name, step, value, timestamp) VALUES (?, ?, ?, ?, ?)",
                        arguments: [latest.0, latest.1, latest.2, latest.3, latest.4])
                }
            }
        }
        let store = try SQLiteRegistryStore(path: path)
        let history = try await store.metricHistory(runID: "r1", key: "loss", offset: 0, limit: 100).items
        #expect(history.map(\.step) == [0, 1, 1, 2])
        #expect(history[1].value.isNaN && history.map(\.timestamp) == [10, 20, 20, 30])
        #expect(Array(history.map(\.value)[2...]) == [0.7, 0.5] && history[0].value == 0.9)
        let run = try await store.run(id: "r1")
        #expect(run.metrics.map(\.key) == ["acc", "loss"] && run.metrics.map(\.value) == [0.8, 0.5])
        #expect(
            try await store.metricHistory(runID: "r2", key: "loss", offset: 0, limit: 100).items.map(\.value) == [0.4])
        // The migrated series keeps growing: a newer point moves the latest value, a repeated one is stored once.
        try await store.logRunData(
            id: "r1",
            RunDataBatch(metrics: [
                TrackedMetric(key: "loss", value: 0.3, timestamp: 40, step: 3),
                TrackedMetric(key: "loss", value: 0.5, timestamp: 30, step: 2),
            ]))
        #expect(
            try await store.metricHistory(runID: "r1", key: "loss", offset: 0, limit: 100).items.map(\.step) == [
                0, 1, 1, 2, 3,
            ])
        #expect(try await store.run(id: "r1").metrics.first { $0.key == "loss" }?.value == 0.3)
        // Deleting a run still removes its points, through the series.
        try await store.writer.write { db in try db.execute(sql: "DELETE FROM runs WHERE id = 'r1'") }
        let left = try await store.writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM metrics") }
        #expect(left == 1)
    }
}
