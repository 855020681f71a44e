public import Foundation
public import Logging
public import ModelRuntime
import Prometheus
public import Registry
public import RegistryCore
public import RegistryStore
import Synchronization
import TextEmbedding

/// The versions this server serves: one route per model environment (alias), each pointing at a loaded,
/// verified, warmed-up version.
///
/// A move of an alias loads the new version off the request path first; the route then switches in one step, so
/// each request runs wholly on the old or wholly on the new version. The old version is dropped from the pool at
/// the switch and freed when its last in-flight request ends. Loads are bounded in concurrency and in the bytes of
/// model files held.
public final class ModelPool: ServingHooks, Sendable {
    /// Who the audit log names for what the pool records itself (a version found unloadable).
    public static let actor = "modelyard-serving"

    public struct Configuration: Sendable, Equatable {
        /// Loads running at once.
        public var maxConcurrentLoads: Int
        /// Bytes of model files held in memory (routed and on-demand together).
        public var maxLoadedBytes: Int64
        /// Largest single model file.
        public var maxModelBytes: Int64
        /// Versions kept loaded for direct `/versions/{v}/predict` calls beyond those routed.
        public var maxOnDemand: Int
        /// Rows one prediction request may carry.
        public var maxRows: Int
        /// After a failed load, how long before a poll tries that version again.
        public var retryAfter: TimeInterval
        /// Whether predictions run on `InferenceExecutor.shared` (the default) or inline on the connection's event
        /// loop (only the serving-load benchmark's baseline turns this off).
        public var offloadInference: Bool
        /// Drift windows, in served rows: the last N rows of each are judged against the reference; the smallest
        /// decides when a version starts or stops drifting.
        public var driftWindows: [Int]

        public init(
            maxConcurrentLoads: Int = 2, maxLoadedBytes: Int64 = 4 << 30, maxModelBytes: Int64 = 1 << 30,
            maxOnDemand: Int = 4, maxRows: Int = 10_000, retryAfter: TimeInterval = 30, offloadInference: Bool = true,
            driftWindows: [Int] = [1_000, 10_000]
        ) {
            self.driftWindows = driftWindows
            self.maxConcurrentLoads = maxConcurrentLoads
            self.maxLoadedBytes = maxLoadedBytes
            self.maxModelBytes = maxModelBytes
            self.maxOnDemand = maxOnDemand
            self.maxRows = maxRows
            self.retryAfter = retryAfter
            self.offloadInference = offloadInference
        }
    }

    /// One environment of one model.
    public struct Route: Sendable {
        /// The version the alias points at.
        public var version: SemanticVersion
        /// The version answering: the alias's, or the one before it while the alias's cannot be loaded here.
        public var serving: LoadedModel?
        /// Why the alias's version is not the one serving.
        public var problem: ServingProblem?
        var failedAt: Date?
        /// The traffic policy this route was built from.
        public var policy: TrafficPolicy = .init()
        /// Canary shares (loaded versions and percent), the primary's remainder implied.
        public var shares: [(model: LoadedModel, percent: Int)] = []
        public var shadow: LoadedModel?
        /// What the shadow answered, recorded and never returned.
        public var shadowLog: ShadowLog?
    }

    /// The versions one request goes to.
    public struct Selection: Sendable {
        public var model: LoadedModel
        public var shadow: LoadedModel?
        public var shadowLog: ShadowLog?

        public init(model: LoadedModel, shadow: LoadedModel? = nil, shadowLog: ShadowLog? = nil) {
            self.model = model
            self.shadow = shadow
            self.shadowLog = shadowLog
        }
    }

    struct State {
        var routes: [ModelName: [EnvironmentName: Route]] = [:]
        var synced: Set<ModelName> = []
        var cache: [VersionKey: LoadedModel] = [:]
        var lastUse: [VersionKey: UInt64] = [:]
        var tick: UInt64 = 0
        var loads: [VersionKey: Task<LoadedModel, any Error>] = [:]
        /// Swapped-out versions still finishing requests.
        var draining: [LoadedModel] = []

        func isRouted(_ key: VersionKey) -> Bool {
            routes[key.model]?.values.contains { route in
                route.serving?.key == key || route.shadow?.key == key || route.shares.contains { $0.model.key == key }
            } ?? false
        }

        var loadedBytes: Int64 { cache.values.reduce(0) { $0 + $1.artifact.size } }
    }

    let store: any ServingStore
    let loader: ModelLoader
    public let configuration: Configuration
    public let prometheus: PrometheusCollectorRegistry
    let clock: @Sendable () -> Date
    let logger: Logger
    private let loadGate: AsyncSemaphore
    private let syncLock = AsyncSemaphore(permits: 1)
    let state = Mutex(State())

    public init(
        store: any ServingStore, artifacts: any ArtifactStore, configuration: Configuration = .init(),
        prometheus: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
        clock: @escaping @Sendable () -> Date = { Date() }, logger: Logger = Logger(label: "modelyard.serving")
    ) {
        self.store = store
        self.loader = ModelLoader(artifacts: artifacts, maxModelBytes: configuration.maxModelBytes)
        self.configuration = configuration
        self.prometheus = prometheus
        self.clock = clock
        self.logger = logger
        self.loadGate = AsyncSemaphore(permits: max(1, configuration.maxConcurrentLoads))
    }

    // MARK: Requests

    /// The loaded version answering `environment` of `model`.
    public func route(_ model: ModelName, environment: EnvironmentName) async throws -> LoadedModel {
        try await select(model, environment: environment, key: nil).model
    }

    /// The version one request goes to under the environment's traffic policy: canaries by their share, the
    /// alias's version for the rest. With a `key` the choice is a hash of it, so a caller sticks to one version;
    /// without one it is random.
    public func select(_ model: ModelName, environment: EnvironmentName, key: String?) async throws -> Selection {
        if !state.withLock({ $0.synced.contains(model) }) { await sync(model) }
        let route = state.withLock { $0.routes[model]?[environment] }
        guard let route else {
            throw RegistryError.notFound(
                "model '\(model)' has no version deployed to '\(environment)'; deploy one first "
                    + "(POST /api/v1/models/\(model)/deployments)")
        }
        guard let serving = route.serving else {
            throw RegistryError.failedPrecondition(
                "'\(environment)' of '\(model)' points at version \(route.version), which is not served: "
                    + (route.problem?.message ?? "it is not loaded yet; retry shortly"))
        }
        var chosen = serving
        if !route.shares.isEmpty {
            let point = key.map { Int(Self.stableHash($0) % 100) } ?? Int.random(in: 0..<100)
            var cumulative = 0
            for share in route.shares {
                cumulative += share.percent
                if point < cumulative {
                    chosen = share.model
                    break
                }
            }
        }
        return Selection(model: chosen, shadow: route.shadow, shadowLog: route.shadowLog)
    }

    /// FNV-1a: the same key lands on the same share in every process and after restarts.
    static func stableHash(_ key: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }

    /// A specific version, loaded on demand when no route holds it.
    public func loaded(_ model: ModelName, _ selector: VersionSelector) async throws -> LoadedModel {
        let version = try await store.version(model, selector)
        do {
            return try await load(version)
        } catch let problem as ServingProblem {
            throw RegistryError.failedPrecondition(problem.message)
        }
    }

    /// Runs `body` (a request's parsing, prediction and encoding) on the inference executor, off the event loops.
    public func offloaded<T>(_ body: () async throws -> T) async throws -> T {
        guard configuration.offloadInference else { return try await body() }
        return try await InferenceExecutor.shared.run(body)
    }

    /// Runs a decoded batch on the selected version and mirrors it to the selection's shadow, if any.
    public func predict(_ selection: Selection, _ inputs: [String: Tensor], rows: Int) throws
        -> (outputs: [String: Tensor], seconds: Double)
    {
        let result = try predict(selection.model, inputs, rows: rows)
        selection.model.drift.observe(inputs, outputs: result.outputs, rows: rows)
        if let shadow = selection.shadow, let log = selection.shadowLog {
            log.mirror(inputs, rows: rows, on: shadow, answeredBy: selection.model, primaryOutputs: result.outputs)
        }
        return result
    }

    /// Runs a decoded batch, turning runtime errors into registry errors with stable codes.
    public func predict(_ model: LoadedModel, _ inputs: [String: Tensor], rows: Int) throws
        -> (outputs: [String: Tensor], seconds: Double)
    {
        try mapped(model) { try model.run(inputs, rows: rows) }
    }

    // MARK: ServingHooks

    public func inspect(_ version: ModelVersion, manifest: [ArtifactEntry]) async -> ServingInfo {
        let now = clock()
        switch ModelFile(manifest: manifest) {
        case .none:
            let problem = ServingProblem.noModel(version.version)
            return ServingInfo(artifact: nil, sha256: nil, servable: false, reasonCode: problem.code, reason: problem.message, inspectedAt: now)
        case .ambiguous(let paths):
            let problem = ServingProblem.ambiguous(version.version, paths)
            return ServingInfo(artifact: nil, sha256: nil, servable: false, reasonCode: problem.code, reason: problem.message, inspectedAt: now)
        case .embedding(let entry, let folder):
            do {
                let session = try await loader.embeddingSession(folder, manifest: manifest, version: version.version)
                return ServingInfo(
                    runtime: ModelFile.embeddingRuntime, artifact: entry.path, sha256: entry.sha256, servable: true,
                    signature: session.signatureJSON, inspectedAt: now)
            } catch {
                let problem = Self.problem(error)
                return ServingInfo(
                    runtime: ModelFile.embeddingRuntime, artifact: entry.path, sha256: entry.sha256, servable: false,
                    reasonCode: problem.code, reason: problem.message, inspectedAt: now)
            }
        case .one(let entry):
            do {
                let session = try await loader.session(entry, manifest: manifest, version: version.version)
                return ServingInfo(
                    runtime: ModelFile.runtime(entry.path), artifact: entry.path, sha256: entry.sha256, servable: true,
                    signature: session.signatureJSON, inspectedAt: now)
            } catch {
                let problem = Self.problem(error)
                // The declared signature of an ONNX file is worth showing even when the model cannot run.
                var signature: JSONValue?
                if !ModelFile.isJoblib(entry.path), let data = try? await loader.read(entry, version: version.version) {
                    signature = (try? ONNXModelInspector.inspect(data: data))?.signature.jsonValue
                }
                return ServingInfo(
                    runtime: ModelFile.runtime(entry.path), artifact: entry.path, sha256: entry.sha256, servable: false,
                    reasonCode: problem.code,
                    reason: problem.message, signature: signature, inspectedAt: now)
            }
        }
    }

    public func prepare(_ version: ModelVersion, environment: EnvironmentName) async throws {
        do {
            _ = try await load(version)
        } catch let problem as ServingProblem where problem.code == "no_model" {
            return  // nothing to serve: the alias is a registry pointer only
        } catch let problem as ServingProblem {
            let current = try? await store.aliases(version.model).first { $0.environment == environment }
            if version.serving?.servable != false || version.serving?.reason != problem.message {
                try? await recordProblem(version, problem)
            }
            throw RegistryError.failedPrecondition(
                problem.message + "; " + (current.map { "'\(environment)' still serves \($0.version)" } ?? "'\(environment)' was not changed"))
        }
    }

    public func environmentsChanged(_ model: ModelName) async {
        await sync(model)
    }

    // MARK: Syncing routes with aliases

    /// Brings every model's routes in line with the store's aliases (what a replica's poll calls).
    public func syncAll() async throws {
        let aliases = try await store.allAliases()
        let traffic = try await store.allTraffic()
        let known = state.withLock { Set($0.routes.keys) }
        for model in Set(aliases.keys).union(known).sorted(by: { $0.rawValue < $1.rawValue }) {
            await syncLock.withPermit { await apply(model, aliases: aliases[model] ?? [], traffic: traffic[model] ?? [:]) }
        }
    }

    /// Brings one model's routes in line with its aliases.
    public func sync(_ model: ModelName) async {
        await syncLock.withPermit {
            var aliases: [AliasPointer] = []
            var traffic: [EnvironmentName: TrafficPolicy] = [:]
            do {
                aliases = try await store.aliases(model)
                traffic = try await store.traffic(model)
            } catch let error as RegistryError where error.code == .notFound {
                // The model is gone: drop its routes.
            } catch {
                logger.warning("cannot read aliases", metadata: ["model": "\(model)", "error": "\(error)"])
                return
            }
            await apply(model, aliases: aliases, traffic: traffic)
        }
    }

    /// Loads what the aliases point at and switches routes; keeps a route on its old version when the new one
    /// cannot be loaded here. Callers hold `syncLock`.
    private func apply(_ model: ModelName, aliases: [AliasPointer], traffic: [EnvironmentName: TrafficPolicy]) async {
        let now = clock()
        for alias in aliases {
            let policy = traffic[alias.environment] ?? TrafficPolicy()
            let route = state.withLock { $0.routes[model]?[alias.environment] }
            if let route, route.version == alias.version, route.policy == policy {
                if route.problem == nil { continue }
                if let failedAt = route.failedAt, now.timeIntervalSince(failedAt) < configuration.retryAfter { continue }
            }
            var next = Route(version: alias.version, serving: nil, problem: nil, policy: policy)
            do {
                let version = try await store.version(model, .version(alias.version))
                next.serving = try await load(version)
            } catch let problem as ServingProblem where problem.code == "no_model" {
                next.problem = problem
            } catch {
                next.problem = Self.problem(error)
                next.failedAt = now
                next.serving = route?.serving  // keep answering with what served before
                logger.warning(
                    "version not loaded; the environment keeps its previous version",
                    metadata: ["model": "\(model)", "environment": "\(alias.environment)", "version": "\(alias.version)", "reason": "\(next.problem!.message)"])
            }
            if next.serving != nil {
                // Canaries and the shadow: a version that cannot be loaded here takes no traffic.
                for share in policy.split(primary: alias.version).dropLast() {
                    if let loaded = try? await load(try await store.version(model, .version(share.version))) {
                        next.shares.append((loaded, share.percent))
                    } else {
                        next.problem = next.problem ?? ServingProblem("share_not_loaded", "canary \(share.version) could not be loaded; its share goes to \(alias.version)")
                    }
                }
                if let shadow = policy.shadow, shadow != alias.version {
                    next.shadow = try? await load(try await store.version(model, .version(shadow)))
                    next.shadowLog = route?.shadowLog?.version == shadow ? route?.shadowLog : ShadowLog(version: shadow)
                }
            }
            state.withLock { state in
                state.routes[model, default: [:]][alias.environment] = next
            }
        }
        let environments = Set(aliases.map(\.environment))
        state.withLock { state in
            if let routes = state.routes[model] {
                for environment in routes.keys where !environments.contains(environment) {
                    state.routes[model]?[environment] = nil
                }
                if state.routes[model]?.isEmpty == true { state.routes[model] = nil }
            }
            state.synced.insert(model)
            retireUnrouted(&state)
        }
    }

    /// Drops loaded versions no route serves, beyond the on-demand allowance (least recently used first). Dropped
    /// versions finish their in-flight requests and are freed.
    private func retireUnrouted(_ state: inout State) {
        var unrouted = state.cache.keys.filter { !state.isRouted($0) }
        unrouted.sort { (state.lastUse[$0] ?? 0) < (state.lastUse[$1] ?? 0) }
        while unrouted.count > configuration.maxOnDemand {
            let key = unrouted.removeFirst()
            if let model = state.cache.removeValue(forKey: key) { state.draining.append(model) }
            state.lastUse[key] = nil
        }
        state.draining.removeAll { $0.inFlight == 0 }
    }

    // MARK: Loading

    /// The loaded version, loading it (once, however many ask) when absent.
    func load(_ version: ModelVersion) async throws -> LoadedModel {
        let key = version.key
        enum Next { case ready(LoadedModel), wait(Task<LoadedModel, any Error>) }
        let next = state.withLock { state -> Next in
            state.tick += 1
            if let model = state.cache[key] {
                state.lastUse[key] = state.tick
                return .ready(model)
            }
            if let task = state.loads[key] { return .wait(task) }
            let task = Task { try await self.loadGate.withPermit { try await self.read(version) } }
            state.loads[key] = task
            return .wait(task)
        }
        switch next {
        case .ready(let model):
            return model
        case .wait(let task):
            do {
                let model = try await task.value
                try state.withLock { state in
                    state.loads[key] = nil
                    if state.cache[key] != nil { return }
                    try admit(model, into: &state)
                }
                return state.withLock { $0.cache[key] } ?? model
            } catch {
                state.withLock { $0.loads[key] = nil }
                throw error
            }
        }
    }

    /// Puts a loaded version in the cache within the memory bound, evicting unrouted versions if needed.
    private func admit(_ model: LoadedModel, into state: inout State) throws {
        var evictable = state.cache.keys.filter { !state.isRouted($0) }
        evictable.sort { (state.lastUse[$0] ?? 0) < (state.lastUse[$1] ?? 0) }
        while state.loadedBytes + model.artifact.size > configuration.maxLoadedBytes, !evictable.isEmpty {
            let key = evictable.removeFirst()
            if let dropped = state.cache.removeValue(forKey: key) { state.draining.append(dropped) }
        }
        guard state.loadedBytes + model.artifact.size <= configuration.maxLoadedBytes else {
            throw ServingProblem(
                "memory_exhausted",
                "loading \(model.key) would hold more than \(configuration.maxLoadedBytes) bytes of models; undeploy "
                    + "a model or raise --max-loaded-bytes")
        }
        state.cache[model.key] = model
        state.lastUse[model.key] = state.tick
    }

    /// Reads, verifies, plans and warms up one version.
    private func read(_ version: ModelVersion) async throws -> LoadedModel {
        let start = ContinuousClock.now
        let manifest = try await store.artifacts(version.model, version.version)
        let entry: ArtifactEntry
        let session: any InferenceSession
        switch ModelFile(manifest: manifest) {
        case .none: throw ServingProblem.noModel(version.version)
        case .ambiguous(let paths): throw ServingProblem.ambiguous(version.version, paths)
        case .one(let one):
            entry = one
            session = try await loader.session(entry, manifest: manifest, version: version.version)
        case .embedding(let weights, let folder):
            entry = weights
            session = try await loader.embeddingSession(folder, manifest: manifest, version: version.version)
        }
        let model = LoadedModel(
            key: version.key, number: version.number, artifact: entry, session: session, loadedAt: clock(),
            loadSeconds: (ContinuousClock.now - start).seconds,
            metrics: InferenceMetrics(
                model: version.model.rawValue, version: version.version.description, prometheus: prometheus, clock: clock),
            threshold: DecisionThreshold(params: version.params), driftWindows: configuration.driftWindows)
        await attachDrift(model, version: version)
        logger.info(
            "version loaded",
            metadata: ["model": "\(version.model)", "version": "\(version.version)", "seconds": "\(model.loadSeconds)"])
        return model
    }

    /// Records on the version why it cannot be served, so the registry shows the reason.
    private func recordProblem(_ version: ModelVersion, _ problem: ServingProblem) async throws {
        var info = version.serving ?? ServingInfo(artifact: nil, sha256: nil, servable: false, inspectedAt: clock())
        info.servable = false
        info.reasonCode = problem.code
        info.reason = problem.message
        info.inspectedAt = clock()
        try await store.setServing(
            version.model, version.version, info: info,
            audit: AuditContext(actor: Self.actor, reason: "version \(version.version) could not be loaded: \(problem.message)"))
    }

    static func problem(_ error: any Error) -> ServingProblem {
        switch error {
        case let problem as ServingProblem: problem
        case let error as ModelRuntimeError: ServingProblem(error.code.rawValue, error.message)
        case let error as RegistryError: ServingProblem(error.code.rawValue, error.message)
        default: ServingProblem("load_failed", "\(error)")
        }
    }
}
