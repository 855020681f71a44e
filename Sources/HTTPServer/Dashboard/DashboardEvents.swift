import Foundation
import Hummingbird
import NIOCore
import RegistryCore
import RegistryStore
import ServiceLifecycle
import Synchronization

/// `GET /events?model=NAME`: server-sent events that tell open dashboard pages the registry changed.
///
/// Every state change is audited, so the newest audit id is the change cursor; polling it once a second is one
/// indexed read, and it sees changes made through any replica sharing the store. A stream lasts a few minutes and
/// then ends, and the browser's `EventSource` reconnects, so no connection is held forever.
struct DashboardEvents {
    let store: any RegistryStore
    var interval: Duration = .seconds(1)
    var polls = 300

    func response(_ request: Request) -> Response {
        let model = request.query("model").flatMap { try? ModelName(validating: $0) }
        let store = self.store
        let interval = self.interval
        let polls = self.polls
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-store"],
            body: ResponseBody { writer in
                var last = try await store.latestAuditID(model: model)
                try await writer.write(ByteBuffer(string: "retry: 2000\nevent: ready\ndata: \(last)\n\n"))
                let stopping = StopFlag()
                try await withGracefulShutdownHandler {
                    for poll in 1...polls {
                        // On shutdown the stream ends within one interval instead of holding the server open.
                        guard (try? await Task.sleep(for: interval)) != nil, !stopping.isSet else { break }
                        let latest = try await store.latestAuditID(model: model)
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
