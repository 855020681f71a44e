import GRDB

/// The SQLite schema. Migrations never change once shipped; new ones are appended.
enum SQLiteSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-registry") { db in
            try db.execute(
                sql: """
                    CREATE TABLE models (
                        id INTEGER PRIMARY KEY,
                        name TEXT NOT NULL UNIQUE,
                        description TEXT NOT NULL,
                        owner TEXT NOT NULL,
                        task TEXT NOT NULL,
                        primary_metric TEXT,
                        metric_direction TEXT NOT NULL,
                        default_bump TEXT NOT NULL,
                        deprecate_on_replace INTEGER NOT NULL,
                        pinned_best INTEGER,
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL
                    );
                    CREATE TABLE model_tags (
                        model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
                        key TEXT NOT NULL,
                        value TEXT NOT NULL,
                        PRIMARY KEY (model_id, key)
                    );
                    CREATE INDEX model_tags_key ON model_tags(key, value);
                    CREATE TABLE runs (
                        id TEXT PRIMARY KEY,
                        name TEXT NOT NULL,
                        created_at INTEGER NOT NULL
                    );
                    CREATE TABLE versions (
                        id INTEGER PRIMARY KEY,
                        model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
                        ordinal INTEGER NOT NULL,
                        status TEXT NOT NULL,
                        description TEXT NOT NULL,
                        framework TEXT,
                        base_model TEXT,
                        source_uri TEXT,
                        git_commit TEXT,
                        params TEXT NOT NULL,
                        datasets TEXT NOT NULL,
                        duration_seconds REAL,
                        cost REAL,
                        hardware TEXT,
                        signature TEXT,
                        run_id TEXT REFERENCES runs(id),
                        created_by TEXT NOT NULL,
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL,
                        UNIQUE (model_id, ordinal)
                    );
                    CREATE TABLE version_tags (
                        version_id INTEGER NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
                        key TEXT NOT NULL,
                        value TEXT NOT NULL,
                        PRIMARY KEY (version_id, key)
                    );
                    CREATE TABLE version_scores (
                        version_id INTEGER NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
                        name TEXT NOT NULL,
                        value REAL NOT NULL,
                        PRIMARY KEY (version_id, name)
                    );
                    CREATE INDEX version_scores_name ON version_scores(name, value);
                    CREATE TABLE score_changes (
                        id INTEGER PRIMARY KEY,
                        version_id INTEGER NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
                        name TEXT NOT NULL,
                        value REAL,
                        actor TEXT NOT NULL,
                        recorded_at INTEGER NOT NULL
                    );
                    CREATE INDEX score_changes_version ON score_changes(version_id, id);
                    CREATE TABLE version_parents (
                        child_id INTEGER NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
                        parent_id INTEGER NOT NULL REFERENCES versions(id),
                        position INTEGER NOT NULL,
                        PRIMARY KEY (child_id, parent_id)
                    );
                    CREATE INDEX version_parents_parent ON version_parents(parent_id);
                    CREATE TABLE artifacts (
                        version_id INTEGER NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
                        path TEXT NOT NULL,
                        size INTEGER NOT NULL,
                        sha256 TEXT NOT NULL,
                        created_at INTEGER NOT NULL,
                        PRIMARY KEY (version_id, path)
                    );
                    CREATE INDEX artifacts_sha256 ON artifacts(sha256);
                    CREATE TABLE metrics (
                        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                        name TEXT NOT NULL,
                        step INTEGER NOT NULL,
                        value REAL NOT NULL,
                        timestamp INTEGER NOT NULL
                    );
                    CREATE INDEX metrics_run_name_step ON metrics(run_id, name, step);
                    CREATE TABLE aliases (
                        model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
                        environment TEXT NOT NULL,
                        version_id INTEGER NOT NULL REFERENCES versions(id),
                        updated_at INTEGER NOT NULL,
                        PRIMARY KEY (model_id, environment)
                    );
                    CREATE INDEX aliases_version ON aliases(version_id);
                    CREATE TABLE deployments (
                        id INTEGER PRIMARY KEY,
                        model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
                        environment TEXT NOT NULL,
                        action TEXT NOT NULL,
                        from_ordinal INTEGER,
                        to_ordinal INTEGER,
                        actor TEXT NOT NULL,
                        reason TEXT NOT NULL,
                        created_at INTEGER NOT NULL
                    );
                    CREATE INDEX deployments_model_env ON deployments(model_id, environment, id);
                    CREATE TABLE audit (
                        id INTEGER PRIMARY KEY,
                        model_name TEXT NOT NULL,
                        version TEXT,
                        action TEXT NOT NULL,
                        actor TEXT NOT NULL,
                        reason TEXT NOT NULL,
                        details TEXT NOT NULL,
                        created_at INTEGER NOT NULL
                    );
                    CREATE INDEX audit_model ON audit(model_name, id);
                    """)
        }
        return migrator
    }
}
