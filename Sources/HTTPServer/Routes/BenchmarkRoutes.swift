import Foundation
import Hummingbird
import ModelyardAPI
import NIOCore
import Registry
import RegistryCore
import Serving

/// Benchmarks the server runs on versions — latency and throughput on inputs built from the signature, or a
/// registered suite's quality — stored with each version, plus the suites themselves and the side-by-side table
/// (JSON, CSV or Markdown).
struct BenchmarkRoutes {
    let registry: Registry
    let pool: ModelPool

    func register(on api: RouterGroup<ModelyardRequestContext>) {
        api.get("benchmark-suites") { _, _ in
            try JSONBody.response(SuiteListResponse(suites: try await registry.suites()))
        }
        api.put("benchmark-suites/{suite}") { request, context in
            let name = try Self.suiteName(context)
            let body = try await JSONBody.collect(request, limit: Int(SuiteContents.Limits.maxBytes))
            let (suite, created) = try await registry.registerSuite(
                name, description: request.query("description") ?? "", contents: Data(body.readableBytesView),
                actor: request.audit(reason: nil).actor)
            return try JSONBody.response(suite, status: created ? .created : .ok)
        }
        api.get("benchmark-suites/{suite}") { _, context in
            try JSONBody.response(try await registry.suite(try Self.suiteName(context)))
        }
        api.get("benchmark-suites/{suite}/file") { _, context in
            let (_, data) = try await registry.suiteFile(try Self.suiteName(context))
            var headers = HTTPFields()
            headers[.contentType] = "application/x-ndjson"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        api.delete("benchmark-suites/{suite}") { _, context in
            try await registry.deleteSuite(try Self.suiteName(context))
            return Response(status: .noContent)
        }
        api.post("models/{model}/versions/{version}/benchmark") { request, context in
            let model = try context.modelName()
            let body = try await JSONBody.decode(BenchmarkRequest.self, from: request)
            let loaded: LoadedModel
            let report: BenchmarkReport
            let runBy = request.audit(reason: nil).actor
            if let suiteName = body.suite {
                guard body.batches == nil else {
                    throw RegistryError.invalidArgument("a suite run measures its own batches; send either suite or batches")
                }
                let (suite, contents) = try await registry.suiteContents(try SuiteName(validating: suiteName))
                loaded = try await pool.loaded(model, try context.versionSelector())
                let (measurements, result) = try await SuiteBenchmark.run(loaded, suite: suite, contents: contents)
                report = BenchmarkReport(
                    model: model, version: loaded.key.version, measurements: measurements, suite: result, runBy: runBy,
                    runAt: registry.now())
            } else {
                let batches = body.batches ?? VersionBenchmark.defaultBatches
                guard !batches.isEmpty, batches.count <= 5, batches.allSatisfy({ (1...10_000).contains($0) }) else {
                    throw RegistryError.invalidArgument("batches must list 1 to 5 batch sizes, each 1 to 10000")
                }
                loaded = try await pool.loaded(model, try context.versionSelector())
                report = BenchmarkReport(
                    model: model, version: loaded.key.version, measurements: try await VersionBenchmark.run(loaded, batches: batches),
                    runBy: runBy, runAt: registry.now())
            }
            try await registry.recordBenchmark(report)
            return try JSONBody.response(report, status: .created)
        }
        api.get("models/{model}/versions/{version}/benchmarks") { _, context in
            let reports = try await registry.benchmarks(try context.modelName(), try context.versionSelector())
            return try JSONBody.response(BenchmarkListResponse(benchmarks: reports))
        }
        api.get("models/{model}/benchmarks") { request, context in
            let model = try context.modelName()
            let suite = try request.query("suite").map(SuiteName.init(validating:))
            let reports = try await registry.modelBenchmarks(model, suite: suite)
            var versions: [SemanticVersion] = []
            if let list = request.query("versions") {
                for text in list.split(separator: ",").prefix(50) {
                    versions.append(try await registry.version(model, try VersionSelector(parsing: String(text))).version)
                }
            } else {
                for version in reports.map(\.version) where !versions.contains(version) { versions.append(version) }
            }
            let table = BenchmarkTable(BenchmarkTable.latest(reports, versions: versions, suite: suite))
            switch request.query("format")?.lowercased() ?? "json" {
            case "json":
                return try JSONBody.response(BenchmarkTableResponse(model: model.rawValue, table: table))
            case "csv":
                return JSONBody.text(table.csv(), contentType: "text/csv; charset=utf-8")
            case "markdown", "md":
                return JSONBody.text(table.markdown())
            case let other:
                throw RegistryError.invalidArgument("format must be json, csv or markdown, not '\(other.prefix(20))'")
            }
        }
    }

    static func suiteName(_ context: ModelyardRequestContext) throws -> SuiteName {
        try SuiteName(validating: context.pathParameter("suite"))
    }
}

struct BenchmarkRequest: KnownFields {
    var batches: [Int]?
    var suite: String?
    enum CodingKeys: String, CodingKey, CaseIterable { case batches, suite }
}

struct BenchmarkListResponse: Encodable {
    var benchmarks: [BenchmarkReport]
}

struct SuiteListResponse: Encodable {
    var suites: [BenchmarkSuite]
}

/// `GET /models/{model}/benchmarks`: the side-by-side table; values and changes per column, in column order.
struct BenchmarkTableResponse: Encodable {
    struct Column: Encodable {
        var name: String
        var higherIsBetter: Bool
        enum CodingKeys: String, CodingKey {
            case name
            case higherIsBetter = "higher_is_better"
        }
    }

    struct Row: Encodable {
        var version: String
        var runAt: Date
        var values: [Double?]
        var changes: [Double?]
        enum CodingKeys: String, CodingKey {
            case version, values
            case runAt = "run_at"
            case changes = "change_percent"
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(version, forKey: .version)
            try c.encode(runAt, forKey: .runAt)
            try c.encode(values, forKey: .values)
            try c.encode(changes, forKey: .changes)
        }
    }

    var model: String
    var suite: String?
    var baseline: String?
    var columns: [Column]
    var rows: [Row]

    init(model: String, table: BenchmarkTable) {
        self.model = model
        suite = table.suite?.rawValue
        baseline = table.rows.first?.version.description
        columns = table.columns.map { Column(name: $0.name, higherIsBetter: $0.higherIsBetter) }
        rows = table.rows.map { Row(version: $0.version.description, runAt: $0.runAt, values: $0.values, changes: $0.changes) }
    }

    func encode(to encoder: any Encoder) throws {
        enum Keys: String, CodingKey { case model, suite, baseline, columns, rows }
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(model, forKey: .model)
        try c.encode(suite, forKey: .suite)
        try c.encode(baseline, forKey: .baseline)
        try c.encode(columns, forKey: .columns)
        try c.encode(rows, forKey: .rows)
    }
}
