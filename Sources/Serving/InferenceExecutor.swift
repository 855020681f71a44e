public import NIOCore
import NIOPosix

/// Where predictions and the parsing of their bodies run: a bounded set of threads, one per core, apart from the
/// event loops that read and write sockets. A 10,000-row batch then occupies one of these threads, and the
/// event loop it arrived on goes on answering its other connections (`/healthz`, small predictions, uploads).
///
/// It is a `TaskExecutor`: a handler runs the body of a request inside `run { ... }` and every job of that code
/// (parsing, selecting the version, running the model, encoding the answer) executes on these threads; the
/// response is written back on the connection's own event loop as before. At most `threads` jobs run at once;
/// more requests wait in the loops' queues, bounded by the connections the server has open.
public final class InferenceExecutor: TaskExecutor {
    /// One thread per core, shared by every model pool of the process.
    public static let shared = InferenceExecutor(threads: System.coreCount)

    private let group: MultiThreadedEventLoopGroup

    /// A pool of `threads` threads, started at once and kept for the life of the process.
    public init(threads: Int) {
        group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, threads))
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        group.next().execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }

    /// Runs `body` with this executor preferred, so its synchronous work happens on the inference threads.
    public func run<T>(_ body: () async throws -> T) async throws -> T {
        try await withTaskExecutorPreference(self) { try await body() }
    }

    /// Whether the calling code is running on one of the inference threads (for tests).
    public var isCurrent: Bool { group.makeIterator().contains { $0.inEventLoop } }
}
