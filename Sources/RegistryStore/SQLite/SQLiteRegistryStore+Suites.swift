import Foundation
import GRDB
public import RegistryCore
import RegistryWire

extension SQLiteRegistryStore {
    public func addSuite(_ suite: BenchmarkSuite) async throws {
        let json = try SQLiteRows.json(suite)
        try await write { db in
            guard try Int.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM benchmark_suites WHERE name = ?"), arguments: [suite.name.rawValue]) == nil
            else {
                throw RegistryError.alreadyExists(
                    "a suite named '\(suite.name)' exists already and suites never change; register the new file under another name")
            }
            try db.cachedStatement(sql: "INSERT INTO benchmark_suites (name, sha256, record, created_at) VALUES (?, ?, ?, ?)")
                .execute(arguments: [suite.name.rawValue, suite.sha256.rawValue, json, SQLiteRows.millis(suite.createdAt)])
        }
    }

    public func suites() async throws -> [BenchmarkSuite] {
        try await read { db in
            try String.fetchAll(db.cachedStatement(sql: "SELECT record FROM benchmark_suites ORDER BY name"))
                .compactMap { try SQLiteRows.decodeJSON(BenchmarkSuite.self, $0) }
        }
    }

    public func suite(_ name: SuiteName) async throws -> BenchmarkSuite {
        try await read { db in
            guard let suite = try SQLiteRows.decodeJSON(
                BenchmarkSuite.self,
                try String.fetchOne(db.cachedStatement(sql: "SELECT record FROM benchmark_suites WHERE name = ?"), arguments: [name.rawValue]))
            else { throw RegistryError.notFound("no benchmark suite is named '\(name)'; `modelyard suite list` shows them") }
            return suite
        }
    }

    public func deleteSuite(_ name: SuiteName) async throws {
        try await write { db in
            try db.cachedStatement(sql: "DELETE FROM benchmark_suites WHERE name = ?").execute(arguments: [name.rawValue])
            guard db.changesCount == 1 else {
                throw RegistryError.notFound("no benchmark suite is named '\(name)'; `modelyard suite list` shows them")
            }
        }
    }

    public func modelBenchmarks(_ model: ModelName, suite: SuiteName?) async throws -> [BenchmarkReport] {
        try await read { db in
            let modelID = try SQLiteRows.modelID(db, model)
            let rows: [String]
            if let suite {
                rows = try String.fetchAll(
                    db.cachedStatement(sql: """
                        SELECT b.report FROM version_benchmarks b JOIN versions v ON v.id = b.version_id
                        WHERE b.suite = ? AND v.model_id = ? ORDER BY v.ordinal, b.run_at, b.id
                        """), arguments: [suite.rawValue, modelID])
            } else {
                rows = try String.fetchAll(
                    db.cachedStatement(sql: """
                        SELECT b.report FROM version_benchmarks b JOIN versions v ON v.id = b.version_id
                        WHERE v.model_id = ? ORDER BY v.ordinal, b.run_at, b.id
                        """), arguments: [modelID])
            }
            return try rows.compactMap { try SQLiteRows.decodeJSON(BenchmarkReport.self, $0) }
        }
    }

    static func insertBenchmark(_ db: Database, versionID: Int64, report: BenchmarkReport, json: String) throws {
        try db.cachedStatement(sql: "INSERT INTO version_benchmarks (version_id, report, run_at, suite) VALUES (?, ?, ?, ?)")
            .execute(arguments: [versionID, json, SQLiteRows.millis(report.runAt), report.suite?.suite.rawValue])
    }
}
