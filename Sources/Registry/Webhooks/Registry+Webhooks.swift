import Crypto
public import Foundation
public import RegistryCore

extension Registry {
    /// Actors of the rollbacks the server makes itself (the fallback monitor's and the drift service's).
    public static let automaticActors: Set<String> = ["modelyard-fallback", "modelyard-drift"]
    static let auditSource = "audit"
    static let validationSource = "validation"

    /// Creates a webhook; the secret (given, or 32 random bytes as hex) is returned this once.
    public func createWebhook(
        _ model: ModelName, url: String, events: [WebhookEvent], secret: String?, audit: AuditContext
    ) async throws -> (webhook: Webhook, secret: String) {
        let chosen = secret ?? SymmetricKey(size: .bits256).withUnsafeBytes { $0.map { String(format: "%02x", $0) }.joined() }
        let hook = try await store.createWebhook(model, url: url, events: events, secret: chosen, audit: audit)
        return (hook, chosen)
    }

    public func webhooks(_ model: ModelName) async throws -> [Webhook] { try await store.webhooks(model) }

    public func deleteWebhook(_ model: ModelName, id: Int64, audit: AuditContext) async throws {
        try await store.deleteWebhook(model, id: id, audit: audit)
    }

    public func webhookDeliveries(_ model: ModelName, webhookID: Int64, limit: Int) async throws -> [WebhookDelivery] {
        try await store.webhookDeliveries(model, webhookID: webhookID, limit: limit)
    }

    /// The event an audit entry is, for webhooks (nil: not one they hear about).
    static func webhookEvent(_ entry: AuditEntry) -> WebhookEvent? {
        switch entry.action {
        case "deploy": .deploy
        case "rollback": automaticActors.contains(entry.actor) ? .automaticRollback : .rollback
        case "undeploy": .undeploy
        case "traffic.set" where automaticActors.contains(entry.actor): .limitBreach
        case "drift.started", "drift.stopped": .drift
        default: nil
        }
    }

    static func payload(_ fields: [String: Any]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// Reads the audit log and the validation verdicts past their cursors and queues a delivery for every hook of
    /// the entry's model that asked for its event; returns the deliveries queued. The first read starts at the
    /// newest record (hooks hear about what happens after the server starts, not the whole history).
    @discardableResult
    public func queueWebhookEvents(limit: Int = 500) async throws -> Int {
        let now = clock()
        let hooks = try await store.allWebhooks().map(\.webhook)
        var queued = 0
        func deliveries(model: ModelName, event: WebhookEvent, payload: String) -> [NewWebhookDelivery] {
            hooks.filter { $0.model == model && $0.events.contains(event) }
                .map { NewWebhookDelivery(webhookID: $0.id, event: event, payload: payload) }
        }

        let auditCursor = try await store.webhookCursor(Self.auditSource)
        if let from = auditCursor {
            let entries = try await store.auditEntries(after: from, limit: limit)
            if let last = entries.last {
                var new: [NewWebhookDelivery] = []
                for entry in entries {
                    guard let event = Self.webhookEvent(entry) else { continue }
                    var fields: [String: Any] = [
                        "event": event.rawValue, "action": entry.action, "model": entry.model.rawValue, "actor": entry.actor,
                        "reason": entry.reason, "details": entry.details, "audit_id": entry.id, "at": ISO8601.format(entry.createdAt),
                    ]
                    if let version = entry.version { fields["version"] = version.description }
                    if let environment = entry.details["environment"] { fields["environment"] = environment }
                    if event == .drift { fields["drifting"] = entry.action == "drift.started" }
                    new += deliveries(model: entry.model, event: event, payload: Self.payload(fields))
                }
                if try await store.advanceWebhookCursor(Self.auditSource, from: from, to: last.id, deliveries: new, at: now) {
                    queued += new.count
                }
            }
        } else {
            _ = try await store.advanceWebhookCursor(
                Self.auditSource, from: nil, to: try await store.latestAuditID(model: nil), deliveries: [], at: now)
        }

        let validationCursor = try await store.webhookCursor(Self.validationSource)
        if let from = validationCursor {
            let reports = try await store.validationReports(after: from, limit: limit)
            if let last = reports.last {
                var new: [NewWebhookDelivery] = []
                for (_, report) in reports {
                    var fields: [String: Any] = [
                        "event": WebhookEvent.validation.rawValue, "model": report.model.rawValue, "version": report.version.description,
                        "passed": report.passed, "score": report.score, "policy_revision": report.policyRevision,
                        "environment": report.environment.rawValue, "at": ISO8601.format(report.validatedAt),
                        "failed_checks": report.checks.filter { $0.outcome == .error }.map(\.name),
                    ]
                    if let baseline = report.baseline { fields["baseline"] = baseline.description }
                    new += deliveries(model: report.model, event: .validation, payload: Self.payload(fields))
                }
                if try await store.advanceWebhookCursor(Self.validationSource, from: from, to: last.id, deliveries: new, at: now) {
                    queued += new.count
                }
            }
        } else {
            _ = try await store.advanceWebhookCursor(
                Self.validationSource, from: nil, to: try await store.latestValidationReportID(), deliveries: [], at: now)
        }
        return queued
    }

    /// Deliveries due now, leased to this server for `lease` seconds.
    public func claimWebhookDeliveries(lease: TimeInterval = 60, limit: Int = 20) async throws
        -> [(delivery: WebhookDelivery, url: String, secret: String)]
    {
        try await store.claimWebhookDeliveries(now: clock(), lease: lease, limit: limit)
    }

    /// Records an attempt: a 2xx delivers it; otherwise it is retried after `WebhookDelivery.retryDelay`, until
    /// `WebhookDelivery.maxAttempts` attempts have failed.
    public func recordWebhookAttempt(_ delivery: WebhookDelivery, attempt: WebhookDelivery.Attempt) async throws {
        let delivered = attempt.status.map { (200..<300).contains($0) } ?? false
        let made = delivery.attempts.count + 1
        let next: Date? = delivered || made >= WebhookDelivery.maxAttempts
            ? nil : clock().addingTimeInterval(WebhookDelivery.retryDelay(afterAttempt: made))
        try await store.recordWebhookAttempt(delivery.id, attempt: attempt, delivered: delivered, nextAttemptAt: next)
    }

    /// The signature a receiver checks: `sha256=` and the hex HMAC-SHA256, keyed by the hook's secret, of
    /// `TIMESTAMP.BODY` (the `X-Modelyard-Timestamp` header, a dot, the body), so a replayed old body fails.
    public static func webhookSignature(secret: String, timestamp: Int, body: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(timestamp).\(body)".utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }
}
