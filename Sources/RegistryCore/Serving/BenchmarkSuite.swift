public import Foundation

/// The name of a benchmark suite: 1-64 characters out of letters, digits, `-`, `_` and `.`, starting with a letter
/// or digit, so it fits a URL path segment and a CLI argument unquoted.
public struct SuiteName: ValidatedName, Comparable {
    public let rawValue: String

    public init(validating text: String) throws {
        let ok = (1...64).contains(text.utf8.count)
            && text.utf8.allSatisfy { Self.allowed($0) }
            && text.utf8.first.map { $0 != UInt8(ascii: "-") && $0 != UInt8(ascii: "_") && $0 != UInt8(ascii: ".") } == true
        guard ok else {
            throw RegistryError.invalidArgument(
                "suite name '\(text.prefix(60))' must be 1-64 letters, digits, '-', '_' or '.', starting with a letter or digit")
        }
        rawValue = text
    }

    public init(rawValue: String) { self.rawValue = rawValue }

    private static func allowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
            true
        default: false
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// What a suite measures: ranking a corpus for queries with judged relevance, or scoring sentence pairs.
public enum SuiteKind: String, Sendable, Codable, CaseIterable {
    case retrieval
    case pairs

    /// The metrics a run of this kind reports, in display order; the first is the headline.
    public var metrics: [String] {
        switch self {
        case .retrieval: ["ndcg@10", "mrr@10", "recall@10"]
        case .pairs: ["spearman", "pearson"]
        }
    }
}

/// A registered benchmark suite: an immutable JSON Lines file in the artifact store, checked when registered.
public struct BenchmarkSuite: Sendable, Equatable {
    public var name: SuiteName
    public var kind: SuiteKind
    public var description: String
    public var sha256: BlobDigest
    public var size: Int64
    /// Queries and documents (retrieval) or pairs (pairs).
    public var queries: Int
    public var documents: Int
    public var judgements: Int
    public var pairs: Int
    public var createdBy: String
    public var createdAt: Date

    public init(
        name: SuiteName, kind: SuiteKind, description: String, sha256: BlobDigest, size: Int64, queries: Int = 0,
        documents: Int = 0, judgements: Int = 0, pairs: Int = 0, createdBy: String, createdAt: Date
    ) {
        self.name = name
        self.kind = kind
        self.description = description
        self.sha256 = sha256
        self.size = size
        self.queries = queries
        self.documents = documents
        self.judgements = judgements
        self.pairs = pairs
        self.createdBy = createdBy
        self.createdAt = createdAt
    }
}

/// A suite's contents, parsed from its JSON Lines file. One record per line, told apart by `type`:
///
///     {"type": "query", "id": "q1", "text": "how do I reset my password"}
///     {"type": "document", "id": "d7", "text": "To reset a password, ..."}
///     {"type": "judgement", "query": "q1", "document": "d7", "relevance": 1}
///     {"type": "pair", "text1": "A man plays a guitar.", "text2": "Someone plays music.", "score": 3.8}
///
/// A suite holds either queries, documents and judgements, or pairs. Blank lines are skipped.
public enum SuiteContents: Sendable, Equatable {
    case retrieval(queries: [Item], documents: [Item], judgements: [Judgement])
    case pairs([Pair])

    public struct Item: Sendable, Equatable {
        public var id: String
        public var text: String
        public init(id: String, text: String) {
            self.id = id
            self.text = text
        }
    }

    public struct Judgement: Sendable, Equatable {
        public var query: String
        public var document: String
        public var relevance: Double
        public init(query: String, document: String, relevance: Double) {
            self.query = query
            self.document = document
            self.relevance = relevance
        }
    }

    public struct Pair: Sendable, Equatable {
        public var text1: String
        public var text2: String
        public var score: Double
        public init(text1: String, text2: String, score: Double) {
            self.text1 = text1
            self.text2 = text2
            self.score = score
        }
    }

    /// Bounds a suite must keep: they bound the server's memory and the time of one run (every query is ranked
    /// against every document).
    public enum Limits {
        public static let maxBytes: Int64 = 32 << 20
        public static let maxQueries = 2_000
        public static let maxDocuments = 20_000
        public static let maxJudgements = 200_000
        public static let maxPairs = 20_000
        public static let maxTextBytes = 32 << 10
        public static let maxIDBytes = 256
    }

    public var kind: SuiteKind {
        switch self {
        case .retrieval: .retrieval
        case .pairs: .pairs
        }
    }

    private struct Line: Decodable {
        var type: String?
        var id: String?
        var text: String?
        var query: String?
        var document: String?
        var relevance: Double?
        var text1: String?
        var text2: String?
        var score: Double?
    }

    /// Parses and checks a suite file. Every error names its line and what to change.
    public static func parse(_ data: Data) throws -> SuiteContents {
        guard data.count <= Limits.maxBytes else {
            throw RegistryError.payloadTooLarge("a suite may have at most \(Limits.maxBytes) bytes; this one has \(data.count)")
        }
        var queries: [Item] = [], documents: [Item] = [], judgements: [Judgement] = [], pairs: [Pair] = []
        var queryIDs: Set<String> = [], documentIDs: Set<String> = [], judged: Set<[String]> = []
        let decoder = JSONDecoder()
        var lineNumber = 0
        for slice in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            if slice.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            func fail(_ message: String) -> RegistryError {
                .invalidArgument("suite line \(lineNumber): \(message)")
            }
            let line: Line
            do {
                line = try decoder.decode(Line.self, from: Data(slice))
            } catch {
                throw fail("not a JSON object with the suite's fields (type, id, text, query, document, relevance, text1, text2, score)")
            }
            func text(_ value: String?, _ field: String) throws -> String {
                guard let value else { throw fail("a \(line.type ?? "record") needs \"\(field)\"") }
                guard value.utf8.count <= Limits.maxTextBytes else {
                    throw fail("\"\(field)\" is longer than \(Limits.maxTextBytes) bytes")
                }
                return value
            }
            func identifier(_ value: String?, _ field: String) throws -> String {
                guard let value, !value.isEmpty, value.utf8.count <= Limits.maxIDBytes else {
                    throw fail("\"\(field)\" must be a string of 1-\(Limits.maxIDBytes) bytes")
                }
                return value
            }
            func finite(_ value: Double?, _ field: String) throws -> Double {
                guard let value, value.isFinite else { throw fail("\"\(field)\" must be a finite number") }
                return value
            }
            switch line.type {
            case "query":
                let id = try identifier(line.id, "id")
                guard queryIDs.insert(id).inserted else { throw fail("query id '\(id)' appears twice") }
                queries.append(Item(id: id, text: try text(line.text, "text")))
                guard queries.count <= Limits.maxQueries else { throw fail("a suite may have at most \(Limits.maxQueries) queries") }
            case "document":
                let id = try identifier(line.id, "id")
                guard documentIDs.insert(id).inserted else { throw fail("document id '\(id)' appears twice") }
                documents.append(Item(id: id, text: try text(line.text, "text")))
                guard documents.count <= Limits.maxDocuments else {
                    throw fail("a suite may have at most \(Limits.maxDocuments) documents")
                }
            case "judgement":
                let query = try identifier(line.query, "query"), document = try identifier(line.document, "document")
                let relevance = try finite(line.relevance ?? 1, "relevance")
                guard relevance >= 0 else { throw fail("\"relevance\" must not be negative") }
                guard judged.insert([query, document]).inserted else {
                    throw fail("query '\(query)' and document '\(document)' are judged twice")
                }
                judgements.append(Judgement(query: query, document: document, relevance: relevance))
                guard judgements.count <= Limits.maxJudgements else {
                    throw fail("a suite may have at most \(Limits.maxJudgements) judgements")
                }
            case "pair":
                pairs.append(Pair(text1: try text(line.text1, "text1"), text2: try text(line.text2, "text2"), score: try finite(line.score, "score")))
                guard pairs.count <= Limits.maxPairs else { throw fail("a suite may have at most \(Limits.maxPairs) pairs") }
            case let other:
                throw fail("\"type\" must be query, document, judgement or pair, not \(other.map { "'\($0.prefix(40))'" } ?? "missing")")
            }
        }
        if !pairs.isEmpty {
            guard queries.isEmpty, documents.isEmpty, judgements.isEmpty else {
                throw RegistryError.invalidArgument(
                    "a suite holds either pairs or queries, documents and judgements, not both; split it into two suites")
            }
            guard pairs.count >= 3 else { throw RegistryError.invalidArgument("a pairs suite needs at least 3 pairs to correlate") }
            guard Set(pairs.map(\.score)).count > 1 else {
                throw RegistryError.invalidArgument("every pair has the same score; a correlation needs scores that differ")
            }
            return .pairs(pairs)
        }
        guard !queries.isEmpty, !documents.isEmpty else {
            throw RegistryError.invalidArgument(
                "the suite has no \(queries.isEmpty ? "queries" : "documents"); a suite holds queries, documents and judgements, or pairs")
        }
        for judgement in judgements {
            guard queryIDs.contains(judgement.query) else {
                throw RegistryError.invalidArgument("a judgement names query '\(judgement.query)', which the suite does not have")
            }
            guard documentIDs.contains(judgement.document) else {
                throw RegistryError.invalidArgument("a judgement names document '\(judgement.document)', which the suite does not have")
            }
        }
        let relevantQueries = Set(judgements.filter { $0.relevance > 0 }.map(\.query))
        if let unjudged = queries.first(where: { !relevantQueries.contains($0.id) }) {
            throw RegistryError.invalidArgument(
                "query '\(unjudged.id)' has no judgement with relevance above 0; judge a relevant document or remove the query")
        }
        return .retrieval(queries: queries, documents: documents, judgements: judgements)
    }
}

/// The quality a version reached on a suite, with the suite's identity so a later change of the suite under the
/// same name never mixes into a comparison.
public struct SuiteResult: Sendable, Equatable {
    public var suite: SuiteName
    public var sha256: BlobDigest
    public var kind: SuiteKind
    /// Metric name (`ndcg@10`, `mrr@10`, `recall@10`; `spearman`, `pearson`) to value.
    public var metrics: [String: Double]
    /// Texts embedded for the run and the seconds that took (the corpus in batches, queries one at a time).
    public var texts: Int
    public var seconds: Double

    public init(suite: SuiteName, sha256: BlobDigest, kind: SuiteKind, metrics: [String: Double], texts: Int, seconds: Double) {
        self.suite = suite
        self.sha256 = sha256
        self.kind = kind
        self.metrics = metrics
        self.texts = texts
        self.seconds = seconds
    }
}
