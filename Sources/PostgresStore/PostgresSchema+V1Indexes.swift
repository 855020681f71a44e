extension PostgresSchema {
    /// `v1-registry`'s indexes, as SQLite's: the same lookups, the same order of columns.
    static let v1Indexes: [String] = [
        """
        CREATE INDEX model_tags_key ON model_tags(key, value)
        """,
        """
        CREATE INDEX version_scores_name ON version_scores(name, value)
        """,
        """
        CREATE INDEX score_changes_version ON score_changes(version_id, id)
        """,
        """
        CREATE INDEX version_parents_parent ON version_parents(parent_id)
        """,
        """
        CREATE INDEX artifacts_sha256 ON artifacts(sha256)
        """,
        """
        CREATE INDEX aliases_version ON aliases(version_id)
        """,
        """
        CREATE INDEX deployments_model_env ON deployments(model_id, environment, id)
        """,
        """
        CREATE INDEX audit_model ON audit(model_name, id)
        """,
        """
        CREATE INDEX runs_experiment ON runs(experiment_id, start_time)
        """,
        """
        CREATE INDEX logged_models_experiment ON logged_models(experiment_id, name)
        """,
        """
        CREATE INDEX tracked_files_sha256 ON tracked_files(sha256)
        """,
        """
        CREATE INDEX versions_run ON versions(run_id)
        """,
        """
        CREATE INDEX versions_updated ON versions(updated_at)
        """,
        """
        CREATE UNIQUE INDEX versions_model_number ON versions(model_id, number)
        """,
        """
        CREATE INDEX versions_model_stage ON versions(model_id, stage, number)
        """,
        """
        CREATE INDEX version_benchmarks_version ON version_benchmarks(version_id, run_at)
        """,
        """
        CREATE INDEX inference_summaries_version ON inference_summaries(version_id, period_start)
        """,
        """
        CREATE INDEX versions_model_updated ON versions(model_id, updated_at, number)
        """,
        """
        CREATE INDEX latest_metrics_name ON latest_metrics(name, value)
        """,
        """
        CREATE INDEX validation_reports_by_version ON validation_reports(version_id, id)
        """,
        """
        CREATE INDEX imports_by_model ON imports(model, id)
        """,
        """
        CREATE INDEX imports_by_content ON imports(content_sha256, id)
        """,
        """
        CREATE INDEX imports_by_source ON imports(source, id)
        """,
        """
        CREATE INDEX drift_summaries_version ON drift_summaries(version_id, period_start)
        """,
        """
        CREATE INDEX webhooks_model ON webhooks(model_id)
        """,
        """
        CREATE INDEX webhook_deliveries_due ON webhook_deliveries(state, next_attempt_at)
        """,
        """
        CREATE INDEX webhook_deliveries_hook ON webhook_deliveries(webhook_id, id)
        """,
        """
        CREATE INDEX version_benchmarks_suite ON version_benchmarks(suite, version_id, run_at)
        """,
    ]
}
