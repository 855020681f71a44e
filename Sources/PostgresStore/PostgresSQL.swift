public import Logging
public import PostgresNIO

/// A value bound to a statement's placeholder, in the types the schema uses: what SQLite's store binds, so its SQL
/// ports statement by statement (booleans are integers in both schemas).
public enum SQLValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case bytes([UInt8])
}

/// Swift values that bind as an `SQLValue`.
public protocol SQLValueConvertible: Sendable {
    var sqlValue: SQLValue { get }
}

extension Int64: SQLValueConvertible { public var sqlValue: SQLValue { .integer(self) } }
extension Int: SQLValueConvertible { public var sqlValue: SQLValue { .integer(Int64(self)) } }
extension Bool: SQLValueConvertible { public var sqlValue: SQLValue { .integer(self ? 1 : 0) } }
extension Double: SQLValueConvertible { public var sqlValue: SQLValue { .real(self) } }
extension String: SQLValueConvertible { public var sqlValue: SQLValue { .text(self) } }
extension Array: SQLValueConvertible where Element == UInt8 { public var sqlValue: SQLValue { .bytes(self) } }
extension SQLValue: SQLValueConvertible { public var sqlValue: SQLValue { self } }
extension Optional: SQLValueConvertible where Wrapped: SQLValueConvertible {
    public var sqlValue: SQLValue { self?.sqlValue ?? .null }
}

/// One row of an answer, read by column name.
public struct SQLRow: Sendable {
    let row: PostgresRandomAccessRow

    init(_ row: PostgresRow) { self.row = row.makeRandomAccess() }

    public func decode<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        try row[column].decode(T.self, context: .default)
    }

    public func isNull(_ column: String) -> Bool { row[column].bytes == nil }

    public func integer(_ column: String) throws -> Int64 { try decode(column) }
    public func optionalInteger(_ column: String) throws -> Int64? { try decode(column) }
    public func text(_ column: String) throws -> String { try decode(column) }
    public func optionalText(_ column: String) throws -> String? { try decode(column) }
    public func real(_ column: String) throws -> Double { try decode(column) }
    public func optionalReal(_ column: String) throws -> Double? { try decode(column) }
    /// A boolean kept as an integer, as in the SQLite schema.
    public func flag(_ column: String) throws -> Bool { try integer(column) != 0 }
    public func bytes(_ column: String) throws -> [UInt8] {
        let buffer: ByteBuffer = try decode(column)
        return Array(buffer.readableBytesView)
    }
}

/// Statements inside one transaction (or on one connection for reads), written with SQLite's `?` placeholders.
public struct PostgresSQL: Sendable {
    let connection: PostgresConnection
    let logger: Logger

    /// Runs a statement; answers are discarded.
    public func execute(_ sql: String, _ arguments: [any SQLValueConvertible] = []) async throws {
        let rows = try await connection.query(try Self.query(sql, arguments), logger: logger)
        for try await _ in rows {}
    }

    public func fetchAll(_ sql: String, _ arguments: [any SQLValueConvertible] = []) async throws -> [SQLRow] {
        var result: [SQLRow] = []
        for try await row in try await connection.query(try Self.query(sql, arguments), logger: logger) {
            result.append(SQLRow(row))
        }
        return result
    }

    public func fetchOne(_ sql: String, _ arguments: [any SQLValueConvertible] = []) async throws -> SQLRow? {
        try await fetchAll(sql, arguments).first
    }

    /// The statement with `?` numbered as PostgreSQL's `$1, $2…` (not inside quoted text), and its bindings.
    static func query(_ sql: String, _ arguments: [any SQLValueConvertible]) throws -> PostgresQuery {
        var numbered = ""
        numbered.reserveCapacity(sql.utf8.count + 8)
        var count = 0
        var quote: Character?
        for character in sql {
            if let open = quote {
                if character == open { quote = nil }
                numbered.append(character)
            } else if character == "'" || character == "\"" {
                quote = character
                numbered.append(character)
            } else if character == "?" {
                count += 1
                numbered += "$\(count)"
            } else {
                numbered.append(character)
            }
        }
        precondition(count == arguments.count, "\(count) placeholders, \(arguments.count) arguments: \(sql)")
        var bindings = PostgresBindings(capacity: arguments.count)
        for argument in arguments {
            switch argument.sqlValue {
            case .null: bindings.appendNull()
            case .integer(let value): bindings.append(value)
            case .real(let value): bindings.append(value)
            case .text(let value): bindings.append(value)
            case .bytes(let value): bindings.append(ByteBuffer(bytes: value))
            }
        }
        return PostgresQuery(unsafeSQL: numbered, binds: bindings)
    }
}

extension PostgresRegistryDatabase {
    /// One transaction: committed when `body` returns, rolled back when it throws. Every mutating use case of the
    /// store runs in one, with its audit entry.
    public func write<T: Sendable>(_ body: (PostgresSQL) async throws -> T) async throws -> T {
        do {
            return try await client.withTransaction(logger: logger) { connection in
                try await body(PostgresSQL(connection: connection, logger: logger))
            }
        } catch {
            throw Self.unwrapped(error, location: location)
        }
    }

    /// Statements on one pooled connection, outside a transaction.
    public func read<T: Sendable>(_ body: (PostgresSQL) async throws -> T) async throws -> T {
        do {
            return try await client.withConnection { connection in
                try await body(PostgresSQL(connection: connection, logger: logger))
            }
        } catch {
            throw Self.unwrapped(error, location: location)
        }
    }

    /// The driver's errors become `unavailable` with PostgreSQL's reason; everything else (the registry's own
    /// errors above all) passes through unchanged, out of the transaction error that wraps it.
    static func unwrapped(_ error: any Error, location: PostgresLocation) -> any Error {
        if let wrapper = error as? PostgresTransactionError,
            let inner = wrapper.closureError ?? wrapper.beginError ?? wrapper.commitError
        {
            return unwrapped(inner, location: location)
        }
        return error is PSQLError ? describe(error, location: location) : error
    }
}
