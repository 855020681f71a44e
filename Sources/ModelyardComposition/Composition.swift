public import Foundation
public import HTTPServer
public import Logging
public import Registry
import RegistryStore
public import Serving

/// Where stores are constructed: the embedded SQLite database and local artifact folder under a data directory,
/// the model pool that serves what they deploy, and the registry's use cases over both. `serve` builds its server
/// from this; tests and benchmarks build theirs the same way. No other target constructs a store.
public enum Composition {
    /// Opens (creating if needed) `registry.sqlite` and `artifacts/` under `directory`.
    public static func open(
        dataDirectory directory: URL, limits: RegistryLimits = .init(), serving: ModelPool.Configuration = .init(),
        logger: Logger, clock: @escaping @Sendable () -> Date = { Date() }
    ) throws -> ModelyardServer.Components {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let store = try SQLiteRegistryStore(path: directory.appendingPathComponent("registry.sqlite").path)
        let artifacts = try LocalArtifactStore(root: directory.appendingPathComponent("artifacts", isDirectory: true))
        let pool = ModelPool(store: store, artifacts: artifacts, configuration: serving, logger: logger)
        return ModelyardServer.Components(
            registry: Registry(store: store, artifacts: artifacts, limits: limits, serving: pool, clock: clock, logger: logger),
            pool: pool)
    }
}
