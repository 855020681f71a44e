import Logging
@testable import PostgresStore
import TestServers
import Testing

/// Two servers' collection locks on one database: an upload on one holds off a collection on the other, a waiting
/// collection holds off later uploads, and a server that dies releases what it held.
@Suite struct PostgresCollectionLockTests {
    let logger = Logger(label: "test.gc-lock")

    /// Whether some session waits for the collection lock (PostgreSQL's own lock table: no timing involved).
    static func someoneWaits(_ database: PostgresRegistryDatabase) async throws -> Bool {
        try await database.read { sql in
            try await sql.fetchOne(
                "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            )!.integer("n") > 0
        }
    }

    /// Runs `body` with two servers' locks, closing both whatever happens (a connection must be closed before it
    /// goes away).
    func withServers(
        _ location: PostgresLocation,
        _ body: (PostgresCollectionLock, PostgresCollectionLock) async throws -> Void
    ) async throws {
        let a = PostgresCollectionLock(location: location, logger: logger)
        let b = PostgresCollectionLock(location: location, logger: logger)
        do {
            try await body(a, b)
        } catch {
            await a.close()
            await b.close()
            throw error
        }
        await a.close()
        await b.close()
    }

    static func until(_ condition: () async throws -> Bool) async throws {
        while try await !condition() { try await Task.sleep(for: .milliseconds(5)) }
    }

    @Test func uploadsOnOneServerHoldOffACollectionOnAnother() async throws {
        let location = try PostgresLocation(url: try PostgresServer.createDatabase("gclock"))
        let observer = try await PostgresRegistryDatabase.open(location, logger: logger)
        defer { observer.close() }
        try await withServers(location) { a, b in
            // Two uploads on A share its one lock; B's collection waits for both to end.
            try await a.beginUpload()
            try await a.beginUpload()
            let collection = Task { try await b.beginCollection() }
            try await Self.until { try await Self.someoneWaits(observer) }
            try await a.endUpload()
            #expect(try await Self.someoneWaits(observer), "the collection began while an upload was still in flight")
            try await a.endUpload()
            try await collection.value

            // While B collects, a new upload on A waits.
            let upload = Task { try await a.beginUpload() }
            try await Self.until { try await Self.someoneWaits(observer) }
            try await b.endCollection()
            try await upload.value
            try await a.endUpload()
        }
    }

    @Test func aServerThatDiesReleasesItsUploadLock() async throws {
        let location = try PostgresLocation(url: try PostgresServer.createDatabase("gccrash"))
        let observer = try await PostgresRegistryDatabase.open(location, logger: logger)
        defer { observer.close() }
        try await withServers(location) { a, b in
            try await a.beginUpload()
            let collection = Task { try await b.beginCollection() }
            try await Self.until { try await Self.someoneWaits(observer) }
            let pid = try #require(try await a.backendPID())
            try await observer.read { sql in try await sql.execute("SELECT pg_terminate_backend(?::int)", [Int64(pid)]) }
            try await collection.value
            // A reconnects when its upload ends, and its next upload waits for B's collection like any other.
            try await a.endUpload()
            let upload = Task { try await a.beginUpload() }
            try await Self.until { try await Self.someoneWaits(observer) }
            try await b.endCollection()
            try await upload.value
            try await a.endUpload()
        }
    }
}
