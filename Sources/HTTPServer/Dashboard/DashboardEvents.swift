import Foundation
import Hummingbird
import NIOCore
import Registry
import RegistryCore
import ServiceLifecycle
import Synchronization

/// `GET /events?model=NAME`: server-sent events that tell open dashboard pages the registry changed.
///
/// Every state change is audited, so the newest audit id is the change cursor; polling it once a second is one
/// indexed read, and it sees changes made through any replica sharing the store. A stream lasts a few minutes and
/// then ends, and the browser's `EventSource` reconnects, so no connection is held forever.
struct DashboardEvents {
    /// The change cursor of a model (or of all).
    let latestChange: @Sendable (ModelName?) async throws -> Int64
    /// Waits until the next poll: a second in the server; tests pass a signal, so no sleep decides what they see.
    var nextPoll: @Sendable () async throws -> Void = { try await Task.sleep(for: .seconds(1)) }
    var polls = 300

    init(registry: Registry) {
        latestChange = { try await registry.latestChange(model: $0) }
    }

    init(
        latestChange: @escaping @Sendable (ModelName?) async throws -> Int64,
        nextPoll: @escaping @Sendable () async throws -> Void, polls: Int
    ) {
        self.latestChange = latestChange
        self.nextPoll = nextPoll
        self.polls = polls
    }

    func response(_ request: Request) -> Response {
        let model = request.query("model").flatMap { try? ModelName(validating: $0) }
        let latestChange = self.latestChange
        let nextPoll = self.nextPoll
        let polls = self.polls
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-store"],
            body: ResponseBody { writer in
                var last = try await latestChange(model)
                try await writer.write(ByteBuffer(string: "retry: 2000\nevent: ready\ndata: \(last)\n\n"))
                let stopping = StopFlag()
                try await withGracefulShutdownHandler {
                    for poll in 1...polls {
                        // On shutdown the stream ends within one interval instead of holding the server open.
                        guard (try? await nextPoll()) != nil, !stopping.isSet else { break }
                        let latest = try await latestChange(model)
                        if latest != last {
                            last = latest
                            try await writer.write(ByteBuffer(string: "event: change\ndata: \(latest)\n\n"))
                        } else if poll % 15 == 0 {
                            try await writer.write(ByteBuffer(string: ": still here\n\n"))
                        }
                    }
                } onGracefulShutdown: {
                    stopping.set()
                }
                try await writer.finish(nil)
            })
    }
}

/// Set once, from the graceful-shutdown handler; read by the stream's loop.
final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)

    var isSet: Bool { flag.load(ordering: .relaxed) }

    func set() { flag.store(true, ordering: .relaxed) }
}
