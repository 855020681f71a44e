public import Logging
import PostgresNIO
import RegistryCore
public import RegistryStore

/// Garbage collection across servers that share one database and one artifact store: no server deletes blobs while
/// another is uploading, and only one collects at a time.
///
/// A server holds a shared advisory lock while it has uploads in flight, and the exclusive one while it collects,
/// on a connection of its own. PostgreSQL queues a waiting collection ahead of later uploads, so neither side
/// starves, and a server that dies loses its connection and with it its locks: no lease outlives its holder and
/// nothing needs to expire. This complements the registry's in-process gate (uploads and the collection of one
/// server), which is entered first.
public actor PostgresCollectionLock: SharedCollectionLock {
    /// The advisory lock's key ("modelygc" in ASCII).
    static let key: Int64 = 0x6D6F_6465_6C79_6763

    let location: PostgresLocation
    let logger: Logger
    private var connection: PostgresConnection?
    private var uploads = 0
    private var busy = false
    private var isShutDown = false
    private var queue: [CheckedContinuation<Void, Never>] = []

    public init(location: PostgresLocation, logger: Logger) {
        self.location = location
        self.logger = logger
    }

    /// An upload begins; waits while another server collects.
    public func beginUpload() async throws {
        try await serialized {
            if uploads == 0 { try await run("SELECT pg_advisory_lock_shared(?)") }
            uploads += 1
        }
    }

    public func endUpload() async throws {
        try await serialized {
            uploads -= 1
            if uploads == 0 { try await run("SELECT pg_advisory_unlock_shared(?)") }
        }
    }

    /// The collection begins once no server uploads and none collects.
    public func beginCollection() async throws {
        try await serialized { try await run("SELECT pg_advisory_lock(?)") }
    }

    public func endCollection() async throws {
        try await serialized { try await run("SELECT pg_advisory_unlock(?)") }
    }

    /// The backend process of this lock's connection (tests cut it to play a server that died).
    func backendPID() async throws -> Int32? {
        try await serialized {
            let rows = try await connected().query("SELECT pg_backend_pid() AS pid", logger: logger)
            for try await pid in rows.decode(Int32.self) { return pid }
            return nil
        }
    }

    /// Releases the locks and the connection; calls after this fail.
    public func close() async {
        isShutDown = true
        await drop()
    }

    /// Runs a lock statement; when the connection turns out to be gone (and its locks with it), once more on a new
    /// one, which first takes the shared lock back if uploads are in flight.
    private func run(_ statement: String) async throws {
        for attempt in 1...2 {
            do {
                try await PostgresSQL(connection: try await connected(), logger: logger).execute(statement, [Self.key])
                return
            } catch {
                let lost = connection?.isClosed ?? true
                await drop()
                if attempt == 2 || !lost { throw PostgresRegistryDatabase.unwrapped(error, location: location) }
            }
        }
    }

    private func drop() async {
        guard let old = connection else { return }
        connection = nil
        try? await old.close()
    }

    private func connected() async throws -> PostgresConnection {
        if isShutDown { throw RegistryError.unavailable("the garbage-collection lock is closed") }
        if let connection, !connection.isClosed { return connection }
        if connection != nil {
            logger.warning("the garbage-collection lock's connection was lost, and its locks with it; reconnecting")
        }
        let fresh = try await PostgresConnection.connect(
            configuration: try location.connectionConfiguration(), id: 2, logger: logger)
        // Uploads still running keep their protection on the new connection.
        if uploads > 0 {
            try await PostgresSQL(connection: fresh, logger: logger).execute("SELECT pg_advisory_lock_shared(?)", [Self.key])
        }
        connection = fresh
        return fresh
    }

    /// One lock operation at a time: a connection runs one statement at a time, and an upload arriving while the
    /// first one waits for the shared lock must wait for it too, not count itself in unlocked.
    private func serialized<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        while busy { await withCheckedContinuation { queue.append($0) } }
        busy = true
        defer {
            busy = false
            if !queue.isEmpty { queue.removeFirst().resume() }
        }
        return try await body()
    }
}
