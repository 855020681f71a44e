import Foundation
import RegistryCore
import Testing

/// Suite files as users write them, the metrics a run reports (checked against values worked out by hand), and the
/// side-by-side table every surface renders.
@Suite struct BenchmarkSuiteTests {
    static func lines(_ records: [String]) -> Data { Data(records.joined(separator: "\n").utf8) }

    static let retrieval = lines([
        #"{"type": "query", "id": "q1", "text": "first question"}"#,
        #"{"type": "query", "id": "q2", "text": "second question"}"#,
        "",
        #"{"type": "document", "id": "d1", "text": "one"}"#,
        #"{"type": "document", "id": "d2", "text": "two"}"#,
        #"{"type": "document", "id": "d3", "text": "three"}"#,
        #"{"type": "judgement", "query": "q1", "document": "d2", "relevance": 2}"#,
        #"{"type": "judgement", "query": "q1", "document": "d3", "relevance": 1}"#,
        #"{"type": "judgement", "query": "q2", "document": "d1"}"#,
    ])

    @Test func aRetrievalSuiteParses() throws {
        guard case .retrieval(let queries, let documents, let judgements) = try SuiteContents.parse(Self.retrieval) else {
            Issue.record("not a retrieval suite")
            return
        }
        #expect(queries.map(\.id) == ["q1", "q2"] && documents.map(\.id) == ["d1", "d2", "d3"])
        #expect(judgements.map(\.relevance) == [2, 1, 1], "relevance defaults to 1")
    }

    @Test func aPairsSuiteParses() throws {
        let suite = try SuiteContents.parse(
            Self.lines([
                #"{"type": "pair", "text1": "a", "text2": "b", "score": 1}"#, #"{"type": "pair", "text1": "c", "text2": "d", "score": 2.5}"#,
                #"{"type": "pair", "text1": "e", "text2": "f", "score": 0}"#,
            ]))
        #expect(suite == .pairs([.init(text1: "a", text2: "b", score: 1), .init(text1: "c", text2: "d", score: 2.5), .init(text1: "e", text2: "f", score: 0)]))
        #expect(suite.kind == .pairs)
    }

    static let q1 = #"{"type": "query", "id": "q1", "text": "x"}"#
    static let d1 = #"{"type": "document", "id": "d1", "text": "y"}"#
    static let pair = #"{"type": "pair", "text1": "a", "text2": "b", "score": 1}"#

    /// A suite's lines and a phrase its refusal must contain.
    static let refusals: [([String], String)] = [
        (["{not json"], "line 1"),
        ([q1, #"{"type": "query", "id": "q1", "text": "y"}"#], "appears twice"),
        ([#"{"type": "passage", "id": "p"}"#], "must be query, document, judgement or pair"),
        ([#"{"id": "q"}"#], "not missing"),
        ([#"{"type": "query", "id": "", "text": "x"}"#], "\"id\" must be a string"),
        ([#"{"type": "query", "id": "q1"}"#], "needs \"text\""),
        ([#"{"type": "judgement", "query": "q1", "document": "d1", "relevance": -1}"#], "must not be negative"),
        ([q1], "has no documents"),
        ([d1], "has no queries"),
        ([q1, d1, #"{"type": "judgement", "query": "q1", "document": "d9"}"#], "document 'd9'"),
        ([q1, d1, #"{"type": "judgement", "query": "q1", "document": "d1", "relevance": 0}"#], "no judgement with relevance above 0"),
        ([q1, pair], "either pairs or queries"),
        ([pair], "at least 3 pairs"),
        ([pair, pair, pair], "same score"),
        ([#"{"type": "pair", "text1": "a", "text2": "b", "score": "high"}"#], "line 1"),
    ]

    @Test(arguments: refusals)
    func aBadSuiteIsRefusedNamingWhatToChange(lines: [String], message: String) throws {
        let error = #expect(throws: RegistryError.self) { try SuiteContents.parse(Self.lines(lines)) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "")")
    }

    @Test func suiteNamesAreChecked() throws {
        #expect(try SuiteName(validating: "faq-retrieval.v2").rawValue == "faq-retrieval.v2")
        for bad in ["", "-x", "a/b", "a b", String(repeating: "a", count: 65), "é"] {
            #expect(throws: RegistryError.self) { try SuiteName(validating: bad) }
        }
    }

    /// Worked by hand. Cosine similarity ranks q1 = (1, 0.1) as d1, d3, d2 and q2 = (0, 1) as d2, d3, d1.
    /// q1: d3 (gain 1) at rank 2, d2 (gain 2) at rank 3: DCG = 1/log2(3) + 2/log2(4); ideal = 2 + 1/log2(3).
    /// q2: d1 (gain 1) at rank 3: DCG = 1/2; ideal 1.
    @Test func retrievalMetricsMatchHandComputedValues() throws {
        guard case .retrieval(let queries, let documents, let judgements) = try SuiteContents.parse(Self.retrieval) else { return }
        let metrics = SuiteMetrics.retrieval(
            queries: queries, documents: documents, judgements: judgements, queryVectors: [1, 0.1, 0, 3],
            documentVectors: [2, 0, 0, 1, 1, 1], dimension: 2)
        let ndcg1 = (1 / log2(3.0) + 1) / (2 + 1 / log2(3.0))
        #expect(abs(metrics["ndcg@10"]! - (ndcg1 + 0.5) / 2) < 1e-6)
        #expect(abs(metrics["mrr@10"]! - (0.5 + 1.0 / 3) / 2) < 1e-6)
        #expect(metrics["recall@10"] == 1)
    }

    /// Eleven documents closer to the query than the relevant one push it out of the top ten; ties keep the suite's
    /// order.
    @Test func retrievalMetricsCutAtTenAndBreakTiesBySuiteOrder() throws {
        let documents = (0..<12).map { SuiteContents.Item(id: "d\($0)", text: "") }
        let query = [SuiteContents.Item(id: "q", text: "")]
        var vectors: [Float] = []
        for i in 0..<11 { vectors += [1, Float(i) * 0.01] }
        vectors += [0, 1]
        let missed = SuiteMetrics.retrieval(
            queries: query, documents: documents, judgements: [.init(query: "q", document: "d11", relevance: 1)],
            queryVectors: [1, 0], documentVectors: vectors, dimension: 2)
        #expect(missed == ["ndcg@10": 0, "mrr@10": 0, "recall@10": 0])

        let tied = SuiteMetrics.retrieval(
            queries: query, documents: Array(documents.prefix(2)), judgements: [.init(query: "q", document: "d1", relevance: 1)],
            queryVectors: [1, 0], documentVectors: [1, 1, 1, 1], dimension: 2)
        #expect(tied["mrr@10"] == 0.5)
    }

    @Test func correlationsMatchHandComputedValues() {
        #expect(abs(SuiteMetrics.pearson([1, 2, 3, 4], [1, 3, 2, 4]) - 0.8) < 1e-12)
        #expect(SuiteMetrics.ranks([3, 1, 1, 2]) == [4, 1.5, 1.5, 3])
        #expect(SuiteMetrics.pearson([1, 1, 1], [1, 2, 3]) == 0, "a constant side has no correlation")
        // Similarities 1, cos 45°, 0 for scores 5, 3, 0: the same order, so Spearman is 1; Pearson is not quite.
        let pairs = [5.0, 3, 0].map { SuiteContents.Pair(text1: "", text2: "", score: $0) }
        let metrics = SuiteMetrics.pairs(pairs, vectors1: [1, 0, 1, 0, 1, 0], vectors2: [2, 0, 1, 1, 0, 3], dimension: 2)
        #expect(metrics["spearman"] == 1)
        let cosines = [1, 0.5.squareRoot(), 0]
        #expect(abs(metrics["pearson"]! - SuiteMetrics.pearson(cosines, [5, 3, 0])) < 1e-6)
    }

    static func report(_ version: String, ndcg: Double, p50: Double, rows: Double, at seconds: Double = 0) throws -> BenchmarkReport {
        let suite = SuiteResult(
            suite: try SuiteName(validating: "mini"), sha256: BlobDigest(rawValue: String(repeating: "a", count: 64)), kind: .retrieval,
            metrics: ["ndcg@10": ndcg, "mrr@10": ndcg, "recall@10": 1], texts: 60, seconds: 1)
        return BenchmarkReport(
            model: try ModelName(validating: "m"), version: try SemanticVersion(parsing: version),
            measurements: [
                .init(batch: 1, iterations: 20, meanMilliseconds: p50, p50Milliseconds: p50, p99Milliseconds: p50 * 2, rowsPerSecond: 1000 / p50),
                .init(batch: 32, iterations: 2, meanMilliseconds: 10, p50Milliseconds: 10, p99Milliseconds: 12, rowsPerSecond: rows),
            ],
            suite: suite, runBy: "test", runAt: Date(timeIntervalSince1970: seconds))
    }

    @Test func theTableShowsEachChangeAgainstTheFirstVersion() throws {
        let table = BenchmarkTable([try Self.report("1.0.0", ndcg: 0.5, p50: 4, rows: 200), try Self.report("2.0.0", ndcg: 0.6, p50: 5, rows: 100)])
        #expect(table.columns.map(\.name) == [
            "ndcg@10", "mrr@10", "recall@10", "p50 ms @1", "p99 ms @1", "rows/s @1", "p50 ms @32", "p99 ms @32", "rows/s @32",
        ])
        #expect(table.rows[0].changes.allSatisfy { $0 == nil }, "the baseline has no change")
        let changes = table.rows[1].changes
        #expect(abs(changes[0]! - 20) < 1e-9, "nDCG 0.5 → 0.6 is +20%")
        #expect(abs(changes[3]! - 25) < 1e-9, "p50 4 → 5 ms is +25%")
        #expect(abs(changes[8]! + 50) < 1e-9, "throughput 200 → 100 is -50%")
        #expect(table.improves(column: 0, change: changes[0]!) && !table.improves(column: 3, change: changes[3]!))
        #expect(!table.improves(column: 8, change: changes[8]!))

        let csv = table.csv().components(separatedBy: "\r\n")
        #expect(csv[0].hasPrefix("version,run_at,ndcg@10,ndcg@10 change %,mrr@10"))
        #expect(csv[2].hasPrefix("2.0.0,1970-01-01T00:00:00.000Z,0.6,20.00,"))
        let markdown = table.markdown()
        #expect(markdown.contains("| 2.0.0 | 0.6000 (+20.0%) |"))
        #expect(markdown.contains("| 1.0.0 | 0.5000 | 0.5000 | 1.00 |"))
    }

    @Test func theLatestReportPerVersionOfTheSuiteIsCompared() throws {
        let old = try Self.report("1.0.0", ndcg: 0.1, p50: 4, rows: 200, at: 1)
        let new = try Self.report("1.0.0", ndcg: 0.4, p50: 4, rows: 200, at: 2)
        var latencyOnly = try Self.report("1.0.0", ndcg: 0, p50: 4, rows: 200, at: 3)
        latencyOnly.suite = nil
        let other = try Self.report("2.0.0", ndcg: 0.5, p50: 4, rows: 200, at: 1)
        let latest = BenchmarkTable.latest(
            [old, new, latencyOnly, other], versions: [try SemanticVersion(parsing: "2.0.0"), try SemanticVersion(parsing: "1.0.0")],
            suite: try SuiteName(validating: "mini"))
        #expect(latest == [other, new])
        #expect(BenchmarkTable.latest([old, latencyOnly], versions: [old.version], suite: nil) == [latencyOnly])
    }
}
