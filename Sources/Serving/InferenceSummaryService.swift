import Foundation
public import Logging
public import RegistryCore
public import RegistryStore
public import ServiceLifecycle

/// Writes each loaded version's inference counts and percentiles to the store once per period (and once more
/// at shutdown), so a version's performance history survives restarts; summaries older than the retention are
/// deleted at start and then about once an hour. It writes through the pool's narrow store.
public struct InferenceSummaryService: Service {
    let pool: ModelPool
    let period: Duration
    let retention: TimeInterval
    let logger: Logger

    /// - Parameter retention: how long stored summaries are kept (default 30 days).
    public init(
        pool: ModelPool, period: Duration = .seconds(60), retention: TimeInterval = 30 * 86_400, logger: Logger
    ) {
        self.pool = pool
        self.period = period
        self.retention = retention
        self.logger = logger
    }

    public func run() async throws {
        var lastPrune: Date? = nil
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let now = pool.clock()
            if lastPrune.map({ now.timeIntervalSince($0) >= 3600 }) ?? true {
                await pruneLogged(now: now)
                lastPrune = now
            }
            // Shutdown must not wait out the period; what was counted so far is stored on the way out.
            guard (try? await cancelWhenGracefulShutdown({ [period] in try await Task.sleep(for: period) })) != nil
            else { break }
            await flushLogged()
        }
        await flushLogged()
    }

    /// Deletes the summaries older than the retention.
    @discardableResult
    public func prune(now: Date) async throws -> Int {
        try await pool.store.pruneInferenceSummaries(before: now.addingTimeInterval(-retention))
    }

    private func pruneLogged(now: Date) async {
        do {
            let removed = try await prune(now: now)
            if removed > 0 { logger.info("old inference summaries deleted", metadata: ["count": "\(removed)"]) }
        } catch {
            logger.warning("old inference summaries not deleted", metadata: ["error": "\(error)"])
        }
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
        try await pool.store.addInferenceSummaries(summaries)
    }
}
