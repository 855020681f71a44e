import ArgumentParser
import Foundation
import RegistryCore
import ModelyardAPI

/// `modelyard compare MODEL V1 V2 ...`
struct CompareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two or more versions: scores with deltas, params diff, history summaries.",
        discussion: """
            Prints Markdown tables (readable in a terminal, ready to paste into a review); --json for scripts.

            Examples:
              modelyard compare fraud 1.0.0 1.1.0 1.2.0
              modelyard compare fraud 1.0.0 @production > review.md
            """)
    @OptionGroup var options: ClientOptions
    @Argument(help: "Model name.") var model: String
    @Argument(help: "Versions (the first is the baseline).") var versions: [String]

    func validate() throws {
        if versions.count < 2 { throw ValidationError("name at least two versions to compare") }
    }

    func run() async throws {
        let path = APIPath.model(model) + "/compare" + APIPath.query([("versions", versions.joined(separator: ","))])
        if options.json { return Output.printJSON(try await options.client.send(.GET, path)) }
        let data = try await options.client.send(.GET, path + "&format=markdown", accept: "text/markdown")
        Output.print(String(decoding: data, as: UTF8.self))
    }
}

/// `modelyard best MODEL`
struct BestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "best",
        abstract: "Show the best version and the rule that chose it.",
        discussion: "Example:\n  modelyard best fraud")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Model name.") var model: String

    func run() async throws {
        let data = try await options.client.send(.GET, APIPath.model(model) + "/best")
        if options.json { return Output.printJSON(data) }
        let best = try APIJSON.decoder.decode(BestVersion.self, from: data)
        Output.print("\(best.version)  (\(best.rule.rawValue)) \(best.explanation)")
    }
}

/// `modelyard mark-best MODEL VERSION`
struct MarkBestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mark-best",
        abstract: "Pin a version as best (overrides the primary-metric rule), or clear the pin.",
        discussion: "Examples:\n  modelyard mark-best fraud 1.1.0 --reason 'better on holdout'\n  modelyard mark-best fraud --unpin")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Model name.") var model: String
    @Argument(help: "Version to pin.") var version: String?
    @Flag(help: "Clear the pin.") var unpin = false
    @Option(help: "Why (recorded in the audit log).") var reason: String?

    func validate() throws {
        if (version == nil) == !unpin { throw ValidationError("give a version to pin, or --unpin") }
    }

    func run() async throws {
        if unpin {
            _ = try await options.client.send(.DELETE, APIPath.model(model) + "/best", json: ReasonRequest(reason: reason))
            return Output.print("cleared the best pin of \(model)")
        }
        let data = try await options.client.send(
            .POST, APIPath.version(model, version ?? "") + "/mark-best", json: ReasonRequest(reason: reason))
        if options.json { return Output.printJSON(data) }
        let best = try APIJSON.decoder.decode(BestVersion.self, from: data)
        Output.print("best of \(model) is now \(best.version) (pinned)")
    }
}

/// `modelyard lineage MODEL VERSION`
struct LineageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lineage",
        abstract: "Show a version's parents, children, ancestors, descendants and datasets.",
        discussion: "Example:\n  modelyard lineage fraud 1.2.0")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Model name.") var model: String
    @Argument(help: "Version or @alias.") var version: String

    func run() async throws {
        let data = try await options.client.send(.GET, APIPath.version(model, version) + "/lineage")
        if options.json { return Output.printJSON(data) }
        let lineage = try APIJSON.decoder.decode(Lineage.self, from: data)
        func list(_ keys: [VersionKey]) -> String { keys.isEmpty ? "none" : keys.map(\.description).joined(separator: ", ") }
        var lines = [
            "\(lineage.model) \(lineage.version)", "parents:     \(list(lineage.parents))",
            "children:    \(list(lineage.children))",
            "ancestors:   \(list(lineage.ancestors.map(\.key)))", "descendants: \(list(lineage.descendants.map(\.key)))",
        ]
        if let commit = lineage.gitCommit { lines.append("git commit:  \(commit)") }
        if let source = lineage.sourceURI { lines.append("source:      \(source)") }
        if let run = lineage.runID { lines.append("run:         \(run)") }
        for dataset in lineage.datasets {
            lines.append("dataset:     \(dataset.name) \(dataset.uri)" + (dataset.rows.map { " (\($0) rows)" } ?? ""))
        }
        Output.print(lines.joined(separator: "\n"))
    }
}

/// `modelyard tree MODEL`
struct TreeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tree",
        abstract: "Show the model's versions as a tree of parent → child edges.",
        discussion: "Example:\n  modelyard tree fraud")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Model name.") var model: String

    func run() async throws {
        let data = try await options.client.send(.GET, APIPath.model(model) + "/tree")
        if options.json { return Output.printJSON(data) }
        let tree = try APIJSON.decoder.decode(VersionTree.self, from: data)
        let nodes = Dictionary(uniqueKeysWithValues: tree.nodes.map { ($0.version, $0) })
        var lines: [String] = []
        var printed: Set<SemanticVersion> = []
        func walk(_ version: SemanticVersion, _ prefix: String, _ last: Bool, _ root: Bool) {
            guard let node = nodes[version] else { return }
            let seen = !printed.insert(version).inserted
            lines.append((root ? "" : prefix + (last ? "└─ " : "├─ ")) + "\(version) [\(node.status)]" + (seen ? " (see above)" : ""))
            guard !seen else { return }
            let childPrefix = root ? "" : prefix + (last ? "   " : "│  ")
            for (index, child) in node.children.enumerated() {
                walk(child, childPrefix, index == node.children.count - 1, false)
            }
        }
        for root in tree.roots { walk(root, "", true, true) }
        Output.print(lines.isEmpty ? "No versions." : lines.joined(separator: "\n"))
    }
}

/// `modelyard report MODEL VERSION`
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "A version report in Markdown (default) or JSON.",
        discussion: "Examples:\n  modelyard report fraud 1.2.0 > report.md\n  modelyard report fraud @production --json")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Model name.") var model: String
    @Argument(help: "Version or @alias.") var version: String
    @Option(name: .shortAndLong, help: "Write to this file instead of stdout.") var output: String?

    func run() async throws {
        let base = APIPath.version(model, version) + "/report"
        let data = try await options.json
            ? options.client.send(.GET, base)
            : options.client.send(.GET, base + "?format=markdown", accept: "text/markdown")
        if let output {
            guard FileManager.default.createFile(atPath: output, contents: data) else { throw CLIError("cannot write \(output)") }
            Output.note("wrote \(output)")
        } else if options.json {
            Output.printJSON(data)
        } else {
            Output.print(String(decoding: data, as: UTF8.self))
        }
    }
}
