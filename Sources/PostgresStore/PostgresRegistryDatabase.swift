public import Foundation
public import Logging
import NIOSSL
public import PostgresNIO
public import RegistryCore

/// Where the registry database lives on PostgreSQL: a `postgres://user:password@host:port/database` URL
/// (`?sslmode=disable|prefer|require`, default `prefer`), as `--database` and `MODELYARD_DATABASE_URL` give it.
public struct PostgresLocation: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var sslMode: String

    /// Reads a URL; every mistake is named with what to write instead.
    public init(url text: String) throws {
        guard let components = URLComponents(string: text), ["postgres", "postgresql"].contains(components.scheme ?? "")
        else {
            throw RegistryError.invalidArgument(
                "the database '\(Self.redacted(text))' must look like postgres://user:password@host:5432/database")
        }
        guard let host = components.host, !host.isEmpty else {
            throw RegistryError.invalidArgument("the database URL names no host: postgres://user@HOST:5432/database")
        }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else {
            throw RegistryError.invalidArgument("the database URL names no database: postgres://user@host:5432/DATABASE")
        }
        guard let user = components.user, !user.isEmpty else {
            throw RegistryError.invalidArgument("the database URL names no user: postgres://USER@host:5432/database")
        }
        let sslMode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "prefer"
        guard ["disable", "prefer", "require"].contains(sslMode) else {
            throw RegistryError.invalidArgument("sslmode must be disable, prefer or require, not '\(sslMode)'")
        }
        self.host = host
        self.port = components.port ?? 5432
        self.user = user.removingPercentEncoding ?? user
        self.password = components.password.map { $0.removingPercentEncoding ?? $0 }
        self.database = database
        self.sslMode = sslMode
    }

    /// The URL without its password, for logs and messages.
    public var description: String { "postgres://\(user)@\(host):\(port)/\(database)" }

    private static func redacted(_ text: String) -> String {
        guard let at = text.lastIndex(of: "@"), let colon = text[..<at].lastIndex(of: ":"),
            text[..<colon].contains("//")
        else { return text }
        return text[..<colon] + ":…" + text[at...]
    }

    /// One connection's settings, for the check at start.
    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        switch sslMode {
        case "disable": tls = .disable
        case "require": tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        default: tls = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
        return PostgresConnection.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: tls)
    }

    func clientConfiguration() throws -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS
        switch sslMode {
        case "disable": tls = .disable
        case "require": tls = .require(.makeClientConfiguration())
        default: tls = .prefer(.makeClientConfiguration())
        }
        return PostgresClient.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: tls)
    }
}

/// A pool of connections to the registry's PostgreSQL database, and its schema brought up to date.
///
/// `run()` must be running for queries to be served (the pool's connections live in it); `open` starts it in a task
/// owned by this object and stops it on `close()`.
public final class PostgresRegistryDatabase: Sendable {
    public let location: PostgresLocation
    public let client: PostgresClient
    let logger: Logger
    private let runner: Task<Void, Never>

    /// Connects and applies the migrations this binary knows that the database has not seen.
    public static func open(_ location: PostgresLocation, logger: Logger) async throws -> PostgresRegistryDatabase {
        try await open(location, logger: logger, migrations: PostgresSchema.migrations)
    }

    static func open(_ location: PostgresLocation, logger: Logger, migrations: [PostgresSchema.Migration]) async throws
        -> PostgresRegistryDatabase
    {
        // One connection first, which also migrates: the pool retries a refused connection without end, so a wrong
        // host, password or database name would hang the start instead of failing it with PostgreSQL's reason.
        let probe: PostgresConnection
        do {
            probe = try await PostgresConnection.connect(
                configuration: try location.connectionConfiguration(), id: 0, logger: logger)
        } catch {
            throw describe(error, location: location)
        }
        do {
            try await migrate(migrations, on: probe, location: location, logger: logger)
            try await probe.close()
        } catch {
            try? await probe.close()
            throw unwrapped(error, location: location)
        }
        let client = PostgresClient(configuration: try location.clientConfiguration(), backgroundLogger: logger)
        return PostgresRegistryDatabase(location: location, client: client, logger: logger)
    }

    private init(location: PostgresLocation, client: PostgresClient, logger: Logger) {
        self.location = location
        self.client = client
        self.logger = logger
        self.runner = Task { await client.run() }
    }

    public func close() {
        runner.cancel()
    }

    /// A constant that names the migration lock among the database's advisory locks ("modelyar" in ASCII).
    static let migrationLock: Int64 = 0x6D6F_6465_6C79_6172

    /// Applies pending migrations in one transaction under an advisory lock, so servers that start together
    /// against one database migrate it once: the second waits for the first, then finds nothing to do. Refuses a
    /// database that a newer Modelyard migrated further than this binary knows.
    static func migrate(
        _ migrations: [PostgresSchema.Migration], on connection: PostgresConnection, location: PostgresLocation,
        logger: Logger
    ) async throws {
        try await connection.withTransaction(logger: logger) { connection in
            let sql = PostgresSQL(connection: connection, logger: logger)
            try await sql.execute("SELECT pg_advisory_xact_lock(?)", [migrationLock])
            try await sql.execute(
                """
                CREATE TABLE IF NOT EXISTS modelyard_migrations (
                    name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
                """)
            let applied = Set(try await sql.fetchAll("SELECT name FROM modelyard_migrations").map { try $0.text("name") })
            if let unknown = applied.subtracting(migrations.map(\.name)).sorted().first {
                throw RegistryError.failedPrecondition(
                    "the database \(location.description) was migrated by a newer Modelyard (\(unknown)); run that version or newer")
            }
            for migration in migrations where !applied.contains(migration.name) {
                logger.info("applying database migration \(migration.name)")
                for statement in migration.statements { try await sql.execute(statement) }
                try await sql.execute("INSERT INTO modelyard_migrations (name) VALUES (?)", [migration.name])
            }
        }
    }

    /// A connection or server error as a message that says what to check, without the password.
    static func describe(_ error: any Error, location: PostgresLocation) -> RegistryError {
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] {
                return .unavailable("the database \(location.description) refused: \(message)")
            }
            return .unavailable(
                "the database \(location.description) could not be reached (\(error.code)); check the host, port and that PostgreSQL runs")
        }
        return .unavailable("the database \(location.description) failed: \(error)")
    }
}
