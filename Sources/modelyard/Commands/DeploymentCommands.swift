import ArgumentParser
import Foundation
import RegistryCore
import ModelyardAPI

/// `modelyard deploy MODEL VERSION`
struct DeployCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy",
        abstract: "Deploy a ready version to an environment (default production).",
        discussion: """
            The version must pass validation under the model's policy against what the environment serves now
            (`modelyard validate` shows the verdict); --force with --reason deploys it anyway, and the override is
            audited. An embedding model whose vectors do not match those serving (dimension, tokenizer, pooling or
            normalisation) is refused, since an index built with the old one would stop matching;
            --allow-incompatible with --reason deploys it once the index has been rebuilt, and is audited.

            Examples:
              modelyard deploy fraud 1.2.0 --reason 'f1 +3%'
              modelyard deploy fraud 1.3.0 --env staging
              modelyard deploy fraud 1.3.0 --force --reason 'hotfix; f1 drop accepted by risk team'
              modelyard deploy e5 2.0.0 --allow-incompatible --reason 'index rebuilt with e5-large'
            """)
    @OptionGroup var options: ClientOptions
    @Argument(help: "Model name.") var model: String
    @Argument(help: "Version to deploy.") var version: String
    @Option(name: [.customLong("env"), .customLong("environment")], help: "Environment alias.") var environment = "production"
    @Option(help: "Why (recorded in the deployment history and audit log).") var reason: String?
    @Flag(help: "Deploy although the version fails validation (needs --reason; audited).") var force = false
    @Flag(help: "Deploy an embedding model whose vectors differ from those serving, the index rebuilt (needs --reason; audited).")
    var allowIncompatible = false

    func validate() throws {
        if force && (reason ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--force needs --reason: say why the version should serve although it fails validation")
        }
        if allowIncompatible && (reason ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--allow-incompatible needs --reason: say how the index was rebuilt")
        }
    }

    func run() async throws {
        let data = try await options.client.send(
            .POST, APIPath.model(model) + "/deployments",
            json: DeployRequest(
                version: version, environment: environment, reason: reason, force: force ? true : nil,
                allowIncompatible: allowIncompatible ? true : nil))
        if options.json { return Output.printJSON(data) }
        let record = try APIJSON.decoder.decode(Deployment.self, from: data)
        Output.print(
            "\(model) \(record.environment): \(record.fromVersion?.description ?? "none") → \(record.toVersion?.description ?? "none")")
    }
}

/// `modelyard undeploy MODEL`
struct UndeployCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "undeploy",
        abstract: "Empty an environment: nothing serves there afterwards (the version is unloaded once drained).",
        discussion: "Examples:\n  modelyard undeploy fraud --env staging --reason 'experiment over'")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Model name.") var model: String
    @Option(name: [.customLong("env"), .customLong("environment")], help: "Environment alias.") var environment = "production"
    @Option(help: "Why (recorded in the deployment history and audit log).") var reason: String?

    func run() async throws {
        let data = try await options.client.send(
            .POST, APIPath.model(model) + "/undeploy", json: UndeployRequest(environment: environment, reason: reason))
        if options.json { return Output.printJSON(data) }
        let record = try APIJSON.decoder.decode(Deployment.self, from: data)
        Output.print("\(model) \(record.environment): \(record.fromVersion?.description ?? "none") → none")
    }
}

/// `modelyard rollback MODEL`
struct RollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Roll an environment back to the version that served before (or to --to VERSION).",
        discussion: """
            Embedding models: a rollback to a version whose vectors differ from those serving is refused like a
            deploy; --allow-incompatible with --reason acknowledges it.

            Examples:
              modelyard rollback fraud --reason 'latency regression'
              modelyard rollback fraud --env staging --to 1.1.0
              modelyard rollback e5 --allow-incompatible --reason 'old index restored from backup'
            """)
    @OptionGroup var options: ClientOptions
    @Argument(help: "Model name.") var model: String
    @Option(name: [.customLong("env"), .customLong("environment")], help: "Environment alias.") var environment = "production"
    @Option(help: "A version from the environment's history.") var to: String?
    @Option(help: "Why (recorded in the deployment history and audit log).") var reason: String?
    @Flag(help: "Roll back to an embedding model whose vectors differ from those serving (needs --reason; audited).")
    var allowIncompatible = false

    func run() async throws {
        let data = try await options.client.send(
            .POST, APIPath.model(model) + "/rollback",
            json: RollbackRequest(environment: environment, version: to, reason: reason, allowIncompatible: allowIncompatible ? true : nil))
        if options.json { return Output.printJSON(data) }
        let record = try APIJSON.decoder.decode(Deployment.self, from: data)
        Output.print(
            "\(model) \(record.environment) rolled back: \(record.fromVersion?.description ?? "none") → \(record.toVersion?.description ?? "none")")
    }
}

/// `modelyard deployments MODEL`
struct DeploymentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deployments",
        abstract: "Show what serves each environment and the deployment history.",
        discussion: "Examples:\n  modelyard deployments fraud\n  modelyard deployments fraud --env production")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Model name.") var model: String
    @Option(name: [.customLong("env"), .customLong("environment")], help: "Only this environment.") var environment: String?
    @Option(help: "Page size (1-1000).") var limit: Int?

    func run() async throws {
        let data = try await options.client.send(
            .GET, APIPath.model(model) + "/deployments" + APIPath.query([("environment", environment), ("limit", limit.map(String.init))]))
        if options.json { return Output.printJSON(data) }
        let aliases = try await options.client.get(APIPath.model(model) + "/aliases", as: AliasListResponse.self)
        let list = try APIJSON.decoder.decode(DeploymentListResponse.self, from: data)
        var lines = aliases.aliases.map { "\($0.environment): \($0.version)" }
        if lines.isEmpty { lines.append("Nothing deployed.") }
        var table = Table("TIME", "ENV", "ACTION", "FROM", "TO", "ACTOR", "REASON")
        for d in list.deployments {
            table.add(
                Format.time(d.createdAt), d.environment.rawValue, d.action.rawValue, d.fromVersion?.description ?? "–",
                d.toVersion?.description ?? "–", d.actor, d.reason)
        }
        if !list.deployments.isEmpty { lines += ["", table.rendered] }
        Output.print(lines.joined(separator: "\n"))
    }
}

/// `modelyard audit MODEL`
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Show the audit log of a model, newest first.",
        discussion: "Example:\n  modelyard audit fraud --limit 20")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Model name.") var model: String
    @Option(help: "Page size (1-1000).") var limit: Int?
    @Option(help: "Continue from a previous page's token.") var pageToken: String?

    func run() async throws {
        let data = try await options.client.send(
            .GET, APIPath.model(model) + "/audit" + APIPath.query([("limit", limit.map(String.init)), ("page_token", pageToken)]))
        if options.json { return Output.printJSON(data) }
        let list = try APIJSON.decoder.decode(AuditListResponse.self, from: data)
        var table = Table("TIME", "ACTOR", "ACTION", "VERSION", "DETAILS", "REASON")
        for e in list.entries {
            table.add(
                Format.time(e.createdAt), e.actor, e.action, e.version?.description ?? "",
                e.details.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "), e.reason)
        }
        Output.print(table.rendered)
        if let token = list.nextPageToken { Output.note("more: --page-token \(token)") }
    }
}
