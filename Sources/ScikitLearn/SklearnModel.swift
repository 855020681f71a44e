public import ModelRuntime

/// A scikit-learn model read from a joblib file: its transforming steps and its final estimator, translated into
/// native evaluators; `run` is thread-safe.
///
/// Loading interprets the pickle (nothing in it runs), then translates each estimator it knows, refusing any other
/// with its name. Evaluation is in double precision, as scikit-learn's.
public struct SklearnSession: InferenceSession {
    public let signature: ModelSignature
    public let metadata: ModelMetadata
    /// What was read, one line per step (`StandardScaler(5 features)`, `RandomForestClassifier(100 trees, ...)`).
    public let steps: [String]
    /// Column names the estimator was fitted with (`feature_names_in_`), when it has them.
    public let featureNames: [String]?
    let transforms: [any TransformStage]
    let final: any PredictStage

    /// Reads a joblib (or plain pickle) file.
    /// - Parameters:
    ///   - bytes: the file's bytes.
    ///   - maxInflatedBytes: bound on what a compressed file may inflate to.
    ///   - preprocessing: a `scaler.joblib` read the same way, applied before the model (a transformer only).
    public init(bytes: [UInt8], maxInflatedBytes: Int = 1 << 30, preprocessing: [UInt8]? = nil) throws(ModelRuntimeError) {
        var stages: [any TransformStage] = []
        var versions: Set<String> = []
        if let preprocessing {
            let root = try Self.read(preprocessing, maxInflatedBytes: maxInflatedBytes)
            let (before, last) = try Self.translate(root, versions: &versions)
            guard let lastTransform = (last as? TransformOnlyStage)?.stage else {
                throw ModelRuntimeError(.invalidModel, "the preprocessing file holds a \(last.name), not a transformer such as a scaler")
            }
            stages = before + [lastTransform]
        }
        let root = try Self.read(bytes, maxInflatedBytes: maxInflatedBytes)
        let (before, last) = try Self.translate(root, versions: &versions)
        stages += before
        transforms = stages
        final = last
        // Each step must take what the one before gives.
        var given = stages.first?.inputWidth ?? last.inputWidth
        for stage in stages {
            guard stage.inputWidth == given else {
                throw ModelRuntimeError(
                    .invalidModel, "\(stage.name) expects \(stage.inputWidth) features but the step before gives \(given)")
            }
            given = stage.outputWidth
        }
        guard last.inputWidth == given else {
            throw ModelRuntimeError(.invalidModel, "\(last.name) expects \(last.inputWidth) features but the step before gives \(given)")
        }
        let width = stages.first?.inputWidth ?? last.inputWidth
        featureNames = Self.featureNames(root)
        signature = ModelSignature(
            inputs: [ModelSignature.Value(name: "X", elementType: .float64, shape: [.symbolic("N"), .fixed(width)])],
            outputs: last.outputs, classLabels: last.classes)
        steps = stages.map(\.name) + [last.name]
        var counts: [String: Int] = [:]
        for name in steps { counts["sklearn:\(name)", default: 0] += 1 }
        var properties = ["estimator": steps.joined(separator: " → ")]
        if let featureNames { properties["feature_names"] = featureNames.joined(separator: ",") }
        metadata = ModelMetadata(
            irVersion: 0, opsets: [:], producerName: "scikit-learn", producerVersion: versions.sorted().joined(separator: ", "),
            domain: "", modelVersion: 0, docString: "", properties: properties, operatorCounts: counts)
    }

    static func read(_ bytes: [UInt8], maxInflatedBytes: Int) throws(ModelRuntimeError) -> PickleNode {
        do {
            return try JoblibFile.read(bytes, allowed: Translation.allowed, maxInflatedBytes: maxInflatedBytes)
        } catch {
            let forbidden = error.description.contains("which is not a class a model file may use")
            throw ModelRuntimeError(forbidden ? .unsafeModel : .invalidModel, error.description)
        }
    }

    static func translate(_ root: PickleNode, versions: inout Set<String>) throws(ModelRuntimeError) -> ([any TransformStage], any PredictStage) {
        do {
            return try Translation.pipeline(root, versions: &versions)
        } catch {
            let unsupported = error.description.contains("is not an estimator this server reads")
            throw ModelRuntimeError(unsupported ? .unsupportedOperator : .invalidModel, error.description)
        }
    }

    static func featureNames(_ root: PickleNode) -> [String]? {
        guard let state = try? EstimatorState(root), state.has("feature_names_in_"),
            case .strings(let names)? = try? ModelSignature.ClassLabels(try state.array("feature_names_in_"), owner: state.name)
        else { return nil }
        return names
    }

    public func run(_ inputs: [String: Tensor]) throws -> [String: Tensor] {
        guard let input = inputs["X"] else {
            throw ModelRuntimeError(.invalidInput, "missing input 'X' (model inputs: X)")
        }
        if let extra = inputs.keys.sorted().first(where: { $0 != "X" }) {
            throw ModelRuntimeError(.invalidInput, "unknown input '\(extra)' (model inputs: X)")
        }
        let width = transforms.first?.inputWidth ?? final.inputWidth
        guard input.rank == 2, input.shape[1] == width else {
            throw ModelRuntimeError(.invalidInput, "input 'X' has shape \(input.shape), the model expects [N, \(width)]")
        }
        var x: [Double]
        switch input.storage {
        case .float64(let v): x = v
        case .float32(let v): x = v.map(Double.init)
        case .int64(let v): x = v.map(Double.init)
        case .int32(let v): x = v.map(Double.init)
        default:
            throw ModelRuntimeError(.invalidInput, "input 'X' has type \(input.elementType.onnxName), the model expects double")
        }
        let rows = input.shape[0]
        for stage in transforms {
            try Self.check(x, rule: stage.rule, name: stage.name)
            x = stage.transform(x, rows: rows)
        }
        try Self.check(x, rule: final.rule, name: final.name)
        return try final.predict(x, rows: rows)
    }

    /// scikit-learn's input validation for a step: NaN and infinities where the estimator refuses them.
    static func check(_ x: [Double], rule: InputRule, name: String) throws(ModelRuntimeError) {
        if rule.nan && rule.infinity && !rule.float32 { return }
        for v in x {
            if v.isNaN {
                if !rule.nan {
                    throw ModelRuntimeError(.invalidInput, "the input contains NaN, which \(name) does not accept; fill in missing values first")
                }
            } else if !(rule.float32 ? Float(v).isFinite : v.isFinite), !rule.infinity {
                throw ModelRuntimeError(
                    .invalidInput,
                    "the input contains infinity or a value too large for \(rule.float32 ? "float32" : "double"), which \(name) does not accept")
            }
        }
    }
}
