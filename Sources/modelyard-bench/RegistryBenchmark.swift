import ArgumentParser
import AsyncHTTPClient
import Foundation
import GRDB
import HTTPServer
import ModelyardComposition
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import Registry
import RegistryCore
import RegistryStore

/// Registry throughput and latency over HTTP against a live in-process server.
struct RegistryBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registry",
        abstract: "Registrations/s (1 and 8 clients), history points/s, get/list-version latency with many versions.")

    @Option(help: "Versions registered per throughput run.") var registrations = 2_000
    @Option(help: "History points ingested (batches of 1,000).") var points = 200_000
    @Option(help: "Versions present for the latency run.") var versions = 100_000
    @Option(help: "Latency samples per operation.") var samples = 2_000

    func run() async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("modelyard-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        var logger = Logger(label: "bench")
        logger.logLevel = .critical
        let components = try Composition.open(dataDirectory: work.appendingPathComponent("data"), logger: logger)
        let registry = components.registry
        let server = try await LiveServer.start(components, logger: logger)
        defer { server.stop() }
        let client = BenchClient(base: "http://127.0.0.1:\(server.port)")
        var report = Report()

        // 1. Registrations over HTTP; baseline: the same number of GET /healthz round trips.
        for concurrency in [1, 8] {
            let model = "throughput-\(concurrency)"
            try await client.send(.POST, "/api/v1/models", #"{"name": "\#(model)", "default_bump": "patch"}"#)
            let baseline = try await client.throughput(count: registrations, concurrency: concurrency) { _ in
                try await client.send(.GET, "/healthz")
            }
            let measured = try await client.throughput(count: registrations, concurrency: concurrency) { _ in
                try await client.send(.POST, "/api/v1/models/\(model)/versions", #"{"params": {"lr": 0.01}, "scores": {"f1": 0.9}}"#)
            }
            report.add(
                "register version, \(concurrency) client(s)", value: measured, unit: "versions/s",
                baselineName: "GET /healthz", baseline: baseline)
        }

        // Where the time goes: the same registrations straight into the Registry (no HTTP, no JSON).
        let direct = ModelName(rawValue: "direct")
        _ = try await registry.createModel(NewModel(name: direct, defaultBump: .patch), audit: AuditContext(actor: "bench"))
        let inProcess = try await client.throughput(count: registrations, concurrency: 1) { _ in
            _ = try await registry.registerVersion(
                direct, NewVersion(params: ["lr": .number(0.01)], scores: ["f1": 0.9]), audit: AuditContext(actor: "bench"))
        }
        report.add(
            "register version in-process (no HTTP)", value: inProcess, unit: "versions/s",
            baselineName: "GET /healthz", baseline: 0)

        // 2. History ingestion in batches of 1,000; baseline: raw GRDB inserts of the same rows into a fresh SQLite file.
        try await client.send(.POST, "/api/v1/models", #"{"name": "history"}"#)
        try await client.send(.POST, "/api/v1/models/history/versions", "{}")
        let batches = max(1, points / 1_000)
        let bodies = (0..<batches).map { batch in
            "{\"points\": [" + (0..<1_000).map { index in
                "{\"metric\": \"loss\", \"step\": \(batch * 1_000 + index), \"value\": \(1.0 / Double(batch * 1_000 + index + 1))}"
            }.joined(separator: ",") + "]}"
        }
        let ingest = try await client.throughput(count: batches, concurrency: 1) { index in
            try await client.send(.POST, "/api/v1/models/history/versions/1.0.0/history", bodies[index])
        } * 1_000
        let rawInsert = try Self.rawSQLiteInsert(points: batches * 1_000, directory: work)
        report.add("history points ingested", value: ingest, unit: "points/s", baselineName: "raw GRDB insert", baseline: rawInsert)

        // 3. Latency with many versions present; baseline: GET /healthz.
        try await Self.seed(registry: registry, versions: versions)
        let healthz = try await client.latencies(samples: samples) { _ in try await client.send(.GET, "/healthz") }
        let getVersion = try await client.latencies(samples: samples) { index in
            let version = SemanticVersion(major: 1, minor: 0, patch: (index * 7_919) % versions)
            try await client.send(.GET, "/api/v1/models/big/versions/\(version)")
        }
        let listVersions = try await client.latencies(samples: samples) { _ in
            try await client.send(.GET, "/api/v1/models/big/versions?limit=100")
        }
        report.latency("get-version (\(versions) versions)", getVersion, baseline: healthz)
        report.latency("list-versions, 100 per page (\(versions) versions)", listVersions, baseline: healthz)
        print(report.rendered)
    }

    /// Inserts `points` rows in one transaction with a prepared statement: the storage floor for ingestion.
    static func rawSQLiteInsert(points: Int, directory: URL) throws -> Double {
        let pool = try DatabasePool(path: directory.appendingPathComponent("raw.sqlite").path)
        try pool.write { db in
            try db.execute(sql: "CREATE TABLE metrics (run_id TEXT, name TEXT, step INTEGER, value REAL, timestamp INTEGER)")
            try db.execute(sql: "CREATE INDEX metrics_i ON metrics(run_id, name, step)")
        }
        let start = ContinuousClock.now
        for batch in stride(from: 0, to: points, by: 1_000) {
            try pool.write { db in
                let statement = try db.makeStatement(sql: "INSERT INTO metrics VALUES (?, ?, ?, ?, ?)")
                for step in batch..<min(batch + 1_000, points) {
                    try statement.execute(arguments: ["run", "loss", step, 1.0 / Double(step + 1), 0])
                }
            }
        }
        return Double(points) / (ContinuousClock.now - start).benchSeconds
    }

    /// Creates model `big` with `versions` versions through one import (fast), so latency runs see a big table.
    static func seed(registry: Registry, versions: Int) async throws {
        let now = Date()
        let model = RegisteredModel(name: ModelName(rawValue: "big"), createdAt: now, updatedAt: now)
        let snapshots = (0..<versions).map { patch in
            VersionSnapshot(
                version: ModelVersion(
                    model: model.name, version: SemanticVersion(major: 1, minor: 0, patch: patch), status: .ready,
                    tags: ["seed": "1"], params: ["lr": .number(0.01)], scores: ["f1": Double(patch % 100) / 100],
                    createdBy: "bench", createdAt: now, updatedAt: now),
                artifacts: [], scoreChanges: [])
        }
        try await registry.importSnapshot(
            RegistrySnapshot(
                exportedAt: now,
                models: [ModelSnapshot(model: model, versions: snapshots, aliases: [], deployments: [], audit: [])],
                runs: []),
            audit: AuditContext(actor: "bench"))
    }
}

extension Duration {
    var benchSeconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
