public import Foundation
public import RegistryCore

/// `POST .../models/{model}/webhooks`.
public struct CreateWebhookRequest: Codable, Sendable, KnownFields {
    public var url: String
    /// Events to hear about (all when absent or empty).
    public var events: [WebhookEvent]?
    /// 16-200 printable characters; generated when absent.
    public var secret: String?

    public init(url: String, events: [WebhookEvent]? = nil, secret: String? = nil) {
        self.url = url
        self.events = events
        self.secret = secret
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case url, events, secret
    }
}

public struct WebhookDTO: Codable, Sendable, Equatable {
    public var id: Int64
    public var url: String
    public var events: [WebhookEvent]
    public var secretHint: String
    public var createdAt: Date
    public var createdBy: String

    public init(_ hook: Webhook) {
        id = hook.id
        url = hook.url
        events = hook.events
        secretHint = hook.secretHint
        createdAt = hook.createdAt
        createdBy = hook.createdBy
    }

    enum CodingKeys: String, CodingKey {
        case id, url, events
        case secretHint = "secret_hint"
        case createdAt = "created_at"
        case createdBy = "created_by"
    }
}

/// A created hook with its secret, shown this once.
public struct WebhookCreatedResponse: Codable, Sendable {
    public var webhook: WebhookDTO
    public var secret: String

    public init(webhook: WebhookDTO, secret: String) {
        self.webhook = webhook
        self.secret = secret
    }
}

public struct WebhookListResponse: Codable, Sendable {
    public var webhooks: [WebhookDTO]
    public init(webhooks: [WebhookDTO]) { self.webhooks = webhooks }
}

public struct WebhookDeliveryDTO: Codable, Sendable, Equatable {
    public struct Attempt: Codable, Sendable, Equatable {
        public var at: Date
        public var status: Int?
        public var error: String?
        public var milliseconds: Double
    }

    public var id: Int64
    public var event: WebhookEvent
    public var state: WebhookDelivery.State
    public var payload: String
    public var attempts: [Attempt]
    public var nextAttemptAt: Date?
    public var createdAt: Date

    public init(_ delivery: WebhookDelivery) {
        id = delivery.id
        event = delivery.event
        state = delivery.state
        payload = delivery.payload
        attempts = delivery.attempts.map { Attempt(at: $0.at, status: $0.status, error: $0.error, milliseconds: $0.milliseconds) }
        nextAttemptAt = delivery.state == .pending ? delivery.nextAttemptAt : nil
        createdAt = delivery.createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, event, state, payload, attempts
        case nextAttemptAt = "next_attempt_at"
        case createdAt = "created_at"
    }
}

public struct WebhookDeliveriesResponse: Codable, Sendable {
    public var deliveries: [WebhookDeliveryDTO]
    public init(deliveries: [WebhookDeliveryDTO]) { self.deliveries = deliveries }
}
