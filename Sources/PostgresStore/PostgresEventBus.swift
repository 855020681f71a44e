public import Logging
import PostgresNIO

/// A change of the registry that servers sharing one database must hear of at once: a deploy, rollback, traffic
/// or limit change. It names what changed, never how: a replica re-reads the named model's state.
public struct RegistryEvent: Sendable, Equatable {
    public var id: Int64
    public var kind: String
    public var model: String
    public var environment: String?

    public init(id: Int64, kind: String, model: String, environment: String?) {
        self.id = id
        self.kind = kind
        self.model = model
        self.environment = environment
    }
}

/// Registry events between servers on one PostgreSQL: recorded in the `registry_events` table by the transaction
/// that makes the change, announced with NOTIFY on commit, and followed by every server.
///
/// Following is three mechanisms for one stream: LISTEN on a dedicated connection (the pool cannot listen) wakes a
/// server within milliseconds; after every (re)connection it catches up from the last event it delivered, since
/// notifications sent while it was not listening are lost; and it polls as a fallback. Events are delivered in id
/// order, each once. Ids are handed out in commit order (publishers serialise on a transaction-level advisory
/// lock), so a follower that delivered id N never later finds a smaller id committing behind it. Registry events
/// are rare (deploys, not predictions), so that serialisation costs nothing that matters.
public struct PostgresEventBus: Sendable {
    public static let channel = "modelyard_events"
    /// The advisory lock publishers take ("modelyev" in ASCII).
    static let publishLock: Int64 = 0x6D6F_6465_6C79_6576

    let database: PostgresRegistryDatabase

    public init(database: PostgresRegistryDatabase) {
        self.database = database
    }

    /// Records an event in the caller's transaction; followers hear of it when that transaction commits, and not at
    /// all if it rolls back.
    @discardableResult
    public static func publish(_ sql: PostgresSQL, kind: String, model: String, environment: String? = nil)
        async throws -> Int64
    {
        try await sql.execute("SELECT pg_advisory_xact_lock(?)", [publishLock])
        let id = try await sql.fetchOne(
            "INSERT INTO registry_events (kind, model, environment) VALUES (?, ?, ?) RETURNING id",
            [kind, model, environment])!.integer("id")
        try await sql.execute("SELECT pg_notify(?, ?)", [channel, String(id)])
        return id
    }

    /// Events after `id`, oldest first.
    public func events(after id: Int64, limit: Int = 1_000) async throws -> [RegistryEvent] {
        try await database.read { sql in
            try await sql.fetchAll(
                "SELECT id, kind, model, environment FROM registry_events WHERE id > ? ORDER BY id LIMIT ?", [id, limit]
            ).map {
                RegistryEvent(
                    id: try $0.integer("id"), kind: try $0.text("kind"), model: try $0.text("model"),
                    environment: try $0.optionalText("environment"))
            }
        }
    }

    /// The newest event's id (0 when there is none): where a server that just started begins to follow.
    public func latestID() async throws -> Int64 {
        try await database.read { sql in
            try await sql.fetchOne("SELECT coalesce(max(id), 0) AS id FROM registry_events")!.integer("id")
        }
    }

    /// Delivers every event after `start`, in order and once each, until cancelled: woken by NOTIFY (unless
    /// `listen` is false), catching up after every reconnection, and polling every `pollInterval` regardless.
    public func follow(
        after start: Int64, pollInterval: Duration = .seconds(5), listen: Bool = true,
        deliver: @escaping @Sendable (RegistryEvent) async -> Void
    ) async throws {
        let (wakes, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        try await withThrowingTaskGroup(of: Void.self) { group in
            if listen {
                group.addTask { await listenForever(wake: wake) }
            }
            group.addTask {
                while !Task.isCancelled {
                    try await Task.sleep(for: pollInterval)
                    wake.yield()
                }
            }
            var last = start
            for await _ in wakes {
                var batch = try await events(after: last)
                while !batch.isEmpty {
                    for event in batch {
                        await deliver(event)
                        last = event.id
                    }
                    batch = try await events(after: last)
                }
            }
            group.cancelAll()
        }
    }

    /// LISTEN on a connection of its own, reconnecting with backoff; wakes the follower after each (re)connection
    /// and on each notification.
    private func listenForever(wake: AsyncStream<Void>.Continuation) async {
        var backoff: Duration = .milliseconds(100)
        let logger = database.logger
        while !Task.isCancelled {
            do {
                let connection = try await PostgresConnection.connect(
                    configuration: try database.location.connectionConfiguration(), id: 1, logger: logger)
                do {
                    try await connection.listen(on: Self.channel) { notifications in
                        backoff = .milliseconds(100)
                        wake.yield()  // catch up on what was published while this server was not listening
                        for try await _ in notifications { wake.yield() }
                    }
                } catch {
                    try? await connection.close()
                    throw error
                }
                try? await connection.close()
            } catch {
                if Task.isCancelled { return }
                let reason = PostgresRegistryDatabase.describe(error, location: database.location).message
                logger.warning("registry events: listening stopped (\(reason)); reconnecting, polling meanwhile")
            }
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, .seconds(5))
        }
    }
}
