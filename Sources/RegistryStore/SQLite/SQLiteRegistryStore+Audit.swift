import GRDB
import RegistryCore

extension SQLiteRegistryStore {
    public func auditEntries(_ model: ModelName, page: PageRequest) async throws -> Page<AuditEntry> {
        let before = try page.token.map { token -> Int64 in
            guard let id = Int64(try PageToken.decode(token)) else {
                throw RegistryError.invalidArgument("page_token is not valid for the audit log")
            }
            return id
        }
        return try await read { db in
            var sql = "SELECT * FROM audit WHERE model_name = ?"
            var arguments: StatementArguments = [model.rawValue]
            if let before {
                sql += " AND id < ?"
                arguments += [before]
            }
            let rows = try Row.fetchAll(db, sql: sql + " ORDER BY id DESC LIMIT ?", arguments: arguments + [page.limit + 1])
            if rows.isEmpty, before == nil {
                _ = try SQLiteRows.modelID(db, model)
            }
            let entries = try rows.prefix(page.limit).map(Self.auditEntry)
            let next = rows.count > page.limit ? entries.last.map { PageToken.encode(String($0.id)) } : nil
            return Page(items: entries, nextPageToken: next)
        }
    }

    public func latestAuditID(model: ModelName?) async throws -> Int64 {
        try await read { db in
            if let model {
                return try Int64.fetchOne(
                    db, sql: "SELECT MAX(id) FROM audit WHERE model_name = ?", arguments: [model.rawValue]) ?? 0
            }
            return try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM audit") ?? 0
        }
    }

    static func auditEntry(_ row: Row) throws -> AuditEntry {
        AuditEntry(
            id: row["id"], model: ModelName(rawValue: row["model_name"]),
            version: try (row["version"] as String?).map(SemanticVersion.init(parsing:)), action: row["action"],
            actor: row["actor"], reason: row["reason"],
            details: try SQLiteRows.decodeJSON([String: String].self, row["details"]) ?? [:],
            createdAt: SQLiteRows.date(row, "created_at"))
    }
}
