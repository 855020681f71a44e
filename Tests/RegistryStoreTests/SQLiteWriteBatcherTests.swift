import Foundation
import GRDB
@testable import RegistryStore
import Testing

/// Group commit on a real SQLite file in WAL mode: writes that queue up share one transaction, yet each caller
/// sees exactly what it would see alone.
@Suite struct SQLiteWriteBatcherTests {
    struct Refused: Error, Equatable {
        let owner: Int
    }

    func makePool() throws -> (DatabasePool, URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("batcher-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let pool = try DatabasePool(path: directory.appendingPathComponent("test.sqlite").path)
        try pool.write { db in
            try db.execute(sql: "CREATE TABLE items (id INTEGER PRIMARY KEY, owner INTEGER NOT NULL UNIQUE, note TEXT)")
            try db.execute(sql: "INSERT INTO items (owner) VALUES (-1)")
        }
        return (pool, directory)
    }

    /// Write `owner`: every third one throws after inserting its row, every tenth from 5 breaks a UNIQUE
    /// constraint after inserting its row; the others succeed with their own row.
    static func write(_ owner: Int, _ db: Database) throws -> Int {
        try db.execute(sql: "INSERT INTO items (owner, note) VALUES (?, 'mine')", arguments: [owner])
        if owner % 3 == 0 { throw Refused(owner: owner) }
        if owner % 10 == 5 { try db.execute(sql: "INSERT INTO items (owner) VALUES (-1)") }
        try db.execute(sql: "UPDATE items SET note = 'done' WHERE owner = ?", arguments: [owner])
        return owner
    }

    @Test func queuedWritesShareATransactionAndAFailedOneIsRolledBackAlone() async throws {
        let (pool, directory) = try makePool()
        defer { try? FileManager.default.removeItem(at: directory) }
        let batcher = SQLiteWriteBatcher(writer: pool)
        let count = 200
        // The first write holds the writer until every other write has queued up behind it: signals, not times.
        let started = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let outcomes = await withTaskGroup(of: (Int, Result<Int, any Error>).self) { group in
            group.addTask {
                (1, await Result { try await batcher.write { db in started.signal(); release.wait(); return try Self.write(1, db) } })
            }
            while started.wait(timeout: .now()) == .timedOut { try? await Task.sleep(for: .milliseconds(1)) }
            for owner in 2...count {
                group.addTask { (owner, await Result { try await batcher.write { db in try Self.write(owner, db) } }) }
            }
            while batcher.queuedWrites < count - 1 { try? await Task.sleep(for: .milliseconds(1)) }
            release.signal()
            var outcomes: [Int: Result<Int, any Error>] = [:]
            for await (owner, outcome) in group { outcomes[owner] = outcome }
            return outcomes
        }
        #expect(batcher.largestBatch == count - 1, "the writes queued behind the first should have shared one transaction")
        var expected: Set<Int> = []
        for owner in 1...count {
            switch outcomes[owner] {
            case .success(let value)?:
                #expect(value == owner)
                #expect(owner % 3 != 0 && owner % 10 != 5)
                expected.insert(owner)
            case .failure(let error)?:
                if owner % 3 == 0 {
                    #expect(error as? Refused == Refused(owner: owner))
                } else {
                    #expect(owner % 10 == 5)
                    #expect((error as? DatabaseError)?.resultCode == .SQLITE_CONSTRAINT)
                }
            case nil:
                Issue.record("write \(owner) never answered")
            }
        }
        // Only the successful writes left rows, each complete; a failed write left nothing, not even its first row.
        let rows = try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT owner, note FROM items WHERE owner > 0").map { ($0[0] as Int, $0[1] as String?) }
        }
        #expect(Set(rows.map(\.0)) == expected)
        #expect(rows.allSatisfy { $0.1 == "done" })
        #expect(rows.count == expected.count)

        // A lone write that fails leaves nothing; the next one goes through.
        await #expect(throws: Refused(owner: 300)) { try await batcher.write { db in try Self.write(300, db) } }
        #expect(try await batcher.write { db in try Self.write(301, db) } == 301)
        let lone = try await pool.read { db in try Int.fetchAll(db, sql: "SELECT owner FROM items WHERE owner >= 300") }
        #expect(lone == [301])
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
