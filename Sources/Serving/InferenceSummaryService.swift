import Foundation
public import Logging
public import RegistryCore
public import RegistryStore
public import ServiceLifecycle

/// Writes each loaded version's inference counts and percentiles to the store once per period (and once more
/// at shutdown), so a version's performance history survives restarts.
public struct InferenceSummaryService: Service {
    let pool: ModelPool
    let store: any RegistryStore
    let period: Duration
    let logger: Logger

    public init(pool: ModelPool, store: any RegistryStore, period: Duration = .seconds(60), logger: Logger) {
        self.pool = pool
        self.store = store
        self.period = period
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            // Shutdown must not wait out the period; what was counted so far is stored on the way out.
            guard (try? await cancelWhenGracefulShutdown({ [period] in try await Task.sleep(for: period) })) != nil
            else { break }
            await flushLogged()
        }
        await flushLogged()
    }

    private func flushLogged() async {
        do {
            try await flush()
        } catch {
            logger.warning("inference summaries not stored; they are kept for the next period", metadata: ["error": "\(error)"])
        }
    }

    /// Stores what each loaded version did since the last flush.
    public func flush() async throws {
        let now = pool.clock()
        let (loaded, draining) = pool.loadedVersions()
        let summaries = (loaded + draining).compactMap { model -> InferenceSummary? in
            guard let period = model.metrics.drainPeriod(now: now) else { return nil }
            return InferenceSummary(
                model: model.key.model, version: model.key.version, periodStart: period.start,
                periodSeconds: max(1, Int(now.timeIntervalSince(period.start).rounded())), requests: period.requests,
                rows: period.rows, errors: period.errors, rejected: period.rejected, p50Milliseconds: period.p50,
                p95Milliseconds: period.p95, p99Milliseconds: period.p99)
        }
        try await store.addInferenceSummaries(summaries)
    }
}
