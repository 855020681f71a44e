import Foundation

/// SVMClassifier and SVMRegressor, computed as onnxruntime does (float kernels, one-vs-one votes).
enum SVMOperators {
    static var definitions: [OperatorDefinition] {
        [
            OperatorDefinition(domain: OpsetTable.mlDomain, name: "SVMClassifier", opsets: 1...5) { ctx in
                try ctx.expectInputs(1...1)
                try ctx.expect(0, MLInput.numericTypes)
                let kernel = try SVMKernelFunction.read(&ctx)
                guard let labels = try ClassLabelSet.read(&ctx, intName: "classlabels_ints", stringName: "classlabels_strings")
                else { throw ctx.invalid("classlabels_ints or classlabels_strings is required") }
                var svc = SVMClassifierKernel(
                    kernel: kernel, labels: labels,
                    coefficients: try ctx.attributes.floats("coefficients") ?? [],
                    supportVectors: try ctx.attributes.floats("support_vectors") ?? [],
                    vectorsPerClass: try ctx.attributes.int64s("vectors_per_class") ?? [],
                    rho: try ctx.attributes.floats("rho") ?? [],
                    probA: try ctx.attributes.floats("prob_a") ?? [],
                    post: try PostTransform(attribute: try ctx.attributes.string("post_transform", default: "NONE"), ctx),
                    label: ctx.label)
                try svc.validate(ctx)
                svc.prepare()
                return BuiltOperator(kernel: svc, outputTypes: [labels.elementType, .float32])
            },
            OperatorDefinition(domain: OpsetTable.mlDomain, name: "SVMRegressor", opsets: 1...5) { ctx in
                try ctx.expectInputs(1...1)
                try ctx.expect(0, MLInput.numericTypes)
                let kernel = try SVMKernelFunction.read(&ctx)
                let coefficients = try ctx.attributes.floats("coefficients") ?? []
                let supportVectors = try ctx.attributes.floats("support_vectors") ?? []
                let count = try ctx.attributes.int("n_supports", default: 0)
                let oneClass = try ctx.attributes.int("one_class", default: 0) != 0
                let rho = try ctx.attributes.floats("rho") ?? [0]
                let post = try PostTransform(attribute: try ctx.attributes.string("post_transform", default: "NONE"), ctx)
                guard !rho.isEmpty, !coefficients.isEmpty else { throw ctx.invalid("coefficients and rho are required") }
                if count > 0 {
                    guard coefficients.count >= count, supportVectors.count % count == 0 else {
                        throw ctx.invalid("support_vectors/coefficients do not fit n_supports=\(count)")
                    }
                }
                let features = count > 0 ? supportVectors.count / count : coefficients.count
                let label = ctx.label
                // A linear kernel's sum over support vectors is one weight vector, summed once here in double; the
                // model then runs like the coefficients-only form: one dot product per row, not one per vector.
                let collapsed = count > 0 && kernel.type == .linear
                var weights = [Double](repeating: 0, count: collapsed ? features : 0)
                if collapsed {
                    for j in 0..<count {
                        for f in 0..<features { weights[f] += Double(coefficients[j]) * Double(supportVectors[j * features + f]) }
                    }
                }
                let supports = collapsed ? 0 : count
                let dual = collapsed ? weights.map { Float($0) } : coefficients
                let linear = supports > 0 ? kernel : SVMKernelFunction(type: .linear, gamma: 0, coef0: 0, degree: 0)
                let vectors = supports > 0 ? supportVectors : dual
                let vectorCount = supports > 0 ? supports : 1
                let transposed = LinearOperators.transpose(vectors, rows: vectorCount)
                return BuiltOperator(
                    kernel: ClosureKernel { inputs in
                        let (rows, width, x) = try MLInput.floatRows(try inputs.required(0, label), label)
                        guard width == features || rows == 0 else {
                            throw ModelRuntimeError.invalidInput("\(label): input has \(width) features, the model expects \(features)")
                        }
                        let k = linear.evaluate(
                            x, rows: rows, features: features, vectors: vectors, transposed: transposed, count: vectorCount,
                            constant: supports > 0 ? 0 : rho[0])
                        var out = [Float](repeating: 0, count: rows)
                        for r in 0..<rows {
                            var s: Float
                            if supports > 0 {
                                var sum: Float = 0
                                for j in 0..<supports { sum += dual[j] * k[r * supports + j] }
                                s = sum + rho[0]
                            } else {
                                s = k[r]
                            }
                            if oneClass { s = s > 0 ? 1 : -1 }
                            out[r] = post == .probit ? PostTransform.probit(s) : s
                        }
                        return [Tensor(unchecked: [rows, 1], .float32(out))]
                    }, outputTypes: [.float32])
            },
        ]
    }
}

/// An SVM kernel: LINEAR, POLY, RBF or SIGMOID with gamma, coef0 and degree.
struct SVMKernelFunction: Sendable {
    enum Kind: String, Sendable { case linear = "LINEAR", poly = "POLY", rbf = "RBF", sigmoid = "SIGMOID" }
    let type: Kind
    let gamma: Float
    let coef0: Float
    let degree: Float

    static func read(_ ctx: inout NodeContext) throws -> SVMKernelFunction {
        let name = try ctx.attributes.string("kernel_type", default: "LINEAR")
        guard let kind = Kind(rawValue: name) else { throw ctx.unsupported("kernel_type", name) }
        let params = try ctx.attributes.floats("kernel_params") ?? []
        guard params.isEmpty || params.count >= 3 else { throw ctx.invalid("kernel_params needs gamma, coef0, degree") }
        return SVMKernelFunction(
            type: kind, gamma: params.first ?? 0, coef0: params.count > 1 ? params[1] : 0,
            degree: params.count > 2 ? params[2] : 0)
    }

    /// Kernel values of every input row against `count` stored rows: `[rows, count]`, row-major.
    /// Dot-product kernels go through one GEMM against the transposed vectors, like onnxruntime.
    func evaluate(_ x: [Float], rows: Int, features: Int, vectors: [Float], transposed: [Float], count: Int, constant: Float)
        -> [Float]
    {
        var out = [Float](repeating: 0, count: rows * count)
        guard rows > 0, count > 0 else { return out }
        x.withUnsafeBufferPointer { xp in
            vectors.withUnsafeBufferPointer { vp in
                transposed.withUnsafeBufferPointer { tp in
                    out.withUnsafeMutableBufferPointer { op in
                        guard let xb = xp.baseAddress, let vb = vp.baseAddress, let tb = tp.baseAddress,
                            let ob = op.baseAddress
                        else { return }
                        if type == .rbf {
                            // Four support vectors at a time: independent sums overlap, each summed in order.
                            for r in 0..<rows {
                                let row = xb + r * features
                                var j = 0
                                while j + 4 <= count {
                                    let v0 = vb + j * features
                                    let v1 = v0 + features, v2 = v1 + features, v3 = v2 + features
                                    var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
                                    for f in 0..<features {
                                        let x = row[f]
                                        let d0 = x - v0[f], d1 = x - v1[f], d2 = x - v2[f], d3 = x - v3[f]
                                        s0 += d0 * d0
                                        s1 += d1 * d1
                                        s2 += d2 * d2
                                        s3 += d3 * d3
                                    }
                                    let o = ob + r * count + j
                                    o[0] = Foundation.exp(-gamma * s0)
                                    o[1] = Foundation.exp(-gamma * s1)
                                    o[2] = Foundation.exp(-gamma * s2)
                                    o[3] = Foundation.exp(-gamma * s3)
                                    j += 4
                                }
                                while j < count {
                                    let v = vb + j * features
                                    var sum: Float = 0
                                    for f in 0..<features {
                                        let d = row[f] - v[f]
                                        sum += d * d
                                    }
                                    ob[r * count + j] = Foundation.exp(-gamma * sum)
                                    j += 1
                                }
                            }
                            return
                        }
                        let linear = type == .linear
                        let (alpha, c) = linear ? (Float(1), constant) : (gamma, coef0)
                        for i in 0..<(rows * count) { ob[i] = c }
                        GEMM.multiplyAdd(m: rows, n: count, k: features, alpha: alpha, a: xb, b: tb, c: ob)
                        if type == .sigmoid {
                            for i in 0..<(rows * count) { ob[i] = Foundation.tanh(ob[i]) }
                        } else if type == .poly {
                            for i in 0..<(rows * count) {
                                let s = ob[i]
                                ob[i] = degree == 2 ? s * s : degree == 3 ? s * s * s : Foundation.pow(s, degree)
                            }
                        }
                    }
                }
            }
        }
        return out
    }
}

struct SVMClassifierKernel: Kernel {
    let kernel: SVMKernelFunction
    let labels: ClassLabelSet
    let coefficients: [Float]
    let supportVectors: [Float]
    let vectorsPerClass: [Int64]
    let rho: [Float]
    let probA: [Float]
    let post: PostTransform
    let label: String
    /// Support vectors (or linear coefficients) transposed for the GEMM, computed once at load.
    var transposedVectors: [Float] = []

    mutating func prepare() {
        transposedVectors =
            isSVC
            ? LinearOperators.transpose(supportVectors, rows: max(vectorCount, 1))
            : LinearOperators.transpose(coefficients, rows: max(classCount, 1))
    }

    var classCount: Int { labels.count }
    /// Support vectors in all; `validate` has bounded each class's count by the vectors the file holds.
    var vectorCount: Int { Int(vectorsPerClass.reduce(0, &+)) }
    var isSVC: Bool { !vectorsPerClass.isEmpty }
    var features: Int { isSVC ? (vectorCount == 0 ? 0 : supportVectors.count / vectorCount) : coefficients.count / max(classCount, 1) }

    func validate(_ ctx: NodeContext) throws {
        guard probA.isEmpty else { throw ctx.unsupported("prob_a", "(probability estimates)") }
        if isSVC {
            // Each count is at most the values the file holds, so their sum and the products below cannot overflow.
            guard vectorsPerClass.allSatisfy({ $0 >= 0 && $0 <= Int64(supportVectors.count) }),
                vectorsPerClass.count <= max(supportVectors.count, 1), classCount <= 1 << 20
            else { throw ctx.invalid("vectors_per_class does not fit the \(supportVectors.count) support vector values") }
            guard vectorsPerClass.count == classCount, vectorCount > 0, vectorCount <= supportVectors.count,
                supportVectors.count % vectorCount == 0,
                coefficients.count >= (classCount - 1) * vectorCount,
                rho.count >= classCount * (classCount - 1) / 2
            else { throw ctx.invalid("support vectors, coefficients and rho do not fit \(classCount) classes") }
        } else {
            guard classCount > 0, coefficients.count % classCount == 0, !rho.isEmpty else {
                throw ctx.invalid("coefficients do not fit \(classCount) classes")
            }
        }
    }

    func run(_ inputs: inout [Tensor?]) throws -> [Tensor] {
        let (rows, width, x) = try MLInput.floatRows(try inputs.required(0, label), label)
        guard width == features || rows == 0 else {
            throw ModelRuntimeError.invalidInput("\(label): input has \(width) features, the model expects \(features)")
        }
        let c = classCount
        let pairs = c * (c - 1) / 2
        let columns = isSVC ? (c > 2 ? pairs : 2) : c
        var scores = [Float](repeating: 0, count: rows * columns)
        var picks = [Int](repeating: 0, count: rows)
        var starts = [Int](repeating: 0, count: c)
        for i in 1..<max(c, 1) { starts[i] = starts[i - 1] + Int(vectorsPerClass.isEmpty ? 0 : vectorsPerClass[i - 1]) }
        let all = kernel.evaluate(
            x, rows: rows, features: width, vectors: isSVC ? supportVectors : coefficients, transposed: transposedVectors,
            count: isSVC ? vectorCount : c, constant: isSVC ? 0 : rho[0])
        let stride = isSVC ? vectorCount : c
        for r in 0..<rows {
            if !isSVC {
                let s = all[(r * c)..<((r + 1) * c)].map { $0 }
                for j in 0..<c { scores[r * c + j] = s[j] }
                var best = 0
                for j in 1..<c where s[j] > s[best] { best = j }
                picks[r] = best
                let maxWeight = s[best]
                if c == 2 {
                    // onnxruntime's binary rule when no probabilities are computed.
                    let allPositive = coefficients.allSatisfy { $0 >= 0 }
                    if allPositive && maxWeight >= 0.5 || (maxWeight > 0 && !allPositive) { picks[r] = 1 }
                }
                continue
            }
            let kb = r * stride
            var votes = [Int](repeating: 0, count: c)
            var index = 0
            for i in 0..<(c - 1) {
                for j in (i + 1)..<c {
                    var sum: Double = 0
                    let ci = (j - 1) * vectorCount + starts[i]
                    for m in 0..<Int(vectorsPerClass[i]) { sum += Double(coefficients[ci + m] * all[kb + starts[i] + m]) }
                    let cj = i * vectorCount + starts[j]
                    for m in 0..<Int(vectorsPerClass[j]) { sum += Double(coefficients[cj + m] * all[kb + starts[j] + m]) }
                    sum += Double(rho[index])
                    scores[r * columns + index] = Float(sum)
                    votes[sum > 0 ? i : j] += 1
                    index += 1
                }
            }
            var best = 0
            for j in 1..<c where votes[j] > votes[best] { best = j }
            picks[r] = best
            if c <= 2 {
                let s = scores[r * columns]
                if post == .none {
                    scores[r * columns] = -s
                    scores[r * columns + 1] = s
                } else {
                    scores[r * columns] = 1 - s
                    scores[r * columns + 1] = s
                }
            }
        }
        if post != .none && !(isSVC && c <= 2) {
            scores.withUnsafeMutableBufferPointer { sp in
                guard let base = sp.baseAddress else { return }
                for r in 0..<rows { post.apply(UnsafeMutableBufferPointer(start: base + r * columns, count: columns)) }
            }
        }
        return [labels.tensor(picks, shape: [rows]), Tensor(unchecked: [rows, columns], .float32(scores))]
    }
}
