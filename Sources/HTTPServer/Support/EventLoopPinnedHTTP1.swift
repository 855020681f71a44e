public import HummingbirdCore
import Logging
public import NIOCore

/// HTTP/1.1 connections whose request handling runs on the event loop that owns the connection's socket.
///
/// Hummingbird runs each connection as a task on Swift's global executor, so a request crosses threads twice
/// before any handler code runs: the event loop reads and parses it, then wakes a cooperative-pool thread to
/// handle it, which hands the response back to the event loop to write. Each crossing is a futex wake-up and a
/// context switch on both sides: pinning saved 8-10% of the server's CPU on a create-model-version request.
/// Preferring the connection's own event loop as the task executor makes both hand-overs plain function calls on
/// one thread. Awaiting elsewhere (the database writer; predictions, which run on `InferenceExecutor`) still works
/// as before: the task resumes on its event loop afterwards.
struct EventLoopPinnedHTTP1: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let inner: HTTP1Channel

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        inner.setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        await withTaskExecutorPreference(EventLoopTaskExecutor(value.channel.eventLoop)) {
            await inner.handle(value: value, logger: logger)
        }
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 with each connection's handling on its own event loop (see `EventLoopPinnedHTTP1`).
    public static func eventLoopPinnedHTTP1(configuration: HTTP1Channel.Configuration = .init()) -> HTTPServerBuilder {
        .init { responder in
            EventLoopPinnedHTTP1(inner: HTTP1Channel(responder: responder, configuration: configuration))
        }
    }
}

/// A task executor that runs jobs on one NIO event loop.
public final class EventLoopTaskExecutor: TaskExecutor {
    public let eventLoop: any EventLoop

    public init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
