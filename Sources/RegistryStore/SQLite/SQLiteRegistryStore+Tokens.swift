public import Foundation
import GRDB
import GRDBSQLite
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

    /// Read on every authenticated request, from the store itself (so a revocation or expiry made by any process
    /// sharing the file applies to the next request), synchronously on a connection of its own: one indexed row of
    /// a small table in the page cache takes microseconds, where an asynchronous read's hops to a reader thread and
    /// back cost ~100 us (measured by `modelyard-bench auth`). Nothing else uses that connection, so a caller waits
    /// at most for another token lookup; the shared reader pool is never waited on from a request's thread (that
    /// can deadlock when every cooperative thread waits for a reader held by work queued behind them).
    public func token(secretHash: String) async throws -> AccessToken? {
        let lookup: @Sendable (Database) throws -> AccessToken? = { db in
            let statement = try db.cachedStatement(
                sql: "SELECT \(Self.tokenColumns) FROM access_tokens WHERE secret_hash = ?")
            // Column by column with SQLite's C API: GRDB's Row costs more than the lookup itself here.
            let handle = statement.sqliteStatement
            sqlite3_reset(handle)
            defer { sqlite3_reset(handle) }
            sqlite3_bind_text(handle, 1, secretHash, -1, SQLITE_TRANSIENT_TOKENS)
            let code = sqlite3_step(handle)
            guard code == SQLITE_ROW else {
                if code == SQLITE_DONE { return nil }
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(sqlite3_db_handle(handle))))
            }
            func text(_ column: Int32) -> String? {
                guard let pointer = sqlite3_column_text(handle, column) else { return nil }
                return String(cString: pointer)
            }
            func date(_ column: Int32) -> Date? {
                sqlite3_column_type(handle, column) == SQLITE_NULL
                    ? nil : ISO8601.date(milliseconds: sqlite3_column_int64(handle, column))
            }
            return AccessToken(
                name: text(0) ?? "", scopes: (text(3) ?? "").split(separator: ",").compactMap { AccessScope(rawValue: String($0)) },
                models: ModelRestriction(names: try Self.names(text(4) ?? "[]"), prefixes: try Self.names(text(5) ?? "[]")),
                secretHash: text(1) ?? "", hint: text(2) ?? "", createdAt: date(6) ?? Date(timeIntervalSince1970: 0),
                createdBy: text(7) ?? "", expiresAt: date(8), revokedAt: date(9), revokedBy: text(10), lastUsedAt: date(11))
        }
        guard let tokenReader else { return try await read(lookup) }
        // One statement, so no explicit transaction is needed for a consistent answer (SQLite runs it in its own).
        return try await SQLiteErrors.translate { try tokenReader.unsafeRead(lookup) }
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

    /// A JSON array of names; most tokens have none, and the decoder's set-up would cost more than the lookup.
    static func names(_ text: String) throws -> [String] {
        text == "[]" ? [] : try SQLiteRows.decodeJSON([String].self, text) ?? []
    }

    static func token(_ row: Row) throws -> AccessToken {
        func date(_ index: Int) -> Date? { (row[index] as Int64?).map(ISO8601.date(milliseconds:)) }
        let scopes = (row[3] as String).split(separator: ",").compactMap { AccessScope(rawValue: String($0)) }
        return AccessToken(
            name: row[0], scopes: scopes,
            models: ModelRestriction(
                names: try Self.names(row[4]), prefixes: try Self.names(row[5])),
            secretHash: row[1], hint: row[2], createdAt: ISO8601.date(milliseconds: row[6]), createdBy: row[7],
            expiresAt: date(8), revokedAt: date(9), revokedBy: row[10], lastUsedAt: date(11))
    }
}

/// SQLite copies the bound text (the Swift string's buffer lives only for the call).
private let SQLITE_TRANSIENT_TOKENS = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
