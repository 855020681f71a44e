import Foundation

/// Quality metrics of a suite run, from the vectors a version produced. Similarity is cosine (vectors are
/// normalised here, so a model without a Normalize module is scored the same way as one with it).
public enum SuiteMetrics {
    /// The cut-off of the retrieval metrics.
    public static let cutoff = 10

    /// `ndcg@10`, `mrr@10` and `recall@10`, averaged over the queries (each has a relevant document; the suite's
    /// parser makes sure). Gains are the judged relevances (linear, as `trec_eval`); documents without a
    /// judgement have relevance 0. Ties in similarity keep the documents' order in the suite.
    ///
    /// `queryVectors` and `documentVectors` hold one row of `dimension` values per query and document, in order.
    public static func retrieval(
        queries: [SuiteContents.Item], documents: [SuiteContents.Item], judgements: [SuiteContents.Judgement],
        queryVectors: [Float], documentVectors: [Float], dimension: Int
    ) -> [String: Double] {
        precondition(queryVectors.count == queries.count * dimension && documentVectors.count == documents.count * dimension)
        let queryRows = normalized(queryVectors, dimension: dimension)
        let documentRows = normalized(documentVectors, dimension: dimension)
        let documentIndex = Dictionary(documents.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        var relevance: [String: [Int: Double]] = [:]
        for judgement in judgements where judgement.relevance > 0 {
            if let document = documentIndex[judgement.document] { relevance[judgement.query, default: [:]][document] = judgement.relevance }
        }
        var ndcg = 0.0, mrr = 0.0, recall = 0.0
        for (q, query) in queries.enumerated() {
            let judged = relevance[query.id] ?? [:]
            let top = topDocuments(queryRows, row: q, documents: documentRows, dimension: dimension, count: documents.count)
            var dcg = 0.0, found = 0, firstRank: Int?
            for (rank, document) in top.enumerated() {
                guard let gain = judged[document] else { continue }
                dcg += gain / log2(Double(rank + 2))
                found += 1
                if firstRank == nil { firstRank = rank + 1 }
            }
            let ideal = judged.values.sorted(by: >).prefix(cutoff).enumerated().reduce(0.0) { $0 + $1.element / log2(Double($1.offset + 2)) }
            ndcg += ideal > 0 ? dcg / ideal : 0
            mrr += firstRank.map { 1 / Double($0) } ?? 0
            recall += judged.isEmpty ? 0 : Double(found) / Double(judged.count)
        }
        let n = Double(max(1, queries.count))
        return ["ndcg@10": ndcg / n, "mrr@10": mrr / n, "recall@10": recall / n]
    }

    /// `spearman` and `pearson` correlation between the pairs' cosine similarities and their scores.
    public static func pairs(_ pairs: [SuiteContents.Pair], vectors1: [Float], vectors2: [Float], dimension: Int) -> [String: Double] {
        precondition(vectors1.count == pairs.count * dimension && vectors2.count == pairs.count * dimension)
        let a = normalized(vectors1, dimension: dimension), b = normalized(vectors2, dimension: dimension)
        let similarities = (0..<pairs.count).map { Double(dot(a, $0 * dimension, b, $0 * dimension, dimension)) }
        let scores = pairs.map(\.score)
        return ["spearman": pearson(ranks(similarities), ranks(scores)), "pearson": pearson(similarities, scores)]
    }

    /// Pearson's correlation; 0 when either side is constant.
    public static func pearson(_ x: [Double], _ y: [Double]) -> Double {
        let n = Double(x.count)
        guard x.count == y.count, x.count > 1 else { return 0 }
        let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for i in x.indices {
            sxy += (x[i] - mx) * (y[i] - my)
            sxx += (x[i] - mx) * (x[i] - mx)
            syy += (y[i] - my) * (y[i] - my)
        }
        guard sxx > 0, syy > 0 else { return 0 }
        return sxy / (sxx * syy).squareRoot()
    }

    /// Ranks from 1, ties sharing their average rank (as Spearman's correlation needs).
    public static func ranks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var result = [Double](repeating: 0, count: values.count)
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count && values[order[end + 1]] == values[order[start]] { end += 1 }
            let rank = Double(start + end) / 2 + 1
            for i in start...end { result[order[i]] = rank }
            start = end + 1
        }
        return result
    }

    private static func normalized(_ vectors: [Float], dimension: Int) -> [Float] {
        var result = vectors
        guard dimension > 0 else { return result }
        for row in 0..<(vectors.count / dimension) {
            let norm = dot(vectors, row * dimension, vectors, row * dimension, dimension).squareRoot()
            guard norm > 0 else { continue }
            for i in row * dimension..<(row + 1) * dimension { result[i] /= norm }
        }
        return result
    }

    /// The indices of the `cutoff` documents most similar to query `row`, most similar first.
    private static func topDocuments(_ queries: [Float], row: Int, documents: [Float], dimension: Int, count: Int) -> [Int] {
        var best: [(score: Float, index: Int)] = []
        best.reserveCapacity(cutoff + 1)
        for d in 0..<count {
            let score = dot(queries, row * dimension, documents, d * dimension, dimension)
            if best.count == cutoff, let last = best.last, !(score > last.score) { continue }
            var at = best.count
            while at > 0 && score > best[at - 1].score { at -= 1 }
            best.insert((score, d), at: at)
            if best.count > cutoff { best.removeLast() }
        }
        return best.map(\.index)
    }

    private static func dot(_ a: [Float], _ i: Int, _ b: [Float], _ j: Int, _ n: Int) -> Float {
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                var sum = SIMD8<Float>()
                var k = 0
                while k + 8 <= n {
                    sum += UnsafeRawPointer(a.baseAddress! + i + k).loadUnaligned(as: SIMD8<Float>.self)
                        * UnsafeRawPointer(b.baseAddress! + j + k).loadUnaligned(as: SIMD8<Float>.self)
                    k += 8
                }
                var total = sum.sum()
                while k < n {
                    total += a[i + k] * b[j + k]
                    k += 1
                }
                return total
            }
        }
    }
}
