public import Foundation
import GRDB
public import RegistryCore

/// The embedded default store: one SQLite file in WAL mode, written through GRDB.
///
/// Writes are serialised by SQLite's single writer; each use case runs atomically in an `IMMEDIATE` transaction
/// (or a savepoint of one it shares with the writes queued beside it), so version assignment and alias moves cannot
/// interleave, and `kill -9` at any moment leaves a consistent database.
public struct SQLiteRegistryStore: RegistryStore {
    let writer: any DatabaseWriter
    let batcher: SQLiteWriteBatcher
    let clock: @Sendable () -> Date
    let makeRunID: @Sendable () -> String
    /// A connection of its own for the token lookup every authenticated request makes, read synchronously (see
    /// `token(secretHash:)`); nil for in-memory stores.
    let tokenReader: DatabaseQueue?

    /// Opens (creating if needed) the database at `path` and migrates it.
    public init(
        path: String, clock: @escaping @Sendable () -> Date = { Date() },
        makeRunID: @escaping @Sendable () -> String = Self.randomRunID
    ) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // WAL keeps readers off the writer's path; NORMAL sync is durable against process crashes in WAL mode.
            try db.cachedStatement(sql: "PRAGMA synchronous = NORMAL").execute()
            // 16 MiB of page cache per connection (SQLite's default is 2 MiB): a 100,000-point history is ~7 MiB of
            // index, and re-reading it from the OS on every chart costs more than the scan itself.
            try db.cachedStatement(sql: "PRAGMA cache_size = -16384").execute()
            // Savepoints of batched writes (SQLiteWriteBatcher) journal the pages they change; in memory, that is a
            // copy, where SQLite's default spills anything over 64 KiB (one 100-point log-batch) to a temp file.
            try db.cachedStatement(sql: "PRAGMA temp_store = MEMORY").execute()
        }
        let pool = try DatabasePool(path: path, configuration: configuration)
        try self.init(writer: pool, clock: clock, makeRunID: makeRunID)
        var readOnly = Configuration()
        readOnly.readonly = true
        readOnly.busyMode = .timeout(10)
        self = try SQLiteRegistryStore(
            writer: writer, batcher: batcher, clock: clock, makeRunID: makeRunID,
            tokenReader: DatabaseQueue(path: path, configuration: readOnly))
    }

    /// A private in-memory database, for tests of what sits above the store.
    public static func inMemory(
        clock: @escaping @Sendable () -> Date = { Date() },
        makeRunID: @escaping @Sendable () -> String = Self.randomRunID
    ) throws -> SQLiteRegistryStore {
        try SQLiteRegistryStore(writer: DatabaseQueue(), clock: clock, makeRunID: makeRunID)
    }

    init(writer: any DatabaseWriter, clock: @escaping @Sendable () -> Date, makeRunID: @escaping @Sendable () -> String)
        throws
    {
        self.writer = writer
        self.batcher = SQLiteWriteBatcher(writer: writer)
        self.clock = clock
        self.makeRunID = makeRunID
        self.tokenReader = nil
        try SQLiteSchema.migrator.migrate(writer)
    }

    private init(
        writer: any DatabaseWriter, batcher: SQLiteWriteBatcher, clock: @escaping @Sendable () -> Date,
        makeRunID: @escaping @Sendable () -> String, tokenReader: DatabaseQueue
    ) {
        self.writer = writer
        self.batcher = batcher
        self.clock = clock
        self.makeRunID = makeRunID
        self.tokenReader = tokenReader
    }

    /// 32 lowercase hex characters, the shape MLflow uses for run ids.
    public static let randomRunID: @Sendable () -> String = { RunInfo.newID() }

    /// The current time at the stores' precision (milliseconds), so values read back equal values written.
    var now: Date { ISO8601.date(milliseconds: ISO8601.milliseconds(clock())) }

    /// Runs `body` in an `IMMEDIATE` write transaction — shared with the writes that queued up beside it, each in
    /// its own savepoint (see `SQLiteWriteBatcher`) — translating SQLite failures into registry errors.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await SQLiteErrors.translate { try await batcher.write(body) }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await SQLiteErrors.translate { try await writer.read(body) }
    }
}

/// Maps database failures to registry errors whose messages never leak SQL.
enum SQLiteErrors {
    static let tooComplex = RegistryError.invalidArgument(
        "the request is too large or complex for the database; use fewer filter clauses, ids or sort keys")

    /// SQLite's messages for the limits a query can exceed (variables, expression depth, join width, sort terms,
    /// pattern complexity, parser depth).
    static func isLimit(_ message: String?) -> Bool {
        guard let message = message?.lowercased() else { return false }
        return ["too many", "too large", "too complex", "stack overflow", "at most 64 tables"].contains {
            message.contains($0)
        }
    }

    static func translate<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as RegistryError {
            throw error
        } catch let error as DatabaseError {
            switch error.resultCode {
            case .SQLITE_CONSTRAINT:
                throw RegistryError.failedPrecondition("the change conflicts with existing data; reload and retry")
            case .SQLITE_BUSY, .SQLITE_LOCKED:
                throw RegistryError(.internal, "the database is busy; retry the request")
            case .SQLITE_FULL:
                throw RegistryError(.internal, "the database disk is full")
            case .SQLITE_TOOBIG, .SQLITE_RANGE:
                throw tooComplex
            case .SQLITE_ERROR where Self.isLimit(error.message):
                // A query built from client input past one of SQLite's limits: the request's fault, a 400.
                throw tooComplex
            default:
                throw RegistryError(.internal, "the database failed (code \(error.resultCode.rawValue))")
            }
        }
    }
}
