import Foundation

/// What a webhook can be told about.
public enum WebhookEvent: String, Sendable, Codable, CaseIterable {
    case deploy
    case rollback
    /// A rollback the server made itself: a limit breach (`modelyard-fallback`) or drift (`modelyard-drift`).
    case automaticRollback = "automatic_rollback"
    /// A canary withdrawn for breaking the serving limits.
    case limitBreach = "limit_breach"
    case undeploy
    /// A version started or stopped drifting.
    case drift
    /// A version's validation verdict.
    case validation
}

/// A model's webhook: where its events are POSTed, signed with the hook's secret.
public struct Webhook: Sendable, Equatable {
    public var id: Int64
    public var model: ModelName
    public var url: String
    public var events: [WebhookEvent]
    /// The secret's last four characters (the secret itself is shown once, at creation).
    public var secretHint: String
    public var createdAt: Date
    public var createdBy: String

    public init(
        id: Int64, model: ModelName, url: String, events: [WebhookEvent], secretHint: String, createdAt: Date, createdBy: String
    ) {
        self.id = id
        self.model = model
        self.url = url
        self.events = events
        self.secretHint = secretHint
        self.createdAt = createdAt
        self.createdBy = createdBy
    }

    /// An `http` or `https` URL with a host, at most 2,000 characters.
    public static func validate(url: String) throws {
        guard url.utf8.count <= 2_000, let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = parsed.host, !host.isEmpty
        else {
            throw RegistryError.invalidArgument("url must be an http or https URL with a host (at most 2000 characters)")
        }
    }

    /// A secret of 16 to 200 printable characters.
    public static func validate(secret: String) throws {
        guard (16...200).contains(secret.utf8.count), secret.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
            throw RegistryError.invalidArgument("secret must be 16 to 200 printable ASCII characters without spaces")
        }
    }
}

/// One event for one webhook: its payload, and every attempt to deliver it.
public struct WebhookDelivery: Sendable, Equatable {
    public struct Attempt: Sendable, Equatable, Codable {
        public var at: Date
        /// The receiver's HTTP status, when it answered.
        public var status: Int?
        public var error: String?
        public var milliseconds: Double

        public init(at: Date, status: Int?, error: String?, milliseconds: Double) {
            self.at = at
            self.status = status
            self.error = error
            self.milliseconds = milliseconds
        }
    }

    public enum State: String, Sendable, Codable {
        case pending, delivered, failed
    }

    public var id: Int64
    public var webhookID: Int64
    public var event: WebhookEvent
    public var payload: String
    public var state: State
    public var attempts: [Attempt]
    public var nextAttemptAt: Date?
    public var createdAt: Date

    public init(
        id: Int64, webhookID: Int64, event: WebhookEvent, payload: String, state: State, attempts: [Attempt],
        nextAttemptAt: Date?, createdAt: Date
    ) {
        self.id = id
        self.webhookID = webhookID
        self.event = event
        self.payload = payload
        self.state = state
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.createdAt = createdAt
    }

    /// Attempts before a delivery is given up, and the wait after the n-th failed one: 10 s doubling, at most an
    /// hour (about 21 minutes in all).
    public static let maxAttempts = 8
    public static func retryDelay(afterAttempt n: Int) -> TimeInterval { min(3_600, 10 * pow(2, Double(max(0, n - 1)))) }
}

/// A delivery to make: the event for one hook.
public struct NewWebhookDelivery: Sendable, Equatable {
    public var webhookID: Int64
    public var event: WebhookEvent
    public var payload: String

    public init(webhookID: Int64, event: WebhookEvent, payload: String) {
        self.webhookID = webhookID
        self.event = event
        self.payload = payload
    }
}
