import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import Registry
import Serving
import RegistryCore
import ServiceLifecycle

/// Delivers webhooks: once a second it queues the events recorded since (deploys, rollbacks, automatic rollbacks,
/// limit breaches, drift changes, validation verdicts) for the hooks that asked for them, then POSTs the deliveries
/// that are due — JSON, signed with the hook's secret — and records each attempt; a failed one is retried with
/// backoff (`WebhookDelivery.retryDelay`). The cursors and the deliveries live in the store, so a restart neither
/// loses nor repeats an event, and a delivery is leased to one server while it is sent.
public struct WebhookService: Service {
    let registry: Registry
    let period: Duration
    let logger: Logger
    /// How long one attempt may take.
    static let timeout = TimeAmount.seconds(10)

    public init(registry: Registry, period: Duration = .seconds(1), logger: Logger) {
        self.registry = registry
        self.period = period
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            guard (try? await cancelWhenGracefulShutdown({ [period] in try await Task.sleep(for: period) })) != nil else { break }
            await pump()
        }
    }

    /// One round: queue new events, send what is due. Returns the attempts made.
    @discardableResult
    public func pump() async -> Int {
        do {
            try await registry.queueWebhookEvents()
        } catch {
            logger.warning("webhook events not queued", metadata: ["error": "\(error)"])
        }
        let due: [(delivery: WebhookDelivery, url: String, secret: String)]
        do {
            due = try await registry.claimWebhookDeliveries()
        } catch {
            logger.warning("webhook deliveries not read", metadata: ["error": "\(error)"])
            return 0
        }
        await withTaskGroup(of: Void.self) { group in
            for item in due {
                group.addTask {
                    let attempt = await Self.send(item.delivery, url: item.url, secret: item.secret)
                    do {
                        try await registry.recordWebhookAttempt(item.delivery, attempt: attempt)
                    } catch {
                        logger.warning("webhook attempt not recorded", metadata: ["delivery": "\(item.delivery.id)", "error": "\(error)"])
                    }
                }
            }
        }
        return due.count
    }

    static func send(_ delivery: WebhookDelivery, url: String, secret: String) async -> WebhookDelivery.Attempt {
        let started = Date()
        let clock = ContinuousClock.now
        let timestamp = Int(started.timeIntervalSince1970)
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "Modelyard-Webhook")
        request.headers.add(name: "X-Modelyard-Event", value: delivery.event.rawValue)
        request.headers.add(name: "X-Modelyard-Delivery", value: String(delivery.id))
        request.headers.add(name: "X-Modelyard-Timestamp", value: String(timestamp))
        request.headers.add(name: "X-Modelyard-Signature", value: Registry.webhookSignature(secret: secret, timestamp: timestamp, body: delivery.payload))
        request.body = .bytes(ByteBuffer(string: delivery.payload))
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: timeout)
            _ = try? await response.body.collect(upTo: 64 * 1024)
            return .init(at: started, status: Int(response.status.code), error: nil, milliseconds: (ContinuousClock.now - clock).seconds * 1_000)
        } catch {
            return .init(at: started, status: nil, error: String("\(error)".prefix(300)), milliseconds: (ContinuousClock.now - clock).seconds * 1_000)
        }
    }
}
