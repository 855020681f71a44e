import Logging
import Registry
import ServiceLifecycle

/// Collects unreferenced blobs and stale partial uploads at start-up and then periodically.
struct GarbageCollectorService: Service {
    let registry: Registry
    let interval: Duration
    let logger: Logger

    func run() async throws {
        while !Task.isCancelled {
            do {
                _ = try await registry.collectGarbage()
            } catch {
                logger.warning("garbage collection failed", metadata: ["error": "\(error)"])
            }
            do {
                try await cancelWhenGracefulShutdown { [interval] in try await Task.sleep(for: interval) }
            } catch {
                return
            }
        }
    }
}
