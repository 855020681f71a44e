import Foundation
import GRDB
import RegistryCore

extension SQLiteRegistryStore {
    public func deploy(
        _ model: ModelName, version: SemanticVersion, environment: EnvironmentName, audit: AuditContext
    ) async throws -> Deployment {
        let now = self.now
        return try await write { db in
            try Self.move(db, model: model, environment: environment, audit: audit, at: now) { _ in (version, .deploy) }
        }
    }

    public func rollback(
        _ model: ModelName, environment: EnvironmentName, to version: SemanticVersion?, audit: AuditContext
    ) async throws -> Deployment {
        let now = self.now
        return try await write { db in
            try Self.move(db, model: model, environment: environment, audit: audit, at: now) { context in
                let history = try Self.deploymentRecords(
                    db, modelID: context.modelID, model: model, environment: environment, descending: false)
                let target = try RollbackPlanner.target(
                    history: history, current: context.current?.version, requested: version, environment: environment)
                return (target, .rollback)
            }
        }
    }

    struct MoveContext {
        var modelID: Int64
        var current: DeploymentTarget?
    }

    /// Moves an alias in the caller's transaction: plans with `DeploymentPlanner`, applies status changes, moves
    /// the alias, and records the deployment and its audit entries.
    static func move(
        _ db: Database, model: ModelName, environment: EnvironmentName, audit: AuditContext, at now: Date,
        choose: (MoveContext) throws -> (SemanticVersion, Deployment.Action)
    ) throws -> Deployment {
        let (modelID, registered) = try SQLiteRows.model(db, model)
        var current: (id: Int64, target: DeploymentTarget)?
        if let row = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT v.id, v.ordinal, v.status FROM aliases a JOIN versions v ON v.id = a.version_id
                WHERE a.model_id = ? AND a.environment = ?
                """), arguments: [modelID, environment.rawValue])
        {
            let id: Int64 = row["id"]
            current = (
                id,
                DeploymentTarget(
                    version: SemanticVersion(ordinal: row["ordinal"]), status: VersionStatus(rawValue: row["status"]) ?? .ready,
                    otherEnvironments: try SQLiteRows.environments(db, versionID: id).filter { $0 != environment })
            )
        }
        let (targetVersion, action) = try choose(MoveContext(modelID: modelID, current: current?.target))
        let (targetID, _, target) = try SQLiteRows.version(db, model, .version(targetVersion))
        let plan = try DeploymentPlanner.plan(
            action: action, environment: environment,
            target: DeploymentTarget(
                version: target.version, status: target.status,
                otherEnvironments: try SQLiteRows.environments(db, versionID: targetID).filter { $0 != environment }),
            current: current?.target, deprecateReplaced: registered.deprecateOnReplace)
        let context = audit
        for change in plan.statusChanges {
            let id = change.version == target.version ? targetID : current?.id
            guard let id else { continue }
            try setStatus(
                db, model: model, modelID: modelID, versionID: id, version: change.version, from: change.from,
                to: change.to, audit: context.with(reason: "\(action.rawValue) of \(environment): \(audit.reason)"), at: now)
        }
        try db.cachedStatement(sql: """
                INSERT INTO aliases (model_id, environment, version_id, updated_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (model_id, environment) DO UPDATE SET version_id = excluded.version_id,
                    updated_at = excluded.updated_at
                """).execute(arguments: [modelID, environment.rawValue, targetID, SQLiteRows.millis(now)])
        try db.cachedStatement(sql: """
                INSERT INTO deployments (model_id, environment, action, from_ordinal, to_ordinal, actor, reason, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [
                modelID, environment.rawValue, action.rawValue, plan.fromVersion?.ordinal, plan.toVersion.ordinal,
                audit.actor, audit.reason, SQLiteRows.millis(now),
            ])
        let record = Deployment(
            id: db.lastInsertedRowID, model: model, environment: environment, action: action,
            fromVersion: plan.fromVersion, toVersion: plan.toVersion, actor: audit.actor, reason: audit.reason,
            createdAt: now)
        var details = ["environment": environment.rawValue]
        if let from = plan.fromVersion { details["from"] = from.description }
        try SQLiteRows.audit(
            db, model: model, version: plan.toVersion, action: action.rawValue, context: audit, details: details, at: now)
        return record
    }

    public func aliases(_ model: ModelName) async throws -> [AliasPointer] {
        try await read { db in
            let modelID = try SQLiteRows.modelID(db, model)
            return try Self.aliases(db, modelID: modelID)
        }
    }

    public func allAliases() async throws -> [ModelName: [AliasPointer]] {
        try await read { db in
            var result: [ModelName: [AliasPointer]] = [:]
            let rows = try Row.fetchCursor(db.cachedStatement(sql: """
                    SELECT m.name, a.environment, v.ordinal, v.number FROM aliases a
                    JOIN versions v ON v.id = a.version_id JOIN models m ON m.id = a.model_id
                    ORDER BY m.name, a.environment
                    """))
            while let row = try rows.next() {
                result[ModelName(rawValue: row[0]), default: []].append(
                    AliasPointer(
                        environment: EnvironmentName(rawValue: row[1]), version: SemanticVersion(ordinal: row[2]),
                        number: row[3]))
            }
            return result
        }
    }

    static func aliases(_ db: Database, modelID: Int64) throws -> [AliasPointer] {
        try Row.fetchAll(db.cachedStatement(sql: """
                SELECT a.environment, v.ordinal, v.number FROM aliases a JOIN versions v ON v.id = a.version_id
                WHERE a.model_id = ? ORDER BY a.environment
                """), arguments: [modelID]
        ).map {
            AliasPointer(
                environment: EnvironmentName(rawValue: $0["environment"]), version: SemanticVersion(ordinal: $0["ordinal"]),
                number: $0["number"])
        }
    }

    public func deployments(_ model: ModelName, environment: EnvironmentName?, page: PageRequest) async throws
        -> Page<Deployment>
    {
        let before = try page.token.map { token -> Int64 in
            guard let id = Int64(try PageToken.decode(token)) else {
                throw RegistryError.invalidArgument("page_token is not valid for deployments")
            }
            return id
        }
        return try await read { db in
            let modelID = try SQLiteRows.modelID(db, model)
            var sql = "SELECT * FROM deployments WHERE model_id = ?"
            var arguments: StatementArguments = [modelID]
            if let environment {
                sql += " AND environment = ?"
                arguments += [environment.rawValue]
            }
            if let before {
                sql += " AND id < ?"
                arguments += [before]
            }
            sql += " ORDER BY id DESC LIMIT ?"
            let rows = try Row.fetchAll(db, sql: sql, arguments: arguments + [page.limit + 1])
            let records = rows.prefix(page.limit).map { Self.deployment($0, model: model) }
            let next = rows.count > page.limit ? records.last.map { PageToken.encode(String($0.id)) } : nil
            return Page(items: Array(records), nextPageToken: next)
        }
    }

    static func deploymentRecords(
        _ db: Database, modelID: Int64, model: ModelName, environment: EnvironmentName?, descending: Bool
    ) throws -> [Deployment] {
        var sql = "SELECT * FROM deployments WHERE model_id = ?"
        var arguments: StatementArguments = [modelID]
        if let environment {
            sql += " AND environment = ?"
            arguments += [environment.rawValue]
        }
        sql += descending ? " ORDER BY id DESC" : " ORDER BY id"
        return try Row.fetchAll(db, sql: sql, arguments: arguments).map { deployment($0, model: model) }
    }

    static func deployment(_ row: Row, model: ModelName) -> Deployment {
        Deployment(
            id: row["id"], model: model, environment: EnvironmentName(rawValue: row["environment"]),
            action: Deployment.Action(rawValue: row["action"]) ?? .deploy,
            fromVersion: (row["from_ordinal"] as Int64?).map(SemanticVersion.init(ordinal:)),
            toVersion: (row["to_ordinal"] as Int64?).map(SemanticVersion.init(ordinal:)), actor: row["actor"],
            reason: row["reason"], createdAt: SQLiteRows.date(row, "created_at"))
    }
}
