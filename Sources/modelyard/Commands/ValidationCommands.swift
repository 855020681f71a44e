import ArgumentParser
import Foundation
import ModelyardAPI
import RegistryCore

/// `modelyard policy show|set MODEL`
struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Show or set a model's validation policy (what a version must pass before it may serve).",
        discussion: """
            A policy holds required files, metric rules (error and warning thresholds in the metric's direction,
            optionally a minimum change against the serving version), age limits, the feature-compatibility and
            loadability checks and the minimum quality score. Setting one creates a new revision and re-validates
            the model's versions. A model without a policy uses the default (f1_score, roc_auc, precision, recall
            thresholds; age warnings after 7 and 30 days).

            Examples:
              modelyard policy show fraud
              modelyard policy show fraud --json > policy.json
              modelyard policy set fraud --file policy.json
            """,
        subcommands: [Show.self, Set.self])

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the model's policy and its revision.",
            discussion: "Examples:\n  modelyard policy show fraud\n  modelyard policy show fraud --json > policy.json")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Model name.") var model: String

        func run() async throws {
            let data = try await options.client.send(.GET, APIPath.model(model) + "/policy")
            if options.json { return Output.printJSON(data) }
            let revision = try APIJSON.decoder.decode(PolicyRevision.self, from: data)
            Output.print(PolicyCommand.describe(revision))
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace the model's policy with a JSON document (a file, or - for standard input).",
            discussion: """
                The document has the shape `policy show --json` prints under "policy". Fields left out take their
                everyday values: no required files, no metric rules, no age limits, features checked as errors,
                loadability checked, min_score 0.6, baseline_environment production.

                Examples:
                  modelyard policy set fraud --file policy.json
                  echo '{"metrics": [{"metric": "f1_score", "error": 0.6}]}' | modelyard policy set fraud --file -
                """)
        @OptionGroup var options: ClientOptions
        @Argument(help: "Model name.") var model: String
        @Option(help: "The policy as JSON: a path, or - for standard input.") var file: String

        func run() async throws {
            let raw: Data
            if file == "-" {
                raw = FileHandle.standardInput.readDataToEndOfFile()
            } else {
                guard let data = FileManager.default.contents(atPath: file) else { throw CLIError("cannot read \(file)") }
                raw = data
            }
            // A document `policy show --json` printed carries the policy under "policy": accept either shape.
            var body = raw
            if let object = try? JSONSerialization.jsonObject(with: raw) as? [String: Any], let inner = object["policy"],
                object["revision"] != nil
            {
                body = try JSONSerialization.data(withJSONObject: inner)
            }
            let data = try await options.client.send(.PUT, APIPath.model(model) + "/policy", rawJSON: body)
            if options.json { return Output.printJSON(data) }
            let revision = try APIJSON.decoder.decode(PolicyRevision.self, from: data)
            Output.print("\(model): policy revision \(revision.revision) set; its versions were validated again")
        }
    }

    static func describe(_ revision: PolicyRevision) -> String {
        let policy = revision.policy
        var lines = [
            revision.revision == 0
                ? "Policy: the default (none set)"
                : "Policy revision \(revision.revision), set by \(revision.updatedBy ?? "?") at \(revision.updatedAt.map(ISO8601.format) ?? "?")"
        ]
        lines.append("Required files: " + (policy.requiredFiles.isEmpty ? "none" : policy.requiredFiles.joined(separator: ", ")))
        var table = Table("METRIC", "DIRECTION", "ERROR", "WARNING", "REQUIRED", "CHANGE VS SERVING")
        for rule in policy.metrics {
            var change: [String] = []
            if let absolute = rule.minAbsoluteChange { change.append("≥ \(ValidationReport.format(absolute))") }
            if let relative = rule.minRelativeChange { change.append("≥ \(ValidationReport.format(relative * 100)) %") }
            table.add(row: [
                rule.metric, rule.direction?.rawValue ?? "model's", rule.error.map(ValidationReport.format) ?? "–",
                rule.warning.map(ValidationReport.format) ?? "–", rule.required ? "yes" : "no",
                change.isEmpty ? "–" : change.joined(separator: ", ") + " (\(rule.changeSeverity.rawValue))",
            ])
        }
        lines.append(table.rows.isEmpty ? "Metric rules: none" : table.rendered)
        let age = [
            policy.monitorAfterDays.map { "warn after \($0) days (monitor)" },
            policy.retrainAfterDays.map { "warn after \($0) days (retrain)" },
            policy.maxAgeDays.map { "fail after \($0) days" },
        ].compactMap { $0 }
        lines.append("Age: " + (age.isEmpty ? "not checked" : age.joined(separator: "; ")))
        lines.append("Features vs the serving version: \(policy.featureCompatibility.rawValue)")
        lines.append("Loadability: \(policy.loadability ? "checked" : "not checked")")
        lines.append("Minimum score: \(ValidationReport.format(policy.minScore)); baseline environment: \(policy.baselineEnvironment)")
        return lines.joined(separator: "\n")
    }
}

/// `modelyard validate MODEL VERSION`
struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Validate a version under its model's policy, against what an environment serves; exits 1 if it fails.",
        discussion: """
            The verdict is stored: `versions show` and the dashboard show it, and a deploy reads a fresh one.

            Examples:
              modelyard validate fraud 1.3.0
              modelyard validate fraud 1.3.0 --env staging
            """)
    @OptionGroup var options: ClientOptions
    @Argument(help: "Model name.") var model: String
    @Argument(help: "Version.") var version: String
    @Option(name: [.customLong("env"), .customLong("environment")], help: "Compare with this environment's version (default: the policy's baseline environment).")
    var environment: String?

    func run() async throws {
        let data = try await options.client.send(
            .POST, APIPath.version(model, version) + "/validate", json: ValidateRequest(environment: environment))
        let report = try APIJSON.decoder.decode(ValidationReport.self, from: data)
        if options.json { Output.printJSON(data) } else { Output.print(Self.describe(report)) }
        if !report.passed { throw ExitCode(1) }
    }

    static func describe(_ report: ValidationReport) -> String {
        let against = report.baseline.map { "against \($0), which \(report.environment) serves" }
            ?? "nothing serves in \(report.environment) to compare with"
        var lines = [
            "\(report.model) \(report.version): \(report.passed ? "PASSED" : "FAILED") with score "
                + "\(ValidationReport.format(report.score)) under policy revision \(report.policyRevision), \(against)"
        ]
        for check in report.checks {
            let mark = switch check.outcome {
            case .pass: "ok  "
            case .warning: "warn"
            case .error: "FAIL"
            case .skipped: "skip"
            }
            lines.append("  \(mark) \(check.name): \(check.message)")
        }
        return lines.joined(separator: "\n")
    }
}
