import ArgumentParser
import Foundation
import RegistryCore
import ModelyardAPI

/// `modelyard log-history`: append training metric points from a file or the command line.
struct LogHistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log-history",
        abstract: "Append training metric points to a version.",
        discussion: """
            A file is CSV with a header (metric,step,value[,timestamp]) or JSON ([{"metric","step","value"}] or
            {"points": [...]}); it is sent in batches of --batch points.

            Examples:
              modelyard log-history fraud 1.2.0 --file history.csv
              modelyard log-history fraud 1.2.0 --metric loss --step 10 --value 0.31
            """)
    @OptionGroup var options: ClientOptions
    @Argument(help: "Model name.") var model: String
    @Argument(help: "Version or @alias.") var version: String
    @Option(help: "CSV or JSON file of points.") var file: String?
    @Option(help: "Metric name (with --step and --value).") var metric: String?
    @Option(help: "Step or epoch.") var step: Int64?
    @Option(help: "Value.") var value: Double?
    @Option(help: "Points per request.") var batch = 5_000

    func validate() throws {
        if file == nil && (metric == nil || step == nil || value == nil) {
            throw ValidationError("give --file, or --metric, --step and --value")
        }
        if !(1...MetricPoint.maxBatch).contains(batch) { throw ValidationError("--batch must be 1-\(MetricPoint.maxBatch)") }
    }

    func run() async throws {
        var points: [MetricPointInput] = []
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else { throw CLIError("cannot read \(file)") }
            points = try HistoryFile.parse(data, name: file, timestamp: ISO8601.milliseconds(Date())).map {
                MetricPointInput(metric: $0.name, step: $0.step, value: $0.value, timestamp: $0.timestamp)
            }
        }
        if let metric, let step, let value { points.append(MetricPointInput(metric: metric, step: step, value: value)) }
        var sent = 0
        for start in stride(from: 0, to: points.count, by: batch) {
            let chunk = Array(points[start..<min(start + batch, points.count)])
            _ = try await options.client.send(
                .POST, APIPath.version(model, version) + "/history", json: AppendHistoryRequest(points: chunk))
            sent += chunk.count
            if points.count > batch && !options.json { Output.note("sent \(sent)/\(points.count) points") }
        }
        Output.print(options.json ? "{\"appended\": \(sent)}" : "appended \(sent) points to \(model) \(version)")
    }
}

/// `modelyard history`: read series or their summaries.
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show a version's training history: summaries, or the points of one metric.",
        discussion: "Examples:\n  modelyard history fraud 1.2.0\n  modelyard history fraud 1.2.0 --metric loss --points")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Model name.") var model: String
    @Argument(help: "Version or @alias.") var version: String
    @Option(help: "Only this metric.") var metric: String?
    @Flag(help: "List points instead of summaries.") var points = false

    func run() async throws {
        let data = try await options.client.send(
            .GET, APIPath.version(model, version) + "/history" + APIPath.query([("metric", metric)]))
        if options.json { return Output.printJSON(data) }
        let history = try APIJSON.decoder.decode(HistoryResponse.self, from: data)
        if points {
            var table = Table("METRIC", "STEP", "VALUE", "TIMESTAMP")
            for p in history.points { table.add(p.name, String(p.step), Format.number(p.value), String(p.timestamp)) }
            return Output.print(table.rendered)
        }
        var table = Table("METRIC", "POINTS", "LAST", "MIN", "MAX", "BEST", "BEST STEP")
        for s in history.summaries {
            table.add(
                s.name, String(s.count), Format.number(s.last), Format.number(s.min), Format.number(s.max),
                Format.number(s.best), String(s.bestStep))
        }
        Output.print(history.summaries.isEmpty ? "No training history." : table.rendered)
    }
}

/// `modelyard score`: set or merge evaluation scores.
struct ScoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Set evaluation scores of a version (merged with existing ones unless --replace).",
        discussion: "Examples:\n  modelyard score fraud 1.2.0 accuracy=0.93 f1=0.91\n  modelyard score fraud 1.2.0 f1=0.92 --replace")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Model name.") var model: String
    @Argument(help: "Version or @alias.") var version: String
    @Argument(help: "Scores as name=value.") var scores: [String]
    @Flag(help: "Replace all scores instead of merging.") var replace = false
    @Option(help: "Why (recorded in the audit log).") var reason: String?

    func run() async throws {
        let body = ScoresRequest(scores: try Scores.parse(scores), mode: replace ? "replace" : "merge", reason: reason)
        let data = try await options.client.send(.PUT, APIPath.version(model, version) + "/scores", json: body)
        if options.json { return Output.printJSON(data) }
        let result = try APIJSON.decoder.decode(ScoresResponse.self, from: data)
        Output.print(result.scores.keys.sorted().map { "\($0)=\(Format.number(result.scores[$0]))" }.joined(separator: " "))
    }
}
