public import Foundation
public import Logging
public import Registry
import Prometheus
public import RegistryCore
public import ServiceLifecycle
import Synchronization

/// Runs the drift monitors off the request path: once a second it takes the batches served since into each
/// loaded version's windows; every fifth second it judges the windows that changed, publishes the verdicts as gauges, records when a
/// version starts or stops drifting (an audit entry, which the dashboard's event stream reports), and stores each
/// hour's summary (and the current one at shutdown).
public final class DriftService: Service, Sendable {
    /// Who the audit log names for a rollback the drift action makes.
    public static let actor = "modelyard-drift"
    let pool: ModelPool
    /// Rolls back a drifting version when its model's settings ask for it (nil: never).
    let registry: Registry?
    let period: Duration
    let hourSeconds: TimeInterval
    let retention: TimeInterval
    let logger: Logger
    /// Columns with a gauge of their own per version: the drifted and highest-scoring first.
    static let gaugedColumns = 50

    struct Gauges {
        var share: [Int: Gauge] = [:]
        var drift: [Int: Gauge] = [:]
        var columns: [String: Gauge] = [:]
    }

    private let gauges = Mutex<[VersionKey: Gauges]>([:])

    public init(
        pool: ModelPool, registry: Registry? = nil, period: Duration = .seconds(1), hourSeconds: TimeInterval = 3_600,
        retention: TimeInterval = 30 * 86_400, logger: Logger
    ) {
        self.pool = pool
        self.registry = registry
        self.period = period
        self.hourSeconds = hourSeconds
        self.retention = retention
        self.logger = logger
    }

    public func run() async throws {
        var lastPrune: Date? = nil
        var round = 0
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let now = pool.clock()
            if lastPrune.map({ now.timeIntervalSince($0) >= 3_600 }) ?? true {
                do {
                    try await pool.store.pruneDriftSummaries(before: now.addingTimeInterval(-retention))
                } catch {
                    logger.warning("old drift summaries not deleted", metadata: ["error": "\(error)"])
                }
                lastPrune = now
            }
            guard (try? await cancelWhenGracefulShutdown({ [period] in try await Task.sleep(for: period) })) != nil else { break }
            round += 1
            await tick(now: pool.clock(), flush: false, judge: round % Self.judgeEvery == 0)
        }
        await tick(now: pool.clock(), flush: true)
    }

    /// Rounds between two judgements of the windows (the batches are taken every round, so the queue stays short;
    /// judging 10,000 rows per column is the part that costs).
    static let judgeEvery = 5

    /// One round: drain, judge (with `judge`), publish, record changes, store finished hours (every hour, and
    /// with `flush`).
    public func tick(now: Date, flush: Bool, judge: Bool = true) async {
        let (loaded, draining) = pool.loadedVersions()
        var summaries: [DriftSummary] = []
        var live: Set<VersionKey> = []
        for model in loaded + draining {
            let monitor = model.drift
            guard monitor.isConfigured else { continue }
            live.insert(model.key)
            monitor.drain()
            guard judge || flush else { continue }
            publish(model.key, monitor.evaluate())
            if let change = monitor.takeChange() {
                await recordChange(model.key, drifting: change.drifting, window: change.window)
            }
            if let summary = monitor.takeHour(
                model: model.key.model, version: model.key.version, now: now, hourSeconds: hourSeconds, force: flush)
            {
                summaries.append(summary)
            }
        }
        retireGauges(keeping: live)
        guard !summaries.isEmpty else { return }
        do {
            try await pool.store.addDriftSummaries(summaries)
        } catch {
            logger.warning("drift summaries not stored", metadata: ["error": "\(error)", "count": "\(summaries.count)"])
        }
    }

    private func recordChange(_ key: VersionKey, drifting: Bool, window: DriftMonitor.Window) async {
        let drifted = window.report.columns.filter(\.drifted).map(\.name)
        let details = [
            "window": String(window.size), "share": String(format: "%.3f", window.report.share),
            "drifted_columns": drifted.prefix(20).joined(separator: ","),
        ]
        logger.notice(
            drifting ? "version started drifting" : "version stopped drifting",
            metadata: ["model": "\(key.model)", "version": "\(key.version)", "share": "\(window.report.share)"])
        do {
            try await pool.store.recordDriftChange(key.model, key.version, drifting: drifting, details: details)
        } catch {
            logger.warning("drift change not recorded", metadata: ["model": "\(key.model)", "error": "\(error)"])
        }
        guard drifting, let registry, (try? await pool.store.driftSettings(key.model))??.action == .rollback else { return }
        for route in pool.servingRoutes() where route.model == key.model && route.serving.key.version == key.version {
            // Another server may have acted already: only roll back while the drifting version still serves.
            guard let current = try? await registry.aliases(key.model).first(where: { $0.environment == route.environment }),
                current.version == key.version
            else { continue }
            do {
                _ = try await registry.rollback(
                    key.model, environment: route.environment, to: nil,
                    audit: AuditContext(
                        actor: Self.actor,
                        reason: "automatic rollback of \(key.version): its last \(window.size) served rows drift from its reference "
                            + "(share \(String(format: "%.2f", window.report.share)); \(drifted.prefix(5).joined(separator: ", ")))"))
                logger.warning("rolled back a drifting version", metadata: ["model": "\(key.model)", "environment": "\(route.environment)"])
            } catch {
                logger.error(
                    "the drift rollback failed", metadata: ["model": "\(key.model)", "environment": "\(route.environment)", "error": "\(error)"])
            }
        }
    }

    private func publish(_ key: VersionKey, _ windows: [DriftMonitor.Window]) {
        guard !windows.isEmpty else { return }
        let prometheus = pool.prometheus
        let labels = [("model", key.model.rawValue), ("version", key.version.description)]
        gauges.withLock { all in
            var set = all[key] ?? Gauges()
            for window in windows {
                let windowLabels = labels + [("window", String(window.size))]
                let share = set.share[window.size] ?? prometheus.makeGauge(
                    descriptor: MetricNameDescriptor(
                        namespace: "modelyard", subsystem: "drift", metricName: "share",
                        helpText: "Share of a version's monitored columns drifting over the last N served rows."),
                    labels: windowLabels)
                let drift = set.drift[window.size] ?? prometheus.makeGauge(
                    descriptor: MetricNameDescriptor(
                        namespace: "modelyard", subsystem: "drift", metricName: "dataset",
                        helpText: "1 when the last N served rows drift from the reference (the share reached drift_share)."),
                    labels: windowLabels)
                share.set(to: window.report.share)
                drift.set(to: window.report.datasetDrift ? 1.0 : 0.0)
                set.share[window.size] = share
                set.drift[window.size] = drift
            }
            // Column scores from the smallest window, for the columns that matter most.
            for column in windows[0].report.columns.prefix(Self.gaugedColumns) {
                guard let score = column.score else { continue }
                let gauge = set.columns[column.name] ?? prometheus.makeGauge(
                    descriptor: MetricNameDescriptor(
                        namespace: "modelyard", subsystem: "drift", metricName: "column_score",
                        helpText: "Jensen-Shannon distance of a column's binned shares, served rows against the reference."),
                    labels: labels + [("column", column.name)])
                gauge.set(to: score)
                set.columns[column.name] = gauge
            }
            all[key] = set
        }
    }

    private func retireGauges(keeping live: Set<VersionKey>) {
        let prometheus = pool.prometheus
        gauges.withLock { all in
            for (key, set) in all where !live.contains(key) {
                for gauge in Array(set.share.values) + Array(set.drift.values) + Array(set.columns.values) {
                    prometheus.unregisterGauge(gauge)
                }
                all[key] = nil
            }
        }
    }
}
