public import RegistryCore
public import TextEmbedding

/// Which artifact of a version is the model to serve.
///
/// A text-embedding folder comes first (a sentence-transformers folder, or a BERT folder with its tokenizer and
/// config: its `model.onnx` takes token ids, so it is served through the folder, never alone). Then a file named `model.onnx` wins (the shallowest one, as MLflow's ONNX flavour and most exports write it), then
/// `model.joblib` (a scikit-learn model, as training services write it); failing those, the version's only `.onnx`
/// file, or its only `.joblib` file other than a `scaler.joblib`. Several candidates and no such name is ambiguous
/// rather than a guess.
public enum ModelFile: Sendable, Equatable {
    case none
    case one(ArtifactEntry)
    /// A text-embedding model: its weights file and the folder's files.
    case embedding(ArtifactEntry, EmbeddingFolder)
    case ambiguous([ArtifactPath])

    public init(manifest: [ArtifactEntry]) {
        if let folder = EmbeddingFolder.locate(manifest.map(\.path.rawValue)),
            let weights = manifest.first(where: { $0.path.rawValue == folder.weights })
        {
            self = .embedding(weights, folder)
            return
        }
        self = Self.pick(manifest, suffix: ".onnx", named: "model.onnx")
        if case .none = self {
            self = Self.pick(
                manifest.filter { Self.fileName($0.path) != Self.preprocessingName }, suffix: ".joblib", named: "model.joblib")
        }
    }

    /// The preprocessing file a training folder carries beside its `model.joblib`.
    public static let preprocessingName = "scaler.joblib"

    /// The `scaler.joblib` in the same folder as a joblib model, which is applied before it.
    public static func preprocessing(for model: ArtifactEntry, in manifest: [ArtifactEntry]) -> ArtifactEntry? {
        guard isJoblib(model.path) else { return nil }
        let folder = model.path.rawValue.split(separator: "/").dropLast().joined(separator: "/")
        let wanted = folder.isEmpty ? preprocessingName : folder + "/" + preprocessingName
        return manifest.first { $0.path.rawValue.lowercased() == wanted.lowercased() }
    }

    /// Whether the file is read as a scikit-learn (joblib) model rather than ONNX.
    public static func isJoblib(_ path: ArtifactPath) -> Bool { path.rawValue.lowercased().hasSuffix(".joblib") }

    /// The runtime that executes the file: `scikit-learn` for a joblib model, else `onnx`.
    public static func runtime(_ path: ArtifactPath) -> String { isJoblib(path) ? "scikit-learn" : "onnx" }

    /// The runtime named in `ServingInfo.runtime` for an embedding model.
    public static let embeddingRuntime = "sentence-transformers"

    static func fileName(_ path: ArtifactPath) -> String {
        String(path.rawValue.split(separator: "/").last ?? "").lowercased()
    }

    static func pick(_ manifest: [ArtifactEntry], suffix: String, named: String) -> ModelFile {
        let candidates = manifest.filter { $0.path.rawValue.lowercased().hasSuffix(suffix) }
        let named = candidates.filter { fileName($0.path) == named }
        let depth = { (entry: ArtifactEntry) in entry.path.rawValue.split(separator: "/").count }
        if let shallowest = named.map(depth).min() {
            let top = named.filter { depth($0) == shallowest }
            return top.count == 1 ? .one(top[0]) : .ambiguous(top.map(\.path))
        } else if candidates.count == 1 {
            return .one(candidates[0])
        } else if candidates.isEmpty {
            return .none
        } else {
            return .ambiguous(candidates.map(\.path).sorted())
        }
    }
}
