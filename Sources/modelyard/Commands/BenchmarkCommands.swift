import ArgumentParser
import Foundation
import ModelyardAPI

/// `modelyard benchmark MODEL VERSION...`
struct BenchmarkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "benchmark",
        abstract: "Measure versions on the server — latency and throughput, or a suite's quality — and compare them.",
        discussion: """
            The server runs each version and stores the result with it. Without --suite it measures latency and
            throughput at batch 1, 32 and 1024 on inputs built from the signature. With --suite (embedding models) it
            embeds the suite's texts and reports nDCG@10, MRR@10 and recall@10 (queries, documents, judgements) or
            Spearman and Pearson correlation (pairs), with query latency (batch 1) and corpus throughput (batch 32).

            The versions are shown side by side, each value with its change against the first version in percent.
            --stored shows the latest stored results without running anything; --format csv or markdown exports.

            Examples:
              modelyard benchmark fraud 1.2.0
              modelyard benchmark fraud 1.2.0 1.3.0 --batch 1 --batch 256
              modelyard benchmark search 1.0.0 2.0.0 --suite faq-retrieval
              modelyard benchmark search 1.0.0 2.0.0 --suite faq-retrieval --stored --format markdown
            """)
    @OptionGroup var options: ClientOptions
    @Argument(help: "Model name.") var model: String
    @Argument(help: "Versions (semantic version, number or @alias); the first is the baseline.") var versions: [String]
    @Option(name: .customLong("batch"), help: "Batch size (repeatable; default 1, 32, 1024).") var batches: [Int] = []
    @Option(help: "Run this registered benchmark suite (see `modelyard suite list`).") var suite: String?
    @Flag(help: "Show the latest stored results instead of running.") var stored = false
    @Option(help: "Output: table, csv or markdown.") var format: String = "table"

    func validate() throws {
        if versions.isEmpty { throw ValidationError("name at least one version") }
        if stored && !batches.isEmpty { throw ValidationError("--batch applies to a run, not to --stored") }
        if suite != nil && !batches.isEmpty { throw ValidationError("a suite run measures its own batches; drop --batch") }
        if !["table", "csv", "markdown"].contains(format) { throw ValidationError("--format must be table, csv or markdown") }
        if options.json && format != "table" { throw ValidationError("--json and --format exclude each other") }
    }

    func run() async throws {
        var raw: [Data] = []
        if !stored {
            for (index, version) in versions.enumerated() {
                if !options.json && format == "table" && suite != nil {
                    Output.note("running suite '\(suite ?? "")' on \(model) \(version) (\(index + 1)/\(versions.count))…")
                }
                var body: [String: Any] = [:]
                if !batches.isEmpty { body["batches"] = batches }
                if let suite { body["suite"] = suite }
                raw.append(
                    try await options.client.send(
                        .POST, APIPath.version(model, version) + "/benchmark", rawJSON: try JSONSerialization.data(withJSONObject: body)))
            }
            if options.json {
                return Output.print("[" + raw.map { String(decoding: $0, as: UTF8.self) }.joined(separator: ",") + "]")
            }
        }
        let path = APIPath.model(model) + "/benchmarks"
            + APIPath.query([("suite", suite), ("versions", versions.joined(separator: ",")), ("format", format == "table" ? "json" : format)])
        let data = try await options.client.send(.GET, path)
        if options.json { return Output.printJSON(data) }
        if format != "table" { return Output.print(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)) }
        let table = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        let columns = (table["columns"] as? [[String: Any]] ?? []).map { $0["name"] as? String ?? "?" }
        let rows = table["rows"] as? [[String: Any]] ?? []
        guard rows.count == versions.count else {
            throw CLIError(
                "only \(rows.count) of the \(versions.count) versions have a stored benchmark\(suite.map { " of suite '\($0)'" } ?? "")"
                    + " (\(rows.compactMap { $0["version"] as? String }.joined(separator: ", "))); run one without --stored")
        }
        var output = Table(headers: ["version"] + columns)
        for row in rows {
            let values = row["values"] as? [Any] ?? [], changes = row["change_percent"] as? [Any] ?? []
            output.add(
                row: [row["version"] as? String ?? "?"]
                    + columns.indices.map { i in
                        guard i < values.count, let value = values[i] as? Double else { return "—" }
                        let change = i < changes.count ? changes[i] as? Double : nil
                        return BenchmarkCommand.format(value) + (change.map { String(format: " (%+.1f%%)", $0) } ?? "")
                    })
        }
        Output.print(output.rendered)
        if versions.count > 1 { Output.note("changes are against \(rows.first?["version"] as? String ?? versions[0]), the first version") }
    }

    static func format(_ value: Double) -> String {
        abs(value) >= 100 ? String(format: "%.0f", value) : abs(value) >= 1 ? String(format: "%.2f", value) : String(format: "%.4f", value)
    }
}

/// `modelyard suite add|list|show|delete`
struct SuiteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suite",
        abstract: "Register, list and remove benchmark suites (the texts `modelyard benchmark --suite` scores).",
        discussion: """
            A suite is a JSON Lines file, one record per line, told apart by "type":
              {"type": "query", "id": "q1", "text": "how do I reset my password"}
              {"type": "document", "id": "d7", "text": "To reset a password, open Settings …"}
              {"type": "judgement", "query": "q1", "document": "d7", "relevance": 1}
            or sentence pairs with a similarity score:
              {"type": "pair", "text1": "A man plays a guitar.", "text2": "Someone plays music.", "score": 3.8}
            Every query needs a judgement with relevance above 0. Suites never change once registered, so results
            stored with versions stay comparable; register a changed file under a new name.

            Examples:
              modelyard suite add faq-retrieval suites/modelyard-faq-retrieval.jsonl --description "support FAQ"
              modelyard suite list
              modelyard suite delete faq-retrieval
            """,
        subcommands: [Add.self, List.self, Show.self, Delete.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a suite from its JSON Lines file, or from a BEIR folder (checked by the server; a bad line is named).",
            discussion: """
                A BEIR-style folder (corpus.jsonl with _id, title and text; queries.jsonl with _id and text;
                qrels/test.tsv or qrels.tsv with query-id, corpus-id and score) is converted to a suite: each
                document's title and text joined by a space, and the queries that have a judgement above 0.

                Examples:
                  modelyard suite add mini-retrieval suites/modelyard-mini-retrieval.jsonl
                  modelyard suite add scifact ./beir/scifact --description "BEIR SciFact test split"
                """)
        @OptionGroup var options: ClientOptions
        @Argument(help: "Suite name (letters, digits, '-', '_', '.').") var name: String
        @Argument(help: "The suite's JSON Lines file, or a BEIR folder.") var file: String
        @Option(help: "What the suite measures.") var description: String?

        func run() async throws {
            let url = URL(fileURLWithPath: file)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
                throw CLIError("cannot read \(file): no such file or folder")
            }
            let data = isDirectory.boolValue ? try BEIRFolder.suite(url) : try Self.read(url)
            guard data.count <= 32 << 20 else { throw CLIError("the suite is \(data.count) bytes; a suite may have at most \(32 << 20)") }
            let response = try await options.client.send(
                .PUT, "/api/v1/benchmark-suites/" + APIClient.segment(name) + APIPath.query([("description", description)]),
                body: data, contentType: "application/x-ndjson")
            if options.json { return Output.printJSON(response) }
            let suite = try JSONSerialization.jsonObject(with: response) as? [String: Any] ?? [:]
            Output.print("registered suite '\(name)': \(SuiteCommand.describe(suite))")
        }

        static func read(_ url: URL) throws -> Data {
            let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
            guard size <= 32 << 20 else { throw CLIError("\(url.path) is \(size) bytes; a suite may have at most \(32 << 20)") }
            return try Data(contentsOf: url)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List registered suites.", discussion: "Examples:\n  modelyard suite list")
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let data = try await options.client.send(.GET, "/api/v1/benchmark-suites")
            if options.json { return Output.printJSON(data) }
            let suites = (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["suites"] as? [[String: Any]] ?? []
            var table = Table("NAME", "CONTENTS", "SHA256", "DESCRIPTION")
            for suite in suites {
                table.add(
                    suite["name"] as? String ?? "?", SuiteCommand.describe(suite), String((suite["sha256"] as? String ?? "").prefix(12)),
                    suite["description"] as? String ?? "")
            }
            Output.print(suites.isEmpty ? "no suites; register one with `modelyard suite add NAME FILE`" : table.rendered)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a suite's counts, sha256 and description.", discussion: "Examples:\n  modelyard suite show faq-retrieval")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Suite name.") var name: String

        func run() async throws {
            let data = try await options.client.send(.GET, "/api/v1/benchmark-suites/" + APIClient.segment(name))
            if options.json { return Output.printJSON(data) }
            let suite = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
            Output.print(
                """
                suite        \(name)
                contents     \(SuiteCommand.describe(suite))
                sha256       \(suite["sha256"] as? String ?? "?")
                size         \(suite["size"] ?? 0) bytes
                description  \(suite["description"] as? String ?? "")
                created      \(suite["created_at"] as? String ?? "?") by \(suite["created_by"] as? String ?? "?")
                """)
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a suite; results that ran it stay with their versions.",
            discussion: "Examples:\n  modelyard suite delete faq-retrieval")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Suite name.") var name: String

        func run() async throws {
            _ = try await options.client.send(.DELETE, "/api/v1/benchmark-suites/" + APIClient.segment(name))
            if options.json { return Output.printJSON(Data("{}".utf8)) }
            Output.print("deleted suite '\(name)'")
        }
    }

    static func describe(_ suite: [String: Any]) -> String {
        if suite["kind"] as? String == "pairs" { return "pairs: \(suite["pairs"] ?? 0) pairs" }
        return "retrieval: \(suite["queries"] ?? 0) queries, \(suite["documents"] ?? 0) documents, \(suite["judgements"] ?? 0) judgements"
    }
}

/// A BEIR-style retrieval folder turned into a suite's JSON Lines.
enum BEIRFolder {
    static func suite(_ folder: URL) throws -> Data {
        func lines(_ name: String) throws -> [[String: Any]] {
            let url = folder.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw CLIError("\(folder.path) is a folder without \(name); a BEIR folder holds corpus.jsonl, queries.jsonl and qrels/test.tsv")
            }
            return try String(decoding: SuiteCommand.Add.read(url), as: UTF8.self).split(whereSeparator: \.isNewline).enumerated().map { index, line in
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                    throw CLIError("\(name) line \(index + 1) is not a JSON object")
                }
                return object
            }
        }
        func id(_ object: [String: Any], _ name: String) throws -> String {
            if let text = object["_id"] as? String { return text }
            if let number = object["_id"] as? NSNumber { return number.stringValue }
            throw CLIError("a line of \(name) has no \"_id\"")
        }
        let corpus = try lines("corpus.jsonl"), queries = try lines("queries.jsonl")
        let qrelsURL = ["qrels/test.tsv", "qrels.tsv"].map(folder.appendingPathComponent).first {
            FileManager.default.fileExists(atPath: $0.path)
        }
        guard let qrelsURL else { throw CLIError("\(folder.path) has neither qrels/test.tsv nor qrels.tsv") }
        var judged: [(String, String, Double)] = []
        for (index, line) in String(decoding: try SuiteCommand.Add.read(qrelsURL), as: UTF8.self).split(whereSeparator: \.isNewline).enumerated() {
            let fields = line.split(separator: "\t").map(String.init)
            if index == 0 && fields.first == "query-id" { continue }
            guard fields.count >= 3, let score = Double(fields[2]) else {
                throw CLIError("\(qrelsURL.lastPathComponent) line \(index + 1) is not query-id, corpus-id, score separated by tabs")
            }
            judged.append((fields[0], fields[1], score))
        }
        let relevant = Set(judged.filter { $0.2 > 0 }.map(\.0))
        var records: [[String: Any]] = []
        for query in queries {
            let queryID = try id(query, "queries.jsonl")
            if relevant.contains(queryID) { records.append(["type": "query", "id": queryID, "text": query["text"] as? String ?? ""]) }
        }
        for document in corpus {
            let title = document["title"] as? String ?? "", text = document["text"] as? String ?? ""
            records.append(["type": "document", "id": try id(document, "corpus.jsonl"), "text": title.isEmpty ? text : title + " " + text])
        }
        for (query, document, score) in judged where relevant.contains(query) {
            records.append(["type": "judgement", "query": query, "document": document, "relevance": score])
        }
        var data = Data()
        for record in records {
            data += try JSONSerialization.data(withJSONObject: record, options: [.sortedKeys])
            data += Data("\n".utf8)
        }
        return data
    }
}
