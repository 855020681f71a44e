import GRDB
import Synchronization

/// Group commit: write transactions that arrive while the writer is busy share one SQLite transaction.
///
/// SQLite has one writer, so concurrent writes queue up anyway; what each one pays on its own is the fixed cost
/// of a transaction — taking the write lock, appending every page it touched to the WAL, and waking the writer
/// thread. With four clients logging metrics, most of those pages (the tail of the metrics table, the models
/// row, the audit log) are the same ones. So the writes that queued up while the previous transaction ran are
/// taken together: each runs in its own savepoint inside one `BEGIN IMMEDIATE … COMMIT`, and its caller hears back
/// only after that commit. Every caller sees exactly what it would see alone:
/// - a write that throws is rolled back to its savepoint, and only its caller gets the error;
/// - a write that runs alone takes no savepoint at all (as before batching);
/// - if the transaction itself fails (commit, or an I/O error that makes SQLite roll it back), every write in it
///   that had succeeded gets that error, because none of them is on disk.
/// Writes never wait for a batch to fill: the first write starts a drain at once, and the drain takes whatever
/// queued meanwhile, so a lone client sees no added latency.
final class SQLiteWriteBatcher: Sendable {
    private struct Job: Sendable {
        /// Runs the write; returns what delivers its result once the transaction has committed.
        let run: @Sendable (Database) throws -> @Sendable () -> Void
        let fail: @Sendable (any Error) -> Void
    }

    private struct Queue {
        var jobs: [Job] = []
        var draining = false
        var largestBatch = 0
    }

    private let writer: any DatabaseWriter
    private let queue = Mutex(Queue())

    init(writer: any DatabaseWriter) {
        self.writer = writer
    }

    /// The most writes one transaction has carried so far (for tests and diagnostics).
    var largestBatch: Int { queue.withLock { $0.largestBatch } }
    /// Writes waiting for the next batch (for tests that need writes queued behind a running one).
    var queuedWrites: Int { queue.withLock { $0.jobs.count } }

    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let job = Job(
                run: { db in
                    let value = try body(db)
                    return { continuation.resume(returning: value) }
                },
                fail: { continuation.resume(throwing: $0) })
            let startDrain = queue.withLock { queue in
                queue.jobs.append(job)
                defer { queue.draining = true }
                return !queue.draining
            }
            if startDrain {
                writer.asyncWriteWithoutTransaction { db in self.drain(db) }
            }
        }
    }

    /// Runs batches on the writer's queue until no write is waiting.
    private func drain(_ db: Database) {
        while true {
            let jobs = queue.withLock { queue -> [Job] in
                if queue.jobs.isEmpty { queue.draining = false }
                queue.largestBatch = max(queue.largestBatch, queue.jobs.count)
                defer { queue.jobs = [] }
                return queue.jobs
            }
            if jobs.isEmpty { return }
            Self.run(jobs, in: db)
        }
    }

    private static func run(_ jobs: [Job], in db: Database) {
        do {
            try db.beginTransaction(.immediate)
        } catch {
            jobs.forEach { $0.fail(error) }
            return
        }
        let savepoints = jobs.count > 1
        var succeeded: [(job: Job, deliver: @Sendable () -> Void)] = []
        for (index, job) in jobs.enumerated() {
            do {
                if savepoints { try db.cachedStatement(sql: "SAVEPOINT batched").execute() }
                let deliver = try job.run(db)
                if savepoints { try db.cachedStatement(sql: "RELEASE batched").execute() }
                succeeded.append((job, deliver))
            } catch {
                if savepoints, db.isInsideTransaction, (try? db.execute(sql: "ROLLBACK TO batched; RELEASE batched")) != nil {
                    job.fail(error)
                    continue
                }
                // The write ran alone, or the transaction is lost (SQLite rolled it back on an I/O error or a full
                // disk, or the savepoint could not be undone): nothing of this batch is kept.
                rollback(db)
                succeeded.forEach { $0.job.fail(error) }
                jobs[index...].forEach { $0.fail(error) }
                return
            }
        }
        do {
            try db.commit()
        } catch {
            rollback(db)
            succeeded.forEach { $0.job.fail(error) }
            return
        }
        succeeded.forEach { $0.deliver() }
    }

    private static func rollback(_ db: Database) {
        if db.isInsideTransaction { try? db.rollback() }
    }
}
