public import Foundation
import GRDB
public import RegistryCore

extension SQLiteRegistryStore {
    static let tokenColumns = """
        name, secret_hash, hint, scopes, model_names, model_prefixes, created_at, created_by, expires_at, revoked_at,
        revoked_by, last_used_at
        """

    public func createToken(_ token: AccessToken) async throws {
        let names = try SQLiteRows.json(token.models.names)
        let prefixes = try SQLiteRows.json(token.models.prefixes)
        try await write { db in
            guard try Int.fetchOne(
                db.cachedStatement(sql: "SELECT 1 FROM access_tokens WHERE name = ?"), arguments: [token.name]) == nil
            else {
                throw RegistryError.alreadyExists(
                    "a token named '\(token.name)' exists (or existed: names of revoked tokens are not reused); choose another name")
            }
            try db.cachedStatement(sql: """
                    INSERT INTO access_tokens (\(Self.tokenColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """).execute(arguments: [
                    token.name, token.secretHash, token.hint, token.scopes.map(\.rawValue).joined(separator: ","),
                    names, prefixes, SQLiteRows.millis(token.createdAt), token.createdBy,
                    token.expiresAt.map(SQLiteRows.millis), token.revokedAt.map(SQLiteRows.millis), token.revokedBy,
                    token.lastUsedAt.map(SQLiteRows.millis),
                ])
        }
    }

    public func tokens() async throws -> [AccessToken] {
        try await read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT \(Self.tokenColumns) FROM access_tokens ORDER BY id"))
                .map(Self.token)
        }
    }

    public func token(secretHash: String) async throws -> AccessToken? {
        try await read { db in
            try Row.fetchOne(
                db.cachedStatement(sql: "SELECT \(Self.tokenColumns) FROM access_tokens WHERE secret_hash = ?"),
                arguments: [secretHash]
            ).map(Self.token)
        }
    }

    public func revokeToken(named name: String, at date: Date, by actor: String) async throws -> AccessToken {
        try await write { db in
            guard let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT \(Self.tokenColumns) FROM access_tokens WHERE name = ?"),
                arguments: [name])
            else { throw RegistryError.notFound("no token is named '\(name.prefix(64))'; `modelyard tokens list` shows them") }
            var token = try Self.token(row)
            guard token.revokedAt == nil else {
                throw RegistryError.failedPrecondition("the token '\(name)' is revoked already")
            }
            token.revokedAt = ISO8601.date(milliseconds: SQLiteRows.millis(date))
            token.revokedBy = actor
            try db.cachedStatement(sql: "UPDATE access_tokens SET revoked_at = ?, revoked_by = ? WHERE name = ?")
                .execute(arguments: [SQLiteRows.millis(date), actor, name])
            return token
        }
    }

    public func recordTokenUse(_ uses: [String: Date]) async throws {
        guard !uses.isEmpty else { return }
        try await write { db in
            let statement = try db.cachedStatement(sql: """
                UPDATE access_tokens SET last_used_at = ? WHERE secret_hash = ? AND (last_used_at IS NULL OR last_used_at < ?)
                """)
            for (hash, date) in uses {
                let millis = SQLiteRows.millis(date)
                try statement.execute(arguments: [millis, hash, millis])
            }
        }
    }

    static func token(_ row: Row) throws -> AccessToken {
        func date(_ index: Int) -> Date? { (row[index] as Int64?).map(ISO8601.date(milliseconds:)) }
        let scopes = (row[3] as String).split(separator: ",").compactMap { AccessScope(rawValue: String($0)) }
        return AccessToken(
            name: row[0], scopes: scopes,
            models: ModelRestriction(
                names: try SQLiteRows.decodeJSON([String].self, row[4]) ?? [],
                prefixes: try SQLiteRows.decodeJSON([String].self, row[5]) ?? []),
            secretHash: row[1], hint: row[2], createdAt: ISO8601.date(milliseconds: row[6]), createdBy: row[7],
            expiresAt: date(8), revokedAt: date(9), revokedBy: row[10], lastUsedAt: date(11))
    }
}
