import ArgumentParser
import Foundation
import Logging
import ModelyardAPI
import ModelyardComposition
import Registry
import RegistryCore

/// `modelyard tokens create|list|revoke`
struct TokensCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens",
        abstract: "Create, list and revoke API tokens (needs an admin token, or --bootstrap for the first one).",
        discussion: """
            Scopes: read (every GET), write (models, versions, uploads, history, scores, imports), deploy (deploy,
            rollback, undeploy, traffic, serving limits, validation overrides), admin (everything, including tokens,
            policies, export/import, gc and deletes) and predict (predictions only). Every scope but predict may
            read. --model and --model-prefix limit a token to some models: it may then call only endpoints whose path
            names one of them.

            A token's secret is printed once; the server keeps only its SHA-256. Use it with --token or
            MODELYARD_TOKEN, `Authorization: Bearer <token>` over HTTP, MLFLOW_TRACKING_TOKEN for the MLflow client,
            or the dashboard's sign-in page.

            Examples:
              modelyard tokens create admin --bootstrap --data-dir /var/lib/modelyard
              modelyard tokens create ci --scope write --model-prefix fraud --expires 90d
              modelyard tokens create scorer --scope predict --model fraud
              modelyard tokens list
              modelyard tokens revoke ci
            """,
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a token and print its secret (shown this once).",
            discussion: """
                With --bootstrap the token is written straight into the data directory's database (no server, no
                token needed): that is how the first admin token is made. Its scope defaults to admin.

                Examples:
                  modelyard tokens create admin --bootstrap --data-dir ./modelyard-data
                  modelyard tokens create deployer --scope read,deploy --expires 30d
                  modelyard tokens create scorer --scope predict --model fraud --model fraud-shadow
                """)
        @OptionGroup var options: ClientOptions
        @Argument(help: "Token name (letters, digits, '.', '_', '-'); the audit log records it as the actor.")
        var name: String
        @Option(help: "Scopes, comma-separated or repeated: read, write, deploy, admin, predict.") var scope: [String] = []
        @Option(help: "Limit the token to this model (repeatable).") var model: [String] = []
        @Option(help: "Limit the token to models whose name starts with this (repeatable).") var modelPrefix: [String] = []
        @Option(help: "Lifetime such as 30d, 12h, 1y (default: no expiry).") var expires: String?
        @Flag(help: "Write the token into the data directory's database directly (for the first admin token).")
        var bootstrap = false
        @Option(help: "Data directory for --bootstrap ($MODELYARD_HOME; default ./modelyard-data).") var dataDir: String?

        func validate() throws {
            if !bootstrap && scope.isEmpty { throw ValidationError("give at least one --scope (read, write, deploy, admin, predict)") }
            if dataDir != nil && !bootstrap { throw ValidationError("--data-dir is only used with --bootstrap") }
        }

        func run() async throws {
            let request = CreateTokenRequest(
                name: name, scopes: scope.isEmpty ? ["admin"] : scope, models: model.isEmpty ? nil : model,
                modelPrefixes: modelPrefix.isEmpty ? nil : modelPrefix, expiresIn: expires)
            let created: CreatedTokenResponse
            if bootstrap {
                let env = ProcessInfo.processInfo.environment
                let directory = URL(fileURLWithPath: dataDir ?? env["MODELYARD_HOME"] ?? env["MODELYARD_DATA_DIR"] ?? "modelyard-data")
                let registry = try Composition.open(dataDirectory: directory, logger: Logger(label: "modelyard.tokens")).registry
                let actor = options.actor ?? env["MODELYARD_ACTOR"] ?? env["USER"] ?? "bootstrap"
                do {
                    let token = try await registry.createToken(try request.parsed(), actor: actor)
                    created = CreatedTokenResponse(secret: token.secret.text, token: TokenResponse(token.token, now: Date()))
                } catch let error as RegistryError {
                    throw CLIError(error.message)
                }
            } else {
                created = try APIJSON.decoder.decode(
                    CreatedTokenResponse.self, from: try await options.client.send(.POST, "/api/v1/tokens", json: request))
            }
            if options.json { return Output.printJSON(try APIJSON.encoder.encode(created)) }
            Output.print(created.secret)
            Output.note(
                "created token '\(created.token.name)' (\(TokensCommand.describe(created.token))); this is the only time its secret is shown: store it now")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List tokens (never their secrets): name, scopes, models, state, expiry, last use.",
            discussion: "Examples:\n  modelyard tokens list\n  modelyard tokens list --json")
        @OptionGroup var options: ClientOptions

        func run() async throws {
            let data = try await options.client.send(.GET, "/api/v1/tokens")
            if options.json { return Output.printJSON(data) }
            let list = try APIJSON.decoder.decode(TokenListResponse.self, from: data)
            var table = Table("NAME", "HINT", "SCOPES", "MODELS", "STATE", "EXPIRES", "LAST USED", "CREATED BY")
            for token in list.tokens {
                table.add(
                    token.name, token.hint + "…", token.scopes.joined(separator: ","),
                    TokensCommand.models(token), token.state, token.expiresAt.map(ISO8601.format) ?? "never",
                    token.lastUsedAt.map(ISO8601.format) ?? "never", token.createdBy)
            }
            Output.print(list.tokens.isEmpty ? "no tokens; create one with `modelyard tokens create`" : table.rendered)
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a token: every request with it is refused from now on, on every server.",
            discussion: "Examples:\n  modelyard tokens revoke ci")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Token name.") var name: String

        func run() async throws {
            let data = try await options.client.send(.DELETE, "/api/v1/tokens/" + APIClient.segment(name))
            if options.json { return Output.printJSON(data) }
            Output.print("revoked token '\(name)'")
        }
    }

    static func models(_ token: TokenResponse) -> String {
        let all = token.models + token.modelPrefixes.map { $0 + "*" }
        return all.isEmpty ? "all" : all.joined(separator: ",")
    }

    static func describe(_ token: TokenResponse) -> String {
        "scopes \(token.scopes.joined(separator: ",")), models \(models(token)), "
            + (token.expiresAt.map { "expires \(ISO8601.format($0))" } ?? "no expiry")
    }
}
