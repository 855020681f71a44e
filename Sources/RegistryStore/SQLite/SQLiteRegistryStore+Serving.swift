import Foundation
import GRDB
public import RegistryCore
import RegistryWire

extension SQLiteRegistryStore {
    public func setTraffic(
        _ model: ModelName, environment: EnvironmentName, policy: TrafficPolicy, audit: AuditContext
    ) async throws {
        try policy.validate()
        let json = try SQLiteRows.json(policy)
        let now = self.now
        try await write { db in
            let modelID = try SQLiteRows.modelID(db, model)
            for version in policy.shares.map(\.version) + (policy.shadow.map { [$0] } ?? []) {
                guard try Bool.fetchOne(
                    db.cachedStatement(sql: "SELECT 1 FROM versions WHERE model_id = ? AND ordinal = ?"),
                    arguments: [modelID, version.ordinal]) == true
                else {
                    throw RegistryError.notFound("version \(version) of '\(model)' does not exist")
                }
            }
            if policy.isEmpty {
                try db.cachedStatement(sql: "DELETE FROM traffic WHERE model_id = ? AND environment = ?")
                    .execute(arguments: [modelID, environment.rawValue])
            } else {
                try db.cachedStatement(sql: """
                        INSERT INTO traffic (model_id, environment, policy, updated_at) VALUES (?, ?, ?, ?)
                        ON CONFLICT (model_id, environment) DO UPDATE SET policy = excluded.policy, updated_at = excluded.updated_at
                        """).execute(arguments: [modelID, environment.rawValue, json, SQLiteRows.millis(now)])
            }
            var details = [
                "environment": environment.rawValue,
                "shares": policy.shares.map { "\($0.version)=\($0.percent)%" }.joined(separator: ","),
            ]
            if let shadow = policy.shadow { details["shadow"] = shadow.description }
            try SQLiteRows.audit(db, model: model, version: nil, action: "traffic.set", context: audit, details: details, at: now)
        }
    }

    public func traffic(_ model: ModelName) async throws -> [EnvironmentName: TrafficPolicy] {
        try await read { db in
            let modelID = try SQLiteRows.modelID(db, model)
            var result: [EnvironmentName: TrafficPolicy] = [:]
            for row in try Row.fetchAll(
                db.cachedStatement(sql: "SELECT environment, policy FROM traffic WHERE model_id = ?"), arguments: [modelID])
            {
                result[EnvironmentName(rawValue: row[0])] = try SQLiteRows.decodeJSON(TrafficPolicy.self, row[1] as String?)
            }
            return result
        }
    }

    public func allTraffic() async throws -> [ModelName: [EnvironmentName: TrafficPolicy]] {
        try await read { db in
            var result: [ModelName: [EnvironmentName: TrafficPolicy]] = [:]
            for row in try Row.fetchAll(db.cachedStatement(sql: """
                    SELECT m.name, t.environment, t.policy FROM traffic t JOIN models m ON m.id = t.model_id
                    """))
            {
                result[ModelName(rawValue: row[0]), default: [:]][EnvironmentName(rawValue: row[1])] =
                    try SQLiteRows.decodeJSON(TrafficPolicy.self, row[2] as String?)
            }
            return result
        }
    }

    public func setServingLimits(_ model: ModelName, limits: ServingLimits?, audit: AuditContext) async throws {
        try limits?.validate()
        let json = try limits.map(SQLiteRows.json)
        let now = self.now
        try await write { db in
            let modelID = try SQLiteRows.modelID(db, model)
            if let json {
                try db.cachedStatement(sql: """
                        INSERT INTO serving_limits (model_id, limits, updated_at) VALUES (?, ?, ?)
                        ON CONFLICT (model_id) DO UPDATE SET limits = excluded.limits, updated_at = excluded.updated_at
                        """).execute(arguments: [modelID, json, SQLiteRows.millis(now)])
            } else {
                try db.cachedStatement(sql: "DELETE FROM serving_limits WHERE model_id = ?").execute(arguments: [modelID])
            }
            try SQLiteRows.audit(
                db, model: model, version: nil, action: "serving_limits.set", context: audit,
                details: ["limits": json ?? "default"], at: now)
        }
    }

    public func allServingLimits() async throws -> [ModelName: ServingLimits] {
        try await read { db in
            var result: [ModelName: ServingLimits] = [:]
            for row in try Row.fetchAll(db.cachedStatement(sql: """
                    SELECT m.name, l.limits FROM serving_limits l JOIN models m ON m.id = l.model_id
                    """))
            {
                result[ModelName(rawValue: row[0])] = try SQLiteRows.decodeJSON(ServingLimits.self, row[1] as String?)
            }
            return result
        }
    }

    public func addBenchmark(_ report: BenchmarkReport) async throws {
        let json = try SQLiteRows.json(report)
        try await write { db in
            let (versionID, _, _) = try SQLiteRows.version(db, report.model, .version(report.version))
            try Self.insertBenchmark(db, versionID: versionID, report: report, json: json)
        }
    }

    public func benchmarks(_ model: ModelName, _ version: SemanticVersion, limit: Int) async throws -> [BenchmarkReport] {
        try await read { db in
            let (versionID, _, _) = try SQLiteRows.version(db, model, .version(version))
            return try String.fetchAll(
                db.cachedStatement(sql: "SELECT report FROM version_benchmarks WHERE version_id = ? ORDER BY run_at DESC, id DESC LIMIT ?"),
                arguments: [versionID, limit]
            ).compactMap { try SQLiteRows.decodeJSON(BenchmarkReport.self, $0) }
        }
    }

    public func addInferenceSummaries(_ summaries: [InferenceSummary]) async throws {
        guard !summaries.isEmpty else { return }
        try await write { db in
            for summary in summaries {
                guard let (versionID, _, _) = try? SQLiteRows.version(db, summary.model, .version(summary.version)) else { continue }
                try db.cachedStatement(sql: """
                        INSERT INTO inference_summaries (version_id, period_start, period_seconds, requests, rows, errors,
                            rejected, p50_ms, p95_ms, p99_ms)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """).execute(arguments: [
                        versionID, SQLiteRows.millis(summary.periodStart), summary.periodSeconds, summary.requests,
                        summary.rows, summary.errors, summary.rejected, summary.p50Milliseconds, summary.p95Milliseconds,
                        summary.p99Milliseconds,
                    ])
            }
        }
    }

    @discardableResult
    public func pruneInferenceSummaries(before cutoff: Date) async throws -> Int {
        try await write { db in
            try db.cachedStatement(sql: "DELETE FROM inference_summaries WHERE period_start < ?").execute(
                arguments: [SQLiteRows.millis(cutoff)])
            return db.changesCount
        }
    }

    public func inferenceSummaries(_ model: ModelName, _ version: SemanticVersion, since: Date) async throws
        -> [InferenceSummary]
    {
        try await read { db in
            let (versionID, _, _) = try SQLiteRows.version(db, model, .version(version))
            return try Row.fetchAll(
                db.cachedStatement(sql: """
                    SELECT period_start, period_seconds, requests, rows, errors, rejected, p50_ms, p95_ms, p99_ms
                    FROM inference_summaries WHERE version_id = ? AND period_start >= ? ORDER BY period_start, id
                    """), arguments: [versionID, SQLiteRows.millis(since)]
            ).map { row in
                InferenceSummary(
                    model: model, version: version, periodStart: ISO8601.date(milliseconds: row[0]), periodSeconds: row[1],
                    requests: row[2], rows: row[3], errors: row[4], rejected: row[5], p50Milliseconds: row[6],
                    p95Milliseconds: row[7], p99Milliseconds: row[8])
            }
        }
    }
}
