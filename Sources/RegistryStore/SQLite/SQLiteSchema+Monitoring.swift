import GRDB

/// The migrations of the monitoring records: drift references, settings and summaries (v14) and webhooks (v15).
/// Frozen once shipped, like every migration (`SchemaHistoryTests` pins their schemas).
extension SQLiteSchema {
    /// v14: drift references, settings and hourly summaries.
    static func drift(_ db: Database) throws {
        // Drift: one reference profile per version (binary, `ReferenceProfile.encoded()`), the model's drift
        // settings, and hourly summaries of served rows judged against the reference.
        try db.execute(
            sql: """
                CREATE TABLE drift_references (
                    version_id INTEGER PRIMARY KEY REFERENCES versions(id) ON DELETE CASCADE,
                    source TEXT NOT NULL,
                    rows INTEGER NOT NULL,
                    columns TEXT NOT NULL,
                    profile BLOB NOT NULL,
                    created_at INTEGER NOT NULL,
                    created_by TEXT NOT NULL
                );
                CREATE TABLE drift_settings (
                    model_id INTEGER PRIMARY KEY REFERENCES models(id) ON DELETE CASCADE,
                    settings TEXT NOT NULL,
                    updated_at INTEGER NOT NULL
                );
                CREATE TABLE drift_summaries (
                    id INTEGER PRIMARY KEY,
                    version_id INTEGER NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
                    period_start INTEGER NOT NULL,
                    period_seconds INTEGER NOT NULL,
                    rows INTEGER NOT NULL,
                    compared_columns INTEGER NOT NULL,
                    drifted_columns INTEGER NOT NULL,
                    share REAL NOT NULL,
                    dataset_drift INTEGER NOT NULL,
                    max_score REAL NOT NULL,
                    columns TEXT NOT NULL
                );
                CREATE INDEX drift_summaries_version ON drift_summaries(version_id, period_start);
                """)
    }

    /// v15: webhooks, their deliveries, and the event cursors.
    static func webhooks(_ db: Database) throws {
        // Per-model webhooks (the secret signs each body), their deliveries with every attempt, and how far each
        // event source (the audit log, the validation reports) was read.
        try db.execute(
            sql: """
                CREATE TABLE webhooks (
                    id INTEGER PRIMARY KEY,
                    model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
                    url TEXT NOT NULL,
                    events TEXT NOT NULL,
                    secret TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    created_by TEXT NOT NULL
                );
                CREATE INDEX webhooks_model ON webhooks(model_id);
                CREATE TABLE webhook_deliveries (
                    id INTEGER PRIMARY KEY,
                    webhook_id INTEGER NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
                    event TEXT NOT NULL,
                    payload TEXT NOT NULL,
                    state TEXT NOT NULL,
                    attempts TEXT NOT NULL,
                    next_attempt_at INTEGER,
                    created_at INTEGER NOT NULL
                );
                CREATE INDEX webhook_deliveries_due ON webhook_deliveries(state, next_attempt_at);
                CREATE INDEX webhook_deliveries_hook ON webhook_deliveries(webhook_id, id);
                CREATE TABLE webhook_cursors (
                    source TEXT PRIMARY KEY,
                    position INTEGER NOT NULL
                );
                """)
    }
}
