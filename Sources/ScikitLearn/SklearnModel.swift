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
    /// The first step when it takes typed columns (a ColumnTransformer, a OneHotEncoder).
    let frameStage: (any FrameStage)?
    /// Input column names (`x0`, `x1`... when the model has none).
    let columnNames: [String]
    /// The widest row any step holds (inputs, outputs, classes): a batch of `rows` allocates at most
    /// `rows × widest` values per array, checked against `Tensor.maxElements` before any is made.
    let widest: Int

    /// Reads a joblib (or plain pickle) file.
    /// - Parameters:
    ///   - bytes: the file's bytes.
    ///   - maxInflatedBytes: bound on what a compressed file may inflate to.
    ///   - preprocessing: a `scaler.joblib` read the same way, applied before the model (a transformer only).
    public init(bytes: [UInt8], maxInflatedBytes: Int = 1 << 30, preprocessing: [UInt8]? = nil) throws(ModelRuntimeError) {
        var stages: [any TransformStage] = []
        var versions: Set<String> = []
        var names: [String]?
        if let preprocessing {
            let root = try Self.read(preprocessing, maxInflatedBytes: maxInflatedBytes)
            names = Self.featureNames(root)
            let (before, last) = try Self.translate(root, versions: &versions)
            guard let lastTransform = (last as? TransformOnlyStage)?.stage else {
                throw ModelRuntimeError(.invalidModel, "the preprocessing file holds a \(last.name), not a transformer such as a scaler")
            }
            stages = before + [lastTransform]
        }
        let root = try Self.read(bytes, maxInflatedBytes: maxInflatedBytes)
        if preprocessing == nil { names = Self.featureNames(root) }
        let (before, last) = try Self.translate(root, versions: &versions)
        if stages.contains(where: { $0 is any FrameStage }) || before.dropFirst().contains(where: { $0 is any FrameStage })
            || !stages.isEmpty && before.first is any FrameStage
            || !(stages + before).isEmpty && (last as? TransformOnlyStage)?.stage is any FrameStage
        {
            throw ModelRuntimeError(.invalidModel, "a ColumnTransformer or OneHotEncoder is supported as the first step only")
        }
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
        let frameStage = (stages.first as? any FrameStage) ?? ((last as? TransformOnlyStage)?.stage as? any FrameStage)
        self.frameStage = frameStage
        if names?.count != width { names = nil }
        if names == nil, let frameStage, !frameStage.stringColumns.isEmpty { names = (0..<width).map { "x\($0)" } }
        featureNames = names
        columnNames = names ?? (0..<width).map { "x\($0)" }
        let inputs: [ModelSignature.Value]
        if let names {
            // Fitted on named columns: one input per column, as the request names them; strings where an encoder
            // takes strings.
            let strings = frameStage?.stringColumns ?? []
            inputs = names.enumerated().map { index, name in
                ModelSignature.Value(
                    name: name, elementType: strings.contains(index) ? .string : .float64, shape: [.symbolic("N"), .fixed(1)])
            }
        } else {
            inputs = [ModelSignature.Value(name: "X", elementType: .float64, shape: [.symbolic("N"), .fixed(width)])]
        }
        signature = ModelSignature(inputs: inputs, outputs: last.outputs, classLabels: last.classes)
        let declared = last.outputs.flatMap { $0.shape ?? [] }.compactMap { if case .fixed(let n) = $0 { n } else { nil } }
        widest = ([width, last.inputWidth, last.classes?.count ?? 1] + stages.flatMap { [$0.inputWidth, $0.outputWidth] } + declared)
            .max() ?? 1
        steps = stages.map(\.summary) + [last.summary]
        var counts: [String: Int] = [:]
        for name in stages.map(\.name) + [last.name] { counts["sklearn:\(name)", default: 0] += 1 }
        var properties = ["estimator": (stages.map(\.name) + [last.name]).joined(separator: " → ")]
        if let featureNames { properties["feature_names"] = featureNames.joined(separator: ",") }
        metadata = ModelMetadata(
            irVersion: 0, opsets: [:], producerName: "scikit-learn", producerVersion: versions.sorted().joined(separator: ", "),
            domain: "", modelVersion: 0, docString: "", properties: properties, operatorCounts: counts)
    }

    /// Every class and function a joblib model file may name.
    public static var allowedNames: Set<String> { Translation.allowed }

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

    /// `feature_names_in_` of the estimator, or of a Pipeline's first step (where a Pipeline keeps them).
    static func featureNames(_ root: PickleNode) -> [String]? {
        guard var state = try? EstimatorState(root) else { return nil }
        if state.name == "Pipeline", let first = (try? Translation.steps(state))?.first { state = first }
        guard state.has("feature_names_in_"),
            case .strings(let names)? = try? ModelSignature.ClassLabels(try state.array("feature_names_in_"), owner: state.name)
        else { return nil }
        return names
    }

    public func run(_ inputs: [String: Tensor]) throws -> [String: Tensor] {
        let frame = try frame(inputs)
        let (cells, overflow) = frame.rows.multipliedReportingOverflow(by: widest)
        guard !overflow, cells <= Tensor.maxElements else {
            throw ModelRuntimeError(
                .tooLarge, "\(frame.rows) rows of this model would need more than \(Tensor.maxElements) values (rows of \(widest))")
        }
        var x: [Double]
        var chain = transforms[...]
        if let frameStage {
            x = try frameStage.transform(frame, names: columnNames)
            if chain.isEmpty { return ["transform": try Outputs.tensor(x, rows: frame.rows, width: frameStage.outputWidth)] }
            chain = chain.dropFirst()
        } else {
            x = try frame.matrix(columnNames)
        }
        for stage in chain {
            try Self.check(x, rule: stage.rule, name: stage.name)
            x = stage.transform(x, rows: frame.rows)
        }
        try Self.check(x, rule: final.rule, name: final.name)
        return try final.predict(x, rows: frame.rows)
    }

    /// Rows this model accepts: an encoder's known categories for its columns (cycling through them), and seeded
    /// standard-normal-ish numbers (zeros without a seed) elsewhere.
    public func exampleInputs(batch: Int, seed: UInt64?) throws -> [String: Tensor]? {
        let known = frameStage?.knownValues ?? [:]
        var state = seed ?? 0
        func number() -> Double {
            guard seed != nil else { return 0 }
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(Int64(bitPattern: state >> 11) % 2_000_000) / 1_000_000 - 1
        }
        func value(_ column: Int, _ row: Int) -> (Double?, String?) {
            guard let categories = known[column], !categories.isEmpty else { return (number(), nil) }
            switch categories[row % categories.count] {
            case .number(let n): return (n, nil)
            case .string(let s): return (nil, s)
            case .missing: return (.nan, nil)
            }
        }
        if featureNames == nil {
            let width = columnNames.count
            var values: [Double] = []
            for r in 0..<batch { for c in 0..<width { values.append(value(c, r).0 ?? 0) } }
            return ["X": try Tensor(shape: [batch, width], doubles: values)]
        }
        var result: [String: Tensor] = [:]
        for (c, spec) in signature.inputs.enumerated() {
            let cells = (0..<batch).map { value(c, $0) }
            result[spec.name] =
                spec.elementType == .string
                ? try Tensor(shape: [batch, 1], strings: cells.map { $0.1 ?? "" })
                : try Tensor(shape: [batch, 1], doubles: cells.map { $0.0 ?? 0 })
        }
        return result
    }

    /// The request's tensors as columns: one `X` matrix, or one input per named column.
    func frame(_ inputs: [String: Tensor]) throws(ModelRuntimeError) -> Frame {
        let names = signature.inputs.map(\.name)
        if let extra = inputs.keys.sorted().first(where: { !names.contains($0) }) {
            throw ModelRuntimeError(.invalidInput, "unknown input '\(extra)' (model inputs: \(names.joined(separator: ", ")))")
        }
        func numbers(_ tensor: Tensor, _ name: String) throws(ModelRuntimeError) -> [Double] {
            switch tensor.storage {
            case .float64(let v): return v
            case .float32(let v): return v.map(Double.init)
            case .int64(let v): return v.map(Double.init)
            case .int32(let v): return v.map(Double.init)
            case .bool(let v): return v.map { $0 ? 1 : 0 }
            case .string: throw ModelRuntimeError(.invalidInput, "input '\(name)' holds strings, the model expects numbers")
            }
        }
        if featureNames == nil {
            guard let input = inputs["X"] else { throw ModelRuntimeError(.invalidInput, "missing input 'X' (model inputs: X)") }
            let width = columnNames.count
            guard input.rank == 2, input.shape[1] == width else {
                throw ModelRuntimeError(.invalidInput, "input 'X' has shape \(input.shape), the model expects [N, \(width)]")
            }
            return Frame(matrix: try numbers(input, "X"), rows: input.shape[0], width: width)
        }
        var rows: Int?
        var columns: [Frame.Column] = []
        for spec in signature.inputs {
            guard let tensor = inputs[spec.name] else {
                throw ModelRuntimeError(.invalidInput, "missing input '\(spec.name)' (model inputs: \(names.joined(separator: ", ")))")
            }
            guard tensor.rank == 1 || tensor.rank == 2 && tensor.shape[1] == 1 else {
                throw ModelRuntimeError(.invalidInput, "input '\(spec.name)' has shape \(tensor.shape), the model expects [N, 1]")
            }
            guard rows == nil || rows == tensor.shape[0] else {
                throw ModelRuntimeError(.invalidInput, "input '\(spec.name)' has \(tensor.shape[0]) rows where the others have \(rows!)")
            }
            rows = tensor.shape[0]
            if spec.elementType == .string {
                guard case .string(let values) = tensor.storage else {
                    throw ModelRuntimeError(.invalidInput, "input '\(spec.name)' must hold strings (the encoder's categories are strings)")
                }
                columns.append(.strings(values))
            } else {
                columns.append(.numbers(try numbers(tensor, spec.name)))
            }
        }
        return Frame(rows: rows ?? 0, columns: columns)
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
