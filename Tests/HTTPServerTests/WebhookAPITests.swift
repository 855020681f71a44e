import Crypto
import Foundation
import HTTPServer
import Hummingbird
import HummingbirdTesting
import Logging
import ModelyardAPI
import Registry
import Serving
import RegistryCore
import Synchronization
import Testing

/// Webhooks against a real local receiver: signed JSON POSTs for the events a hook asked for, retried with
/// backoff after failures (the clock is the test's, so no sleep decides anything), and the delivery history.
@Suite struct WebhookAPITests {
    struct Received: Sendable {
        var headers: [String: String]
        var body: String
    }

    /// A receiver that answers 500 while `failing`, 200 otherwise, and keeps what it got.
    final class Receiver: Sendable {
        let received = Mutex<[Received]>([])
        let failing: Mutex<Bool>
        init(failing: Bool) { self.failing = Mutex(failing) }

        var application: some ApplicationProtocol {
            let router = Router()
            router.post("hook") { request, _ -> Response in
                let body = String(buffer: try await request.body.collect(upTo: 1 << 20))
                var headers: [String: String] = [:]
                for field in request.headers { headers[field.name.canonicalName] = field.value }
                self.received.withLock { $0.append(Received(headers: headers, body: body)) }
                return Response(status: self.failing.withLock { $0 } ? .internalServerError : .ok)
            }
            return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        }
    }

    @Test func deliveriesAreSignedRetriedWithBackoffAndKept() async throws {
        let now = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
        let harness = try APIHarness(clock: { now.withLock { $0 } })
        let service = WebhookService(registry: harness.registry, logger: Logger(label: "webhooks"))
        let receiver = Receiver(failing: true)
        let secret = "a-test-secret-of-some-length"
        try await receiver.application.test(.live) { receiverClient in
            let url = "http://127.0.0.1:\(receiverClient.port!)/hook"
            try await harness.run { client in
                _ = try await client.call(.post, "/api/v1/models", json: CreateModelRequest(name: "fraud"))
                let version = try await ServingAPITests.register(client, model: "fraud", bytes: try ServingAPITests.fixture("random_forest")).version
                // Bad hooks are refused and change nothing.
                for body in [#"{"url": "ftp://x/y"}"#, #"{"url": "not a url"}"#, #"{"url": "\#(url)", "secret": "short"}"#,
                             #"{"url": "\#(url)", "events": ["deploys"]}"#, #"{"url": "\#(url)", "colour": "red"}"#] {
                    let refused = try await client.call(.post, "/api/v1/models/fraud/webhooks", raw: body)
                    #expect(refused.status == .badRequest, "\(body): \(refused.text)")
                }
                let created = try await client.call(
                    .post, "/api/v1/models/fraud/webhooks", raw: #"{"url": "\#(url)", "events": ["deploy", "validation"], "secret": "\#(secret)"}"#)
                #expect(created.status == .created, "\(created.text)")
                let hook = try created.decode(WebhookCreatedResponse.self)
                #expect(hook.secret == secret && hook.webhook.secretHint == "…ngth" && hook.webhook.events == [.deploy, .validation])
                let driftOnly = try await client.call(.post, "/api/v1/models/fraud/webhooks", raw: #"{"url": "\#(url)", "events": ["drift"]}"#)
                let generated = try driftOnly.decode(WebhookCreatedResponse.self)
                #expect(generated.secret.count == 64)
                let listed = try await client.call(.get, "/api/v1/models/fraud/webhooks").text
                #expect(listed.contains("secret_hint") && !listed.contains(secret) && !listed.contains(generated.secret))

                // The first round starts the cursors at what exists: nothing before the hooks is sent.
                #expect(await service.pump() == 0)
                #expect(try await client.call(.post, "/api/v1/models/fraud/deployments", raw: #"{"version": "\#(version)"}"#).status == .created)
                #expect(try await client.call(.post, "/api/v1/models/fraud/versions/\(version)/validate", raw: "{}").status == .ok)
                // The deploy (with the verdict it reached) and the explicit verdict, to the hook that asked for them;
                // nothing to the drift hook. The receiver fails them all this round.
                let first = await service.pump()
                #expect(first >= 2)
                let path = "/api/v1/models/fraud/webhooks/\(hook.webhook.id)/deliveries"
                var deliveries = try await client.call(.get, path).decode(WebhookDeliveriesResponse.self).deliveries
                #expect(deliveries.count == first && deliveries.allSatisfy { $0.state == .pending && $0.attempts.map(\.status) == [500] })
                #expect(Set(deliveries.map(\.event)) == [.deploy, .validation])
                // Not due before the backoff (10 s): nothing is sent.
                now.withLock { $0 += 9 }
                #expect(await service.pump() == 0)
                receiver.failing.withLock { $0 = false }
                now.withLock { $0 += 1 }
                #expect(await service.pump() == first)
                deliveries = try await client.call(.get, path).decode(WebhookDeliveriesResponse.self).deliveries
                #expect(deliveries.allSatisfy { $0.state == .delivered && $0.attempts.map(\.status) == [500, 200] }, "\(deliveries)")
                #expect(await service.pump() == 0, "delivered is delivered")

                let got = receiver.received.withLock { $0 }
                #expect(got.count == 2 * first)
                for request in got {
                    let timestamp = Int(request.headers["x-modelyard-timestamp"] ?? "") ?? -1
                    let expected = Registry.webhookSignature(secret: secret, timestamp: timestamp, body: request.body)
                    let mac = HMAC<SHA256>.authenticationCode(for: Data("\(timestamp).\(request.body)".utf8), using: SymmetricKey(data: Data(secret.utf8)))
                    #expect(request.headers["x-modelyard-signature"] == expected && expected == "sha256=" + mac.map { String(format: "%02x", $0) }.joined())
                    #expect(request.headers["content-type"] == "application/json")
                }
                let events = Set(got.compactMap { $0.headers["x-modelyard-event"] })
                #expect(events == ["deploy", "validation"])
                let deploy = try #require(got.first { $0.headers["x-modelyard-event"] == "deploy" })
                let payload = try JSONSerialization.jsonObject(with: Data(deploy.body.utf8)) as? [String: Any]
                #expect(payload?["model"] as? String == "fraud" && payload?["version"] as? String == version && payload?["environment"] as? String == "production")
                #expect(try await client.call(.get, "/api/v1/models/fraud/webhooks/\(generated.webhook.id)/deliveries")
                    .decode(WebhookDeliveriesResponse.self).deliveries.isEmpty)

                // Deleting a hook drops it and its history; unknown ids are 404, malformed ones 400.
                #expect(try await client.call(.delete, "/api/v1/models/fraud/webhooks/\(hook.webhook.id)").status == .noContent)
                #expect(try await client.call(.get, path).status == .notFound)
                #expect(try await client.call(.delete, "/api/v1/models/fraud/webhooks/999").status == .notFound)
                #expect(try await client.call(.get, "/api/v1/models/fraud/webhooks/x/deliveries").status == .badRequest)
            }
        }
    }

    /// A receiver that never answers well: attempts stop after `maxAttempts`, spaced by the doubling backoff.
    @Test func aDeliveryIsGivenUpAfterItsLastAttempt() async throws {
        let now = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
        let harness = try APIHarness(clock: { now.withLock { $0 } })
        let service = WebhookService(registry: harness.registry, logger: Logger(label: "webhooks"))
        let receiver = Receiver(failing: true)
        try await receiver.application.test(.live) { receiverClient in
            try await harness.run { client in
                _ = try await client.call(.post, "/api/v1/models", json: CreateModelRequest(name: "m"))
                let version = try await ServingAPITests.register(client, model: "m", bytes: try ServingAPITests.fixture("random_forest")).version
                let hook = try await client.call(
                    .post, "/api/v1/models/m/webhooks", raw: #"{"url": "http://127.0.0.1:\#(receiverClient.port!)/hook", "events": ["deploy"]}"#
                ).decode(WebhookCreatedResponse.self)
                await service.pump()
                _ = try await client.call(.post, "/api/v1/models/m/deployments", raw: #"{"version": "\#(version)"}"#)
                var waits: [TimeInterval] = []
                for attempt in 1...WebhookDelivery.maxAttempts {
                    #expect(await service.pump() == 1, "attempt \(attempt)")
                    let wait = WebhookDelivery.retryDelay(afterAttempt: attempt)
                    waits.append(wait)
                    now.withLock { $0 += wait }
                }
                #expect(await service.pump() == 0)
                let delivery = try #require(
                    try await client.call(.get, "/api/v1/models/m/webhooks/\(hook.webhook.id)/deliveries").decode(WebhookDeliveriesResponse.self).deliveries.first)
                #expect(delivery.state == .failed && delivery.attempts.count == WebhookDelivery.maxAttempts && delivery.nextAttemptAt == nil)
                #expect(waits.prefix(4) == [10, 20, 40, 80])
            }
        }
    }

    @Test func theAutomaticActorsAreTheServersOwn() {
        #expect(Registry.automaticActors == [FallbackMonitor.actor, DriftService.actor])
    }
}
