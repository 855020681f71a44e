import Foundation
import RegistryCore
import RegistryStore
import Testing

/// Benchmark suites and the benchmarks stored with versions, as every `RegistryStore` must keep them.
enum BenchmarkConformance {
    static let cases: [String: StoreConformance.Case] = ["suitesAndBenchmarks": suitesAndBenchmarks]

    static func suite(_ name: String, sha: Character) throws -> BenchmarkSuite {
        BenchmarkSuite(
            name: try SuiteName(validating: name), kind: .retrieval, description: "d", sha256: BlobDigest(rawValue: String(repeating: sha, count: 64)),
            size: 10, queries: 2, documents: 3, judgements: 4, createdBy: "tester", createdAt: Date(timeIntervalSince1970: 1_765_000_000))
    }

    static func report(_ version: SemanticVersion, suite: BenchmarkSuite?, at seconds: Double) -> BenchmarkReport {
        BenchmarkReport(
            model: StoreConformance.name("a"), version: version,
            measurements: [.init(batch: 1, iterations: 3, meanMilliseconds: 1, p50Milliseconds: 1, p99Milliseconds: 2, rowsPerSecond: 900)],
            suite: suite.map { SuiteResult(suite: $0.name, sha256: $0.sha256, kind: $0.kind, metrics: ["ndcg@10": 0.5], texts: 5, seconds: 0.1) },
            runBy: "tester", runAt: Date(timeIntervalSince1970: 1_765_000_000 + seconds))
    }

    static func suitesAndBenchmarks(_ store: any RegistryStore) async throws {
        let mini = try suite("mini", sha: "a"), other = try suite("other", sha: "b")
        try await store.addSuite(mini)
        try await store.addSuite(other)
        await StoreConformance.expectCode(.alreadyExists) { try await store.addSuite(try suite("mini", sha: "c")) }
        #expect(try await store.suites() == [mini, other])
        #expect(try await store.suite(mini.name) == mini)
        #expect(try await store.referencedDigests().isSuperset(of: [mini.sha256, other.sha256]), "garbage collection keeps suite files")

        _ = try await StoreConformance.makeModel(store, "a")
        let one = try await StoreConformance.register(store, "a").version
        let two = try await StoreConformance.register(store, "a").version
        let runs = [
            report(two, suite: mini, at: 1), report(one, suite: mini, at: 2), report(one, suite: nil, at: 3), report(one, suite: other, at: 4),
        ]
        for run in runs { try await store.addBenchmark(run) }
        #expect(try await store.modelBenchmarks(StoreConformance.name("a"), suite: mini.name) == [runs[1], runs[0]], "by version, then time")
        #expect(try await store.modelBenchmarks(StoreConformance.name("a"), suite: nil).count == 4)
        #expect(try await store.benchmarks(StoreConformance.name("a"), one, limit: 10) == [runs[3], runs[2], runs[1]])

        let snapshot = try await store.exportSnapshot()
        #expect(snapshot.suites == [mini, other] && snapshot.digests.isSuperset(of: [mini.sha256, other.sha256]))
        try await store.deleteSuite(other.name)
        await StoreConformance.expectCode(.notFound) { _ = try await store.suite(other.name) }
        await StoreConformance.expectCode(.notFound) { try await store.deleteSuite(other.name) }
        #expect(try await store.modelBenchmarks(StoreConformance.name("a"), suite: other.name) == [runs[3]], "results outlive their suite")

        try await store.deleteModel(StoreConformance.name("a"), audit: StoreConformance.actor)
        try await store.importSnapshot(snapshot, audit: StoreConformance.actor)
        #expect(try await store.suites() == [mini, other], "the deleted suite comes back; the one still here is kept")
        #expect(try await store.modelBenchmarks(StoreConformance.name("a"), suite: nil) == runs.sorted { ($0.version, $0.runAt) < ($1.version, $1.runAt) })
        var clash = snapshot
        clash.models = []
        clash.runs = []
        clash.tracking = nil
        clash.imports = nil
        clash.suites = [try suite("mini", sha: "c")]
        await StoreConformance.expectCode(.alreadyExists) { try await store.importSnapshot(clash, audit: StoreConformance.actor) }
    }
}
