public import Foundation
public import RegistryCore

/// What the pool reports: routes and their state, loaded and draining versions.
extension ModelPool {
    // MARK: Status

    /// What this server serves now, per model and environment.
    public func status() -> [ServingStatus] {
        state.withLock { state in
            state.routes.keys.sorted { $0.rawValue < $1.rawValue }.flatMap { model in
                (state.routes[model] ?? [:]).sorted { $0.key.rawValue < $1.key.rawValue }.map { environment, route in
                    ServingStatus(
                        model: model.rawValue, environment: environment.rawValue, version: route.version.description,
                        servingVersion: route.serving?.key.version.description, number: route.serving?.number,
                        state: route.serving == nil ? (route.problem?.code == "no_model" ? "not_servable" : "failed")
                            : (route.problem == nil ? "serving" : "degraded"),
                        problem: route.problem?.message, reasonCode: route.problem?.code,
                        loadedAt: route.serving?.loadedAt, loadSeconds: route.serving?.loadSeconds,
                        inFlight: route.serving?.inFlight ?? 0,
                        shares: route.shares.map { .init(version: $0.model.key.version.description, percent: $0.percent) },
                        shadow: route.shadowLog?.summary())
                }
            }
        }
    }

    /// Routes answered by their alias's own version (what the fallback monitor watches).
    public func servingRoutes() -> [(model: ModelName, environment: EnvironmentName, serving: LoadedModel)] {
        state.withLock { state in
            state.routes.flatMap { model, routes in
                routes.compactMap { environment, route in
                    guard let serving = route.serving, serving.key.version == route.version else { return nil }
                    return (model, environment, serving)
                }
            }
        }
    }

    /// Canary versions taking a share of a route's traffic (what the fallback monitor watches besides the primaries).
    public func canaryShares() -> [(model: ModelName, environment: EnvironmentName, canary: LoadedModel)] {
        state.withLock { state in
            state.routes.flatMap { model, routes in
                routes.flatMap { environment, route in route.shares.map { (model, environment, $0.model) } }
            }
        }
    }

    /// Notes on a route that its version breaks its limits but could not be rolled back.
    func recordFallbackFailure(_ model: ModelName, environment: EnvironmentName, reason: String) {
        state.withLock { state in
            state.routes[model]?[environment]?.problem = ServingProblem("fallback_failed", reason)
        }
    }

    /// Loaded versions (routed or not) and swapped-out versions still draining.
    public func loadedVersions() -> (loaded: [LoadedModel], draining: [LoadedModel]) {
        state.withLock { state in
            state.draining.removeAll { $0.inFlight == 0 }
            return (state.cache.values.sorted { "\($0.key)" < "\($1.key)" }, state.draining)
        }
    }

    /// The loaded instance of a version, if this server has it in memory.
    public func loadedInstance(_ key: VersionKey) -> LoadedModel? {
        state.withLock { state in
            state.cache[key] ?? state.draining.first { $0.key == key }
        }
    }
}

/// One route as `GET /api/v1/serving` reports it.
public struct ServingStatus: Sendable, Codable, Equatable {
    public var model: String
    public var environment: String
    /// The version the environment's alias points at.
    public var version: String
    /// The version answering (differs from `version` while that one cannot be loaded here).
    public var servingVersion: String?
    public var number: Int64?
    /// `serving`, `degraded` (an older version answers), `failed` (nothing answers), `not_servable` (no model file).
    public var state: String
    public var problem: String?
    public var reasonCode: String?
    public var loadedAt: Date?
    public var loadSeconds: Double?
    public var inFlight: Int
    /// Canary shares in effect (the alias's version takes the rest).
    public var shares: [Share]
    /// The shadow version and what it answered.
    public var shadow: ShadowLog.Summary?

    public struct Share: Sendable, Codable, Equatable {
        public var version: String
        public var percent: Int
    }

    enum CodingKeys: String, CodingKey {
        case model, environment, version, number, state, problem, shares, shadow
        case servingVersion = "serving_version"
        case reasonCode = "reason_code"
        case loadedAt = "loaded_at"
        case loadSeconds = "load_seconds"
        case inFlight = "in_flight"
    }
}
