public import Foundation
public import Hummingbird
public import Logging
public import Registry
import RegistryCore
import NIOCore
public import Serving
import ServiceLifecycle

/// Where and how the server runs.
public struct ServerConfiguration: Sendable, Equatable {
    public var host: String
    public var port: Int
    /// Holds `registry.sqlite` and `artifacts/`.
    public var dataDirectory: URL
    public var limits: RegistryLimits
    /// How often unreferenced blobs are collected (nil: never in the background).
    public var gcInterval: Duration?
    /// How often the model pool polls the store for deploys made elsewhere (nil: only this server's deploys).
    public var servingSyncInterval: Duration?
    /// How long per-minute inference summaries are kept in the store.
    public var inferenceRetention: TimeInterval
    /// A directory whose new training folders are imported as they complete (nil: none is watched).
    public var watchDirectory: URL?

    public init(
        host: String = "127.0.0.1", port: Int = 8080, dataDirectory: URL = URL(fileURLWithPath: "modelyard-data"),
        limits: RegistryLimits = .init(), gcInterval: Duration? = .seconds(3600),
        servingSyncInterval: Duration? = .seconds(1), inferenceRetention: TimeInterval = 30 * 86_400
    ) {
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.limits = limits
        self.gcInterval = gcInterval
        self.servingSyncInterval = servingSyncInterval
        self.inferenceRetention = inferenceRetention
    }
}

/// Wiring: stores from a data directory, routes onto a router, the router into an application.
public enum ModelyardServer {
    /// What the routes and services run on: the registry's use cases and the model pool that serves. Built once,
    /// by whoever composes the server (`Composition.open` for the embedded stores).
    public struct Components: Sendable {
        public let registry: Registry
        public let pool: ModelPool
        /// Training folders on the server's disk may be imported from under this directory (nil: not at all).
        public var importRoot: URL?
        /// Who may do what (default: no authentication, as on a loopback address).
        public var access: AccessSettings

        public init(registry: Registry, pool: ModelPool, importRoot: URL? = nil, access: AccessSettings = .init()) {
            self.registry = registry
            self.pool = pool
            self.importRoot = importRoot
            self.access = access
        }
    }

    /// Every route of every surface, behind the error middleware, CORS preflights and access control.
    public static func buildRouter(_ components: Components) -> Router<ModelyardRequestContext> {
        let (registry, pool) = (components.registry, components.pool)
        let router = Router(context: ModelyardRequestContext.self)
        router.add(middleware: APIErrorMiddleware())
        router.add(middleware: PreflightMiddleware(settings: components.access))
        router.add(middleware: AccessMiddleware(registry: registry, settings: components.access))
        HealthRoutes(registry: registry).register(on: router)
        let api = router.group("api/v1")
        ServingRoutes(registry: registry, pool: pool).register(on: api, root: router)
        BenchmarkRoutes(registry: registry, pool: pool).register(on: api)
        EmbeddingRoutes(pool: pool).register(on: api, root: router)
        DriftRoutes(registry: registry, pool: pool).register(on: api)
        WebhookRoutes(registry: registry).register(on: api)
        InferenceProtocolRoutes(registry: registry, pool: pool).register(on: router.group("v2"))
        ModelRoutes(registry: registry).register(on: api)
        VersionRoutes(registry: registry).register(on: api)
        ArtifactRoutes(registry: registry).register(on: api)
        HistoryRoutes(registry: registry).register(on: api)
        DeploymentRoutes(registry: registry).register(on: api)
        BackupRoutes(registry: registry).register(on: api)
        TrackingRoutes(registry: registry).register(on: api)
        ImportRoutes(registry: registry, importRoot: components.importRoot).register(on: api)
        TokenRoutes(registry: registry, authentication: components.access.authentication).register(on: api)
        let mlflow = router.group("api/2.0/mlflow")
        MLflowTrackingRoutes(registry: registry).register(on: mlflow)
        MLflowRegistryRoutes(registry: registry).register(on: mlflow)
        MLflowArtifactRoutes(registry: registry).register(
            proxy: router.group("api/2.0/mlflow-artifacts"), tracking: mlflow, root: router)
        DashboardRoutes(registry: registry, pool: pool, authentication: components.access.authentication).register(on: router)
        return router
    }

    /// The application: HTTP server plus background services, shut down gracefully on SIGTERM/SIGINT.
    /// `onServerRunning` receives the bound port (useful with port 0).
    public static func buildApplication(
        _ components: Components, configuration: ServerConfiguration, logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let (registry, pool) = (components.registry, components.pool)
        var services: [any Service] = []
        if let interval = configuration.gcInterval {
            services.append(GarbageCollectorService(registry: registry, interval: interval, logger: logger))
        }
        if let directory = configuration.watchDirectory {
            services.append(TrainingFolderWatcher(registry: registry, directory: directory, logger: logger))
        }
        if let interval = configuration.servingSyncInterval {
            services.append(ServingReconciler(pool: pool, interval: interval, logger: logger))
            services.append(FallbackMonitor(pool: pool, registry: registry, interval: interval, logger: logger))
            services.append(
                InferenceSummaryService(
                    pool: pool, retention: configuration.inferenceRetention, logger: logger))
            services.append(DriftService(pool: pool, registry: registry, retention: configuration.inferenceRetention, logger: logger))
            services.append(WebhookService(registry: registry, logger: logger))
        }
        return Application(
            router: buildRouter(components),
            server: .eventLoopPinnedHTTP1(),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "modelyard"),
            services: services,
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
    }
}
