import CModelKernels
import Foundation

/// The operators transformer encoder exports use beyond the tabular set: LayerNormalization, Gelu, Range and
/// GatherND.
enum TransformerOperators {
    static var definitions: [OperatorDefinition] {
        [
            OperatorDefinition(domain: "", name: "LayerNormalization", opsets: 17...22) { ctx in
                try ctx.expectInputs(2...3)
                let t = try ctx.expect(0, TypeDispatch.floating)
                try ctx.expect(1, [t])
                if ctx.optionalType(2) != nil { try ctx.expect(2, [t]) }
                let axis = try ctx.attributes.int("axis", default: -1)
                let epsilon = Double(try ctx.attributes.float("epsilon", default: 1e-5))
                let stash = try ctx.attributes.int("stash_type", default: 1)
                guard stash == 1 else { throw ctx.unsupported("stash_type", String(stash)) }
                let outputs = ctx.node.output.count
                let label = ctx.label
                if t == .float32, outputs == 1 {
                    let kernel = LayerNormKernel(axis: axis, epsilon: Float(epsilon), residual: false, level: KernelPaths.level, label: label)
                    return BuiltOperator(kernel: kernel, outputTypes: [t], fusion: .layerNorm(axis: axis, epsilon: Float(epsilon)))
                }
                let kernel = ClosureKernel { inputs in
                    let x = try inputs.takeRequired(0, label)
                    let scale = try inputs.required(1, label)
                    let bias = inputs.count > 2 ? inputs[2] : nil
                    if t == .float32 {
                        return try layerNorm(x, scale, bias, axis: axis, epsilon: epsilon, outputs: outputs, Float.self, label)
                    }
                    return try layerNorm(x, scale, bias, axis: axis, epsilon: epsilon, outputs: outputs, Double.self, label)
                }
                return BuiltOperator(kernel: kernel, outputTypes: [t, t, t].prefix(max(1, outputs)).map { $0 })
            },
            OperatorDefinition(domain: "", name: "Gelu", opsets: 20...22) { ctx in
                try ctx.expectInputs(1...1)
                let t = try ctx.expect(0, TypeDispatch.floating)
                let approximate = try ctx.attributes.string("approximate", default: "none")
                guard approximate == "none" || approximate == "tanh" else {
                    throw ctx.unsupported("approximate", approximate)
                }
                let tanh = approximate == "tanh"
                let label = ctx.label
                if !tanh, t == .float32 {
                    return BuiltOperator(kernel: GeluKernel(level: KernelPaths.level, label: label), outputTypes: [t], fusion: .gelu)
                }
                // The tanh form and float64: a scalar loop in double precision.
                let kernel = ClosureKernel { inputs in
                    let x = try inputs.takeRequired(0, label)
                    if var v = x.floats {
                        v.withUnsafeMutableBufferPointer { gelu($0, tanh: tanh) }
                        return [Tensor(unchecked: x.shape, .float32(v))]
                    }
                    guard var v = x.doubles else { throw ModelRuntimeError.invalidInput("\(label): wrong input type") }
                    v.withUnsafeMutableBufferPointer { gelu($0, tanh: tanh) }
                    return [Tensor(unchecked: x.shape, .float64(v))]
                }
                return BuiltOperator(kernel: kernel, outputTypes: [t], fusion: .pointwise)
            },
            OperatorDefinition(domain: "", name: "Range", opsets: 11...22) { ctx in
                try ctx.expectInputs(3...3)
                let t = try ctx.expect(0, TypeDispatch.numeric)
                try ctx.expect(1, [t])
                try ctx.expect(2, [t])
                let label = ctx.label
                let kernel = ClosureKernel { inputs in
                    let (start, limit, delta) = (try inputs.required(0, label), try inputs.required(1, label), try inputs.required(2, label))
                    guard start.count == 1, limit.count == 1, delta.count == 1 else {
                        throw ModelRuntimeError.invalidInput("\(label): start, limit and delta must be scalars")
                    }
                    return [try TypeDispatch.numeric(t, label) { range($0, start, limit, delta, label) }()]
                }
                return BuiltOperator(kernel: kernel, outputTypes: [t])
            },
            OperatorDefinition(domain: "", name: "GatherND", opsets: 11...22) { ctx in
                try ctx.expectInputs(2...2)
                try ctx.expect(1, [.int64])
                let batchDims = ctx.opset >= 12 ? try ctx.attributes.int("batch_dims", default: 0) : 0
                guard batchDims >= 0 else { throw ctx.invalid("batch_dims must not be negative") }
                let label = ctx.label
                let kernel = ClosureKernel { inputs in
                    [try gatherND(try inputs.required(0, label), try inputs.required(1, label), batchDims: batchDims, label: label)]
                }
                return BuiltOperator(kernel: kernel, outputTypes: [try ctx.type(0)])
            },
        ]
    }

    /// Normalises over the axes from `axis` to the last: `(x - mean) / sqrt(variance + epsilon) * scale + bias`,
    /// with the mean and variance accumulated in double precision; also the mean and 1/stddev when asked for.
    static func layerNorm<T: FloatElement>(
        _ x: Tensor, _ scale: Tensor, _ bias: Tensor?, axis: Int, epsilon: Double, outputs: Int, _: T.Type, _ label: String
    ) throws -> [Tensor] {
        let a = try ShapeOperators.normaliseAxis(axis, rank: x.rank, label: label)
        let inner = x.shape[a...].reduce(1, *)
        let outer = x.shape[..<a].reduce(1, *)
        guard var v = x.elements(T.self), let s = scale.elements(T.self) else {
            throw ModelRuntimeError.invalidInput("\(label): wrong input types")
        }
        let b = bias?.elements(T.self)
        guard s.count == inner || s.count == 1, b == nil || b!.count == inner || b!.count == 1 else {
            throw ModelRuntimeError.invalidInput(
                "\(label): scale \(scale.shape) and bias must cover the normalised shape \(Array(x.shape[a...]))")
        }
        var means = [T](repeating: 0, count: outputs > 1 ? outer : 0)
        var inverse = [T](repeating: 0, count: outputs > 2 ? outer : 0)
        if inner > 0 {
            v.withUnsafeMutableBufferPointer { p in
                for o in 0..<outer {
                    let row = p.baseAddress! + o * inner
                    var sum = 0.0
                    for k in 0..<inner { sum += Double(row[k]) }
                    let mean = sum / Double(inner)
                    var squares = 0.0
                    for k in 0..<inner {
                        let d = Double(row[k]) - mean
                        squares += d * d
                    }
                    let inv = 1 / (squares / Double(inner) + epsilon).squareRoot()
                    let m = T(mean)
                    let i = T(inv)
                    if s.count == inner, let b, b.count == inner {
                        for k in 0..<inner { row[k] = (row[k] - m) * i * s[k] + b[k] }
                    } else {
                        for k in 0..<inner {
                            let bk = b.map { $0.count == 1 ? $0[0] : $0[k] } ?? 0
                            row[k] = (row[k] - m) * i * (s.count == 1 ? s[0] : s[k]) + bk
                        }
                    }
                    if outputs > 1 { means[o] = m }
                    if outputs > 2 { inverse[o] = i }
                }
            }
        }
        var results = [Tensor.make(x.shape, v)]
        let statsShape = Array(x.shape[..<a]) + [Int](repeating: 1, count: x.rank - a)
        if outputs > 1 { results.append(Tensor.make(statsShape, means)) }
        if outputs > 2 { results.append(Tensor.make(statsShape, inverse)) }
        return results
    }

    /// `0.5 x (1 + erf(x / sqrt 2))`, or the tanh approximation.
    static func gelu<T: FloatElement>(_ p: UnsafeMutableBufferPointer<T>, tanh: Bool) {
        for i in p.indices {
            let x = Double(p[i])
            let y: Double
            if tanh {
                y = 0.5 * x * (1 + Foundation.tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)))
            } else {
                y = 0.5 * x * (1 + Foundation.erf(x * 0.7071067811865476))
            }
            p[i] = T(y)
        }
    }

    /// `start, start + delta, ...` while before `limit`: `max(ceil((limit - start) / delta), 0)` elements.
    static func range<T: NumericElement>(_: T.Type, _ start: Tensor, _ limit: Tensor, _ delta: Tensor, _ label: String) -> () throws -> Tensor {
        {
            guard let s = start.elements(T.self)?.first, let l = limit.elements(T.self)?.first, let d = delta.elements(T.self)?.first else {
                throw ModelRuntimeError.invalidInput("\(label): wrong input types")
            }
            let (sd, ld, dd) = (s.asDouble, l.asDouble, d.asDouble)
            guard dd != 0, dd.isFinite, sd.isFinite, ld.isFinite else {
                throw ModelRuntimeError.invalidInput("\(label): delta must be a finite non-zero number, and start and limit finite")
            }
            let steps = Swift.max(((ld - sd) / dd).rounded(.up), 0)
            guard steps <= Double(Tensor.maxElements) else {
                throw ModelRuntimeError(.tooLarge, "\(label): the range would have \(steps) elements, more than \(Tensor.maxElements)")
            }
            let n = Int(steps)
            var out = [T]()
            out.reserveCapacity(n)
            var value = s
            for _ in 0..<n {
                out.append(value)
                value = T.add(value, d)
            }
            return Tensor.make([n], out)
        }
    }

    /// ONNX GatherND: each index tuple (the last axis of `indices`, after `batchDims` shared leading axes) picks a
    /// slice of `data`.
    static func gatherND(_ data: Tensor, _ indices: Tensor, batchDims: Int, label: String) throws -> Tensor {
        guard let idx = indices.int64s, indices.rank >= 1, data.rank >= 1 else {
            throw ModelRuntimeError.invalidInput("\(label): data and indices need rank 1 or more, indices int64")
        }
        let k = indices.shape[indices.rank - 1]
        guard batchDims < Swift.min(data.rank, indices.rank), k >= 0, batchDims + k <= data.rank,
            Array(data.shape[..<batchDims]) == Array(indices.shape[..<batchDims])
        else {
            throw ModelRuntimeError.invalidInput(
                "\(label): indices \(indices.shape) do not fit data \(data.shape) with batch_dims \(batchDims)")
        }
        let batch = data.shape[..<batchDims].reduce(1, *)
        let tuplesPerBatch = indices.shape[batchDims..<(indices.rank - 1)].reduce(1, *)
        let sliceSize = data.shape[(batchDims + k)...].reduce(1, *)
        let dataPerBatch = data.shape[batchDims...].reduce(1, *)
        let outShape = Array(indices.shape[..<(indices.rank - 1)]) + Array(data.shape[(batchDims + k)...])
        let count = try Tensor.count(of: outShape, label)
        var picks = [Int]()
        picks.reserveCapacity(count)
        // Strides of the indexed axes.
        var strides = [Int](repeating: sliceSize, count: k)
        if k > 1 { for j in stride(from: k - 2, through: 0, by: -1) { strides[j] = strides[j + 1] * data.shape[batchDims + j + 1] } }
        for bIndex in 0..<batch {
            for tuple in 0..<tuplesPerBatch {
                let base = (bIndex * tuplesPerBatch + tuple) * k
                var offset = bIndex * dataPerBatch
                for j in 0..<k {
                    let dim = data.shape[batchDims + j]
                    var i = Int(clamping: idx[base + j])
                    if i < 0 { i += dim }
                    guard i >= 0, i < dim else {
                        throw ModelRuntimeError(.executionFailed, "\(label): index \(idx[base + j]) is out of range for an axis of \(dim)")
                    }
                    offset += i * strides[j]
                }
                for e in 0..<sliceSize { picks.append(offset + e) }
            }
        }
        return try IndexingOperators.gather(data, picks, outShape)
    }
}

/// The exact GELU over float32, in place (the Gelu operator's kernel, and the one the Erf pattern becomes).
struct GeluKernel: Kernel {
    let level: Int32
    let label: String
    func run(_ inputs: inout [Tensor?]) throws -> [Tensor] {
        var x = try inputs.takeRequired(0, label)
        return [try FloatKernels.mapBuffer(&x, label: label, level: level, mk_gelu_f32_at)]
    }
}

/// Float LayerNormalization in C (mean and variance in float, as onnxruntime computes them). With `residual`, the
/// inputs are `[a, b, scale, bias?]` and the step also performs the `Add(a, b)` it absorbed; when `a` and `b` turn
/// out to differ in shape (a broadcast Add), the Add runs as the separate step would.
struct LayerNormKernel: Kernel {
    let axis: Int
    let epsilon: Float
    let residual: Bool
    let level: Int32
    let label: String

    func run(_ inputs: inout [Tensor?]) throws -> [Tensor] {
        var x = try inputs.takeRequired(0, label)
        var other: Tensor? = nil
        if residual {
            let b = try inputs.required(1, label)
            if b.shape == x.shape, b.elementType == .float32 {
                other = b
            } else {
                x = try ElementwiseOperators.arithmetic(Float.self, .add, &x, b, label)
            }
        }
        let first = residual ? 2 : 1
        let scale = try inputs.required(first, label)
        let bias = inputs.count > first + 1 ? inputs[first + 1] : nil
        let a = try ShapeOperators.normaliseAxis(axis, rank: x.rank, label: label)
        let width = x.shape[a...].reduce(1, *)
        let rows = x.shape[..<a].reduce(1, *)
        guard let s = scale.floats, s.count == width, bias == nil || bias!.floats?.count == width, var v = x.takeElements(Float.self) else {
            if let other { x = try ElementwiseOperators.arithmetic(Float.self, .add, &x, other, label) }
            return try TransformerOperators.layerNorm(
                x, scale, bias, axis: axis, epsilon: Double(epsilon), outputs: 1, Float.self, label)
        }
        let b = bias?.floats
        let r = other?.floats
        v.withUnsafeMutableBufferPointer { p in
            s.withUnsafeBufferPointer { sp in
                func run(_ bp: UnsafePointer<Float>?, _ rp: UnsafePointer<Float>?) {
                    mk_layernorm_f32_at(p.baseAddress, rp, rows, width, sp.baseAddress, bp, epsilon, level)
                }
                switch (b, r) {
                case (let b?, let r?): b.withUnsafeBufferPointer { bp in r.withUnsafeBufferPointer { rp in run(bp.baseAddress, rp.baseAddress) } }
                case (let b?, nil): b.withUnsafeBufferPointer { run($0.baseAddress, nil) }
                case (nil, let r?): r.withUnsafeBufferPointer { run(nil, $0.baseAddress) }
                case (nil, nil): run(nil, nil)
                }
            }
        }
        return [Tensor(unchecked: x.shape, .float32(v))]
    }
}

/// Softmax over the last axis after a scalar division and an additive mask, the tail of an attention block
/// (`Softmax(Add(Div(scores, c), mask))`), in one pass over the scores. Inputs `[scores, mask?]`. The mask is
/// read in place when it broadcasts as attention masks do (`[B, 1, 1, S]`, `[B, 1, S, S]`, `[S]`...: each row of
/// scores meets one row of the mask); any other shape is added as the separate step would.
struct AttentionSoftmaxKernel: Kernel {
    let divisor: Float
    let hasMask: Bool
    let axis: Int
    let level: Int32
    let label: String

    func run(_ inputs: inout [Tensor?]) throws -> [Tensor] {
        var x = try inputs.takeRequired(0, label)
        guard x.rank >= 1, try ShapeOperators.normaliseAxis(axis, rank: x.rank, label: label) == x.rank - 1,
            var v = x.takeElements(Float.self)
        else { throw ModelRuntimeError.invalidInput("\(label): expected float scores with the softmax on the last axis") }
        let shape = x.shape
        let width = shape.last ?? 1
        let rows = width == 0 ? 0 : v.count / width
        var mask: [Float]? = nil
        var maskRows = 1
        var rowsPerMask = 1
        if hasMask {
            let m = try inputs.required(1, label)
            if let pattern = Self.rowPattern(m.shape, over: shape), let mv = m.floats {
                mask = mv
                (maskRows, rowsPerMask) = pattern
            } else {
                // Unusual broadcast: the scale and the Add as separate passes, then a plain softmax over the sum.
                var t = Tensor(unchecked: shape, .float32(v))
                if divisor != 1 { t = try ElementwiseOperators.arithmetic(Float.self, .div, &t, Tensor(unchecked: [], .float32([divisor])), label) }
                t = try ElementwiseOperators.arithmetic(Float.self, .add, &t, m, label)
                let summed = t.shape
                guard var added = t.takeElements(Float.self), let last = summed.last else {
                    throw ModelRuntimeError.invalidInput("\(label): the mask \(m.shape) does not broadcast over the scores \(shape)")
                }
                let count = last == 0 ? 0 : added.count / last
                added.withUnsafeMutableBufferPointer { mk_softmax_rows_f32_at($0.baseAddress, count, last, 1, nil, 1, 1, level) }
                return [Tensor(unchecked: summed, .float32(added))]
            }
        }
        v.withUnsafeMutableBufferPointer { p in
            if let mask {
                mask.withUnsafeBufferPointer { mp in
                    mk_softmax_rows_f32_at(p.baseAddress, rows, width, divisor, mp.baseAddress, maskRows, rowsPerMask, level)
                }
            } else {
                mk_softmax_rows_f32_at(p.baseAddress, rows, width, divisor, nil, 1, 1, level)
            }
        }
        return [Tensor(unchecked: shape, .float32(v))]
    }

    /// When every row of `scores` (all axes but the last) meets one whole row of `mask` as broadcasting would pair
    /// them, as row `(r / rowsPerMask) % maskRows`: the mask keeps the last axis, and its other axes are 1 except a
    /// leading block that matches the scores' leading axes.
    static func rowPattern(_ mask: [Int], over scores: [Int]) -> (maskRows: Int, rowsPerMask: Int)? {
        guard let width = scores.last, mask.count <= scores.count, Broadcast.shape(scores, mask) == scores,
            mask.last == width || (mask.last == 1 && width == 1)
        else { return nil }
        let aligned = [Int](repeating: 1, count: scores.count - mask.count) + mask
        // Axes (other than the last) where the mask varies must be a leading run: [B, 1, 1, S] over [B, H, S, S].
        let varying = aligned.dropLast().enumerated().filter { $0.element != 1 }.map(\.offset)
        guard varying.isEmpty || varying == Array(0..<varying.count) else { return nil }
        let maskRows = varying.reduce(1) { $0 * aligned[$1] }
        let rowsPerMask = scores.dropLast().dropFirst(varying.count).reduce(1, *)
        return (maskRows, max(rowsPerMask, 1))
    }
}
