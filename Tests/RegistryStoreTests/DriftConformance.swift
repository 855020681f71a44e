import DriftStatistics
import Foundation
import RegistryCore
import RegistryStore
import Testing

/// Drift references, settings and summaries: what every store keeps for the drift monitors.
enum DriftConformance {
    typealias Case = StoreConformance.Case
    static let cases: [String: Case] = [
        "driftReferences": references, "driftSettings": settings, "driftSummaries": summaries, "webhooks": webhooks,
    ]

    static func setUp(_ store: any RegistryStore) async throws -> ModelVersion {
        try await StoreConformance.makeModel(store, "fraud")
        return try await StoreConformance.register(store, "fraud")
    }

    static func record(_ version: ModelVersion, source: String = "reference.csv", rows: Int = 3) -> DriftReferenceRecord {
        let table = DriftTable(columns: [.init(name: "amount", values: .numbers([1, 2, Double(rows)]))], rows: 3)
        return DriftReferenceRecord(
            model: version.model, version: version.version, source: source, rows: rows, columns: ["amount"],
            profile: Data(ReferenceProfile(table).encoded()), createdAt: Date(timeIntervalSince1970: 1_700_000_000),
            createdBy: "tester")
    }

    static let references: Case = { store in
        let version = try await setUp(store)
        #expect(try await store.driftReference(version.model, version.version) == nil)
        try await store.setDriftReference(record(version), audit: StoreConformance.actor)
        #expect(try await store.driftReference(version.model, version.version) == record(version))
        // Setting it again replaces it; both are audited.
        try await store.setDriftReference(record(version, source: "upload", rows: 9), audit: StoreConformance.actor)
        let replaced = try #require(try await store.driftReference(version.model, version.version))
        #expect(replaced.source == "upload" && replaced.rows == 9)
        let audit = try await store.auditEntries(version.model, page: try PageRequest(limit: 50)).items
        #expect(audit.filter { $0.action == "drift.reference.set" }.count == 2)
        await StoreConformance.expectCode(.notFound) {
            _ = try await store.driftReference(version.model, StoreConformance.v("9.0.0"))
        }
        // An export carries it; an import brings it back byte for byte.
        try await store.setDriftSettings(version.model, DriftSettings(driftShare: 0.25), audit: StoreConformance.actor)
        let snapshot = try await store.exportSnapshot()
        #expect(snapshot.models.first?.versions.first?.driftReference?.profile == replaced.profile)
        try await store.deleteModel(version.model, audit: StoreConformance.actor)
        try await store.importSnapshot(snapshot, audit: StoreConformance.actor)
        #expect(try await store.driftReference(version.model, version.version) == replaced)
        #expect(try await store.driftSettings(version.model)?.driftShare == 0.25)
        try await store.deleteVersion(version.model, version.version, audit: StoreConformance.actor)
        await StoreConformance.expectCode(.notFound) { _ = try await store.driftReference(version.model, version.version) }
    }

    static let settings: Case = { store in
        let version = try await setUp(store)
        #expect(try await store.driftSettings(version.model) == nil)
        let chosen = DriftSettings(columns: ["amount": .init(method: .psi, threshold: 0.2)], ignore: ["id"], driftShare: 0.3)
        try await store.setDriftSettings(version.model, chosen, audit: StoreConformance.actor)
        #expect(try await store.driftSettings(version.model) == chosen)
        await StoreConformance.expectCode(.invalidArgument) {
            try await store.setDriftSettings(version.model, DriftSettings(driftShare: 2), audit: StoreConformance.actor)
        }
        #expect(try await store.driftSettings(version.model) == chosen)
        try await store.setDriftSettings(version.model, nil, audit: StoreConformance.actor)
        #expect(try await store.driftSettings(version.model) == nil)
        await StoreConformance.expectCode(.notFound) {
            try await store.setDriftSettings(StoreConformance.name("nope"), chosen, audit: StoreConformance.actor)
        }
    }

    static let summaries: Case = { store in
        let version = try await setUp(store)
        let profile = ReferenceProfile(DriftTable(columns: [.init(name: "a", values: .numbers([1, 2, 3, 4, 5, 6, 7]))], rows: 7))
        let report = DriftReport(profile: profile, current: ["a": .numbers([5, 6, 7, 8, 9, 10, 11])], currentRows: 7)
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        let first = DriftSummary(model: version.model, version: version.version, periodStart: start, periodSeconds: 3_600, rows: 7, report: report)
        var second = first
        second.periodStart = start.addingTimeInterval(3_600)
        var orphan = first
        orphan.version = StoreConformance.v("7.0.0")
        try await store.addDriftSummaries([second, first, orphan])
        let stored = try await store.driftSummaries(version.model, version.version, since: start)
        #expect(stored == [first, second])
        #expect(stored.first?.columns.first?.method == .ks && stored.first?.columns.first?.statistic == report.columns.first?.statistic)
        #expect(try await store.pruneDriftSummaries(before: start.addingTimeInterval(60)) == 1)
        #expect(try await store.driftSummaries(version.model, version.version, since: .distantPast) == [second])
        try await store.recordDriftChange(version.model, version.version, drifting: true, details: ["share": "1.0"])
        let audit = try await store.auditEntries(version.model, page: try PageRequest(limit: 50)).items
        #expect(audit.first?.action == "drift.started" && audit.first?.details["share"] == "1.0")
    }

    /// Webhooks: created and listed without their secret, event cursors that move only from where they were,
    /// deliveries leased to one claimer, attempts recorded, and everything gone with the hook.
    static let webhooks: Case = { store in
        let version = try await setUp(store)
        let model = version.model
        let secret = "0123456789abcdef-secret"
        await StoreConformance.expectCode(.invalidArgument) {
            _ = try await store.createWebhook(model, url: "file:///etc/passwd", events: [], secret: secret, audit: StoreConformance.actor)
        }
        await StoreConformance.expectCode(.invalidArgument) {
            _ = try await store.createWebhook(model, url: "http://h/x", events: [], secret: "short", audit: StoreConformance.actor)
        }
        let hook = try await store.createWebhook(model, url: "http://127.0.0.1:9/x", events: [], secret: secret, audit: StoreConformance.actor)
        #expect(hook.events == WebhookEvent.allCases.sorted { $0.rawValue < $1.rawValue } && hook.secretHint == "…cret")
        #expect(try await store.webhooks(model) == [hook])
        #expect(try await store.allWebhooks().map(\.secret) == [secret])

        #expect(try await store.webhookCursor("audit") == nil)
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let delivery = NewWebhookDelivery(webhookID: hook.id, event: .deploy, payload: #"{"a":1}"#)
        #expect(try await store.advanceWebhookCursor("audit", from: nil, to: 5, deliveries: [delivery], at: now))
        #expect(try await !store.advanceWebhookCursor("audit", from: 4, to: 9, deliveries: [delivery], at: now), "not where it was")
        #expect(try await store.webhookCursor("audit") == 5)
        let claimed = try await store.claimWebhookDeliveries(now: now, lease: 60, limit: 10)
        #expect(claimed.count == 1 && claimed[0].secret == secret && claimed[0].delivery.payload == #"{"a":1}"#)
        #expect(try await store.claimWebhookDeliveries(now: now.addingTimeInterval(30), lease: 60, limit: 10).isEmpty, "leased")
        let failed = WebhookDelivery.Attempt(at: now, status: 503, error: nil, milliseconds: 2)
        try await store.recordWebhookAttempt(claimed[0].delivery.id, attempt: failed, delivered: false, nextAttemptAt: now.addingTimeInterval(10))
        let later = try await store.claimWebhookDeliveries(now: now.addingTimeInterval(10), lease: 60, limit: 10)
        #expect(later.first?.delivery.attempts == [failed])
        try await store.recordWebhookAttempt(
            claimed[0].delivery.id, attempt: .init(at: now, status: 200, error: nil, milliseconds: 1), delivered: true, nextAttemptAt: nil)
        let history = try await store.webhookDeliveries(model, webhookID: hook.id, limit: 10)
        #expect(history.count == 1 && history[0].state == .delivered && history[0].attempts.map(\.status) == [503, 200])

        let snapshot = try await store.exportSnapshot()
        #expect(snapshot.models.first?.webhooks == [WebhookSnapshot(url: hook.url, events: hook.events, secret: secret, createdAt: hook.createdAt, createdBy: hook.createdBy)])
        try await store.deleteModel(model, audit: StoreConformance.actor)
        try await store.importSnapshot(snapshot, audit: StoreConformance.actor)
        let restored = try await store.webhooks(model)
        #expect(restored.map(\.url) == [hook.url] && restored.map(\.events) == [hook.events])
        #expect(try await store.allWebhooks().map(\.secret) == [secret])
        try await store.deleteWebhook(model, id: restored[0].id, audit: StoreConformance.actor)
        let hookAgain = try await store.createWebhook(model, url: hook.url, events: [], secret: secret, audit: StoreConformance.actor)
        let entries = try await store.auditEntries(after: 0, limit: 1_000)
        #expect(entries.map(\.id) == entries.map(\.id).sorted() && entries.contains { $0.action == "webhook.create" })
        try await store.deleteWebhook(model, id: hookAgain.id, audit: StoreConformance.actor)
        await StoreConformance.expectCode(.notFound) { _ = try await store.webhookDeliveries(model, webhookID: hookAgain.id, limit: 10) }
        await StoreConformance.expectCode(.notFound) { try await store.deleteWebhook(model, id: hookAgain.id, audit: StoreConformance.actor) }
        #expect(try await store.webhooks(model).isEmpty)
    }
}
