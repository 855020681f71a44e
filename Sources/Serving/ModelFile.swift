public import RegistryCore

/// Which artifact of a version is the model to serve.
///
/// A file named `model.onnx` wins (the shallowest one, as MLflow's ONNX flavour and most exports write it); failing
/// that, the version's only `.onnx` file. Several candidates and no `model.onnx` is ambiguous rather than a guess.
public enum ModelFile: Sendable, Equatable {
    case none
    case one(ArtifactEntry)
    case ambiguous([ArtifactPath])

    public init(manifest: [ArtifactEntry]) {
        let candidates = manifest.filter { $0.path.rawValue.lowercased().hasSuffix(".onnx") }
        let named = candidates.filter { $0.path.rawValue.split(separator: "/").last?.lowercased() == "model.onnx" }
        let depth = { (entry: ArtifactEntry) in entry.path.rawValue.split(separator: "/").count }
        if let shallowest = named.map(depth).min() {
            let top = named.filter { depth($0) == shallowest }
            self = top.count == 1 ? .one(top[0]) : .ambiguous(top.map(\.path))
        } else if candidates.count == 1 {
            self = .one(candidates[0])
        } else if candidates.isEmpty {
            self = .none
        } else {
            self = .ambiguous(candidates.map(\.path).sorted())
        }
    }
}
