import Foundation
import Hummingbird
import ModelyardAPI
import Registry
import RegistryCore

/// A model's webhooks and their delivery history.
struct WebhookRoutes {
    let registry: Registry

    func register(on api: RouterGroup<ModelyardRequestContext>) {
        api.post("models/{model}/webhooks") { request, context in
            let body = try await JSONBody.decode(CreateWebhookRequest.self, from: request)
            let (hook, secret) = try await registry.createWebhook(
                try context.modelName(), url: body.url, events: body.events ?? [], secret: body.secret, audit: request.audit(reason: nil))
            return try JSONBody.response(WebhookCreatedResponse(webhook: WebhookDTO(hook), secret: secret), status: .created)
        }
        api.get("models/{model}/webhooks") { _, context in
            try JSONBody.response(WebhookListResponse(webhooks: try await registry.webhooks(try context.modelName()).map(WebhookDTO.init)))
        }
        api.delete("models/{model}/webhooks/{id}") { request, context in
            try await registry.deleteWebhook(try context.modelName(), id: try Self.id(context), audit: request.audit(reason: nil))
            return Response(status: .noContent)
        }
        api.get("models/{model}/webhooks/{id}/deliveries") { request, context in
            let limit = try request.queryInt("limit") ?? 100
            guard (1...1_000).contains(limit) else { throw RegistryError.invalidArgument("limit must be between 1 and 1000") }
            let deliveries = try await registry.webhookDeliveries(try context.modelName(), webhookID: try Self.id(context), limit: limit)
            return try JSONBody.response(WebhookDeliveriesResponse(deliveries: deliveries.map(WebhookDeliveryDTO.init)))
        }
    }

    static func id(_ context: ModelyardRequestContext) throws -> Int64 {
        guard let text = context.parameters.get("id"), let id = Int64(text), id > 0 else {
            throw RegistryError.invalidArgument("the webhook id must be a positive integer")
        }
        return id
    }
}
