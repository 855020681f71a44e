import ArgumentParser
import Foundation
import ModelyardAPI

/// `modelyard experiments` — the experiments runs are grouped in (MLflow's experiments are these).
struct ExperimentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "experiments",
        abstract: "List experiments (the groups training runs belong to).",
        discussion: "Examples:\n  modelyard experiments\n  modelyard experiments --name fraud --view all")
    @OptionGroup var options: ClientOptions
    @Option(help: "Only experiments whose name contains this text.") var name: String?
    @Option(help: "active_only (default), deleted_only or all.") var view: String?
    @Option(help: "Page size (1-1000).") var limit: Int?

    func run() async throws {
        let data = try await options.client.send(
            .GET, "/api/v1/experiments" + APIPath.query([("name", name), ("view", view), ("limit", limit.map(String.init))]))
        if options.json { return Output.printJSON(data) }
        let list = try APIJSON.decoder.decode(ExperimentListResponse.self, from: data)
        var table = Table("ID", "NAME", "STAGE", "CREATED", "TAGS")
        for experiment in list.experiments {
            table.add(
                experiment.id, experiment.name, experiment.lifecycleStage, Format.time(experiment.createdAt),
                Format.tags(experiment.tags))
        }
        Output.print(list.experiments.isEmpty ? "No experiments." : table.rendered)
    }
}

/// `modelyard runs list|show` — training runs, with their params, tags and metrics.
struct RunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List and show training runs (what MLflow clients log; a version's history is its run's).",
        subcommands: [List.self, Show.self],
        defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the runs of an experiment, newest first.",
            discussion: "Examples:\n  modelyard runs list --experiment 3\n  modelyard runs list --experiment 3 --filter \"metrics.acc > 0.9\"")
        @OptionGroup var options: ClientOptions
        @Option(help: "Experiment id (default 0, the Default experiment).") var experiment = "0"
        @Option(help: "MLflow search filter, e.g. \"params.lr = '0.1' AND metrics.acc > 0.9\".") var filter: String?
        @Option(help: "Page size (1-1000).") var limit: Int?

        func run() async throws {
            let data = try await options.client.send(
                .GET,
                "/api/v1/runs" + APIPath.query([("experiment", experiment), ("filter", filter), ("limit", limit.map(String.init))]))
            if options.json { return Output.printJSON(data) }
            let list = try APIJSON.decoder.decode(RunListResponse.self, from: data)
            var table = Table("ID", "NAME", "STATUS", "STARTED", "METRICS")
            for run in list.runs {
                let metrics = run.metrics.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
                table.add(run.id, run.name, run.status, Format.time(run.startTime), metrics)
            }
            Output.print(list.runs.isEmpty ? "No runs." : table.rendered)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one run: state, params, tags and the latest value of each metric.",
            discussion: "Examples:\n  modelyard runs show 5f1c0e...\n  modelyard runs show 5f1c0e... --json")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Run id (32 hex characters).") var run: String

        func run() async throws {
            let data = try await options.client.send(.GET, "/api/v1/runs/" + APIClient.segment(run))
            if options.json { return Output.printJSON(data) }
            let shown = try APIJSON.decoder.decode(RunResponse.self, from: data)
            var lines = [
                "run \(shown.id) (\(shown.name)) in experiment \(shown.experimentID)",
                "status: \(shown.status), started \(Format.time(shown.startTime))"
                    + (shown.endTime.map { ", ended \(Format.time($0))" } ?? ""),
            ]
            for (title, values) in [("params", shown.params), ("tags", shown.tags)] where !values.isEmpty {
                lines.append("\(title):")
                lines += values.sorted { $0.key < $1.key }.map { "  \($0.key) = \($0.value)" }
            }
            if !shown.metrics.isEmpty {
                lines.append("metrics (latest):")
                lines += shown.metrics.sorted { $0.key < $1.key }.map { "  \($0.key) = \($0.value)" }
            }
            Output.print(lines.joined(separator: "\n"))
        }
    }
}
