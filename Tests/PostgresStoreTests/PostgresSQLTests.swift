import Foundation
import Logging
@testable import PostgresStore
import RegistryCore
import TestServers
import Testing

/// The statement layer the PostgreSQL store is written on, against a real server: SQLite-style placeholders, the
/// schema's value types, transactions that keep nothing when they fail, and the row lock that makes numbers handed
/// out by several servers consecutive.
@Suite struct PostgresSQLTests {
    let logger = Logger(label: "test.postgres")

    func open(_ url: String) async throws -> PostgresRegistryDatabase {
        try await PostgresRegistryDatabase.open(PostgresLocation(url: url), logger: logger)
    }

    @Test func valuesRoundTripInTheSchemasTypes() async throws {
        let database = try await open(try PostgresServer.createDatabase("values"))
        defer { database.close() }
        try await database.write { sql in
            try await sql.execute("CREATE TABLE t (i BIGINT, r DOUBLE PRECISION, s TEXT, b BYTEA, flag BIGINT)")
            try await sql.execute(
                "INSERT INTO t VALUES (?, ?, ?, ?, ?)",
                [Int64.max, -0.1, "é 漢字 '?' \"x\" 🙂", [UInt8](0...255), true])
            try await sql.execute("INSERT INTO t VALUES (?, ?, ?, ?, ?)", [SQLValue.null, Double?.none, String?.none, SQLValue.null, false])
        }
        let rows = try await database.read { sql in try await sql.fetchAll("SELECT * FROM t WHERE s = '?' OR TRUE ORDER BY i NULLS LAST") }
        #expect(rows.count == 2)
        #expect(try rows[0].integer("i") == Int64.max && rows[0].real("r") == -0.1)
        #expect(try rows[0].text("s") == "é 漢字 '?' \"x\" 🙂" && rows[0].bytes("b") == [UInt8](0...255) && rows[0].flag("flag"))
        #expect(try rows[1].optionalInteger("i") == nil && rows[1].optionalReal("r") == nil && rows[1].optionalText("s") == nil)
        let flagged = try rows[1].flag("flag")
        #expect(rows[1].isNull("b") && !flagged)
        #expect(try PostgresSQL.query("SELECT '?', \"a?\", ? FROM t", [1]).sql == "SELECT '?', \"a?\", $1 FROM t")
    }

    @Test func aFailedTransactionKeepsNothingAndItsErrorComesThrough() async throws {
        let database = try await open(try PostgresServer.createDatabase("rollback"))
        defer { database.close() }
        try await database.write { sql in try await sql.execute("CREATE TABLE t (i BIGINT UNIQUE)") }
        await #expect {
            try await database.write { sql in
                try await sql.execute("INSERT INTO t VALUES (?)", [1])
                throw RegistryError.invalidArgument("no")
            }
        } throws: { ($0 as? RegistryError) == .invalidArgument("no") }
        await #expect {
            try await database.write { sql in
                try await sql.execute("INSERT INTO t VALUES (?)", [2])
                try await sql.execute("INSERT INTO t VALUES (?)", [2])
            }
        } throws: { ($0 as? RegistryError)?.code == .unavailable && "\($0)".contains("duplicate key") }
        let count = try await database.read { sql in try await sql.fetchOne("SELECT count(*) AS n FROM t")!.integer("n") }
        #expect(count == 0)
    }

    /// Two servers (two pools on one database) take numbers from one counter row at once: each number once, none
    /// skipped. `UPDATE … RETURNING` locks the row until commit, so the second waits for the first.
    @Test func numbersTakenByTwoServersAtOnceAreConsecutive() async throws {
        let url = try PostgresServer.createDatabase("counter")
        let first = try await open(url)
        let second = try await open(url)
        defer {
            first.close()
            second.close()
        }
        try await first.write { sql in
            try await sql.execute("CREATE TABLE counters (id BIGINT PRIMARY KEY, last BIGINT NOT NULL)")
            try await sql.execute("CREATE TABLE taken (n BIGINT NOT NULL, server BIGINT NOT NULL)")
            try await sql.execute("INSERT INTO counters VALUES (1, 0)")
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, database) in [first, second].enumerated() {
                for _ in 0..<4 {
                    group.addTask {
                        for _ in 0..<15 {
                            try await database.write { sql in
                                let n = try await sql.fetchOne(
                                    "UPDATE counters SET last = last + 1 WHERE id = 1 RETURNING last")!.integer("last")
                                try await sql.execute("INSERT INTO taken VALUES (?, ?)", [n, index])
                            }
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let taken = try await first.read { sql in
            try await sql.fetchAll("SELECT n, server FROM taken ORDER BY n").map { (try $0.integer("n"), try $0.integer("server")) }
        }
        #expect(taken.map(\.0) == Array(1...120))
        #expect(Set(taken.map(\.1)) == [0, 1], "both servers took numbers")
    }
}
