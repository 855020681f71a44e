import Foundation
public import Logging
public import Registry
public import RegistryCore
public import ServiceLifecycle

/// Rolls an environment back, automatically, when the version it serves breaks its model's limits (error rate or
/// p99 latency over a window). The rollback is an ordinary one — planned, loaded before the switch, recorded in
/// the deployment history and the audit log — made by the actor `modelyard-fallback` with the breach as reason.
public struct FallbackMonitor: Service {
    public static let actor = "modelyard-fallback"
    let pool: ModelPool
    let registry: Registry
    let interval: Duration
    let logger: Logger

    public init(pool: ModelPool, registry: Registry, interval: Duration = .seconds(1), logger: Logger) {
        self.pool = pool
        self.registry = registry
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await check()
            } catch {
                logger.warning("fallback check failed; retrying", metadata: ["error": "\(error)"])
            }
            // Shutdown ends the wait at once instead of after the interval.
            guard (try? await cancelWhenGracefulShutdown({ [interval] in try await Task.sleep(for: interval) })) != nil
            else { break }
        }
    }

    /// One pass over every route: rolls back those whose version breaks its limits. Returns what it rolled back.
    @discardableResult
    public func check() async throws -> [Deployment] {
        let limits = try await registry.allServingLimits()
        var rolledBack: [Deployment] = []
        for route in pool.servingRoutes() {
            let applicable = limits[route.model] ?? .default
            let window = route.serving.metrics.snapshot(windows: [applicable.windowSeconds]).windows[0]
            guard let breach = applicable.breach(
                requests: window.requests, errorRate: window.errorRate, p99Milliseconds: window.p99Milliseconds)
            else { continue }
            // Another server may have acted already: only roll back while the failing version still serves.
            let current = try await registry.aliases(route.model).first { $0.environment == route.environment }
            guard current?.version == route.serving.key.version else { continue }
            do {
                let record = try await registry.rollback(
                    route.model, environment: route.environment, to: nil,
                    audit: AuditContext(actor: Self.actor, reason: "automatic rollback of \(route.serving.key.version): \(breach)"))
                logger.warning(
                    "rolled back automatically",
                    metadata: ["model": "\(route.model)", "environment": "\(route.environment)", "reason": "\(breach)"])
                rolledBack.append(record)
            } catch {
                pool.recordFallbackFailure(route.model, environment: route.environment, reason: "\(breach); the rollback failed: \(error)")
                logger.error(
                    "automatic rollback failed",
                    metadata: ["model": "\(route.model)", "environment": "\(route.environment)", "error": "\(error)"])
            }
        }
        try await withdrawFailingCanaries(limits)
        return rolledBack
    }

    /// A canary that breaks the limits loses its share (the traffic policy is rewritten without it, audited).
    @discardableResult
    public func withdrawFailingCanaries(_ limits: [ModelName: ServingLimits]? = nil) async throws -> [VersionKey] {
        let limits = if let limits { limits } else { try await registry.allServingLimits() }
        var withdrawn: [VersionKey] = []
        for share in pool.canaryShares() {
            let applicable = limits[share.model] ?? .default
            let window = share.canary.metrics.snapshot(windows: [applicable.windowSeconds]).windows[0]
            guard let breach = applicable.breach(
                requests: window.requests, errorRate: window.errorRate, p99Milliseconds: window.p99Milliseconds)
            else { continue }
            guard var policy = try await registry.traffic(share.model)[share.environment],
                policy.shares.contains(where: { $0.version == share.canary.key.version })
            else { continue }
            policy.shares.removeAll { $0.version == share.canary.key.version }
            _ = try await registry.setTraffic(
                share.model, environment: share.environment, policy: policy,
                audit: AuditContext(actor: Self.actor, reason: "canary \(share.canary.key.version) withdrawn: \(breach)"))
            logger.warning(
                "canary withdrawn automatically",
                metadata: ["model": "\(share.model)", "environment": "\(share.environment)", "reason": "\(breach)"])
            withdrawn.append(share.canary.key)
        }
        return withdrawn
    }
}
