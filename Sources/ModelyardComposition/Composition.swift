public import Foundation
public import HTTPServer
public import Logging
public import Registry
import ObjectStorage
import RegistryStore
public import Serving

/// Where stores are constructed: the embedded SQLite database and local artifact folder under a data directory,
/// the model pool that serves what they deploy, and the registry's use cases over both. `serve` builds its server
/// from this; tests and benchmarks build theirs the same way. No other target constructs a store.
public enum Composition {
    /// Opens (creating if needed) `registry.sqlite` under `directory`, and the artifact store: `artifacts/` under
    /// `directory` by default, or a bucket.
    public static func open(
        dataDirectory directory: URL, artifacts location: ArtifactLocation = .dataDirectory,
        limits: RegistryLimits = .init(), serving: ModelPool.Configuration = .init(),
        logger: Logger, clock: @escaping @Sendable () -> Date = { Date() }
    ) throws -> ModelyardServer.Components {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let store = try SQLiteRegistryStore(path: directory.appendingPathComponent("registry.sqlite").path)
        let artifacts: any ArtifactStore
        switch location {
        case .dataDirectory:
            artifacts = try LocalArtifactStore(root: directory.appendingPathComponent("artifacts", isDirectory: true))
        case .s3(let configuration):
            artifacts = S3ArtifactStore(client: S3Client(configuration: configuration, logger: logger))
        }
        let pool = ModelPool(store: store, artifacts: artifacts, configuration: serving, logger: logger)
        return ModelyardServer.Components(
            registry: Registry(store: store, artifacts: artifacts, limits: limits, serving: pool, clock: clock, logger: logger),
            pool: pool)
    }
}
