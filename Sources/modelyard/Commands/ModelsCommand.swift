import ArgumentParser
import Foundation
import RegistryCore
import ModelyardAPI

/// `modelyard models ...`: create, list, show, update and delete registered models.
struct ModelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "Create, list, show, update and delete registered models.",
        subcommands: [List.self, Show.self, Create.self, Update.self, Delete.self],
        defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List models.",
            discussion: "Examples:\n  modelyard models list\n  modelyard models list --name fraud --tag team=risk")
        @OptionGroup var options: ClientOptions
        @Option(help: "Only models whose name contains this text.") var name: String?
        @Option(help: "Only models with this tag (key or key=value).") var tag: String?
        @Option(help: "Page size (1-1000).") var limit: Int?
        @Option(help: "Continue from a previous page's token.") var pageToken: String?

        func run() async throws {
            let path = "/api/v1/models" + APIPath.query([
                ("name", name), ("tag", tag), ("limit", limit.map(String.init)), ("page_token", pageToken),
            ])
            let data = try await options.client.send(.GET, path)
            if options.json { return Output.printJSON(data) }
            let page = try APIJSON.decoder.decode(ModelListResponse.self, from: data)
            var table = Table("NAME", "TASK", "OWNER", "PRIMARY METRIC", "TAGS")
            for model in page.models {
                table.add(
                    model.name.rawValue, model.task, model.owner,
                    model.primaryMetric.map { "\($0) (\(model.metricDirection == .maximize ? "max" : "min"))" } ?? "",
                    Format.tags(model.tags))
            }
            Output.print(page.models.isEmpty ? "No models. Create one with `modelyard models create NAME`." : table.rendered)
            if let token = page.nextPageToken { Output.note("more: --page-token \(token)") }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a model with its latest, best and deployed versions.",
            discussion: "Example:\n  modelyard models show fraud")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Model name.") var model: String

        func run() async throws {
            let data = try await options.client.send(.GET, APIPath.model(model))
            if options.json { return Output.printJSON(data) }
            let details = try APIJSON.decoder.decode(ModelDetailsResponse.self, from: data)
            let m = details.model
            var lines = [
                "model:        \(m.name)", "description:  \(m.description)", "owner:        \(m.owner)",
                "task:         \(m.task)", "tags:         \(Format.tags(m.tags))",
                "primary:      \(m.primaryMetric.map { "\($0) (\(m.metricDirection.rawValue))" } ?? "none")",
                "default bump: \(m.defaultBump.rawValue)",
                "directions:   \(m.metricDirections.isEmpty ? "guessed from names" : m.metricDirections.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.rawValue)" }.joined(separator: " "))",
                "latest:       \(details.latestVersion.map { "\($0.version) (\($0.status))" } ?? "none")",
                "best:         \(details.best.map { "\($0.version) — \($0.explanation)" } ?? "none")",
            ]
            let deployed = details.deployed.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
            lines.append("deployed:     \(deployed.isEmpty ? "none" : deployed)")
            Output.print(lines.joined(separator: "\n"))
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a model.",
            discussion: """
                Example:
                  modelyard models create fraud --task classification --owner risk-team \\
                      --primary-metric f1 --direction max --tag team=risk
                """)
        @OptionGroup var options: ClientOptions
        @Argument(help: "Model name.") var name: String
        @Option(help: "What the model is for.") var description: String?
        @Option(help: "Owning person or team.") var owner: String?
        @Option(help: "classification, regression, anomaly_detection, ...") var task: String?
        @Option(help: "Tag as key=value (repeatable).") var tag: [String] = []
        @Option(help: "Evaluation score that defines the best version.") var primaryMetric: String?
        @Option(help: "max or min: which way the primary metric is better.") var direction: String?
        @Option(help: "Default version bump: major, minor or patch.") var bump: String?
        @Flag(help: "Keep replaced versions ready instead of deprecating them on deploy.") var keepReplaced = false
        @Option(help: "Which way a metric is better, as metric=max|min (repeatable; compare, best and the policy read it).")
        var metricDirection: [String] = []

        func run() async throws {
            let body = CreateModelRequest(
                name: name, description: description, owner: owner, task: task, tags: try Format.parseTags(tag),
                primaryMetric: primaryMetric, metricDirection: direction, defaultBump: bump,
                deprecateOnReplace: keepReplaced ? false : nil,
                metricDirections: metricDirection.isEmpty ? nil : try Format.parseTags(metricDirection))
            let data = try await options.client.send(.POST, "/api/v1/models", json: body)
            if options.json { return Output.printJSON(data) }
            Output.print("created model \(name)")
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Update a model's description, owner, task, tags or best-version rule.",
            discussion: "Example:\n  modelyard models update fraud --primary-metric auc --direction max")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Model name.") var model: String
        @Option(help: "New description.") var description: String?
        @Option(help: "New owner.") var owner: String?
        @Option(help: "New task.") var task: String?
        @Option(help: "Replace all tags (repeatable key=value).") var tag: [String] = []
        @Option(help: "New primary metric.") var primaryMetric: String?
        @Option(help: "max or min.") var direction: String?
        @Option(help: "Default version bump.") var bump: String?
        @Option(help: "Deprecate replaced versions on deploy (true/false).") var deprecateOnReplace: Bool?
        @Option(help: "Replace the declared metric directions, as metric=max|min (repeatable).") var metricDirection: [String] = []

        func run() async throws {
            let body = UpdateModelRequest(
                description: description, owner: owner, task: task, tags: tag.isEmpty ? nil : try Format.parseTags(tag),
                primaryMetric: primaryMetric.map { .some($0) }, metricDirection: direction, defaultBump: bump,
                deprecateOnReplace: deprecateOnReplace,
                metricDirections: metricDirection.isEmpty ? nil : try Format.parseTags(metricDirection))
            let data = try await options.client.send(.PATCH, APIPath.model(model), json: body)
            if options.json { return Output.printJSON(data) }
            Output.print("updated model \(model)")
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a model and all its versions (refused while a version is deployed).",
            discussion: "Example:\n  modelyard models delete fraud --reason 'retired'")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Model name.") var model: String
        @Option(help: "Why (recorded in the audit log).") var reason: String?

        func run() async throws {
            _ = try await options.client.send(.DELETE, APIPath.model(model), json: ReasonRequest(reason: reason))
            if !options.json { Output.print("deleted model \(model)") }
        }
    }
}

/// Shared formatting of CLI values.
enum Format {
    static func tags(_ tags: [String: String]) -> String {
        tags.sorted { $0.key < $1.key }.map { $0.value.isEmpty ? $0.key : "\($0.key)=\($0.value)" }.joined(separator: ",")
    }

    static func parseTags(_ items: [String]) throws -> [String: String] {
        var tags: [String: String] = [:]
        for item in items {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = parts.first, !key.isEmpty else { throw ValidationError("tag '\(item)' must be key=value") }
            tags[String(key)] = parts.count > 1 ? String(parts[1]) : ""
        }
        return tags
    }

    static func number(_ value: Double?) -> String { value.map(MarkdownFormat.number) ?? "" }

    static func time(_ date: Date) -> String { ISO8601.format(date) }
}
