import Foundation
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
        migrator.registerMigration("v2-tracking") { db in
            try db.execute(sql: trackingSchema)
            // Registration numbers for versions registered before numbers existed: their order of registration,
            // which is their semantic order (versions are monotonic).
            try db.execute(
                sql: """
                    UPDATE versions SET number = (SELECT COUNT(*) FROM versions o
                        WHERE o.model_id = versions.model_id AND o.ordinal <= versions.ordinal);
                    UPDATE models SET last_number = (SELECT COALESCE(MAX(number), 0) FROM versions v
                        WHERE v.model_id = models.id);
                    UPDATE runs SET start_time = created_at;
                    CREATE UNIQUE INDEX versions_model_number ON versions(model_id, number);
                    """)
            try db.execute(
                sql: """
                    INSERT INTO experiments (id, name, artifact_location, lifecycle_stage, created_at, updated_at)
                    VALUES (0, 'Default', 'mlflow-artifacts:/0', 'active', ?, ?)
                    """, arguments: [now(), now()])
        }
        migrator.registerMigration("v3-version-stage-index") { db in
            // Latest version per stage (every MLflow registered-model read) without sorting the model's versions.
            try db.execute(sql: "CREATE INDEX versions_model_stage ON versions(model_id, stage, number)")
        }
        migrator.registerMigration("v4-version-serving") { db in
            // What the model server learnt from a version's model file (JSON `ServingInfo`), NULL until inspected.
            try db.execute(sql: "ALTER TABLE versions ADD COLUMN serving TEXT")
        }
        migrator.registerMigration("v5-traffic") { db in
            // Per-environment traffic policy (JSON `TrafficPolicy`): canary/A-B shares and a shadow version.
            try db.execute(
                sql: """
                    CREATE TABLE traffic (
                        model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
                        environment TEXT NOT NULL,
                        policy TEXT NOT NULL,
                        updated_at INTEGER NOT NULL,
                        PRIMARY KEY (model_id, environment)
                    )
                    """)
        }
        migrator.registerMigration("v6-serving-records") { db in
            // Benchmarks run by the server (JSON `BenchmarkReport`) and per-minute inference summaries: both cascade
            // with their version.
            try db.execute(
                sql: """
                    CREATE TABLE version_benchmarks (
                        id INTEGER PRIMARY KEY,
                        version_id INTEGER NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
                        report TEXT NOT NULL,
                        run_at INTEGER NOT NULL
                    );
                    CREATE INDEX version_benchmarks_version ON version_benchmarks(version_id, run_at);
                    CREATE TABLE inference_summaries (
                        id INTEGER PRIMARY KEY,
                        version_id INTEGER NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
                        period_start INTEGER NOT NULL,
                        period_seconds INTEGER NOT NULL,
                        requests INTEGER NOT NULL,
                        rows INTEGER NOT NULL,
                        errors INTEGER NOT NULL,
                        rejected INTEGER NOT NULL,
                        p50_ms REAL,
                        p95_ms REAL,
                        p99_ms REAL
                    );
                    CREATE INDEX inference_summaries_version ON inference_summaries(version_id, period_start);
                    """)
        }
        migrator.registerMigration("v7-covering-metrics-index") { db in
            // History reads (charts, summaries, metric history) filter by run and name and order by step, timestamp
            // and rowid: with every column they read in the index, they are index-only scans in order, with no
            // sort and no table lookup per point (measured: 100,000 points read ~10x faster).
            try db.execute(
                sql: """
                    CREATE INDEX metrics_run_name_step_time ON metrics(run_id, name, step, timestamp, value);
                    DROP INDEX metrics_run_name_step;
                    """)
        }
        migrator.registerMigration("v8-versions-by-model-and-update") { db in
            // MLflow's search_model_versions lists a model's versions newest-updated first (then by number): read in
            // this index's order, with no sort of every full version row (2,000 versions: ~2 ms of ~6).
            try db.execute(sql: "CREATE INDEX versions_model_updated ON versions(model_id, updated_at, number)")
        }
        migrator.registerMigration("v9-metric-series", migrate: metricSeries)
        migrator.registerMigration("v10-serving-limits") { db in
            // Automatic-rollback limits per model (JSON `ServingLimits`). For a while this table was added to v5
            // after v5 had shipped, so databases created then already have it: IF NOT EXISTS repairs both kinds.
            try db.execute(
                sql: """
                    CREATE TABLE IF NOT EXISTS serving_limits (
                        model_id INTEGER PRIMARY KEY REFERENCES models(id) ON DELETE CASCADE,
                        limits TEXT NOT NULL,
                        updated_at INTEGER NOT NULL
                    )
                    """)
        }
        migrator.registerMigration("v11-highest-version") { db in
            // The highest semantic version a model ever had, deleted ones included, so a deleted version's number is
            // never handed out again (a cached `fraud 1.2.0` must not silently become another model).
            try db.execute(
                sql: """
                    ALTER TABLE models ADD COLUMN highest_ordinal INTEGER;
                    UPDATE models SET highest_ordinal = (SELECT MAX(ordinal) FROM versions WHERE model_id = models.id);
                    """)
        }
        migrator.registerMigration("v12-validation") { db in
            // When a version was trained (the policy's age rule), each model's validation policy by revision, every
            // verdict reached (the deploy gate reads the newest for a version), and every training-folder import
            // attempt (kept by model name, not id: a refused import may name no model, or one that is gone).
            try db.execute(
                sql: """
                    ALTER TABLE versions ADD COLUMN trained_at INTEGER;
                    ALTER TABLE models ADD COLUMN metric_directions TEXT;
                    CREATE TABLE validation_policies (
                        model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
                        revision INTEGER NOT NULL,
                        policy TEXT NOT NULL,
                        actor TEXT NOT NULL,
                        created_at INTEGER NOT NULL,
                        PRIMARY KEY (model_id, revision)
                    );
                    CREATE TABLE validation_reports (
                        id INTEGER PRIMARY KEY,
                        version_id INTEGER NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
                        policy_revision INTEGER NOT NULL,
                        passed INTEGER NOT NULL,
                        report TEXT NOT NULL,
                        created_at INTEGER NOT NULL
                    );
                    CREATE INDEX validation_reports_by_version ON validation_reports(version_id, id);
                    CREATE TABLE imports (
                        id INTEGER PRIMARY KEY,
                        model TEXT,
                        version TEXT,
                        source TEXT NOT NULL,
                        content_sha256 TEXT,
                        outcome TEXT NOT NULL,
                        record TEXT NOT NULL,
                        started_at INTEGER NOT NULL
                    );
                    CREATE INDEX imports_by_model ON imports(model, id);
                    CREATE INDEX imports_by_content ON imports(content_sha256, id);
                    CREATE INDEX imports_by_source ON imports(source, id);
                    """)
        }
        migrator.registerMigration("v13-access-tokens") { db in
            // API tokens, by the SHA-256 of their secret (the secret itself is never stored). Revoked tokens stay,
            // so a name is never reused and the audit log's actors stay unambiguous.
            try db.execute(
                sql: """
                    CREATE TABLE access_tokens (
                        id INTEGER PRIMARY KEY,
                        name TEXT NOT NULL UNIQUE,
                        secret_hash TEXT NOT NULL UNIQUE,
                        hint TEXT NOT NULL,
                        scopes TEXT NOT NULL,
                        model_names TEXT NOT NULL,
                        model_prefixes TEXT NOT NULL,
                        created_at INTEGER NOT NULL,
                        created_by TEXT NOT NULL,
                        expires_at INTEGER,
                        revoked_at INTEGER,
                        revoked_by TEXT,
                        last_used_at INTEGER
                    )
                    """)
        }
        migrator.registerMigration("v14-drift", migrate: drift)
        migrator.registerMigration("v15-webhooks", migrate: webhooks)
        migrator.registerMigration("v16-benchmark-suites") { db in
            // Registered suites (the JSON `BenchmarkSuite`; the file itself is a blob) and, on each stored
            // benchmark, the suite it ran (NULL for a latency-only run) so a model's results on one suite are one
            // indexed read.
            try db.execute(
                sql: """
                    CREATE TABLE benchmark_suites (
                        id INTEGER PRIMARY KEY,
                        name TEXT NOT NULL UNIQUE,
                        sha256 TEXT NOT NULL,
                        record TEXT NOT NULL,
                        created_at INTEGER NOT NULL
                    );
                    ALTER TABLE version_benchmarks ADD COLUMN suite TEXT;
                    CREATE INDEX version_benchmarks_suite ON version_benchmarks(suite, version_id, run_at);
                    """)
        }
        return migrator
    }

    /// Points are keyed by their series — one `latest_metrics` row per run and name, now with an integer `id` —
    /// in a table clustered on `(series_id, step, timestamp, is_nan, value)`. Before, every point was stored twice
    /// (a rowid row and a covering index entry, each repeating the 32-character run id and the name): a 100-point
    /// log-batch wrote ~164 KiB of WAL; now ~100 KiB, and one B-tree insert per point instead of two.
    ///
    /// The key makes a point unique, so logging the very same point again (a retried request) stores it once, as
    /// MLflow does. `WITHOUT ROWID` keys cannot be NULL, so NaN is `is_nan = 1` with `value = 0`; it sorts first
    /// among points of equal step and timestamp, as NULL did.
    static func metricSeries(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE metric_series (
                    id INTEGER PRIMARY KEY,
                    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    name TEXT NOT NULL,
                    step INTEGER NOT NULL,
                    value REAL,
                    timestamp INTEGER NOT NULL,
                    UNIQUE (run_id, name)
                );
                INSERT INTO metric_series (run_id, name, step, value, timestamp)
                    SELECT run_id, name, step, value, timestamp FROM latest_metrics ORDER BY run_id, name;
                CREATE TABLE metric_points (
                    series_id INTEGER NOT NULL REFERENCES metric_series(id) ON DELETE CASCADE,
                    step INTEGER NOT NULL,
                    timestamp INTEGER NOT NULL,
                    is_nan INTEGER NOT NULL,
                    value REAL NOT NULL,
                    PRIMARY KEY (series_id, step, timestamp, is_nan DESC, value)
                ) WITHOUT ROWID;
                INSERT OR IGNORE INTO metric_points (series_id, step, timestamp, is_nan, value)
                    SELECT s.id, m.step, m.timestamp, m.value IS NULL, COALESCE(m.value, 0)
                    FROM metrics m JOIN metric_series s ON s.run_id = m.run_id AND s.name = m.name;
                DROP TABLE metrics;
                DROP TABLE latest_metrics;
                ALTER TABLE metric_series RENAME TO latest_metrics;
                ALTER TABLE metric_points RENAME TO metrics;
                CREATE INDEX latest_metrics_name ON latest_metrics(name, value);
                """)
    }

    private static func now() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }

    /// Experiments, runs with params/tags/inputs/outputs, logged models and the tracking artifact index (MLflow's
    /// entities, which are Modelyard's runs); version registration numbers and stages.
    ///
    /// `metrics` is rebuilt so a value may be NULL, which stands for NaN (SQLite stores NaN as NULL).
    /// `latest_metrics` keeps each run's latest value per key — greatest (step, timestamp, value) — for run reads,
    /// searches and ordering without scanning series.
    static let trackingSchema = """
        CREATE TABLE experiments (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            artifact_location TEXT NOT NULL,
            lifecycle_stage TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        );
        CREATE TABLE experiment_tags (
            experiment_id INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (experiment_id, key)
        );
        ALTER TABLE runs ADD COLUMN experiment_id INTEGER NOT NULL DEFAULT 0 REFERENCES experiments(id);
        ALTER TABLE runs ADD COLUMN user_id TEXT NOT NULL DEFAULT '';
        ALTER TABLE runs ADD COLUMN status TEXT NOT NULL DEFAULT 'FINISHED';
        ALTER TABLE runs ADD COLUMN start_time INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE runs ADD COLUMN end_time INTEGER;
        ALTER TABLE runs ADD COLUMN lifecycle_stage TEXT NOT NULL DEFAULT 'active';
        CREATE INDEX runs_experiment ON runs(experiment_id, start_time);
        CREATE TABLE run_params (
            run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (run_id, key)
        );
        CREATE TABLE run_tags (
            run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (run_id, key)
        );
        CREATE TABLE run_inputs (
            run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            digest TEXT NOT NULL,
            source_type TEXT NOT NULL,
            source TEXT NOT NULL,
            schema TEXT,
            profile TEXT,
            tags TEXT NOT NULL,
            PRIMARY KEY (run_id, name, digest)
        );
        CREATE TABLE run_outputs (
            run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            model_id TEXT NOT NULL,
            step INTEGER NOT NULL,
            PRIMARY KEY (run_id, model_id)
        );
        CREATE TABLE metrics_v2 (
            run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            step INTEGER NOT NULL,
            value REAL,
            timestamp INTEGER NOT NULL
        );
        INSERT INTO metrics_v2 (run_id, name, step, value, timestamp)
            SELECT run_id, name, step, value, timestamp FROM metrics ORDER BY rowid;
        DROP TABLE metrics;
        ALTER TABLE metrics_v2 RENAME TO metrics;
        CREATE INDEX metrics_run_name_step ON metrics(run_id, name, step);
        CREATE TABLE latest_metrics (
            run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            step INTEGER NOT NULL,
            value REAL,
            timestamp INTEGER NOT NULL,
            PRIMARY KEY (run_id, name)
        );
        CREATE INDEX latest_metrics_name ON latest_metrics(name, value);
        INSERT INTO latest_metrics (run_id, name, step, value, timestamp)
            SELECT run_id, name, step, value, timestamp FROM (
                SELECT run_id, name, step, value, timestamp, ROW_NUMBER() OVER (
                    PARTITION BY run_id, name ORDER BY step DESC, timestamp DESC, value DESC) AS position
                FROM metrics) WHERE position = 1;
        CREATE TABLE logged_models (
            id TEXT PRIMARY KEY,
            experiment_id INTEGER NOT NULL REFERENCES experiments(id),
            name TEXT NOT NULL,
            source_run_id TEXT,
            model_type TEXT NOT NULL,
            status TEXT NOT NULL,
            lifecycle_stage TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        );
        CREATE INDEX logged_models_experiment ON logged_models(experiment_id, name);
        CREATE TABLE logged_model_tags (
            model_id TEXT NOT NULL REFERENCES logged_models(id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (model_id, key)
        );
        CREATE TABLE logged_model_params (
            model_id TEXT NOT NULL REFERENCES logged_models(id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (model_id, key)
        );
        CREATE TABLE tracked_files (
            path TEXT PRIMARY KEY,
            size INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            created_at INTEGER NOT NULL
        );
        CREATE INDEX tracked_files_sha256 ON tracked_files(sha256);
        ALTER TABLE models ADD COLUMN last_number INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE versions ADD COLUMN number INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE versions ADD COLUMN stage TEXT NOT NULL DEFAULT 'None';
        ALTER TABLE versions ADD COLUMN logged_model_id TEXT;
        CREATE INDEX versions_run ON versions(run_id);
        CREATE INDEX versions_updated ON versions(updated_at);
        """
}
