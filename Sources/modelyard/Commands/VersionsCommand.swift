import ArgumentParser
import Foundation
import RegistryCore
import ModelyardAPI

/// `modelyard versions ...`: register, list, show, update and delete versions.
struct VersionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "versions",
        abstract: "Register, list, show, update and delete model versions.",
        subcommands: [List.self, Show.self, Register.self, Update.self, Delete.self],
        defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List a model's versions, highest first.",
            discussion: "Examples:\n  modelyard versions list fraud\n  modelyard versions list fraud --status ready")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Model name.") var model: String
        @Option(help: "Only versions in this status.") var status: String?
        @Option(help: "Only versions with this tag (key or key=value).") var tag: String?
        @Option(help: "Page size (1-1000).") var limit: Int?
        @Option(help: "Continue from a previous page's token.") var pageToken: String?

        func run() async throws {
            let path = APIPath.model(model) + "/versions"
                + APIPath.query([
                    ("status", status), ("tag", tag), ("limit", limit.map(String.init)), ("page_token", pageToken),
                ])
            let data = try await options.client.send(.GET, path)
            if options.json { return Output.printJSON(data) }
            let page = try APIJSON.decoder.decode(VersionListResponse.self, from: data)
            var table = Table("VERSION", "STATUS", "SERVING", "SCORES", "CREATED", "BY")
            for item in page.versions {
                let v = item.version
                let scores = v.scores.keys.sorted().prefix(4).map { "\($0)=\(Format.number(v.scores[$0]))" }
                table.add(
                    v.version.description, v.status.rawValue, item.environments.map(\.rawValue).joined(separator: ","),
                    scores.joined(separator: " "), Format.time(v.createdAt), v.createdBy)
            }
            Output.print(page.versions.isEmpty ? "No versions. Register one with `modelyard versions register \(model)`." : table.rendered)
            if let token = page.nextPageToken { Output.note("more: --page-token \(token)") }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one version (1.2.0, v1.2.0 or @production).",
            discussion: "Examples:\n  modelyard versions show fraud 1.2.0\n  modelyard versions show fraud @production")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Model name.") var model: String
        @Argument(help: "Version or @alias.") var version: String

        func run() async throws {
            let data = try await options.client.send(.GET, APIPath.version(model, version))
            if options.json { return Output.printJSON(data) }
            let item = try APIJSON.decoder.decode(VersionResponse.self, from: data)
            let v = item.version
            var lines = [
                "model:       \(v.model)", "version:     \(v.version)  (registration #\(v.number))",
                "status:      \(v.status)",
                "serving:     \(item.environments.isEmpty ? "–" : item.environments.map(\.rawValue).joined(separator: ", "))",
                "description: \(v.description)", "tags:        \(Format.tags(v.tags))",
                "created:     \(Format.time(v.createdAt)) by \(v.createdBy)", "updated:     \(Format.time(v.updatedAt))",
            ]
            // Every field the API answers, each on its own line when set (`--json` shows the raw answer).
            let optional: [(String, String?)] = [
                ("stage", v.stage == .none ? nil : v.stage.rawValue), ("framework", v.framework),
                ("base model", v.baseModel), ("source", v.sourceURI), ("git commit", v.gitCommit),
                ("run", v.runID), ("duration", v.durationSeconds.map { "\(Format.number($0)) s" }),
                ("cost", v.cost.map { Format.number($0) }), ("hardware", v.hardware),
                ("trained", v.trainedAt.map(Format.time)),
                ("parents", v.parents.isEmpty ? nil : v.parents.map(\.description).joined(separator: ", ")),
                (
                    "scores",
                    v.scores.isEmpty
                        ? nil : v.scores.keys.sorted().map { "\($0)=\(Format.number(v.scores[$0]))" }.joined(separator: " ")
                ),
                (
                    "params",
                    v.params.isEmpty
                        ? nil : v.params.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
                ),
                ("signature", v.signature.map(\.description)),
                (
                    "model file",
                    v.serving.map {
                        $0.servable
                            ? "\($0.runtime) \($0.artifact?.rawValue ?? "")"
                            : "not servable: \($0.reason ?? $0.reasonCode ?? "unknown")"
                    }
                ),
            ]
            for (label, value) in optional {
                guard let value else { continue }
                lines.append((label + ":").padding(toLength: 13, withPad: " ", startingAt: 0) + value)
            }
            for dataset in v.datasets {
                var text = "\(dataset.name) \(dataset.uri)"
                if let role = dataset.role { text += " (\(role))" }
                if let rows = dataset.rows { text += " \(rows) rows" }
                if let sha = dataset.sha256 { text += " sha256 \(sha)" }
                lines.append("dataset:     " + text)
            }
            for artifact in item.artifacts ?? [] {
                lines.append("artifact:    \(artifact.path)  \(artifact.size) bytes  sha256 \(artifact.sha256)")
            }
            Output.print(lines.joined(separator: "\n"))
        }
    }

    struct Register: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a new version; the number is assigned by the server.",
            discussion: """
                The first version is 1.0.0; later ones bump the highest existing version (the model's default bump
                unless --bump is given), or take --version if it is higher than all.

                Examples:
                  modelyard versions register fraud --bump minor --framework sklearn --param lr=0.01 --score f1=0.91
                  modelyard versions register fraud --version 2.0.0 --parent 1.4.0 --git-commit abc123 \\
                      --dataset train=s3://bucket/train.parquet
                  modelyard versions register fraud --from-json version.json
                """)
        @OptionGroup var options: ClientOptions
        @Argument(help: "Model name.") var model: String
        @Option(help: "Explicit version (higher than every existing one).") var version: String?
        @Option(help: "major, minor or patch.") var bump: String?
        @Option(help: "draft (default), training or ready.") var status: String?
        @Option(help: "Description.") var description: String?
        @Option(help: "Tag as key=value (repeatable).") var tag: [String] = []
        @Option(help: "Framework (sklearn, pytorch, ...).") var framework: String?
        @Option(help: "Base model.") var baseModel: String?
        @Option(help: "Source URI of the training code or run.") var source: String?
        @Option(help: "Git commit of the training code.") var gitCommit: String?
        @Option(help: "Training parameter as key=value (repeatable; numbers and booleans are typed).") var param: [String] = []
        @Option(help: "Evaluation score as name=value (repeatable).") var score: [String] = []
        @Option(help: "Dataset as name=uri (repeatable).") var dataset: [String] = []
        @Option(help: "Parent version as VERSION or MODEL:VERSION (repeatable).") var parent: [String] = []
        @Option(help: "Training duration in seconds.") var duration: Double?
        @Option(help: "Hardware description.") var hardware: String?
        @Option(help: "Training cost (in your unit, e.g. USD).") var cost: Double?
        @Option(help: "When the model was trained, ISO 8601 (the validation policy's age rule reads it).") var trainedAt: String?
        @Option(help: "A JSON file with the full registration body (flags override its fields).") var fromJson: String?

        func run() async throws {
            var body = RegisterVersionRequest()
            if let fromJson {
                guard let data = FileManager.default.contents(atPath: fromJson) else { throw CLIError("cannot read \(fromJson)") }
                body = try APIJSON.decoder.decode(RegisterVersionRequest.self, from: data)
            }
            body.version = version ?? body.version
            body.bump = bump ?? body.bump
            body.status = status ?? body.status
            body.description = description ?? body.description
            if !tag.isEmpty { body.tags = try Format.parseTags(tag) }
            body.framework = framework ?? body.framework
            body.baseModel = baseModel ?? body.baseModel
            body.sourceURI = source ?? body.sourceURI
            body.gitCommit = gitCommit ?? body.gitCommit
            if !param.isEmpty { body.params = try Format.parseTags(param).mapValues(Self.typed) }
            if !score.isEmpty { body.scores = try Scores.parse(score) }
            if !dataset.isEmpty {
                body.datasets = try Format.parseTags(dataset).sorted { $0.key < $1.key }.map { DatasetRef(name: $0.key, uri: $0.value) }
            }
            if !parent.isEmpty {
                body.parents = parent.map { text in
                    if let colon = text.lastIndex(of: ":") {
                        return ParentReference(model: String(text[..<colon]), version: String(text[text.index(after: colon)...]))
                    }
                    return ParentReference(model: nil, version: text)
                }
            }
            body.durationSeconds = duration ?? body.durationSeconds
            body.hardware = hardware ?? body.hardware
            body.cost = cost ?? body.cost
            if let trainedAt {
                guard let date = ISO8601.parse(trainedAt) else {
                    throw CLIError("--trained-at '\(trainedAt)' is not an ISO 8601 time, e.g. 2026-12-01T10:22:05Z")
                }
                body.trainedAt = date
            }
            let data = try await options.client.send(.POST, APIPath.model(model) + "/versions", json: body)
            if options.json { return Output.printJSON(data) }
            let created = try APIJSON.decoder.decode(VersionResponse.self, from: data)
            Output.print("registered \(model) \(created.version.version) (\(created.version.status))")
        }

        static func typed(_ text: String) -> JSONValue {
            if let number = Double(text), !text.isEmpty { return .number(number) }
            if text == "true" || text == "false" { return .bool(text == "true") }
            return .string(text)
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Update a version's description, tags or status.",
            discussion: """
                Status moves: draft→training→ready→deprecated→archived (ready seals artifacts).

                Examples:
                  modelyard versions update fraud 1.2.0 --status ready
                  modelyard versions update fraud 1.0.0 --status archived --reason 'superseded'
                """)
        @OptionGroup var options: ClientOptions
        @Argument(help: "Model name.") var model: String
        @Argument(help: "Version or @alias.") var version: String
        @Option(help: "New description.") var description: String?
        @Option(help: "Replace all tags (repeatable key=value).") var tag: [String] = []
        @Option(help: "New status.") var status: String?
        @Option(help: "Why (recorded in the audit log).") var reason: String?

        func run() async throws {
            let body = UpdateVersionRequest(
                description: description, tags: tag.isEmpty ? nil : try Format.parseTags(tag), status: status,
                reason: reason)
            let data = try await options.client.send(.PATCH, APIPath.version(model, version), json: body)
            if options.json { return Output.printJSON(data) }
            let updated = try APIJSON.decoder.decode(VersionResponse.self, from: data)
            Output.print("updated \(model) \(updated.version.version) (\(updated.version.status))")
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a version (refused while deployed or while it is a parent).",
            discussion: "Example:\n  modelyard versions delete fraud 1.0.0 --reason 'bad data'")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Model name.") var model: String
        @Argument(help: "Version.") var version: String
        @Option(help: "Why (recorded in the audit log).") var reason: String?

        func run() async throws {
            _ = try await options.client.send(.DELETE, APIPath.version(model, version), json: ReasonRequest(reason: reason))
            if !options.json { Output.print("deleted \(model) \(version)") }
        }
    }
}

/// Parsing of `name=value` score arguments.
enum Scores {
    static func parse(_ items: [String]) throws -> [String: Double] {
        var scores: [String: Double] = [:]
        for (name, text) in try Format.parseTags(items) {
            guard let value = Double(text), value.isFinite else {
                throw ValidationError("score '\(name)' must be a number, not '\(text)'")
            }
            scores[name] = value
        }
        return scores
    }
}
