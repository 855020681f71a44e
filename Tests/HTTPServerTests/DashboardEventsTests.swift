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
    /// to another model does not.
    @Test func registryChangesOfTheWatchedModelBecomeEvents() async throws {
        let harness = try APIHarness()
        defer { harness.cleanup() }
        let registry = harness.registry
        let audit = AuditContext(actor: "test")
        _ = try await registry.createModel(NewModel(name: ModelName(rawValue: "watched")), audit: audit)
        _ = try await registry.createModel(NewModel(name: ModelName(rawValue: "other")), audit: audit)
        let events = DashboardEvents(store: registry.store, interval: .milliseconds(50), polls: 12)
        let request = Request(
            head: HTTPRequest(method: .get, scheme: "http", authority: "localhost", path: "/events?model=watched"),
            body: RequestBody(buffer: ByteBuffer()))
        let response = events.response(request)
        #expect(response.headers[.contentType] == "text/event-stream")
        let writer = CollectingWriter()
        async let streamed: Void = response.body.write(writer)
        try await Task.sleep(for: .milliseconds(120))
        _ = try await registry.registerVersion(ModelName(rawValue: "other"), NewVersion(), audit: audit)
        try await Task.sleep(for: .milliseconds(120))
        #expect(!writer.text.contains("event: change"))
        _ = try await registry.registerVersion(ModelName(rawValue: "watched"), NewVersion(), audit: audit)
        try await streamed
        #expect(writer.text.hasPrefix("retry: 2000\nevent: ready\n"))
        #expect(writer.text.components(separatedBy: "event: change").count - 1 == 1)
        #expect(writer.finished)
    }
}
