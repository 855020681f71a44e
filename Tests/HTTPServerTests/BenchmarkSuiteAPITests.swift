import Foundation
import HummingbirdTesting
import ModelyardAPI
import RegistryCore
import Testing

/// Benchmark suites over HTTP: registering the shipped suites, running them on an embedding version (the tiny BERT
/// of fixtures/embeddings), the stored results side by side as JSON, CSV and Markdown, and the refusals.
@Suite struct BenchmarkSuiteAPITests {
    static let suites = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("suites")

    static func file(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: suites.appendingPathComponent(name))) }

    struct ReportShape: Decodable {
        struct Measurement: Decodable {
            var batch: Int
            var iterations: Int
            var rows_per_second: Double
        }
        struct Suite: Decodable {
            var suite: String
            var sha256: String
            var kind: String
            var metrics: [String: Double]
            var texts: Int
        }
        var version: String
        var measurements: [Measurement]
        var suite: Suite?
    }

    struct TableShape: Decodable {
        struct Column: Decodable { var name: String }
        struct Row: Decodable {
            var version: String
            var values: [Double?]
            var change_percent: [Double?]
        }
        var suite: String?
        var baseline: String?
        var columns: [Column]
        var rows: [Row]
    }

    @Test func suitesAreRegisteredOnceCheckedAndKeptByGarbageCollection() async throws {
        let harness = try APIHarness()
        try await harness.run { client in
            let bytes = try Self.file("modelyard-mini-retrieval.jsonl")
            let created = try await client.upload("/api/v1/benchmark-suites/mini?description=everyday%20questions", bytes: bytes)
            #expect(created.status == .created)
            let suite = try ServingAPITests.json(created)
            #expect(suite["kind"] as? String == "retrieval" && suite["queries"] as? Int == 20 && suite["documents"] as? Int == 40)
            #expect(suite["judgements"] as? Int == 27 && suite["description"] as? String == "everyday questions")
            #expect(try await client.upload("/api/v1/benchmark-suites/mini", bytes: bytes).status == .ok, "the same file again is a no-op")

            let changed = try await client.upload("/api/v1/benchmark-suites/mini", bytes: bytes + Array("\n".utf8))
            #expect(changed.status == .conflict && changed.error?.code == "already_exists")
            let bad = try await client.upload("/api/v1/benchmark-suites/broken", bytes: Array(#"{"type": "query", "id": "q1"}"#.utf8))
            #expect(bad.status == .badRequest && bad.error?.message.contains("suite line 1") == true, "\(bad.text)")
            #expect(try await client.upload("/api/v1/benchmark-suites/-bad", bytes: bytes).status == .badRequest)
            #expect(try await client.call(.get, "/api/v1/benchmark-suites/broken").status == .notFound, "a refused suite stores nothing")

            let pairs = try await client.upload("/api/v1/benchmark-suites/pairs", bytes: try Self.file("modelyard-mini-pairs.jsonl"))
            let pairsBody = try ServingAPITests.json(pairs)
            #expect(pairs.status == .created && pairsBody["pairs"] as? Int == 30)
            let list = try ServingAPITests.json(try await client.call(.get, "/api/v1/benchmark-suites"))
            #expect((list["suites"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["mini", "pairs"])

            _ = try await harness.registry.collectGarbage(gracePeriod: 0)
            let download = try await client.call(.get, "/api/v1/benchmark-suites/mini/file")
            #expect(download.status == .ok && Array(download.body.readableBytesView) == bytes, "collection keeps a suite's file")

            #expect(try await client.call(.delete, "/api/v1/benchmark-suites/pairs").status == .noContent)
            #expect(try await client.call(.get, "/api/v1/benchmark-suites/pairs").status == .notFound)
            #expect(try await client.call(.delete, "/api/v1/benchmark-suites/pairs").status == .notFound)
        }
    }

    @Test func aSuiteRunScoresTheVersionStoresItAndComparesVersions() async throws {
        let harness = try APIHarness()
        try await harness.run { client in
            _ = try await client.call(.post, "/api/v1/models", json: CreateModelRequest(name: "minibert"))
            let one = try await EmbeddingAPITests.register(client, model: "minibert")
            let two = try await EmbeddingAPITests.register(client, model: "minibert", weights: "model.safetensors")
            _ = try await client.upload("/api/v1/benchmark-suites/mini", bytes: try Self.file("modelyard-mini-retrieval.jsonl"))

            var reports: [ReportShape] = []
            for version in [one.version, two.version] {
                let run = try await client.call(.post, "/api/v1/models/minibert/versions/\(version)/benchmark", raw: #"{"suite": "mini"}"#)
                #expect(run.status == .created, "\(run.text)")
                reports.append(try run.decode(ReportShape.self))
            }
            let result = try #require(reports[0].suite)
            #expect(result.suite == "mini" && result.kind == "retrieval" && result.texts == 60)
            #expect(Set(result.metrics.keys) == ["ndcg@10", "mrr@10", "recall@10"])
            #expect(result.metrics.values.allSatisfy { (0...1).contains($0) })
            #expect(reports[0].measurements.map(\.batch) == [1, 32])
            #expect(reports[0].measurements[0].iterations == 20, "each query is embedded on its own")
            #expect(reports[0].measurements[1].iterations == 2, "the 40 documents in batches of 32")

            // The same scores from the vectors the embed endpoint returns, with the prompts the run uses
            // (the tiny BERT has `query` and `passage`).
            let contents = try SuiteContents.parse(Data(try Self.file("modelyard-mini-retrieval.jsonl")))
            guard case .retrieval(let queries, let documents, let judgements) = contents else { return }
            func embed(_ texts: [String], prompt: String) async throws -> [Float] {
                let response = try await client.call(
                    .post, "/api/v1/models/minibert/embed",
                    json: EmbedRequest(inputs: texts, version: one.version, promptName: prompt))
                return try response.decode(EmbedResponse.self).embeddings.flatMap { $0 }
            }
            let expected = SuiteMetrics.retrieval(
                queries: queries, documents: documents, judgements: judgements,
                queryVectors: try await embed(queries.map(\.text), prompt: "query"),
                documentVectors: try await embed(documents.map(\.text), prompt: "passage"), dimension: 32)
            for (name, value) in expected { #expect(abs(result.metrics[name]! - value) < 1e-6, "\(name)") }
            // ONNX and safetensors builds of the same weights score the same.
            for (name, value) in result.metrics { #expect(abs(reports[1].suite!.metrics[name]! - value) < 1e-6, "\(name)") }

            let stored = try await client.call(.get, "/api/v1/models/minibert/versions/\(one.version)/benchmarks")
            #expect((try ServingAPITests.json(stored)["benchmarks"] as? [[String: Any]])?.count == 1)

            let table = try await client.call(.get, "/api/v1/models/minibert/benchmarks?suite=mini").decode(TableShape.self)
            #expect(table.suite == "mini" && table.baseline == one.version)
            #expect(table.rows.map(\.version) == [one.version, two.version])
            #expect(table.columns.prefix(3).map(\.name) == ["ndcg@10", "mrr@10", "recall@10"])
            #expect(table.rows[0].change_percent.allSatisfy { $0 == nil } && table.rows[1].change_percent[0] != nil)
            let reversed = try await client.call(.get, "/api/v1/models/minibert/benchmarks?suite=mini&versions=\(two.version),\(one.version)")
            #expect(try reversed.decode(TableShape.self).baseline == two.version)

            let csv = try await client.call(.get, "/api/v1/models/minibert/benchmarks?suite=mini&format=csv")
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            let lines = csv.text.split(separator: "\r\n")
            #expect(lines.count == 3 && lines[0].hasPrefix("version,run_at,ndcg@10,ndcg@10 change %"))
            let markdown = try await client.call(.get, "/api/v1/models/minibert/benchmarks?suite=mini&format=markdown")
            #expect(markdown.text.hasPrefix("| version | ndcg@10 | mrr@10 | recall@10 |") && markdown.text.contains("| \(two.version) |"))
            #expect(try await client.call(.get, "/api/v1/models/minibert/benchmarks?format=xml").status == .badRequest)

            // The dashboard: the history chart with export links, and the compare page side by side.
            let page = try await client.call(.get, "/models/minibert/benchmarks?suite=mini", headers: ["Accept": "text/html"])
            #expect(page.status == .ok)
            #expect(page.text.contains("<figcaption>Quality</figcaption><ul class=\"legend\"><li><i class=\"c1\"></i>ndcg@10") && page.text.contains("aria-current=\"page\">mini<"), "\(page.text)")
            #expect(page.text.contains("href=\"/api/v1/models/minibert/benchmarks?suite=mini&amp;format=csv\""), "\(page.text)")
            #expect(page.text.contains("ndcg@10 ↑") && page.text.contains("p50 ms @1 ↓"))
            let latencyTab = try await client.call(.get, "/models/minibert/benchmarks", headers: ["Accept": "text/html"])
            #expect(latencyTab.text.contains("No version of minibert has a latency benchmark yet"))
            let compare = try await client.call(.get, "/models/minibert/compare?v=\(two.version)&v=\(one.version)", headers: ["Accept": "text/html"])
            #expect(compare.text.contains("<h3>Suite mini") && compare.text.contains(">\(two.version)</a></th>"), "\(compare.text)")
            #expect(compare.text.contains("recall@10 ↑"))
            #expect(try await client.call(.get, "/models/minibert/benchmarks?suite=%2Fx", headers: ["Accept": "text/html"]).status == .badRequest)
        }
    }

    @Test func suiteRunsAreRefusedWithAReason() async throws {
        try await APIHarness().run { client in
            _ = try await client.call(.post, "/api/v1/models", json: CreateModelRequest(name: "tabular"))
            let tabular = try await ServingAPITests.register(client, model: "tabular", bytes: try ServingAPITests.fixture("logreg_binary"))
            _ = try await client.upload("/api/v1/benchmark-suites/pairs", bytes: try Self.file("modelyard-mini-pairs.jsonl"))
            let path = "/api/v1/models/tabular/versions/\(tabular.version)/benchmark"

            let notEmbedding = try await client.call(.post, path, raw: #"{"suite": "pairs"}"#)
            #expect(notEmbedding.status == .conflict && notEmbedding.error?.code == "failed_precondition", "\(notEmbedding.text)")
            #expect(notEmbedding.error?.message.contains("not a text-embedding model") == true)
            let missing = try await client.call(.post, path, raw: #"{"suite": "nope"}"#)
            #expect(missing.status == .notFound && missing.error?.message.contains("modelyard suite list") == true)
            let both = try await client.call(.post, path, raw: #"{"suite": "pairs", "batches": [1]}"#)
            #expect(both.status == .badRequest)
            let unknown = try await client.call(.post, path, raw: #"{"suites": "pairs"}"#)
            #expect(unknown.status == .badRequest && unknown.error?.message.contains("'suites'") == true)

            // A latency benchmark of the tabular model still runs and compares.
            #expect(try await client.call(.post, path, raw: #"{"batches": [1, 8]}"#).status == .created)
            let table = try await client.call(.get, "/api/v1/models/tabular/benchmarks").decode(TableShape.self)
            #expect(table.suite == nil && table.columns.map(\.name) == ["p50 ms @1", "p99 ms @1", "rows/s @1", "p50 ms @8", "p99 ms @8", "rows/s @8"])
        }
    }
}
