/// TreeEnsembleRegressor, TreeEnsembleClassifier (ai.onnx.ml 1-4) and TreeEnsemble (ai.onnx.ml 5).
enum TreeEnsembleOperators {
    static var definitions: [OperatorDefinition] {
        [
            OperatorDefinition(domain: OpsetTable.mlDomain, name: "TreeEnsembleRegressor", opsets: 1...5) { ctx in
                try ctx.expectInputs(1...1)
                try ctx.expect(0, MLInput.numericTypes)
                let targets = try ctx.attributes.int("n_targets", default: 1)
                guard targets >= 1, targets < 1 << 20 else { throw ctx.invalid("n_targets=\(targets)") }
                let aggregate = try TreeEnsembleBuilder.aggregate(
                    try ctx.attributes.string("aggregate_function", default: "SUM"), ctx)
                let post = try PostTransform(attribute: try ctx.attributes.string("post_transform", default: "NONE"), ctx)
                let base = try ctx.attributes.floatsOrTensor("base_values") ?? []
                guard base.isEmpty || base.count == targets else {
                    throw ctx.invalid("base_values has \(base.count) entries for \(targets) targets")
                }
                let model = try TreeEnsembleBuilder.classic(
                    &ctx, weightPrefix: "target", targetCount: targets, aggregate: aggregate)
                let kernel = TreeEnsembleRegressorKernel(
                    model: model, base: base, post: post, output: .float32, label: ctx.label)
                return BuiltOperator(
                    kernel: kernel, outputTypes: [.float32], fusion: .treeRegressor(kernel))
            },
            OperatorDefinition(domain: OpsetTable.mlDomain, name: "TreeEnsemble", opsets: 5...5) { ctx in
                try ctx.expectInputs(1...1)
                let t = try ctx.expect(0, [.float32, .float64])
                let (model, post) = try TreeEnsembleV5Builder.build(&ctx)
                let kernel = TreeEnsembleRegressorKernel(
                    model: model, base: [], post: post, output: t == .float32 ? .float32 : .float64, label: ctx.label)
                return BuiltOperator(kernel: kernel, outputTypes: [t])
            },
            OperatorDefinition(domain: OpsetTable.mlDomain, name: "TreeEnsembleClassifier", opsets: 1...5) { ctx in
                try ctx.expectInputs(1...1)
                try ctx.expect(0, MLInput.numericTypes)
                guard let labels = try ClassLabelSet.read(&ctx, intName: "classlabels_int64s", stringName: "classlabels_strings"),
                    labels.count >= 1
                else { throw ctx.invalid("classlabels_int64s or classlabels_strings is required") }
                let post = try PostTransform(attribute: try ctx.attributes.string("post_transform", default: "NONE"), ctx)
                let base = try ctx.attributes.floatsOrTensor("base_values") ?? []
                guard base.count <= labels.count else { throw ctx.invalid("base_values has more entries than classes") }
                let model = try TreeEnsembleBuilder.classic(
                    &ctx, weightPrefix: "class", targetCount: labels.count, aggregate: .sum)
                let kernel = TreeEnsembleClassifierKernel(
                    model: model, labels: labels, base: base, post: post, label: ctx.label)
                return BuiltOperator(kernel: kernel, outputTypes: [labels.elementType, .float32])
            },
        ]
    }

    /// Raw scores of a tree model on an input tensor, checking its width.
    static func scores(_ model: TreeEnsembleModel, _ x: Tensor, _ label: String) throws -> (rows: Int, scores: [Float], has: [Bool]) {
        let rows = x.rank <= 1 ? 1 : x.shape[0]
        let features = x.rank == 0 ? 1 : (x.rank == 1 ? x.shape[0] : (rows == 0 ? 0 : x.count / rows))
        guard rows == 0 || model.maxFeature < features else {
            throw ModelRuntimeError.invalidInput(
                "\(label): the trees read feature \(model.maxFeature) but the input has \(features) columns")
        }
        let empty = ([Float](repeating: 0, count: rows * model.targetCount), [Bool]())
        if let d = x.doubles {
            let r = d.withUnsafeBufferPointer { p in
                p.baseAddress.map { model.scores(rows: rows, features: features, values: $0) } ?? empty
            }
            return (rows, r.0, r.1)
        }
        let (_, _, values) = try MLInput.floatRows(x, label)
        let r = values.withUnsafeBufferPointer { p in
            p.baseAddress.map { model.scores(rows: rows, features: features, values: $0) } ?? empty
        }
        return (rows, r.0, r.1)
    }
}

/// TreeEnsembleRegressor and TreeEnsemble: `[N, n_targets]` scores.
struct TreeEnsembleRegressorKernel: Kernel {
    enum Output: Sendable { case float32, float64 }
    let model: TreeEnsembleModel
    let base: [Float]
    let post: PostTransform
    let output: Output
    let label: String

    init(model: TreeEnsembleModel, base: [Float], post: PostTransform, output: Output, label: String) {
        self.model = model.prepared()
        self.base = base
        self.post = post
        self.output = output
        self.label = label
    }

    func run(_ inputs: inout [Tensor?]) throws -> [Tensor] {
        let x = try inputs.required(0, label)
        var (rows, scores, has) = try TreeEnsembleOperators.scores(model, x, label)
        let t = model.targetCount
        let trees = Float(model.roots.count)
        scores.withUnsafeMutableBufferPointer { s in
            for r in 0..<rows {
                for j in 0..<t {
                    var v = s[r * t + j]
                    switch model.aggregate {
                    case .average: v /= trees
                    case .min, .max: if !has[r * t + j] { v = 0 }
                    case .sum: break
                    }
                    if !base.isEmpty { v += base[j] }
                    s[r * t + j] = v
                }
                if t == 1 {
                    if post == .probit { s[r] = PostTransform.probit(s[r]) }
                } else if let start = s.baseAddress {
                    post.apply(UnsafeMutableBufferPointer(start: start + r * t, count: t))
                }
            }
        }
        switch output {
        case .float32: return [Tensor(unchecked: [rows, t], .float32(scores))]
        case .float64: return [Tensor(unchecked: [rows, t], .float64(scores.map { Double($0) }))]
        }
    }
}

/// TreeEnsembleClassifier: labels `[N]` and scores `[N, classes]`, following onnxruntime's finalisation
/// (including its binary-class special cases).
struct TreeEnsembleClassifierKernel: Kernel {
    let model: TreeEnsembleModel
    let labels: ClassLabelSet
    let base: [Float]
    let post: PostTransform
    let label: String
    let hasClass: [Bool]
    let binaryCase: Bool
    let allPositive: Bool

    init(model: TreeEnsembleModel, labels: ClassLabelSet, base: [Float], post: PostTransform, label: String) {
        self.model = model.prepared()
        self.labels = labels
        self.base = base
        self.post = post
        self.label = label
        hasClass = model.targetsWithWeights
        binaryCase = labels.count == 2 && Set(model.leafTargets).count == 1
        allPositive = model.leafWeights.allSatisfy { $0 >= 0 }
    }

    func run(_ inputs: inout [Tensor?]) throws -> [Tensor] {
        let x = try inputs.required(0, label)
        let (rows, raw, _) = try TreeEnsembleOperators.scores(model, x, label)
        let c = labels.count
        var probabilities = [Float](repeating: 0, count: rows * c)
        var picks = [Int](repeating: 0, count: rows)
        var row = [Float](repeating: 0, count: c)
        var has = hasClass
        for r in 0..<rows {
            for j in 0..<c { row[j] = raw[r * c + j] }
            has = hasClass
            if c > 2 || c == 1 {
                for k in 0..<min(base.count, c) {
                    row[k] = has[k] ? row[k] + base[k] : base[k]
                    has[k] = true
                }
                var best = -1
                for k in 0..<c where has[k] && (best == -1 || row[k] > row[best]) { best = k }
                picks[r] = max(best, 0)
                row.withUnsafeMutableBufferPointer { post.apply($0) }
                for j in 0..<c { probabilities[r * c + j] = row[j] }
                continue
            }
            // Two classes.
            var size = 2
            var extra = -1
            if base.count == 2 {
                if has[1] {
                    row[1] = base[1] + row[0]
                    row[0] = -row[1]
                } else {
                    row[1] += base[1]
                    row[0] += base[0]
                }
            } else if base.count == 1 {
                row[0] += base[0]
                if !has[1] { size = 1 }
            } else {
                extra = 3
                if !has[1] { size = 1 }
            }
            let positive: Float = (size == 2 && has[1]) ? row[1] : (has[0] ? row[0] : 0)
            if binaryCase {
                if allPositive {
                    extra = positive > 0.5 ? 0 : 1
                } else {
                    extra = positive > 0 ? 2 : 3
                }
            }
            picks[r] = positive > (binaryCase && allPositive ? 0.5 : 0) ? 1 : 0
            if size == 2 {
                row.withUnsafeMutableBufferPointer { post.apply($0) }
                probabilities[r * 2] = row[0]
                probabilities[r * 2 + 1] = row[1]
            } else {
                let s = row[0]
                switch (post, extra) {
                case (.probit, _):
                    probabilities[r * 2] = PostTransform.probit(s)
                case (_, 0), (_, 1):
                    probabilities[r * 2] = 1 - s
                    probabilities[r * 2 + 1] = s
                case (.logistic, 2), (.logistic, 3):
                    probabilities[r * 2] = PostTransform.logistic(-s)
                    probabilities[r * 2 + 1] = PostTransform.logistic(s)
                case (_, 2), (_, 3):
                    probabilities[r * 2] = -s
                    probabilities[r * 2 + 1] = s
                default:
                    probabilities[r * 2] = s
                }
            }
        }
        return [labels.tensor(picks, shape: [rows]), Tensor(unchecked: [rows, c], .float32(probabilities))]
    }
}
