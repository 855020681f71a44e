import Foundation
public import ModelRuntime
import NIOPosix
public import RegistryCore
import TextEmbedding

/// Runs a benchmark suite on a loaded embedding version: embeds the suite's texts, scores the vectors
/// (`SuiteMetrics`), and measures the embedding latency — queries one at a time (batch 1) and the corpus in the
/// encoder's batches — off the request path, one benchmark at a time (the gate `VersionBenchmark` uses).
public enum SuiteBenchmark {
    /// How many single-text calls measure batch-1 latency at most (a large suite's remaining queries are embedded
    /// in batches).
    static let latencySamples = 200

    public static func run(_ model: LoadedModel, suite: BenchmarkSuite, contents: SuiteContents) async throws
        -> (measurements: [BenchmarkReport.Measurement], result: SuiteResult)
    {
        guard let embedder = model.embedder else {
            throw RegistryError.failedPrecondition(
                "version \(model.key.version) of '\(model.key.model)' is not a text-embedding model; suites score embeddings, "
                    + "benchmark it without --suite for latency and throughput")
        }
        do {
            return try await VersionBenchmark.gate.withPermit {
                try await NIOThreadPool.singleton.runIfActive {
                    try measure(embedder, suite: suite, contents: contents)
                }
            }
        } catch let error as ModelRuntimeError {
            throw RegistryError.failedPrecondition(
                "version \(model.key.version) failed while running suite '\(suite.name)': \(error.message)")
        }
    }

    /// The prompt a role's texts get: the model's prompt of that name when it has one (E5's `query` and `passage`),
    /// else the model's default.
    static func prompt(_ embedder: EmbeddingSession, _ names: [String]) -> String? {
        names.first { embedder.prompts[$0] != nil }
    }

    private struct Run {
        let embedder: EmbeddingSession
        var texts = 0
        var seconds = 0.0

        /// Embeds texts one call each and returns their vectors and each call's seconds.
        mutating func single(_ items: ArraySlice<String>, prompt: String?) throws -> (vectors: [Float], latencies: [Double]) {
            var vectors: [Float] = [], latencies: [Double] = []
            for text in items {
                let start = ContinuousClock.now
                vectors += try embedder.embed([text], promptName: prompt, truncate: true).vectors
                latencies.append((ContinuousClock.now - start).seconds)
            }
            texts += items.count
            seconds += latencies.reduce(0, +)
            return (vectors, latencies)
        }

        /// Embeds texts in the encoder's batches and returns their vectors and each batch's seconds.
        mutating func batched(_ items: [String], prompt: String?) throws -> (vectors: [Float], latencies: [Double]) {
            var vectors: [Float] = [], latencies: [Double] = []
            vectors.reserveCapacity(items.count * embedder.dimension)
            var start = 0
            while start < items.count {
                let end = min(items.count, start + EmbeddingSession.encoderBatch)
                let clock = ContinuousClock.now
                vectors += try embedder.embed(Array(items[start..<end]), promptName: prompt, truncate: true).vectors
                latencies.append((ContinuousClock.now - clock).seconds)
                start = end
            }
            texts += items.count
            seconds += latencies.reduce(0, +)
            return (vectors, latencies)
        }
    }

    private static func measure(_ embedder: EmbeddingSession, suite: BenchmarkSuite, contents: SuiteContents) throws
        -> (measurements: [BenchmarkReport.Measurement], result: SuiteResult)
    {
        var run = Run(embedder: embedder)
        let dimension = embedder.dimension
        let batch = EmbeddingSession.encoderBatch
        switch contents {
        case .retrieval(let queries, let documents, let judgements):
            let queryPrompt = prompt(embedder, ["query"])
            let documentPrompt = prompt(embedder, ["passage", "document", "corpus", "doc"])
            _ = try embedder.embed([queries[0].text], promptName: queryPrompt, truncate: true)  // warm-up
            let sampled = min(queries.count, latencySamples)
            let single = try run.single(queries.prefix(sampled).map(\.text)[...], prompt: queryPrompt)
            let rest = try run.batched(queries.dropFirst(sampled).map(\.text), prompt: queryPrompt)
            let corpus = try run.batched(documents.map(\.text), prompt: documentPrompt)
            let metrics = SuiteMetrics.retrieval(
                queries: queries, documents: documents, judgements: judgements, queryVectors: single.vectors + rest.vectors,
                documentVectors: corpus.vectors, dimension: dimension)
            return (
                [
                    VersionBenchmark.measurement(batch: 1, rows: sampled, latencies: single.latencies),
                    VersionBenchmark.measurement(batch: batch, rows: documents.count, latencies: corpus.latencies),
                ],
                SuiteResult(suite: suite.name, sha256: suite.sha256, kind: .retrieval, metrics: metrics, texts: run.texts, seconds: run.seconds)
            )
        case .pairs(let pairs):
            _ = try embedder.embed([pairs[0].text1], promptName: nil, truncate: true)  // warm-up
            let sampled = min(pairs.count, latencySamples)
            let single = try run.single(pairs.prefix(sampled).map(\.text1)[...], prompt: nil)
            let first = try run.batched(pairs.dropFirst(sampled).map(\.text1), prompt: nil)
            let second = try run.batched(pairs.map(\.text2), prompt: nil)
            let metrics = SuiteMetrics.pairs(
                pairs, vectors1: single.vectors + first.vectors, vectors2: second.vectors, dimension: dimension)
            return (
                [
                    VersionBenchmark.measurement(batch: 1, rows: sampled, latencies: single.latencies),
                    VersionBenchmark.measurement(batch: batch, rows: pairs.count, latencies: second.latencies),
                ],
                SuiteResult(suite: suite.name, sha256: suite.sha256, kind: .pairs, metrics: metrics, texts: run.texts, seconds: run.seconds)
            )
        }
    }
}
