public import Foundation
public import ModelRuntime
public import RegistryCore
import Synchronization
public import TextEmbedding

/// A version loaded into memory, verified and warmed up: what a route points at.
///
/// Requests hold a reference while they run, so a version swapped out finishes its in-flight requests and is freed
/// when the last one ends (it is dropped from the pool at the swap).
public final class LoadedModel: Sendable {
    public let key: VersionKey
    /// The version's registration number.
    public let number: Int64
    public let artifact: ArtifactEntry
    public let session: any InferenceSession
    public let outputs: OutputLayout
    /// The training service's decision threshold, applied to native predictions.
    public let threshold: DecisionThreshold?
    public let loadedAt: Date
    /// How long reading, verifying, planning and warming up took.
    public let loadSeconds: Double
    public let metrics: InferenceMetrics
    /// The served rows' drift against the version's reference (idle without one).
    public let drift: DriftMonitor
    private let inFlightCount = Atomic<Int>(0)

    init(
        key: VersionKey, number: Int64, artifact: ArtifactEntry, session: any InferenceSession, loadedAt: Date,
        loadSeconds: Double, metrics: InferenceMetrics, threshold: DecisionThreshold? = nil,
        driftWindows: [Int] = [1_000, 10_000]
    ) {
        self.drift = DriftMonitor(windows: driftWindows)
        self.key = key
        self.number = number
        self.artifact = artifact
        self.session = session
        self.outputs = OutputLayout(session.signature)
        self.threshold = threshold
        self.loadedAt = loadedAt
        self.loadSeconds = loadSeconds
        self.metrics = metrics
    }

    public var signature: ModelSignature { session.signature }

    /// Requests running on this version now.
    public var inFlight: Int { inFlightCount.load(ordering: .relaxed) }

    /// Runs the model, counting the request as in flight and recording its latency, rows and outcome.
    public func run(_ inputs: [String: Tensor], rows: Int) throws -> (outputs: [String: Tensor], seconds: Double) {
        try measured(rows: rows) { try session.run(inputs) }
    }

    /// The text-embedding model, when this version is one.
    public var embedder: EmbeddingSession? { session as? EmbeddingSession }

    /// Embeds texts (see `EmbeddingSession.embed`), measured like `run`; `invalid_input` when the version is not an
    /// embedding model.
    public func embed(_ texts: [String], promptName: String?, truncate: Bool) throws -> (embeddings: Embeddings, seconds: Double) {
        guard let embedder else {
            throw ModelRuntimeError(
                .invalidInput, "version \(key.version) of '\(key.model)' is not a text-embedding model; use /predict for it")
        }
        return try measured(rows: texts.count) { try embedder.embed(texts, promptName: promptName, truncate: truncate) }
    }

    private func measured<T>(rows: Int, _ body: () throws -> T) throws -> (T, Double) {
        inFlightCount.add(1, ordering: .relaxed)
        defer { inFlightCount.subtract(1, ordering: .relaxed) }
        let start = ContinuousClock.now
        do {
            let result = try body()
            let seconds = (ContinuousClock.now - start).seconds
            metrics.record(seconds: seconds, rows: rows, failed: false)
            return (result, seconds)
        } catch let error as ModelRuntimeError where error.code == .invalidInput || error.code == .tooLarge {
            // The caller's mistake, not the model's: not an error of this version.
            metrics.recordRejected()
            throw error
        } catch {
            metrics.record(seconds: (ContinuousClock.now - start).seconds, rows: rows, failed: true)
            throw error
        }
    }
}

extension Duration {
    /// The duration in seconds as a floating-point number.
    public var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) / 1e18
    }
}
