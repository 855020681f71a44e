import ArgumentParser
import Foundation
import ModelyardAPI
import RegistryCore

/// `modelyard webhooks add|list|remove|deliveries MODEL`
struct WebhooksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhooks",
        abstract: "Add, list and remove a model's webhooks, and see their deliveries.",
        discussion: """
            A webhook gets a signed JSON POST for each event it asked for: deploy, rollback, automatic_rollback,
            limit_breach, undeploy, drift, validation (all when none is named). The X-Modelyard-Signature header is
            sha256= and the hex HMAC-SHA256, keyed by the hook's secret, of the X-Modelyard-Timestamp header, a dot
            and the body. Failed deliveries are retried with backoff (10 s doubling, 8 attempts).

            Examples:
              modelyard webhooks add fraud https://hooks.example.com/modelyard --event drift --event automatic_rollback
              modelyard webhooks list fraud
              modelyard webhooks deliveries fraud 3
              modelyard webhooks remove fraud 3
            """,
        subcommands: [Add.self, List.self, Remove.self, Deliveries.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a webhook; prints its secret once.",
            discussion: "Examples:\n  modelyard webhooks add fraud https://hooks.example.com/x --event deploy\n  modelyard webhooks add fraud http://127.0.0.1:9000/h --secret \"$SECRET\"")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Model name.") var model: String
        @Argument(help: "The URL to POST to (http or https).") var url: String
        @Option(name: .customLong("event"), help: "An event to hear about (repeatable; default all).") var events: [String] = []
        @Option(help: "The signing secret (16-200 characters; generated when absent).") var secret: String?

        func validate() throws {
            for event in events where WebhookEvent(rawValue: event) == nil {
                throw ValidationError("unknown event '\(event)'; events: \(WebhookEvent.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }

        func run() async throws {
            let body = CreateWebhookRequest(url: url, events: events.compactMap(WebhookEvent.init(rawValue:)), secret: secret)
            let data = try await options.client.send(.POST, APIPath.model(model) + "/webhooks", json: body)
            if options.json { return Output.printJSON(data) }
            let created = try APIJSON.decoder.decode(WebhookCreatedResponse.self, from: data)
            Output.print(
                "webhook \(created.webhook.id) of \(model) posts \(created.webhook.events.map(\.rawValue).joined(separator: ", ")) to \(created.webhook.url)\n"
                    + "secret (shown once): \(created.secret)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a model's webhooks.", discussion: "Examples:\n  modelyard webhooks list fraud")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Model name.") var model: String

        func run() async throws {
            let data = try await options.client.send(.GET, APIPath.model(model) + "/webhooks")
            if options.json { return Output.printJSON(data) }
            let hooks = try APIJSON.decoder.decode(WebhookListResponse.self, from: data).webhooks
            guard !hooks.isEmpty else { return Output.print("\(model) has no webhooks; add one with `modelyard webhooks add \(model) URL`") }
            var table = Table("ID", "URL", "EVENTS", "SECRET", "CREATED")
            for hook in hooks {
                table.add(row: [String(hook.id), hook.url, hook.events.map(\.rawValue).joined(separator: ","), hook.secretHint, "\(ISO8601.format(hook.createdAt)) by \(hook.createdBy)"])
            }
            Output.print(table.rendered)
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a webhook and its deliveries.", discussion: "Examples:\n  modelyard webhooks remove fraud 3")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Model name.") var model: String
        @Argument(help: "Webhook id.") var id: Int64

        func run() async throws {
            _ = try await options.client.send(.DELETE, APIPath.model(model) + "/webhooks/\(id)")
            Output.print("webhook \(id) of \(model) removed")
        }
    }

    struct Deliveries: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A webhook's deliveries, newest first, with every attempt.", discussion: "Examples:\n  modelyard webhooks deliveries fraud 3 --limit 20")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Model name.") var model: String
        @Argument(help: "Webhook id.") var id: Int64
        @Option(help: "How many (1-1000, default 100).") var limit = 100

        func run() async throws {
            let data = try await options.client.send(.GET, APIPath.model(model) + "/webhooks/\(id)/deliveries" + APIPath.query([("limit", String(limit))]))
            if options.json { return Output.printJSON(data) }
            let deliveries = try APIJSON.decoder.decode(WebhookDeliveriesResponse.self, from: data).deliveries
            guard !deliveries.isEmpty else { return Output.print("no deliveries yet") }
            var table = Table("ID", "EVENT", "STATE", "ATTEMPTS", "LAST", "NEXT")
            for delivery in deliveries {
                let last = delivery.attempts.last.map { attempt in attempt.status.map { "HTTP \($0)" } ?? (attempt.error ?? "?") } ?? "–"
                table.add(row: [
                    String(delivery.id), delivery.event.rawValue, delivery.state.rawValue, String(delivery.attempts.count), String(last.prefix(60)),
                    delivery.nextAttemptAt.map(ISO8601.format) ?? "–",
                ])
            }
            Output.print(table.rendered)
        }
    }
}
