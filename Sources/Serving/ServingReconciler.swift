public import Logging
public import ServiceLifecycle

/// Polls the store's aliases and swaps versions a deploy made elsewhere (another replica, another process on the
/// same database). Deploys made through this server swap at once; this catches the rest within one interval.
public struct ServingReconciler: Service {
    let pool: ModelPool
    let interval: Duration
    let logger: Logger

    public init(pool: ModelPool, interval: Duration = .seconds(1), logger: Logger) {
        self.pool = pool
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await pool.syncAll()
            } catch {
                logger.warning("serving sync failed; retrying", metadata: ["error": "\(error)"])
            }
            // Shutdown ends the wait at once instead of after the interval.
            guard (try? await cancelWhenGracefulShutdown({ [interval] in try await Task.sleep(for: interval) })) != nil
            else { break }
        }
    }
}
