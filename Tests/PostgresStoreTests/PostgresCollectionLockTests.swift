import Logging
import NIOCore
@testable import PostgresStore
import Registry
import RegistryCore
import RegistryStore
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

    struct NeverHappened: Error {}

    /// Waits for a condition PostgreSQL reports; fails after 30 s rather than hang.
    static func until(_ condition: () async throws -> Bool) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(30)
        while try await !condition() {
            guard clock.now < deadline else { throw NeverHappened() }
            try await Task.sleep(for: .milliseconds(5))
        }
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

/// The registry enters the shared lock: a collection on one server waits for an upload in flight on another.
@Suite struct SharedCollectionLockRegistryTests {
    @Test func aCollectionOnOneServerWaitsForAnUploadOnAnother() async throws {
        let logger = Logger(label: "test.gc-lock")
        let location = try PostgresLocation(url: try PostgresServer.createDatabase("gcregistry"))
        let observer = try await PostgresRegistryDatabase.open(location, logger: logger)
        defer { observer.close() }
        let artifacts = InMemoryArtifactStore()
        let lockA = PostgresCollectionLock(location: location, logger: logger)
        let lockB = PostgresCollectionLock(location: location, logger: logger)
        let a = Registry(store: try SQLiteRegistryStore.inMemory(), artifacts: artifacts, sharedCollectionLock: lockA)
        let b = Registry(store: try SQLiteRegistryStore.inMemory(), artifacts: artifacts, sharedCollectionLock: lockB)
        let audit = AuditContext(actor: "t")
        let model = ModelName(rawValue: "m")
        _ = try await a.createModel(NewModel(name: model), audit: audit)
        _ = try await a.registerVersion(model, NewVersion(), audit: audit)

        let (stream, feed) = AsyncStream<ByteBuffer>.makeStream()
        let upload = Task {
            try await a.uploadArtifact(
                model, .version(.initial), path: ArtifactPath(rawValue: "w.bin"), bytes: stream, expected: nil, audit: audit)
        }
        feed.yield(ByteBuffer(string: "first half "))
        // Server A's upload holds the shared lock; then B's collection starts and is seen waiting for it.
        try await PostgresCollectionLockTests.until {
            try await observer.read { sql in
                try await sql.fetchOne(
                    "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND granted AND mode = 'ShareLock' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                )!.integer("n") > 0
            }
        }
        let collection = Task { try await b.collectGarbage() }
        try await PostgresCollectionLockTests.until { try await PostgresCollectionLockTests.someoneWaits(observer) }
        feed.yield(ByteBuffer(string: "second half"))
        feed.finish()
        let entry = try await upload.value
        let report = try await collection.value
        #expect(report.deletedBlobs == 0)
        #expect(try await artifacts.verify(entry.sha256))
        await lockA.close()
        await lockB.close()
    }
}
