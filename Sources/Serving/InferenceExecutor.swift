public import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

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

    /// How much lower than the event loops the inference threads run (a Linux nice value): with as many inference
    /// threads as cores, a woken event loop then preempts a busy executor sooner, and the executor still gets every
    /// cycle the loops leave. Measured with `modelyard-bench serving-load`: `/healthz` p99 4.9-5.2 ms niced against
    /// 5.8-6.1 ms not, at the same batch throughput.
    public static let niceness: Int32 = 10

    /// A pool of `threads` threads, started at once and kept for the life of the process.
    public init(threads: Int) {
        group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, threads))
        #if os(Linux)
            // On Linux a nice value belongs to one thread, and `who` 0 is the calling one: set it from each thread.
            for loop in group.makeIterator() {
                // Queued first on each loop, so it runs before any job (and without blocking a caller on a loop).
                loop.execute { _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, Self.niceness) }
            }
        #endif
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
