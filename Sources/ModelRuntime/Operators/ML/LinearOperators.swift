/// LinearClassifier and LinearRegressor: `X * coefficients^T + intercepts`, then onnxruntime's score
/// finalisation.
enum LinearOperators {
    static var definitions: [OperatorDefinition] {
        [
            OperatorDefinition(domain: OpsetTable.mlDomain, name: "LinearClassifier", opsets: 1...5) { ctx in
                try ctx.expectInputs(1...1)
                try ctx.expect(0, MLInput.numericTypes)
                let coefficients = try AttributeReader.required(try ctx.attributes.floats("coefficients"), "coefficients", ctx.label)
                let intercepts = try ctx.attributes.floats("intercepts") ?? []
                let labels = try ClassLabelSet.read(&ctx, intName: "classlabels_ints", stringName: "classlabels_strings")
                _ = try ctx.attributes.int("multi_class")
                let post = try PostTransform(attribute: try ctx.attributes.string("post_transform", default: "NONE"), ctx)
                let classes = intercepts.count
                guard classes >= 1, coefficients.count % classes == 0, !coefficients.isEmpty else {
                    throw ctx.invalid("\(coefficients.count) coefficients do not fit \(classes) intercepts")
                }
                let labelSet = labels ?? .ints((0..<Int64(max(classes, 2))).map { $0 })
                guard classes == 1 || labelSet.count == classes else {
                    throw ctx.invalid("\(labelSet.count) class labels for \(classes) score columns")
                }
                let kernel = LinearKernel(
                    weights: transpose(coefficients, rows: classes), intercepts: intercepts,
                    features: coefficients.count / classes, classifier: labelSet, post: post, label: ctx.label)
                return BuiltOperator(kernel: kernel, outputTypes: [labelSet.elementType, .float32])
            },
            OperatorDefinition(domain: OpsetTable.mlDomain, name: "LinearRegressor", opsets: 1...5) { ctx in
                try ctx.expectInputs(1...1)
                try ctx.expect(0, MLInput.numericTypes)
                let coefficients = try AttributeReader.required(try ctx.attributes.floats("coefficients"), "coefficients", ctx.label)
                let targets = try ctx.attributes.int("targets", default: 1)
                guard targets >= 1, targets <= coefficients.count else {
                    throw ctx.invalid("targets \(targets) does not fit \(coefficients.count) coefficients")
                }
                let intercepts = try ctx.attributes.floats("intercepts") ?? Array(repeating: 0, count: targets)
                let post = try PostTransform(attribute: try ctx.attributes.string("post_transform", default: "NONE"), ctx)
                guard targets >= 1, intercepts.count == targets, coefficients.count % targets == 0, !coefficients.isEmpty else {
                    throw ctx.invalid("coefficients/intercepts do not fit \(targets) targets")
                }
                let kernel = LinearKernel(
                    weights: transpose(coefficients, rows: targets), intercepts: intercepts,
                    features: coefficients.count / targets, classifier: nil, post: post, label: ctx.label)
                return BuiltOperator(kernel: kernel, outputTypes: [.float32])
            },
        ]
    }

    /// `[rows, cols]` row-major to `[cols, rows]`.
    static func transpose(_ v: [Float], rows: Int) -> [Float] {
        let cols = v.count / rows
        var out = [Float](repeating: 0, count: v.count)
        for r in 0..<rows { for c in 0..<cols { out[c * rows + r] = v[r * cols + c] } }
        return out
    }
}

struct LinearKernel: Kernel {
    /// `[features, outputs]`, transposed at load for the GEMM.
    let weights: [Float]
    let intercepts: [Float]
    let features: Int
    let classifier: ClassLabelSet?
    let post: PostTransform
    let label: String

    func run(_ inputs: inout [Tensor?]) throws -> [Tensor] {
        let (rows, width, x) = try MLInput.floatRows(try inputs.required(0, label), label)
        guard width == features || rows == 0 else {
            throw ModelRuntimeError.invalidInput("\(label): input has \(width) features, the model expects \(features)")
        }
        let k = intercepts.count
        var scores = [Float](repeating: 0, count: rows * k)
        for r in 0..<rows { for j in 0..<k { scores[r * k + j] = intercepts[j] } }
        x.withUnsafeBufferPointer { xp in
            weights.withUnsafeBufferPointer { wp in
                scores.withUnsafeMutableBufferPointer { sp in
                    if let a = xp.baseAddress, let b = wp.baseAddress, let c = sp.baseAddress {
                        GEMM.multiplyAdd(m: rows, n: k, k: features, alpha: 1, a: a, b: b, c: c)
                    }
                }
            }
        }
        guard let labels = classifier else {
            if k == 1 {
                if post == .probit { for i in scores.indices { scores[i] = PostTransform.probit(scores[i]) } }
            } else {
                applyRows(&scores, k)
            }
            return [Tensor(unchecked: [rows, k], .float32(scores))]
        }
        var picks = [Int](repeating: 0, count: rows)
        if k == 1 {
            let addSecond = labels.count == 2
            for r in 0..<rows { picks[r] = scores[r] > 0 ? 1 : 0 }
            let labelTensor: Tensor
            if labels.count == 2 {
                labelTensor = labels.tensor(picks, shape: [rows])
            } else if case .strings = labels {
                labelTensor = Tensor(unchecked: [rows], .string(picks.map { $0 == 1 ? "1" : "0" }))
            } else {
                labelTensor = Tensor(unchecked: [rows], .int64(picks.map { Int64($0) }))
            }
            if post == .probit {
                for i in scores.indices { scores[i] = PostTransform.probit(scores[i]) }
                return [labelTensor, Tensor(unchecked: [rows, 1], .float32(scores))]
            }
            if addSecond {
                var two = [Float](repeating: 0, count: rows * 2)
                for r in 0..<rows {
                    two[2 * r] = 1 - scores[r]
                    two[2 * r + 1] = scores[r]
                }
                return [labelTensor, Tensor(unchecked: [rows, 2], .float32(two))]
            }
            return [labelTensor, Tensor(unchecked: [rows, 1], .float32(scores))]
        }
        for r in 0..<rows {
            var best = 0
            for j in 1..<k where scores[r * k + j] > scores[r * k + best] { best = j }
            picks[r] = best
        }
        applyRows(&scores, k)
        return [labels.tensor(picks, shape: [rows]), Tensor(unchecked: [rows, k], .float32(scores))]
    }

    private func applyRows(_ scores: inout [Float], _ k: Int) {
        guard post != .none else { return }
        scores.withUnsafeMutableBufferPointer { sp in
            guard let base = sp.baseAddress else { return }
            var r = 0
            while r * k < sp.count {
                post.apply(UnsafeMutableBufferPointer(start: base + r * k, count: k))
                r += 1
            }
        }
    }
}
