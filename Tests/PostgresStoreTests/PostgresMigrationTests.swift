import Crypto
import Foundation
import GRDB
import Logging
import PostgresNIO
@testable import PostgresStore
@testable import RegistryStore
import RegistryCore
import TestServers
import Testing

/// The PostgreSQL schema against a real server (a cluster in a temporary directory): applied once even when servers
/// start together, frozen once shipped, refused when newer, and column for column the SQLite schema.
@Suite struct PostgresMigrationTests {
    let logger = Logger(label: "test.postgres")

    func open(_ url: String) async throws -> PostgresRegistryDatabase {
        try await PostgresRegistryDatabase.open(PostgresLocation(url: url), logger: logger)
    }

    /// Every column of the public schema: table, column, type, nullability, default.
    static func columns(_ database: PostgresRegistryDatabase) async throws -> [String] {
        var result: [String] = []
        let rows = try await database.client.query(
            """
            SELECT table_name, column_name, data_type, is_nullable, coalesce(column_default, '')
            FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position
            """, logger: Logger(label: "test.postgres"))
        for try await (table, column, type, nullable, defaultValue) in rows.decode((String, String, String, String, String).self) {
            result.append("\(table).\(column) \(type) \(nullable) \(defaultValue)")
        }
        return result
    }

    @Test func serversThatStartTogetherMigrateOnce() async throws {
        let url = try PostgresServer.createDatabase("migrate")
        let databases = try await withThrowingTaskGroup(of: PostgresRegistryDatabase.self) { group in
            for _ in 0..<4 { group.addTask { try await open(url) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        defer { databases.forEach { $0.close() } }
        let names = try await databases[0].client.query("SELECT name FROM modelyard_migrations", logger: logger)
            .collect().map { try $0.decode(String.self) }
        #expect(names == PostgresSchema.migrations.map(\.name))
        let experiments = try await databases[1].client.query(
            "SELECT id, name FROM experiments", logger: logger
        ).collect().map { try $0.decode((Int64, String).self) }
        #expect(experiments.count == 1 && experiments[0] == (0, "Default"))
        // Opening again finds nothing to do and changes nothing.
        let before = try await Self.columns(databases[2])
        let again = try await open(url)
        defer { again.close() }
        #expect(try await Self.columns(again) == before)
    }

    /// Migration name and the start of the sha256 of every column (type, nullability, default) after it ran.
    static let shipped: [(String, String)] = [
        ("v1-registry", "f3b0e327c5de06b6"),
        ("v2-registry-events", "ec853a6e58ec153f"),
    ]

    /// Shipped migrations are frozen, as SQLite's are (`SchemaHistoryTests`): a database in the field ran them as
    /// they were, so each one's effect is pinned.
    @Test func theShippedMigrationsAreFrozen() async throws {
        #expect(PostgresSchema.migrations.map(\.name) == Self.shipped.map(\.0), "a new migration needs its fingerprint here")
        for (index, (name, expected)) in Self.shipped.enumerated() {
            let location = try PostgresLocation(url: try PostgresServer.createDatabase("frozen"))
            let database = try await PostgresRegistryDatabase.open(location, logger: logger, migrations: Array(PostgresSchema.migrations.prefix(index + 1)))
            defer { database.close() }
            let columns = try await Self.columns(database)
            let digest = SHA256.hash(data: Data(columns.joined(separator: "\n").utf8)).map { String(format: "%02x", $0) }
                .joined().prefix(16)
            #expect(
                String(digest) == expected,
                "\(name) changed; shipped migrations never change, append one instead. Columns now:\n\(columns.joined(separator: "\n"))")
        }
    }

    /// Both stores hold the same tables and columns, so a registry moves between them whole; a SQLite migration
    /// that adds a column needs its PostgreSQL twin.
    @Test func theSchemaHasTheSQLiteSchemasTablesAndColumns() async throws {
        let database = try await open(try PostgresServer.createDatabase("parity"))
        defer { database.close() }
        var postgres: Set<String> = []
        // The migrations' own table and the replicas' events exist on PostgreSQL only.
        for line in try await Self.columns(database)
        where !line.hasPrefix("modelyard_migrations.") && !line.hasPrefix("registry_events.") {
            postgres.insert(String(line.prefix { $0 != " " }))
        }
        let sqlite = try SQLiteRegistryStore.inMemory()
        let tables = try await sqlite.writer.read { db in
            try String.fetchAll(
                db,
                sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'grdb_migrations'")
        }
        var expected: Set<String> = []
        for table in tables {
            for column in try await sqlite.writer.read({ db in try db.columns(in: table).map(\.name) }) {
                expected.insert("\(table).\(column)")
            }
        }
        #expect(postgres.subtracting(expected).sorted() == [], "columns only on PostgreSQL")
        #expect(expected.subtracting(postgres).sorted() == [], "columns only on SQLite")
    }

    @Test func aDatabaseMigratedByANewerModelyardIsRefused() async throws {
        let url = try PostgresServer.createDatabase("newer")
        let database = try await open(url)
        try await database.client.query("INSERT INTO modelyard_migrations (name) VALUES ('v99-from-the-future')", logger: logger)
        database.close()
        await #expect {
            try await open(url)
        } throws: { error in
            (error as? RegistryError)?.code == .failedPrecondition && "\(error)".contains("migrated by a newer Modelyard")
        }
    }

    @Test func anUnreachableServerOrAMissingDatabaseIsNamedWithoutThePassword() async throws {
        let missing = try PostgresServer.createDatabase("exists") + "_not"
        await #expect {
            try await open(missing)
        } throws: { error in
            (error as? RegistryError)?.code == .unavailable && "\(error)".contains("does not exist")
        }
        await #expect {
            try await open("postgres://someone:hunter2@127.0.0.1:1/registry")
        } throws: { error in
            "\(error)".contains("could not be reached") && !"\(error)".contains("hunter2")
        }
    }

    @Test func databaseURLsAreReadAndMistakesNamed() throws {
        let location = try PostgresLocation(url: "postgres://ml%40corp:p%3Ass@db.internal/registry?sslmode=require")
        #expect(location.host == "db.internal" && location.port == 5432 && location.database == "registry")
        #expect(location.user == "ml@corp" && location.password == "p:ss" && location.sslMode == "require")
        #expect(location.description == "postgres://ml@corp@db.internal:5432/registry")
        for (url, message) in [
            ("mysql://u@h/db", "must look like postgres://"),
            ("postgres://u@h", "names no database"),
            ("postgres://h/db", "names no user"),
            ("postgres://u@h/db?sslmode=verify-full", "sslmode must be"),
            ("postgres://u:secret@/db", "names no host"),
        ] {
            #expect(throws: RegistryError.self) { try PostgresLocation(url: url) }
            do {
                _ = try PostgresLocation(url: url)
            } catch {
                #expect("\(error)".contains(message), "\(url): \(error)")
                #expect(!"\(error)".contains("secret"))
            }
        }
    }
}
