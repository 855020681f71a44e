import Logging
import PostgresNIO
@testable import PostgresStore
import Synchronization
import TestServers
import Testing

/// Registry events between two servers on one PostgreSQL (two pools, as two processes would have): every event
/// reaches the follower once and in order, through NOTIFY, through the catch-up after a dropped connection, and
/// through polling alone; a rolled-back change announces nothing.
@Suite struct PostgresEventBusTests {
    let logger = Logger(label: "test.events")

    /// Events delivered to a follower, and a way to wait for a count of them without sleeping a fixed time.
    final class Received: Sendable {
        private let events = Mutex<[RegistryEvent]>([])
        func append(_ event: RegistryEvent) { events.withLock { $0.append(event) } }
        var all: [RegistryEvent] { events.withLock { $0 } }

        func wait(for count: Int, timeout: Duration = .seconds(30)) async throws {
            let clock = ContinuousClock()
            let deadline = clock.now + timeout
            while all.count < count {
                guard clock.now < deadline else {
                    Issue.record("only \(all.count) of \(count) events arrived")
                    return
                }
                try await Task.sleep(for: .milliseconds(5))
            }
        }
    }

    func servers(_ label: String) async throws -> (PostgresRegistryDatabase, PostgresRegistryDatabase) {
        let location = try PostgresLocation(url: try PostgresServer.createDatabase(label))
        return (
            try await PostgresRegistryDatabase.open(location, logger: logger),
            try await PostgresRegistryDatabase.open(location, logger: logger)
        )
    }

    func publish(_ database: PostgresRegistryDatabase, _ count: Int, from start: Int = 0) async throws {
        for index in start..<start + count {
            try await database.write { sql in
                try await PostgresEventBus.publish(sql, kind: "deploy", model: "m\(index)", environment: "production")
            }
        }
    }

    @Test func aFollowerHearsEveryEventOnceAndInOrder() async throws {
        let (publisher, follower) = try await servers("events")
        defer {
            publisher.close()
            follower.close()
        }
        let bus = PostgresEventBus(database: follower)
        let received = Received()
        // Polling is an hour apart here: only NOTIFY (and the catch-up on connecting) can deliver in time.
        // Where to start is read before anything is published (read inside the task, it raced the publishers).
        let start = try await bus.latestID()
        let following = Task { try await bus.follow(after: start, pollInterval: .seconds(3600)) { received.append($0) } }
        defer { following.cancel() }
        // Events from 4 publishers at once, some in transactions that roll back.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    try await publish(publisher, 25, from: worker * 25)
                    _ = try? await publisher.write { sql -> Int in
                        try await PostgresEventBus.publish(sql, kind: "deploy", model: "rolled-back")
                        throw CancellationError()
                    }
                }
            }
            try await group.waitForAll()
        }
        try await received.wait(for: 100)
        let events = received.all
        #expect(events.count == 100)
        #expect(events.map(\.id) == events.map(\.id).sorted() && Set(events.map(\.id)).count == 100)
        #expect(Set(events.map(\.model)) == Set((0..<100).map { "m\($0)" }))
        #expect(!events.contains { $0.model == "rolled-back" })
    }

    @Test func afterItsConnectionDropsAFollowerCatchesUpOnWhatItMissed() async throws {
        let (publisher, follower) = try await servers("reconnect")
        defer {
            publisher.close()
            follower.close()
        }
        let bus = PostgresEventBus(database: follower)
        let received = Received()
        let following = Task { try await bus.follow(after: 0, pollInterval: .seconds(3600)) { received.append($0) } }
        defer { following.cancel() }
        var published = 5
        try await publish(publisher, 5)
        try await received.wait(for: published)
        // Cut the listening connection and publish while it is down: NOTIFY reaches nobody, the catch-up must.
        for _ in 0..<3 {
            let cut = try await publisher.read { sql in
                try await sql.fetchAll(
                    "SELECT pg_terminate_backend(pid) AS cut FROM pg_stat_activity WHERE query LIKE 'LISTEN%' AND datname = current_database() AND pid <> pg_backend_pid()")
            }
            #expect(cut.count == 1, "the follower was not listening")
            try await publish(publisher, 5, from: published)
            published += 5
            try await received.wait(for: published)
            // Wait until it listens again before cutting it again.
            while try await publisher.read({ sql in
                try await sql.fetchAll("SELECT 1 FROM pg_stat_activity WHERE query LIKE 'LISTEN%' AND datname = current_database()")
            }).isEmpty {
                try await Task.sleep(for: .milliseconds(10))
            }
        }
        #expect(received.all.map(\.model) == (0..<20).map { "m\($0)" })
    }

    @Test func pollingAloneDeliversEverything() async throws {
        let (publisher, follower) = try await servers("polling")
        defer {
            publisher.close()
            follower.close()
        }
        let bus = PostgresEventBus(database: follower)
        let received = Received()
        let following = Task {
            try await bus.follow(after: 0, pollInterval: .milliseconds(50), listen: false) { received.append($0) }
        }
        defer { following.cancel() }
        try await publish(publisher, 30)
        try await received.wait(for: 30)
        #expect(received.all.map(\.model) == (0..<30).map { "m\($0)" })
    }
}
