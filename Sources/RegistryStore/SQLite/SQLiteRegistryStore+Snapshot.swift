import DriftStatistics
import Foundation
import GRDB
import RegistryCore
import RegistryWire

extension SQLiteRegistryStore {
    public func exportSnapshot() async throws -> RegistrySnapshot {
        let now = self.now
        // One read transaction: the snapshot is consistent even while writers keep going.
        return try await read { db in
            var models: [ModelSnapshot] = []
            for name in try String.fetchAll(db.cachedStatement(sql: "SELECT name FROM models ORDER BY name")) {
                let (modelID, model) = try SQLiteRows.model(db, ModelName(rawValue: name))
                let rows = try Row.fetchAll(db.cachedStatement(sql: "SELECT \(SQLiteRows.versionColumns) FROM versions v WHERE v.model_id = ? ORDER BY v.ordinal"),
                    arguments: [modelID])
                let versions = try SQLiteRows.versions(db, model: model.name, rows: rows).map { id, version in
                    VersionSnapshot(
                        version: version, artifacts: try Self.artifacts(db, versionID: id),
                        scoreChanges: try Self.scoreChanges(db, versionID: id),
                        validations: try String.fetchAll(
                            db.cachedStatement(sql: "SELECT report FROM validation_reports WHERE version_id = ? ORDER BY id"),
                            arguments: [id]
                        ).compactMap { try SQLiteRows.decodeJSON(ValidationReport.self, $0) },
                        driftReference: try Row.fetchOne(
                            db.cachedStatement(sql: """
                                SELECT source, rows, columns, profile, created_at, created_by FROM drift_references WHERE version_id = ?
                                """), arguments: [id]
                        ).map { row in
                            DriftReferenceSnapshot(
                                source: row[0], rows: row[1], columns: try SQLiteRows.decodeJSON([String].self, row[2] as String?) ?? [],
                                profile: row[3], createdAt: ISO8601.date(milliseconds: row[4]), createdBy: row[5])
                        },
                        benchmarks: try String.fetchAll(
                            db.cachedStatement(sql: "SELECT report FROM version_benchmarks WHERE version_id = ? ORDER BY run_at, id"),
                            arguments: [id]
                        ).compactMap { try SQLiteRows.decodeJSON(BenchmarkReport.self, $0) })
                }
                let policies = try Row.fetchAll(
                    db.cachedStatement(sql: "SELECT revision, policy, actor, created_at FROM validation_policies WHERE model_id = ? ORDER BY revision"),
                    arguments: [modelID]
                ).compactMap { row in
                    try SQLiteRows.decodeJSON(ValidationPolicy.self, row[1] as String?).map {
                        PolicyRevision(revision: row[0], policy: $0, updatedAt: ISO8601.date(milliseconds: row[3]), updatedBy: row[2])
                    }
                }
                var traffic: [String: TrafficPolicy] = [:]
                for row in try Row.fetchAll(
                    db.cachedStatement(sql: "SELECT environment, policy FROM traffic WHERE model_id = ?"), arguments: [modelID])
                {
                    traffic[row[0]] = try SQLiteRows.decodeJSON(TrafficPolicy.self, row[1] as String?)
                }
                let audit = try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM audit WHERE model_name = ? ORDER BY id"), arguments: [name]
                ).map(Self.auditEntry)
                models.append(
                    ModelSnapshot(
                        model: model, versions: versions, aliases: try Self.aliases(db, modelID: modelID),
                        deployments: try Self.deploymentRecords(
                            db, modelID: modelID, model: model.name, environment: nil, descending: false),
                        audit: audit,
                        highestVersion: try Int64.fetchOne(
                            db.cachedStatement(sql: "SELECT highest_ordinal FROM models WHERE id = ?"),
                            arguments: [modelID]
                        ).map(SemanticVersion.init(ordinal:)),
                        policies: policies,
                        servingLimits: try SQLiteRows.decodeJSON(
                            ServingLimits.self,
                            try String.fetchOne(
                                db.cachedStatement(sql: "SELECT limits FROM serving_limits WHERE model_id = ?"), arguments: [modelID])),
                        traffic: traffic,
                        driftSettings: try SQLiteRows.decodeJSON(
                            DriftSettings.self,
                            try String.fetchOne(
                                db.cachedStatement(sql: "SELECT settings FROM drift_settings WHERE model_id = ?"), arguments: [modelID])),
                        webhooks: try Row.fetchAll(
                            db.cachedStatement(sql: "SELECT * FROM webhooks WHERE model_id = ? ORDER BY id"), arguments: [modelID]
                        ).map { row in
                            WebhookSnapshot(
                                url: row["url"],
                                events: (try SQLiteRows.decodeJSON([String].self, row["events"]) ?? []).compactMap(WebhookEvent.init(rawValue:)),
                                secret: row["secret"], createdAt: SQLiteRows.date(row, "created_at"), createdBy: row["created_by"])
                        }))
            }
            let runRows = try Row.fetchAll(db.cachedStatement(sql: "SELECT \(Self.runColumns), r.created_at FROM runs r ORDER BY r.created_at, r.id"))
            let details = try Self.runs(db, rows: runRows)
            let runs = try zip(runRows, details).map { row, run in
                var run = run
                run.metrics = []  // the series travels in `metrics`; latest values are recomputed on import
                return RunSnapshot(
                    id: row["id"], name: row["name"], createdAt: SQLiteRows.date(row, "created_at"),
                    metrics: try Self.metrics(db, runID: row["id"], name: nil), details: run)
            }
            let tracking = TrackingSnapshot(
                experiments: try Self.experiments(db, rows: try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM experiments ORDER BY id"))),
                loggedModels: try Self.loggedModels(
                    db, rows: try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM logged_models ORDER BY created_at, id"))),
                files: try Row.fetchAll(db.cachedStatement(sql: "SELECT path, size, sha256 FROM tracked_files ORDER BY path")).map {
                    TrackedFileEntry(path: $0[0], size: $0[1], sha256: BlobDigest(rawValue: $0[2]))
                })
            let imports = try Row.fetchAll(db.cachedStatement(sql: "SELECT id, record FROM imports ORDER BY id")).compactMap(Self.record)
            let suites = try String.fetchAll(db.cachedStatement(sql: "SELECT record FROM benchmark_suites ORDER BY name"))
                .compactMap { try SQLiteRows.decodeJSON(BenchmarkSuite.self, $0) }
            return RegistrySnapshot(exportedAt: now, models: models, runs: runs, tracking: tracking, imports: imports, suites: suites)
        }
    }

    public func importSnapshot(_ snapshot: RegistrySnapshot, audit: AuditContext) async throws {
        guard snapshot.format == RegistrySnapshot.currentFormat else {
            throw RegistryError.invalidArgument(
                "snapshot format \(snapshot.format) is not supported; this server reads format \(RegistrySnapshot.currentFormat)")
        }
        let now = self.now
        try await write { db in
            for model in snapshot.models {
                if try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM models WHERE name = ?"), arguments: [model.model.name.rawValue]) == true {
                    throw RegistryError.alreadyExists(
                        "model '\(model.model.name)' exists already; import into a registry without it")
                }
            }
            if let tracking = snapshot.tracking {
                try Self.importExperiments(db, tracking.experiments)
            }
            for run in snapshot.runs {
                if try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM runs WHERE id = ?"), arguments: [run.id]) == true {
                    throw RegistryError.alreadyExists("run '\(run.id)' exists already; import into a fresh registry")
                }
                try Self.importRun(db, run)
            }
            for record in snapshot.imports ?? [] {
                try Self.insertImport(db, record)
            }
            for suite in snapshot.suites ?? [] {
                // A suite of the same name and file is already here (suites are global, models are not): keep it.
                if let existing = try String.fetchOne(
                    db.cachedStatement(sql: "SELECT sha256 FROM benchmark_suites WHERE name = ?"), arguments: [suite.name.rawValue])
                {
                    guard existing == suite.sha256.rawValue else {
                        throw RegistryError.alreadyExists(
                            "suite '\(suite.name)' exists already with another file; import into a registry without it")
                    }
                    continue
                }
                try db.cachedStatement(sql: "INSERT INTO benchmark_suites (name, sha256, record, created_at) VALUES (?, ?, ?, ?)")
                    .execute(arguments: [suite.name.rawValue, suite.sha256.rawValue, try SQLiteRows.json(suite), SQLiteRows.millis(suite.createdAt)])
            }
            if let tracking = snapshot.tracking {
                try Self.importLoggedModels(db, tracking.loggedModels)
                for file in tracking.files {
                    try db.cachedStatement(sql: """
                            INSERT INTO tracked_files (path, size, sha256, created_at) VALUES (?, ?, ?, ?)
                            ON CONFLICT (path) DO UPDATE SET size = excluded.size, sha256 = excluded.sha256
                            """).execute(arguments: [file.path, file.size, file.sha256.rawValue, SQLiteRows.millis(now)])
                }
            }
            var versionIDs: [VersionKey: Int64] = [:]
            var modelIDs: [ModelName: Int64] = [:]
            for snap in snapshot.models {
                let modelID = try Self.insertModel(db, snap.model)
                modelIDs[snap.model.name] = modelID
                // Exports older than registration numbers carry 0: number those in version order after the rest.
                var nextNumber = (snap.versions.map(\.version.number).max() ?? 0) + 1
                for versionSnap in snap.versions.sorted(by: { $0.version.version < $1.version.version }) {
                    var versionSnap = versionSnap
                    if versionSnap.version.number <= 0 {
                        versionSnap.version.number = nextNumber
                        nextNumber += 1
                    }
                    versionIDs[versionSnap.version.key] = try Self.insertVersion(db, modelID: modelID, versionSnap)
                }
                try db.cachedStatement(sql: "UPDATE models SET last_number = (SELECT COALESCE(MAX(number), 0) FROM versions WHERE model_id = ?) WHERE id = ?").execute(arguments: [modelID, modelID])
                try db.cachedStatement(
                    sql: """
                        UPDATE models SET highest_ordinal = NULLIF(
                            MAX(COALESCE(?, 0), COALESCE((SELECT MAX(ordinal) FROM versions WHERE model_id = ?), 0)), 0)
                        WHERE id = ?
                        """
                ).execute(arguments: [snap.highestVersion?.ordinal, modelID, modelID])
                try Self.insertServingRecords(db, modelID: modelID, snap, now: now)
            }
            for snap in snapshot.models {
                for versionSnap in snap.versions {
                    guard let childID = versionIDs[versionSnap.version.key] else { continue }
                    for (position, parent) in versionSnap.version.parents.enumerated() {
                        let parentID: Int64
                        if let known = versionIDs[parent] {
                            parentID = known
                        } else {
                            parentID = try SQLiteRows.version(db, parent.model, .version(parent.version)).id
                        }
                        try db.cachedStatement(sql: "INSERT INTO version_parents (child_id, parent_id, position) VALUES (?, ?, ?)").execute(arguments: [childID, parentID, position])
                    }
                }
                guard let modelID = modelIDs[snap.model.name] else { continue }
                try Self.insertHistory(db, modelID: modelID, snap, versionIDs: versionIDs)
                try SQLiteRows.audit(
                    db, model: snap.model.name, version: nil, action: "registry.import", context: audit,
                    details: ["versions": String(snap.versions.count)], at: now)
            }
        }
    }

    /// Policies, verdicts, serving limits and traffic: what decides how a model serves.
    private static func insertServingRecords(_ db: Database, modelID: Int64, _ snap: ModelSnapshot, now: Date) throws {
        for revision in snap.policies ?? [] {
            try db.cachedStatement(
                sql: "INSERT INTO validation_policies (model_id, revision, policy, actor, created_at) VALUES (?, ?, ?, ?, ?)"
            ).execute(arguments: [
                modelID, revision.revision, try SQLiteRows.json(revision.policy), revision.updatedBy ?? "",
                SQLiteRows.millis(revision.updatedAt ?? now),
            ])
        }
        for version in snap.versions {
            guard let reports = version.benchmarks, !reports.isEmpty else { continue }
            let versionID = try SQLiteRows.version(db, snap.model.name, .version(version.version.version)).id
            for report in reports {
                try insertBenchmark(db, versionID: versionID, report: report, json: try SQLiteRows.json(report))
            }
        }
        for version in snap.versions {
            guard let reports = version.validations, !reports.isEmpty else { continue }
            let versionID = try SQLiteRows.version(db, snap.model.name, .version(version.version.version)).id
            for report in reports {
                try db.cachedStatement(
                    sql: "INSERT INTO validation_reports (version_id, policy_revision, passed, report, created_at) VALUES (?, ?, ?, ?, ?)"
                ).execute(arguments: [
                    versionID, report.policyRevision, report.passed, try SQLiteRows.json(report),
                    SQLiteRows.millis(report.validatedAt),
                ])
            }
        }
        for version in snap.versions {
            guard let reference = version.driftReference else { continue }
            let versionID = try SQLiteRows.version(db, snap.model.name, .version(version.version.version)).id
            try db.cachedStatement(sql: """
                    INSERT INTO drift_references (version_id, source, rows, columns, profile, created_at, created_by)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """).execute(arguments: [
                    versionID, reference.source, reference.rows, try SQLiteRows.json(reference.columns), reference.profile,
                    SQLiteRows.millis(reference.createdAt), reference.createdBy,
                ])
        }
        for hook in snap.webhooks ?? [] {
            try db.cachedStatement(sql: """
                    INSERT INTO webhooks (model_id, url, events, secret, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)
                    """).execute(arguments: [
                    modelID, hook.url, try SQLiteRows.json(hook.events.map(\.rawValue)), hook.secret, SQLiteRows.millis(hook.createdAt),
                    hook.createdBy,
                ])
        }
        if let settings = snap.driftSettings {
            try db.cachedStatement(sql: "INSERT INTO drift_settings (model_id, settings, updated_at) VALUES (?, ?, ?)")
                .execute(arguments: [modelID, try SQLiteRows.json(settings), SQLiteRows.millis(now)])
        }
        if let limits = snap.servingLimits {
            try db.cachedStatement(sql: "INSERT INTO serving_limits (model_id, limits, updated_at) VALUES (?, ?, ?)")
                .execute(arguments: [modelID, try SQLiteRows.json(limits), SQLiteRows.millis(now)])
        }
        for (environment, policy) in (snap.traffic ?? [:]).sorted(by: { $0.key < $1.key }) {
            try db.cachedStatement(sql: "INSERT INTO traffic (model_id, environment, policy, updated_at) VALUES (?, ?, ?, ?)")
                .execute(arguments: [modelID, environment, try SQLiteRows.json(policy), SQLiteRows.millis(now)])
        }
    }

    /// Experiments keep their ids; one that exists already must carry the same name (the Default one always does).
    private static func importExperiments(_ db: Database, _ experiments: [Experiment]) throws {
        for experiment in experiments {
            if let existing = try String.fetchOne(db.cachedStatement(sql: "SELECT name FROM experiments WHERE id = ?"), arguments: [experiment.id]) {
                guard existing == experiment.name else {
                    throw RegistryError.alreadyExists(
                        "experiment \(experiment.id) exists already as '\(existing)'; import into a fresh registry")
                }
            } else {
                try db.cachedStatement(sql: """
                        INSERT INTO experiments (id, name, artifact_location, lifecycle_stage, created_at, updated_at)
                        VALUES (?, ?, ?, ?, ?, ?)
                        """).execute(arguments: [
                        experiment.id, experiment.name, experiment.artifactLocation, experiment.lifecycleStage.rawValue,
                        experiment.createdAt, experiment.updatedAt,
                    ])
            }
            for (key, value) in experiment.tags {
                try db.cachedStatement(sql: "INSERT OR REPLACE INTO experiment_tags (experiment_id, key, value) VALUES (?, ?, ?)").execute(arguments: [experiment.id, key, value])
            }
        }
    }

    private static func importRun(_ db: Database, _ run: RunSnapshot) throws {
        let info = run.details?.info
        try db.cachedStatement(sql: """
                INSERT INTO runs (id, name, created_at, experiment_id, user_id, status, start_time, end_time, lifecycle_stage)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [
                run.id, run.name, SQLiteRows.millis(run.createdAt), info?.experimentID ?? Experiment.defaultID,
                info?.userID ?? "", (info?.status ?? .finished).rawValue, info?.startTime ?? SQLiteRows.millis(run.createdAt),
                info?.endTime, (info?.lifecycleStage ?? .active).rawValue,
            ])
        try insertMetrics(db, runID: run.id, points: run.metrics)
        guard let details = run.details else { return }
        for (key, value) in details.params {
            try db.cachedStatement(sql: "INSERT INTO run_params (run_id, key, value) VALUES (?, ?, ?)").execute(arguments: [run.id, key, value])
        }
        for (key, value) in details.tags {
            try db.cachedStatement(sql: "INSERT INTO run_tags (run_id, key, value) VALUES (?, ?, ?)").execute(arguments: [run.id, key, value])
        }
        for input in details.inputs {
            try db.cachedStatement(sql: """
                    INSERT OR REPLACE INTO run_inputs (run_id, name, digest, source_type, source, schema, profile, tags)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """).execute(arguments: [
                    run.id, input.name, input.digest, input.sourceType, input.source, input.schema, input.profile,
                    try SQLiteRows.json(input.tags),
                ])
        }
        for output in details.outputs {
            try db.cachedStatement(sql: "INSERT OR REPLACE INTO run_outputs (run_id, model_id, step) VALUES (?, ?, ?)").execute(arguments: [run.id, output.modelID, output.step])
        }
    }

    private static func importLoggedModels(_ db: Database, _ models: [LoggedModel]) throws {
        for model in models {
            if try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM logged_models WHERE id = ?"), arguments: [model.id]) == true {
                throw RegistryError.alreadyExists("logged model '\(model.id)' exists already; import into a fresh registry")
            }
            try db.cachedStatement(sql: """
                    INSERT INTO logged_models (id, experiment_id, name, source_run_id, model_type, status, lifecycle_stage,
                        created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """).execute(arguments: [
                    model.id, model.experimentID, model.name, model.sourceRunID, model.modelType, model.status.rawValue,
                    model.lifecycleStage.rawValue, model.createdAt, model.updatedAt,
                ])
            for (key, value) in model.tags {
                try db.cachedStatement(sql: "INSERT INTO logged_model_tags (model_id, key, value) VALUES (?, ?, ?)").execute(arguments: [model.id, key, value])
            }
            for (key, value) in model.params {
                try db.cachedStatement(sql: "INSERT INTO logged_model_params (model_id, key, value) VALUES (?, ?, ?)").execute(arguments: [model.id, key, value])
            }
        }
    }

    private static func insertModel(_ db: Database, _ model: RegisteredModel) throws -> Int64 {
        try db.cachedStatement(sql: """
                INSERT INTO models (name, description, owner, task, primary_metric, metric_direction, default_bump,
                    deprecate_on_replace, pinned_best, created_at, updated_at, metric_directions)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [
                model.name.rawValue, model.description, model.owner, model.task, model.primaryMetric,
                model.metricDirection.rawValue, model.defaultBump.rawValue, model.deprecateOnReplace,
                model.pinnedBest?.ordinal, SQLiteRows.millis(model.createdAt), SQLiteRows.millis(model.updatedAt),
                try SQLiteRows.json(model.metricDirections.mapValues(\.rawValue)),
            ])
        let id = db.lastInsertedRowID
        try SQLiteRows.replaceTags(db, table: "model_tags", owner: "model_id", id: id, tags: model.tags)
        return id
    }

    private static func insertVersion(_ db: Database, modelID: Int64, _ snap: VersionSnapshot) throws -> Int64 {
        let v = snap.version
        try db.cachedStatement(sql: """
                INSERT INTO versions (model_id, ordinal, status, description, framework, base_model, source_uri,
                    git_commit, params, datasets, duration_seconds, cost, hardware, signature, run_id, created_by,
                    created_at, updated_at, number, stage, serving, trained_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [
                modelID, v.version.ordinal, v.status.rawValue, v.description, v.framework, v.baseModel, v.sourceURI,
                v.gitCommit, try SQLiteRows.json(v.params), try SQLiteRows.json(v.datasets), v.durationSeconds, v.cost,
                v.hardware, try v.signature.map(SQLiteRows.json), v.runID, v.createdBy, SQLiteRows.millis(v.createdAt),
                SQLiteRows.millis(v.updatedAt), v.number, v.stage.rawValue, try v.serving.map(SQLiteRows.json),
                v.trainedAt.map(SQLiteRows.millis),
            ])
        let id = db.lastInsertedRowID
        try SQLiteRows.replaceTags(db, table: "version_tags", owner: "version_id", id: id, tags: v.tags)
        for (name, value) in v.scores {
            try db.cachedStatement(sql: "INSERT INTO version_scores (version_id, name, value) VALUES (?, ?, ?)").execute(arguments: [id, name, value])
        }
        for change in snap.scoreChanges {
            try db.cachedStatement(sql: "INSERT INTO score_changes (version_id, name, value, actor, recorded_at) VALUES (?, ?, ?, ?, ?)").execute(arguments: [id, change.name, change.value, change.actor, SQLiteRows.millis(change.recordedAt)])
        }
        for artifact in snap.artifacts {
            try db.cachedStatement(sql: "INSERT INTO artifacts (version_id, path, size, sha256, created_at) VALUES (?, ?, ?, ?, ?)").execute(arguments: [
                    id, artifact.path.rawValue, artifact.size, artifact.sha256.rawValue,
                    SQLiteRows.millis(artifact.createdAt),
                ])
        }
        return id
    }

    private static func insertHistory(
        _ db: Database, modelID: Int64, _ snap: ModelSnapshot, versionIDs: [VersionKey: Int64]
    ) throws {
        for alias in snap.aliases {
            guard let versionID = versionIDs[VersionKey(model: snap.model.name, version: alias.version)] else {
                throw RegistryError.invalidArgument(
                    "snapshot alias \(alias.environment) of '\(snap.model.name)' points at a missing version")
            }
            try db.cachedStatement(sql: "INSERT INTO aliases (model_id, environment, version_id, updated_at) VALUES (?, ?, ?, ?)").execute(arguments: [modelID, alias.environment.rawValue, versionID, SQLiteRows.millis(snap.model.updatedAt)])
        }
        for record in snap.deployments {
            try db.cachedStatement(sql: """
                    INSERT INTO deployments (model_id, environment, action, from_ordinal, to_ordinal, actor, reason, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """).execute(arguments: [
                    modelID, record.environment.rawValue, record.action.rawValue, record.fromVersion?.ordinal,
                    record.toVersion?.ordinal, record.actor, record.reason, SQLiteRows.millis(record.createdAt),
                ])
        }
        for entry in snap.audit {
            try db.cachedStatement(sql: """
                    INSERT INTO audit (model_name, version, action, actor, reason, details, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """).execute(arguments: [
                    entry.model.rawValue, entry.version?.description, entry.action, entry.actor, entry.reason,
                    try SQLiteRows.json(entry.details), SQLiteRows.millis(entry.createdAt),
                ])
        }
    }
}
