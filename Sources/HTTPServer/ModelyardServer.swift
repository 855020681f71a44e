public import Foundation
public import Hummingbird
public import Logging
public import Registry
import RegistryCore
public import RegistryStore
import NIOCore
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

    public init(
        host: String = "127.0.0.1", port: Int = 8080, dataDirectory: URL = URL(fileURLWithPath: "modelyard-data"),
        limits: RegistryLimits = .init(), gcInterval: Duration? = .seconds(3600)
    ) {
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.limits = limits
        self.gcInterval = gcInterval
    }
}

/// Wiring: stores from a data directory, routes onto a router, the router into an application.
public enum ModelyardServer {
    /// Opens (creating if needed) the embedded SQLite store and local artifact folder under `directory`.
    public static func openRegistry(dataDirectory directory: URL, limits: RegistryLimits = .init(), logger: Logger)
        throws -> Registry
    {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let store = try SQLiteRegistryStore(path: directory.appendingPathComponent("registry.sqlite").path)
        let artifacts = try LocalArtifactStore(root: directory.appendingPathComponent("artifacts", isDirectory: true))
        return Registry(store: store, artifacts: artifacts, limits: limits, logger: logger)
    }

    /// Every route of every surface, with the error middleware in front.
    public static func buildRouter(registry: Registry) -> Router<ModelyardRequestContext> {
        let router = Router(context: ModelyardRequestContext.self)
        router.add(middleware: APIErrorMiddleware())
        HealthRoutes(registry: registry).register(on: router)
        let api = router.group("api/v1")
        ModelRoutes(registry: registry).register(on: api)
        VersionRoutes(registry: registry).register(on: api)
        ArtifactRoutes(registry: registry).register(on: api)
        HistoryRoutes(registry: registry).register(on: api)
        DeploymentRoutes(registry: registry).register(on: api)
        BackupRoutes(registry: registry).register(on: api)
        TrackingRoutes(registry: registry).register(on: api)
        let mlflow = router.group("api/2.0/mlflow")
        MLflowTrackingRoutes(registry: registry).register(on: mlflow)
        MLflowRegistryRoutes(registry: registry).register(on: mlflow)
        MLflowArtifactRoutes(registry: registry).register(
            proxy: router.group("api/2.0/mlflow-artifacts"), tracking: mlflow, root: router)
        return router
    }

    /// The application: HTTP server plus background services, shut down gracefully on SIGTERM/SIGINT.
    /// `onServerRunning` receives the bound port (useful with port 0).
    public static func buildApplication(
        registry: Registry, configuration: ServerConfiguration, logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        var services: [any Service] = []
        if let interval = configuration.gcInterval {
            services.append(GarbageCollectorService(registry: registry, interval: interval, logger: logger))
        }
        return Application(
            router: buildRouter(registry: registry),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "modelyard"),
            services: services,
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
    }
}
