import Foundation
import GRDB
public import RegistryCore
import RegistryWire

extension SQLiteRegistryStore {
    static func webhook(_ row: Row, model: ModelName) throws -> Webhook {
        let secret: String = row["secret"]
        return Webhook(
            id: row["id"], model: model, url: row["url"],
            events: (try SQLiteRows.decodeJSON([String].self, row["events"]) ?? []).compactMap(WebhookEvent.init(rawValue:)),
            secretHint: "…" + String(secret.suffix(4)), createdAt: SQLiteRows.date(row, "created_at"), createdBy: row["created_by"])
    }

    public func createWebhook(_ model: ModelName, url: String, events: [WebhookEvent], secret: String, audit: AuditContext) async throws
        -> Webhook
    {
        try Webhook.validate(url: url)
        try Webhook.validate(secret: secret)
        let chosen = (events.isEmpty ? WebhookEvent.allCases : Array(Set(events))).sorted { $0.rawValue < $1.rawValue }
        let eventsJSON = try SQLiteRows.json(chosen.map(\.rawValue))
        let now = self.now
        return try await write { db in
            let modelID = try SQLiteRows.modelID(db, model)
            let count = try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM webhooks WHERE model_id = ?"), arguments: [modelID]) ?? 0
            guard count < 20 else { throw RegistryError.failedPrecondition("'\(model)' has 20 webhooks already; delete one first") }
            try db.cachedStatement(sql: """
                    INSERT INTO webhooks (model_id, url, events, secret, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)
                    """).execute(arguments: [modelID, url, eventsJSON, secret, SQLiteRows.millis(now), audit.actor])
            let id = db.lastInsertedRowID
            try SQLiteRows.audit(
                db, model: model, version: nil, action: "webhook.create", context: audit,
                details: ["id": String(id), "url": url, "events": chosen.map(\.rawValue).joined(separator: ",")], at: now)
            return Webhook(
                id: id, model: model, url: url, events: chosen, secretHint: "…" + String(secret.suffix(4)), createdAt: now,
                createdBy: audit.actor)
        }
    }

    public func webhooks(_ model: ModelName) async throws -> [Webhook] {
        try await read { db in
            let modelID = try SQLiteRows.modelID(db, model)
            return try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM webhooks WHERE model_id = ? ORDER BY id"), arguments: [modelID])
                .map { try Self.webhook($0, model: model) }
        }
    }

    public func allWebhooks() async throws -> [(webhook: Webhook, secret: String)] {
        try await read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT w.*, m.name AS model_name FROM webhooks w JOIN models m ON m.id = w.model_id ORDER BY w.id"))
                .map { row in (try Self.webhook(row, model: ModelName(rawValue: row["model_name"])), row["secret"]) }
        }
    }

    public func deleteWebhook(_ model: ModelName, id: Int64, audit: AuditContext) async throws {
        let now = self.now
        try await write { db in
            let modelID = try SQLiteRows.modelID(db, model)
            try db.cachedStatement(sql: "DELETE FROM webhooks WHERE id = ? AND model_id = ?").execute(arguments: [id, modelID])
            guard db.changesCount == 1 else { throw RegistryError.notFound("'\(model)' has no webhook \(id)") }
            try SQLiteRows.audit(db, model: model, version: nil, action: "webhook.delete", context: audit, details: ["id": String(id)], at: now)
        }
    }

    public func auditEntries(after id: Int64, limit: Int) async throws -> [AuditEntry] {
        try await read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM audit WHERE id > ? ORDER BY id LIMIT ?"), arguments: [id, limit])
                .map(Self.auditEntry)
        }
    }

    public func validationReports(after id: Int64, limit: Int) async throws -> [(id: Int64, report: ValidationReport)] {
        try await read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: "SELECT id, report FROM validation_reports WHERE id > ? ORDER BY id LIMIT ?"), arguments: [id, limit]
            ).compactMap { row in try SQLiteRows.decodeJSON(ValidationReport.self, row[1] as String?).map { (row[0], $0) } }
        }
    }

    public func latestValidationReportID() async throws -> Int64 {
        try await read { db in try Int64.fetchOne(db.cachedStatement(sql: "SELECT MAX(id) FROM validation_reports")) ?? 0 }
    }

    public func webhookCursor(_ source: String) async throws -> Int64? {
        try await read { db in
            try Int64.fetchOne(db.cachedStatement(sql: "SELECT position FROM webhook_cursors WHERE source = ?"), arguments: [source])
        }
    }

    public func advanceWebhookCursor(_ source: String, from: Int64?, to: Int64, deliveries: [NewWebhookDelivery], at now: Date) async throws
        -> Bool
    {
        try await write { db in
            let current = try Int64.fetchOne(db.cachedStatement(sql: "SELECT position FROM webhook_cursors WHERE source = ?"), arguments: [source])
            guard current == from else { return false }
            try db.cachedStatement(sql: """
                    INSERT INTO webhook_cursors (source, position) VALUES (?, ?)
                    ON CONFLICT (source) DO UPDATE SET position = excluded.position
                    """).execute(arguments: [source, to])
            for delivery in deliveries {
                try db.cachedStatement(sql: """
                        INSERT INTO webhook_deliveries (webhook_id, event, payload, state, attempts, next_attempt_at, created_at)
                        SELECT ?, ?, ?, 'pending', '[]', ?, ? WHERE EXISTS (SELECT 1 FROM webhooks WHERE id = ?)
                        """).execute(arguments: [
                        delivery.webhookID, delivery.event.rawValue, delivery.payload, SQLiteRows.millis(now), SQLiteRows.millis(now),
                        delivery.webhookID,
                    ])
            }
            return true
        }
    }

    static func delivery(_ row: Row) throws -> WebhookDelivery {
        WebhookDelivery(
            id: row["id"], webhookID: row["webhook_id"], event: WebhookEvent(rawValue: row["event"]) ?? .deploy, payload: row["payload"],
            state: WebhookDelivery.State(rawValue: row["state"]) ?? .failed,
            attempts: try SQLiteRows.decodeJSON([WebhookDelivery.Attempt].self, row["attempts"]) ?? [],
            nextAttemptAt: (row["next_attempt_at"] as Int64?).map(ISO8601.date(milliseconds:)), createdAt: SQLiteRows.date(row, "created_at"))
    }

    public func claimWebhookDeliveries(now: Date, lease: TimeInterval, limit: Int) async throws
        -> [(delivery: WebhookDelivery, url: String, secret: String)]
    {
        try await write { db in
            let rows = try Row.fetchAll(
                db.cachedStatement(sql: """
                    SELECT d.*, w.url, w.secret FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
                    WHERE d.state = 'pending' AND d.next_attempt_at <= ? ORDER BY d.next_attempt_at, d.id LIMIT ?
                    """), arguments: [SQLiteRows.millis(now), limit])
            var claimed: [(delivery: WebhookDelivery, url: String, secret: String)] = []
            for row in rows {
                try db.cachedStatement(sql: "UPDATE webhook_deliveries SET next_attempt_at = ? WHERE id = ?")
                    .execute(arguments: [SQLiteRows.millis(now.addingTimeInterval(lease)), row["id"] as Int64])
                claimed.append((try Self.delivery(row), row["url"], row["secret"]))
            }
            return claimed
        }
    }

    public func recordWebhookAttempt(_ id: Int64, attempt: WebhookDelivery.Attempt, delivered: Bool, nextAttemptAt: Date?) async throws {
        try await write { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT attempts FROM webhook_deliveries WHERE id = ?"), arguments: [id])
            else { return }  // the hook was deleted meanwhile
            let attempts = (try SQLiteRows.decodeJSON([WebhookDelivery.Attempt].self, row[0] as String?) ?? []) + [attempt]
            let state: WebhookDelivery.State = delivered ? .delivered : nextAttemptAt == nil ? .failed : .pending
            try db.cachedStatement(sql: "UPDATE webhook_deliveries SET state = ?, attempts = ?, next_attempt_at = ? WHERE id = ?")
                .execute(arguments: [state.rawValue, try SQLiteRows.json(attempts), nextAttemptAt.map(SQLiteRows.millis), id])
        }
    }

    public func webhookDeliveries(_ model: ModelName, webhookID: Int64, limit: Int) async throws -> [WebhookDelivery] {
        try await read { db in
            let modelID = try SQLiteRows.modelID(db, model)
            guard try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM webhooks WHERE id = ? AND model_id = ?"), arguments: [webhookID, modelID]) == true
            else { throw RegistryError.notFound("'\(model)' has no webhook \(webhookID)") }
            return try Row.fetchAll(
                db.cachedStatement(sql: "SELECT * FROM webhook_deliveries WHERE webhook_id = ? ORDER BY id DESC LIMIT ?"), arguments: [webhookID, limit]
            ).map(Self.delivery)
        }
    }
}
