import ArgumentParser
import DriftStatistics
import Foundation
import ModelyardAPI
import RegistryCore

/// `modelyard drift [show] MODEL [VERSION]`, `drift check`, `drift reference`, `drift settings`
struct DriftCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drift",
        abstract: "Show how a version's served rows drift from its reference, check a dataset, set the reference or settings.",
        discussion: """
            Each column is judged as Evidently's DataDriftPreset judges it: with a reference of at most 1,000 rows,
            Kolmogorov-Smirnov for numbers (drift at p <= 0.05), chi-squared or the Z-test for categories; above,
            the Wasserstein distance normed by the reference's deviation and the Jensen-Shannon distance (drift at
            >= 0.1). The dataset drifts when at least drift_share (0.5) of its columns do. The server judges the last
            1,000 and 10,000 served rows and keeps an hourly history.

            Examples:
              modelyard drift fraud                      (the production version)
              modelyard drift fraud 1.3.0 --hours 48
              modelyard drift reference fraud 1.3.0 training_sample.csv
              modelyard drift check fraud 1.3.0 last_week.csv --fail-on-drift
              modelyard drift settings fraud --file drift.json
            """,
        subcommands: [Show.self, Check.self, Reference.self, Settings.self],
        defaultSubcommand: Show.self)

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The version's reference, its windows of served rows judged per column, and the hourly history.",
            discussion: "Examples:\n  modelyard drift fraud\n  modelyard drift show fraud 1.3.0 --json")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Model name.") var model: String
        @Argument(help: "Version (semantic version, number or @alias; default @production).") var version: String = "@production"
        @Option(help: "Hours of history (1-2160, default 168).") var hours: Int?

        func validate() throws {
            if let hours, !(1...2160).contains(hours) { throw ValidationError("--hours must be between 1 and 2160") }
        }

        func run() async throws {
            let data = try await options.client.send(
                .GET, APIPath.version(model, version) + "/drift" + APIPath.query([("hours", hours.map(String.init))]))
            if options.json { return Output.printJSON(data) }
            Output.print(DriftCommand.describe(try APIJSON.decoder.decode(DriftStatusResponse.self, from: data)))
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Judge a dataset (CSV with a header row, or JSON Lines) against the version's reference.",
            discussion: """
                The same report the server gives for served rows. Exits 1 with --fail-on-drift when the dataset drifts.

                Examples:
                  modelyard drift check fraud 1.3.0 last_week.csv
                  modelyard drift check fraud @production batch.jsonl --fail-on-drift
                """)
        @OptionGroup var options: ClientOptions
        @Argument(help: "Model name.") var model: String
        @Argument(help: "Version (semantic version, number or @alias).") var version: String
        @Argument(help: "The dataset: a path, or - for standard input.") var file: String
        @Flag(help: "Exit 1 when the dataset drifts.") var failOnDrift = false

        func run() async throws {
            let body = try DriftCommand.read(file)
            let data = try await options.client.send(
                .POST, APIPath.version(model, version) + "/drift/check", body: body, contentType: DriftCommand.contentType(file))
            let report = try APIJSON.decoder.decode(DriftReport.self, from: data)
            if options.json { Output.printJSON(data) } else { Output.print(DriftCommand.describe(report)) }
            if failOnDrift && report.datasetDrift { throw ExitCode(1) }
        }
    }

    struct Reference: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set the version's drift reference from a dataset (a sample of its training data).",
            discussion: """
                The server keeps a compact profile of it (and of the model's predictions on it), not the rows.

                Examples:
                  modelyard drift reference fraud 1.3.0 training_sample.csv
                """)
        @OptionGroup var options: ClientOptions
        @Argument(help: "Model name.") var model: String
        @Argument(help: "Version (semantic version, number or @alias).") var version: String
        @Argument(help: "The dataset: a path, or - for standard input.") var file: String

        func run() async throws {
            let data = try await options.client.send(
                .PUT, APIPath.version(model, version) + "/drift/reference", body: try DriftCommand.read(file),
                contentType: DriftCommand.contentType(file))
            if options.json { return Output.printJSON(data) }
            let reference = try APIJSON.decoder.decode(DriftReferenceDTO.self, from: data)
            Output.print("\(model) \(version): drift reference set from \(reference.rows) rows, \(reference.columns.count) columns")
        }
    }

    struct Settings: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show or set a model's drift settings (per-column method and threshold, ignored columns, shares).",
            discussion: """
                A document such as {"columns": {"amount": {"method": "psi", "threshold": 0.2}}, "ignore": ["id"],
                "drift_share": 0.5, "drift_threshold": 0.1, "reference": "sample.csv", "action": "notify"}. Methods: ks,
                chisquare, z, wasserstein, jensenshannon, psi. Action rollback rolls a serving version back when it
                starts drifting.

                Examples:
                  modelyard drift settings fraud
                  modelyard drift settings fraud --file drift.json
                  modelyard drift settings fraud --reset
                """)
        @OptionGroup var options: ClientOptions
        @Argument(help: "Model name.") var model: String
        @Option(help: "The settings as JSON: a path, or - for standard input.") var file: String?
        @Flag(help: "Back to Evidently's defaults.") var reset = false

        func validate() throws {
            if file != nil && reset { throw ValidationError("give --file or --reset, not both") }
        }

        func run() async throws {
            let path = APIPath.model(model) + "/drift/settings"
            let data: Data
            if let file {
                data = try await options.client.send(.PUT, path, rawJSON: try DriftCommand.read(file))
            } else if reset {
                data = try await options.client.send(.DELETE, path)
            } else {
                data = try await options.client.send(.GET, path)
            }
            Output.printJSON(data)
        }
    }

    static func read(_ file: String) throws -> Data {
        if file == "-" { return FileHandle.standardInput.readDataToEndOfFile() }
        guard let data = FileManager.default.contents(atPath: file) else { throw CLIError("cannot read \(file)") }
        return data
    }

    static func contentType(_ file: String) -> String {
        file.hasSuffix(".jsonl") || file.hasSuffix(".ndjson") ? "application/x-ndjson" : "text/csv"
    }

    static func number(_ value: Double?) -> String {
        guard let value else { return "–" }
        return value != 0 && abs(value) < 1e-4 ? String(format: "%.2e", value) : String(format: "%.4f", value)
    }

    static func describe(_ report: DriftReport) -> String {
        var table = Table("COLUMN", "KIND", "METHOD", "STATISTIC", "THRESHOLD", "DRIFT", "SCORE", "MISSING (REF/CUR)")
        for column in report.columns {
            table.add(row: [
                column.name, column.kind, column.method?.rawValue ?? "–", number(column.statistic), number(column.threshold),
                column.problem != nil ? "n/a" : column.drifted ? "YES" : "no", number(column.score),
                "\(column.referenceMissing)/\(column.currentMissing)",
            ])
        }
        var lines = [
            "Dataset drift: \(report.datasetDrift ? "YES" : "no") — \(report.driftedColumns) of \(report.comparedColumns) columns drifted "
                + "(share \(String(format: "%.2f", report.share)), drift_share \(report.driftShare)); "
                + "\(report.currentRows) rows against \(report.referenceRows)",
            "Score summary: \(report.columnsAboveThreshold) columns above drift_threshold \(report.driftThreshold), largest \(number(report.maxScore))",
            table.rendered,
        ]
        for column in report.columns where column.problem != nil { lines.append("\(column.name): \(column.problem!)") }
        if !report.unmonitored.isEmpty { lines.append("Not in the reference: " + report.unmonitored.joined(separator: ", ")) }
        return lines.joined(separator: "\n")
    }

    static func describe(_ status: DriftStatusResponse) -> String {
        var lines = ["\(status.model) \(status.version)"]
        guard let reference = status.reference else {
            lines.append(status.hint ?? "no drift reference")
            return lines.joined(separator: "\n")
        }
        lines.append(
            "Reference: \(reference.rows) rows, \(reference.columns.count) columns, from \(reference.source) "
                + "(\(reference.createdBy), \(ISO8601.format(reference.createdAt)))")
        if !status.monitoring {
            lines.append("Not served on this server: no live windows.")
        } else {
            let state = status.drifting.map { $0 ? "DRIFTING" : "not drifting" } ?? "collecting rows"
            lines.append("Served rows judged: \(status.rowsSeen) (\(state))" + (status.skippedRows > 0 ? ", \(status.skippedRows) skipped" : ""))
            for window in status.windows {
                lines.append("")
                lines.append("Last \(window.size) rows (\(window.rows) so far):")
                lines.append(describe(window.report))
            }
            if !status.unmappedColumns.isEmpty {
                lines.append("Reference columns the model does not take: " + status.unmappedColumns.joined(separator: ", "))
            }
        }
        if !status.history.isEmpty {
            var table = Table("PERIOD START", "ROWS", "DRIFTED", "SHARE", "DATASET DRIFT", "MAX SCORE")
            for summary in status.history {
                table.add(row: [
                    ISO8601.format(summary.periodStart), String(summary.rows), "\(summary.driftedColumns)/\(summary.comparedColumns)",
                    String(format: "%.2f", summary.share), summary.datasetDrift ? "YES" : "no", number(summary.maxScore),
                ])
            }
            lines.append("")
            lines.append("History:")
            lines.append(table.rendered)
        }
        return lines.joined(separator: "\n")
    }
}
