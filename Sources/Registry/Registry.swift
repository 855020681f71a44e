public import Foundation
public import Logging
public import RegistryCore
public import RegistryStore

/// The registry's use cases. Each method is one unit of work over a metadata store and an artifact store; rules
/// live in `RegistryCore`, persistence in the stores.
public struct Registry: Sendable {
    /// The metadata store: reached only through the use cases, never by the interface layer.
    let store: any RegistryStore
    public let artifacts: any ArtifactStore
    public let limits: RegistryLimits
    /// The model server's checks on registration and deployment; `nil` when nothing serves.
    public let serving: (any ServingHooks)?
    let clock: @Sendable () -> Date
    let logger: Logger
    let uploadGate = UploadGate()
    /// Servers sharing one database and artifact store: their uploads and collections exclude each other through it.
    let sharedCollectionLock: (any SharedCollectionLock)?
    let importLock = ImportLock()
    let tokenUse = TokenUse()

    public init(
        store: any RegistryStore, artifacts: any ArtifactStore, limits: RegistryLimits = .init(),
        serving: (any ServingHooks)? = nil, sharedCollectionLock: (any SharedCollectionLock)? = nil,
        clock: @escaping @Sendable () -> Date = { Date() }, logger: Logger = Logger(label: "modelyard.registry")
    ) {
        self.store = store
        self.sharedCollectionLock = sharedCollectionLock
        self.artifacts = artifacts
        self.limits = limits
        self.serving = serving
        self.clock = clock
        self.logger = logger
    }
}

extension Registry {
    /// The registry's current time (injected, so tests control it).
    public func now() -> Date { clock() }
}

/// Configurable bounds on what clients may send.
public struct RegistryLimits: Sendable, Equatable {
    /// Largest single artifact file, in bytes.
    public var maxArtifactSize: Int64
    /// How long an unreferenced blob is kept before garbage collection may remove it (an upload in flight has
    /// stored its blob but not yet its manifest entry).
    public var blobGracePeriod: TimeInterval

    public init(maxArtifactSize: Int64 = 10 * 1024 * 1024 * 1024, blobGracePeriod: TimeInterval = 3600) {
        self.maxArtifactSize = maxArtifactSize
        self.blobGracePeriod = blobGracePeriod
    }
}
