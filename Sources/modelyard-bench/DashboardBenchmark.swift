import ArgumentParser
import Dashboard
import Foundation
import HTTPServer
import ModelyardComposition
import Logging
import NIOHTTP1
import Registry
import RegistryCore
import RegistryStore

/// Render times of the dashboard's heaviest pages against the API calls that return the same data as JSON.
struct DashboardBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "Dashboard page times (models, versions, a 100k-point version, a 10-version comparison) vs the JSON API.")

    @Option(help: "Versions of the big model.") var versions = 1_000
    @Option(help: "History points of the version page's version.") var points = 100_000
    @Option(help: "Versions compared (their histories together hold --points points).") var compared = 10
    @Option(help: "Other models on the models page.") var models = 50
    @Option(help: "Samples per page.") var samples = 100
    @Option(help: "Measure only the pages whose name contains this (models, versions, version, compare).") var only: String?

    func run() async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("modelyard-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        var logger = Logger(label: "bench")
        logger.logLevel = .critical
        let components = try Composition.open(dataDirectory: work.appendingPathComponent("data"), logger: logger)
        let registry = components.registry
        try await Self.seed(registry: registry, versions: versions, points: points, compared: compared, models: models)
        let server = try await LiveServer.start(components, logger: logger)
        defer { server.stop() }
        let client = BenchClient(base: "http://127.0.0.1:\(server.port)")

        let last = SemanticVersion(major: 1, minor: 0, patch: versions - 1)
        let comparedVersions = (0..<compared).map { SemanticVersion(major: 1, minor: 0, patch: versions - 2 - $0) }
        let pages: [(name: String, page: String, baseline: [String])] = [
            ("models page (\(models + 1) models)", "/", ["/api/v1/models?limit=100"]),
            ("versions page (\(versions) versions)", "/models/big", ["/api/v1/models/big/versions?limit=1000"]),
            (
                "version page (\(points) history points)", "/models/big/versions/\(last)",
                ["/api/v1/models/big/versions/\(last)", "/api/v1/models/big/versions/\(last)/history"]
            ),
            (
                "compare \(compared) versions (\(points) points in all)",
                "/models/big/compare?" + comparedVersions.map { "v=\($0)" }.joined(separator: "&"),
                ["/api/v1/models/big/compare?versions=" + comparedVersions.map(\.description).joined(separator: ",")]
                    + comparedVersions.map { "/api/v1/models/big/versions/\($0)/history" }
            ),
        ]
        var lines = ["modelyard-bench dashboard (server-side time over loopback HTTP; target: every page p50 under 50 ms)"]
        for entry in pages where only.map({ entry.name.hasPrefix($0) }) ?? true {
            // Warm up both paths (SQLite page cache, allocator) before measuring.
            for _ in 0..<3 {
                try await client.send(.GET, entry.page)
                for path in entry.baseline { try await client.send(.GET, path) }
            }
            let page = try await client.latencies(samples: samples) { _ in try await client.send(.GET, entry.page) }
            let json = try await client.latencies(samples: samples) { _ in
                for path in entry.baseline { try await client.send(.GET, path) }
            }
            let p50 = Self.percentile(page, 0.5)
            let b50 = Self.percentile(json, 0.5)
            lines.append(
                entry.name.padding(toLength: 46, withPad: " ", startingAt: 0)
                    + String(
                        format: "p50 %7.2f ms p99 %7.2f ms | JSON API p50 %7.2f ms p99 %7.2f ms | ratio %.2f | %@",
                        p50, Self.percentile(page, 0.99), b50, Self.percentile(json, 0.99), p50 / b50,
                        p50 < 50 ? "under 50 ms ✓" : "over 50 ms ✗"))
        }
        // Where the version page's time goes: reading the history from the store, and everything else.
        if only.map({ "version page".hasPrefix($0) }) ?? true {
            var reads: [Double] = []
            for _ in 0..<max(5, samples / 5) {
                let start = ContinuousClock.now
                _ = try await registry.historySeries(ModelName(rawValue: "big"), .version(last))
                reads.append((ContinuousClock.now - start).benchSeconds * 1_000)
            }
            reads.sort()
            lines.append(String(format: "  of which reading %d history points from the store: p50 %.2f ms", points, Self.percentile(reads, 0.5)))
        }
        if only.map({ "compare".hasPrefix($0) }) ?? true {
            let big = ModelName(rawValue: "big")
            var reads: [Double] = []
            var renders: [Double] = []
            var size = 0
            for _ in 0..<max(5, samples / 5) {
                let start = ContinuousClock.now
                let (comparison, list, histories) = try await registry.compareInDetail(big, comparedVersions.map(VersionSelector.version))
                let read = ContinuousClock.now
                let model = try await registry.modelDetails(big).model
                let html = ComparePage(model: model, comparison: comparison, versions: list, histories: histories)
                    .render(PageContext(csrfToken: "", now: Date()))
                renders.append((ContinuousClock.now - read).benchSeconds * 1_000)
                reads.append((read - start).benchSeconds * 1_000)
                size = html.text.utf8.count
            }
            lines.append(
                String(
                    format: "  compare: reading versions and histories p50 %.2f ms, rendering p50 %.2f ms (%d KB of HTML)",
                    Self.percentile(reads.sorted(), 0.5), Self.percentile(renders.sorted(), 0.5), size / 1024))
        }
        print(lines.joined(separator: "\n"))
    }

    static func percentile(_ sorted: [Double], _ p: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }

    /// Model `big` with `versions` scored versions (one import), `points` history points on the newest, the same
    /// total spread over the `compared` versions before it, and `models` small models besides.
    static func seed(registry: Registry, versions: Int, points: Int, compared: Int, models: Int) async throws {
        let now = Date()
        let audit = AuditContext(actor: "bench")
        let model = RegisteredModel(
            name: ModelName(rawValue: "big"), owner: "bench", task: "classification", tags: ["team": "bench"],
            primaryMetric: "f1", createdAt: now, updatedAt: now)
        let snapshots = (0..<versions).map { patch -> VersionSnapshot in
            let version = SemanticVersion(major: 1, minor: 0, patch: patch)
            let parents = patch == 0 ? [] : [VersionKey(model: model.name, version: SemanticVersion(major: 1, minor: 0, patch: patch - 1))]
            let params: [String: JSONValue] = [
                "lr": .number(0.01 * Double(patch % 7 + 1)), "depth": .number(Double(patch % 5 + 3)),
            ]
            let scores: [String: Double] = [
                "f1": Double(patch % 100) / 100, "auc": Double(patch % 37) / 37, "loss": Double(patch % 11) / 11,
            ]
            let record = ModelVersion(
                model: model.name, version: version, status: .ready, tags: ["seed": "1"], params: params, scores: scores,
                parents: parents, createdBy: "bench", createdAt: now, updatedAt: now)
            return VersionSnapshot(version: record, artifacts: [], scoreChanges: [])
        }
        try await registry.importSnapshot(
            RegistrySnapshot(
                exportedAt: now, models: [ModelSnapshot(model: model, versions: snapshots, aliases: [], deployments: [], audit: [])],
                runs: []),
            audit: audit)
        func history(_ count: Int) -> [MetricPoint] {
            let metrics = ["loss", "accuracy"]
            return (0..<count).map { index in
                let step = Int64(index / metrics.count)
                let name = metrics[index % metrics.count]
                let value = name == "loss" ? 2 / (1 + Double(step) / 500) : 1 - 1 / (1 + Double(step) / 500)
                return MetricPoint(name: name, step: step, value: value, timestamp: 0)
            }
        }
        let newest = SemanticVersion(major: 1, minor: 0, patch: versions - 1)
        _ = try await registry.appendHistory(model.name, .version(newest), points: history(points))
        for offset in 0..<compared {
            let version = SemanticVersion(major: 1, minor: 0, patch: versions - 2 - offset)
            _ = try await registry.appendHistory(model.name, .version(version), points: history(points / compared))
        }
        for index in 0..<models {
            let name = ModelName(rawValue: "model-\(index)")
            _ = try await registry.createModel(NewModel(name: name, primaryMetric: "f1"), audit: audit)
            _ = try await registry.registerVersion(name, NewVersion(status: .ready, scores: ["f1": 0.8]), audit: audit)
            _ = try await registry.deploy(name, .version(.initial), environment: .production, audit: audit)
        }
    }
}
