import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RegistryCore
import Synchronization
import Testing

@testable import HTTPServer

/// Collects what a streamed response body writes.
final class CollectingWriter: ResponseBodyWriter, Sendable {
    private let state = Mutex((text: "", finished: false))

    var text: String { state.withLock { $0.text } }
    var finished: Bool { state.withLock { $0.finished } }

    func write(_ buffer: ByteBuffer) async throws { state.withLock { $0.text += String(buffer: buffer) } }

    func finish(_ trailingHeaders: HTTPFields?) async throws { state.withLock { $0.finished = true } }
}

@Suite struct DashboardEventsTests {
    /// A change to the model (a registration, which is audited) reaches the stream as a `change` event; a change
    /// to another model does not. The test drives the polls itself: the stream signals each time it waits for the
    /// next poll (its previous poll fully written), and polls when the test says so, so no sleep decides the result.
    @Test func registryChangesOfTheWatchedModelBecomeEvents() async throws {
        let harness = try APIHarness()
        defer { harness.cleanup() }
        let registry = harness.registry
        let audit = AuditContext(actor: "test")
        _ = try await registry.createModel(NewModel(name: ModelName(rawValue: "watched")), audit: audit)
        _ = try await registry.createModel(NewModel(name: ModelName(rawValue: "other")), audit: audit)
        let (waiting, waitingFeed) = AsyncStream<Void>.makeStream()
        let ticks = Ticks()
        let events = DashboardEvents(
            latestChange: { try await registry.latestChange(model: $0) },
            nextPoll: {
                waitingFeed.yield()
                await ticks.wait()
            }, polls: 2)
        var idle = waiting.makeAsyncIterator()
        let request = Request(
            head: HTTPRequest(method: .get, scheme: "http", authority: "localhost", path: "/events?model=watched"),
            body: RequestBody(buffer: ByteBuffer()))
        let response = events.response(request)
        #expect(response.headers[.contentType] == "text/event-stream")
        let writer = CollectingWriter()
        async let streamed: Void = response.body.write(writer)
        await idle.next()
        #expect(writer.text.hasPrefix("retry: 2000\nevent: ready\n"))
        _ = try await registry.registerVersion(ModelName(rawValue: "other"), NewVersion(), audit: audit)
        await ticks.tick()
        await idle.next()
        #expect(!writer.text.contains("event: change"), "a change to another model is not an event")
        _ = try await registry.registerVersion(ModelName(rawValue: "watched"), NewVersion(), audit: audit)
        await ticks.tick()
        try await streamed
        #expect(writer.text.components(separatedBy: "event: change").count - 1 == 1)
        #expect(writer.finished)
    }
}

/// Polls on demand: `wait` returns once per `tick`.
actor Ticks {
    private var pending = 0
    private var waiter: CheckedContinuation<Void, Never>?

    func wait() async {
        if pending > 0 {
            pending -= 1
            return
        }
        await withCheckedContinuation { waiter = $0 }
    }

    func tick() {
        if let waiter {
            self.waiter = nil
            waiter.resume()
        } else {
            pending += 1
        }
    }
}
