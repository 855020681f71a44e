import Dispatch
import HTTPServer
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOPosix
import Serving
import Testing

/// Request handling runs on the event loop of the connection (see `EventLoopPinnedHTTP1`), also after awaiting
/// work that finishes on another thread.
struct EventLoopPinningTests {
    /// Suspends until a Dispatch thread (not an event loop) resumes the caller.
    private static func resumedFromAnotherThread() async {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume() }
        }
    }

    @Test func jobsOfATaskPreferringTheExecutorRunOnItsLoop() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let loop = group.next()
        let executor = EventLoopTaskExecutor(loop)
        let (before, after) = await withTaskExecutorPreference(executor) {
            let before = loop.inEventLoop
            await Self.resumedFromAnotherThread()
            return (before, loop.inEventLoop)
        }
        #expect(before)
        #expect(after)
        try await group.shutdownGracefully()
    }

    @Test func predictionWorkRunsOnTheInferenceExecutorNotTheConnectionsLoop() async throws {
        let executor = InferenceExecutor.shared
        let harness = try APIHarness()
        defer { harness.cleanup() }
        let pool = harness.pool
        let (before, after) = try await pool.offloaded {
            let before = executor.isCurrent
            await Self.resumedFromAnotherThread()
            return (before, executor.isCurrent)
        }
        #expect(before && after)
        #expect(!executor.isCurrent)
        // The benchmark's baseline: inline, where the caller runs.
        let inline = try APIHarness(serving: .init(offloadInference: false))
        defer { inline.cleanup() }
        let inlinePool = inline.pool
        #expect(try await inlinePool.offloaded { executor.isCurrent } == false)
    }

    @Test func handlersOfAPinnedServerRunOnAnEventLoop() async throws {
        let router = Router()
        router.get("where") { _, _ -> String in
            let before = MultiThreadedEventLoopGroup.currentEventLoop != nil
            await Self.resumedFromAnotherThread()
            let after = MultiThreadedEventLoopGroup.currentEventLoop != nil
            return "\(before) \(after)"
        }
        let app = Application(
            router: router, server: .eventLoopPinnedHTTP1(),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            for _ in 0..<3 {
                let response = try await client.execute(uri: "/where", method: .get)
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "true true")
            }
        }
    }
}
