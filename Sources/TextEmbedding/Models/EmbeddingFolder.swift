import Foundation
import ModelRuntime

/// How a folder of files (a registered version's artifacts) holds a text-embedding model: a sentence-transformers
/// folder (`modules.json`, `1_Pooling/config.json`, `sentence_bert_config.json`, optional Normalize) or a plain
/// Hugging Face BERT folder (`config.json`, a tokenizer, weights; mean pooling, as sentence-transformers wraps
/// one), with either an ONNX export (`model.onnx`, `onnx/model.onnx`) or `model.safetensors`.
public struct EmbeddingFolder: Sendable, Equatable {
    /// The folder inside the version (`""` for its root), with a trailing `/` when not empty.
    public var root: String
    /// Paths (relative to the version) of every file the model reads: configs, tokenizer, weights.
    public var files: [String]
    /// The file holding the weights.
    public var weights: String

    /// Configuration files: small, read whole and parsed as JSON.
    static let configNames = [
        "modules.json", "sentence_bert_config.json", "config_sentence_transformers.json", "config.json",
        "tokenizer_config.json", "1_Pooling/config.json",
    ]

    /// The embedding model among `paths`, or `nil` when they hold none (no tokenizer and transformer config
    /// together). The shallowest `modules.json` marks the root; without one, the shallowest folder with a
    /// `config.json` and a tokenizer.
    public static func locate(_ paths: [String]) -> EmbeddingFolder? {
        let lowered = Dictionary(paths.map { ($0.lowercased(), $0) }, uniquingKeysWith: { a, _ in a })
        func folder(of path: String) -> String {
            guard let slash = path.lastIndex(of: "/") else { return "" }
            return String(path[...slash])
        }
        func has(_ root: String, _ name: String) -> Bool { lowered[(root + name).lowercased()] != nil }
        let depth = { (path: String) in path.split(separator: "/").count }
        let named = { (name: String) in paths.filter { $0.lowercased() == name || $0.lowercased().hasSuffix("/" + name) } }
        let modules = named("modules.json")
        var root: String?
        if let shallowest = modules.min(by: { depth($0) < depth($1) }) {
            root = folder(of: shallowest)
        } else {
            let configs = named("config.json").map(folder(of:)).filter { has($0, "tokenizer.json") || has($0, "vocab.txt") }
            root = configs.min(by: { depth($0) < depth($1) })
        }
        guard let root, has(root, "tokenizer.json") || has(root, "vocab.txt") else { return nil }
        let weights = ["model.onnx", "onnx/model.onnx", "model.safetensors"].first { has(root, $0) }
        guard let weights else { return nil }
        var files = (configNames + ["tokenizer.json", "vocab.txt"]).filter { has(root, $0) }.map { lowered[(root + $0).lowercased()]! }
        let weightPath = lowered[(root + weights).lowercased()]!
        files.append(weightPath)
        return EmbeddingFolder(root: root, files: files, weights: weightPath)
    }

    /// The path of `name` inside the folder, as the version spells it.
    func path(_ name: String, in files: [String: Data]) -> String? {
        let wanted = (root + name).lowercased()
        return files.keys.first { $0.lowercased() == wanted }
    }
}
