import CModelKernels
import Foundation

/// ReduceSum, ReduceMean, ReduceSumSquare, ReduceMax, ReduceMin, ReduceProd, ReduceL2, ArgMax, ArgMin, TopK
/// and Softmax.
enum ReductionOperators {
    enum Reduction: Sendable { case sum, mean, sumSquare, max, min, prod, l2 }

    static var definitions: [OperatorDefinition] {
        var defs: [OperatorDefinition] = []
        let reductions: [(String, Reduction, Int)] = [
            ("ReduceSum", .sum, 13), ("ReduceMean", .mean, 18), ("ReduceSumSquare", .sumSquare, 18),
            ("ReduceMax", .max, 18), ("ReduceMin", .min, 18), ("ReduceProd", .prod, 18), ("ReduceL2", .l2, 18),
        ]
        for (name, reduction, axesInputSince) in reductions {
            defs.append(
                OperatorDefinition(domain: "", name: name, opsets: 1...22) { ctx in
                    try ctx.expectInputs(1...2)
                    let t = try ctx.expect(0, TypeDispatch.numeric)
                    let keepDims = try ctx.attributes.int("keepdims", default: 1) != 0
                    let noopEmpty = try ctx.attributes.int("noop_with_empty_axes", default: 0) != 0
                    let fixed = try ShapeOperators.axesArgument(&ctx, inputIndex: 1, attributeUntil: axesInputSince)
                    let label = ctx.label
                    // Concrete metatypes so each kernel is specialised (see FloatKernels).
                    let kernel: any Kernel
                    switch t {
                    case .float32: kernel = reduceKernel(Float.self, reduction, fixed: fixed, keepDims: keepDims, noopEmpty: noopEmpty, label: label)
                    case .float64: kernel = reduceKernel(Double.self, reduction, fixed: fixed, keepDims: keepDims, noopEmpty: noopEmpty, label: label)
                    case .int64: kernel = reduceKernel(Int64.self, reduction, fixed: fixed, keepDims: keepDims, noopEmpty: noopEmpty, label: label)
                    default: kernel = reduceKernel(Int32.self, reduction, fixed: fixed, keepDims: keepDims, noopEmpty: noopEmpty, label: label)
                    }
                    var fusion: FusionInfo? = nil
                    if reduction == .sumSquare, !noopEmpty, case .some(let axes) = fixed { fusion = .reduceSumSquare(axes: axes, keepDims: keepDims) }
                    return BuiltOperator(kernel: kernel, outputTypes: [t], fusion: fusion)
                })
        }
        for name in ["ArgMax", "ArgMin"] {
            defs.append(
                OperatorDefinition(domain: "", name: name, opsets: 1...22) { ctx in
                    try ctx.expectInputs(1...1)
                    let t = try ctx.expect(0, TypeDispatch.numeric)
                    let axis = try ctx.attributes.int("axis", default: 0)
                    let keepDims = try ctx.attributes.int("keepdims", default: 1) != 0
                    let last = try ctx.attributes.int("select_last_index", default: 0) != 0
                    let label = ctx.label
                    let isMax = name == "ArgMax"
                    let kernel: any Kernel
                    switch t {
                    case .float32: kernel = argKernel(Float.self, max: isMax, axis: axis, keepDims: keepDims, last: last, label: label)
                    case .float64: kernel = argKernel(Double.self, max: isMax, axis: axis, keepDims: keepDims, last: last, label: label)
                    case .int64: kernel = argKernel(Int64.self, max: isMax, axis: axis, keepDims: keepDims, last: last, label: label)
                    default: kernel = argKernel(Int32.self, max: isMax, axis: axis, keepDims: keepDims, last: last, label: label)
                    }
                    return BuiltOperator(kernel: kernel, outputTypes: [.int64])
                })
        }
        defs.append(
            OperatorDefinition(domain: "", name: "TopK", opsets: 10...22) { ctx in
                try ctx.expectInputs(2...2)
                let t = try ctx.expect(0, TypeDispatch.numeric)
                try ctx.expect(1, [.int64])
                let axis = try ctx.attributes.int("axis", default: -1)
                let largest = try ctx.attributes.int("largest", default: 1) != 0
                _ = try ctx.attributes.int("sorted", default: 1)
                let label = ctx.label
                let kernel: any Kernel
                switch t {
                case .float32: kernel = topK(Float.self, axis: axis, largest: largest, label: label)
                case .float64: kernel = topK(Double.self, axis: axis, largest: largest, label: label)
                case .int64: kernel = topK(Int64.self, axis: axis, largest: largest, label: label)
                default: kernel = topK(Int32.self, axis: axis, largest: largest, label: label)
                }
                return BuiltOperator(kernel: kernel, outputTypes: [t, .int64])
            })
        for name in ["Softmax", "LogSoftmax"] {
            defs.append(
                OperatorDefinition(domain: "", name: name, opsets: 1...22) { ctx in
                    try ctx.expectInputs(1...1)
                    let t = try ctx.expect(0, TypeDispatch.floating)
                    let axis = try ctx.attributes.int("axis", default: ctx.opset < 13 ? 1 : -1)
                    let coerce = ctx.opset < 13
                    let label = ctx.label
                    let isLog = name == "LogSoftmax"
                    let kernel =
                        t == .float32
                        ? softmax(Float.self, axis: axis, coerce2D: coerce, log: isLog, label: label)
                        : softmax(Double.self, axis: axis, coerce2D: coerce, log: isLog, label: label)
                    return BuiltOperator(
                        kernel: kernel, outputTypes: [t],
                        fusion: t == .float32 && !isLog && !coerce ? .softmax(axis: axis) : nil)
                })
        }
        return defs
    }

    /// Splits `shape` around `axis` into (outer, dim, inner) element counts.
    static func split(_ shape: [Int], _ axis: Int) -> (Int, Int, Int) {
        (shape.prefix(axis).reduce(1, *), shape[axis], shape.dropFirst(axis + 1).reduce(1, *))
    }

    static func reduceKernel<T: NumericElement>(
        _: T.Type, _ reduction: Reduction, fixed: [Int]??, keepDims: Bool, noopEmpty: Bool, label: String
    ) -> any Kernel {
        ClosureKernel { inputs in
            let x = try inputs.required(0, label)
            let axesArg: [Int]? = try fixed ?? ShapeOperators.dynamicAxes(inputs, 1, label)
            if (axesArg ?? []).isEmpty && noopEmpty { return [x] }
            let list = (axesArg?.isEmpty == false) ? (axesArg ?? []) : Array(0..<x.rank)
            let axes = try Set(
                list.map {
                    try ShapeOperators.normaliseAxis($0, rank: x.rank, label: label)
                })
            return [try reduce(x, T.self, reduction, axes: axes, keepDims: keepDims, label: label)]
        }
    }

    static func reduce<T: NumericElement>(
        _ x: Tensor, _: T.Type, _ reduction: Reduction, axes: Set<Int>, keepDims: Bool, label: String
    ) throws -> Tensor {
        guard let v = x.elements(T.self) else { throw ModelRuntimeError.invalidInput("\(label): wrong input type") }
        if T.self == Float.self, axes == [x.rank - 1], let f = x.floats, reduction == .sum || reduction == .sumSquare {
            return lastAxisFloatSum(f, x.shape, square: reduction == .sumSquare, keepDims: keepDims)
        }
        let keptShape = x.shape.enumerated().map { axes.contains($0.offset) ? 1 : $0.element }
        let outShape = keepDims ? keptShape : x.shape.enumerated().filter { !axes.contains($0.offset) }.map(\.element)
        let outCount = keptShape.reduce(1, *)
        let reducedCount = x.shape.enumerated().filter { axes.contains($0.offset) }.map(\.element).reduce(1, *)
        var acc = [Double](repeating: reduction == .prod ? 1 : 0, count: outCount)
        var extreme = [T](repeating: reduction == .max ? T.lowest : T.highest, count: outCount)
        let outStrides = Broadcast.strides(of: keptShape, in: x.shape)
        var contiguous: (first: Int, last: Int)? = nil
        if let first = axes.min(), let last = axes.max(), last - first + 1 == axes.count { contiguous = (first, last) }
        v.withUnsafeBufferPointer { vp in
            acc.withUnsafeMutableBufferPointer { ap in
                extreme.withUnsafeMutableBufferPointer { ep in
                    // Elements are visited in storage order either way, so the sums do not depend on the path.
                    @inline(__always) func visitAll(_ body: (Int, T) -> Void) {
                        if let (first, last) = contiguous {
                            // The reduced axes are one block: the input is [outer, reduced, inner].
                            let outer = x.shape[..<first].reduce(1, *)
                            let reduced = x.shape[first...last].reduce(1, *)
                            let inner = x.shape[(last + 1)...].reduce(1, *)
                            var index = 0
                            for o in 0..<outer {
                                for _ in 0..<reduced {
                                    for i in 0..<inner {
                                        body(o * inner + i, vp[index])
                                        index += 1
                                    }
                                }
                            }
                        } else {
                            Broadcast.forEach(out: x.shape, inputStrides: [outStrides]) { i, o in body(o[0], vp[i]) }
                        }
                    }
                    switch reduction {
                    case .sum, .mean: visitAll { ap[$0] += $1.asDouble }
                    case .sumSquare, .l2: visitAll { ap[$0] += $1.asDouble * $1.asDouble }
                    case .prod: visitAll { ap[$0] *= $1.asDouble }
                    case .max: visitAll { if $1 > ep[$0] || $1.isNaNValue { ep[$0] = $1 } }
                    case .min: visitAll { if $1 < ep[$0] || $1.isNaNValue { ep[$0] = $1 } }
                    }
                }
            }
        }
        let result: [T]
        switch reduction {
        case .max, .min: result = extreme
        case .mean: result = acc.map { T(fromDouble: $0 / Double(Swift.max(reducedCount, 1))) }
        case .l2: result = acc.map { T(fromDouble: $0.squareRoot()) }
        default: result = acc.map { T(fromDouble: $0) }
        }
        return Tensor.make(outShape, result)
    }

    /// Float sum or sum of squares over the last axis, accumulated in float like onnxruntime.
    static func lastAxisFloatSum(_ v: [Float], _ shape: [Int], square: Bool, keepDims: Bool) -> Tensor {
        let inner = shape.last ?? 1
        let outer = inner == 0 ? shape.dropLast().reduce(1, *) : v.count / inner
        let out = [Float](unsafeUninitializedCapacity: outer) { buffer, initialized in
            v.withUnsafeBufferPointer { p in
                for o in 0..<outer {
                    var acc: Float = 0
                    let base = o * inner
                    if square {
                        for k in 0..<inner { acc += p[base + k] * p[base + k] }
                    } else {
                        for k in 0..<inner { acc += p[base + k] }
                    }
                    buffer[o] = acc
                }
            }
            initialized = outer
        }
        var outShape = shape
        if keepDims { outShape[outShape.count - 1] = 1 } else { outShape.removeLast() }
        return Tensor(unchecked: outShape, .float32(out))
    }

    static func argKernel<T: NumericElement>(
        _: T.Type, max: Bool, axis: Int, keepDims: Bool, last: Bool, label: String
    ) -> any Kernel {
        ClosureKernel { inputs in
            let x = try inputs.required(0, label)
            guard let v = x.elements(T.self) else { throw ModelRuntimeError.invalidInput("\(label): wrong type") }
            let a = try ShapeOperators.normaliseAxis(axis, rank: x.rank, label: label)
            let (outer, dim, inner) = split(x.shape, a)
            guard dim > 0 else { throw ModelRuntimeError.invalidInput("\(label): reduced axis is empty") }
            var out = [Int64](repeating: 0, count: outer * inner)
            for o in 0..<outer {
                for i in 0..<inner {
                    var best = v[o * dim * inner + i]
                    var bestIndex = 0
                    for k in 1..<dim {
                        let e = v[(o * dim + k) * inner + i]
                        let better = max ? (last ? e >= best : e > best) : (last ? e <= best : e < best)
                        if better {
                            best = e
                            bestIndex = k
                        }
                    }
                    out[o * inner + i] = Int64(bestIndex)
                }
            }
            var shape = x.shape
            if keepDims { shape[a] = 1 } else { shape.remove(at: a) }
            return [Tensor.make(shape, out)]
        }
    }

    static func topK<T: NumericElement>(_: T.Type, axis: Int, largest: Bool, label: String) -> any Kernel {
        ClosureKernel { inputs in
            let x = try inputs.required(0, label)
            guard let v = x.elements(T.self), let kv = try inputs.required(1, label).int64s, kv.count == 1 else {
                throw ModelRuntimeError.invalidInput("\(label): K must be a one-element int64 tensor")
            }
            let a = try ShapeOperators.normaliseAxis(axis, rank: x.rank, label: label)
            let (outer, dim, inner) = split(x.shape, a)
            guard kv[0] >= 0, kv[0] <= Int64(dim) else {
                throw ModelRuntimeError.invalidInput("\(label): K=\(kv[0]) exceeds axis size \(dim)")
            }
            let k = Int(kv[0])
            var values = [T](repeating: T.zero, count: outer * k * inner)
            var indices = [Int64](repeating: 0, count: outer * k * inner)
            // Keep the k best in a sorted buffer (insertion); ties keep the lower index first, as onnxruntime.
            var bestValues = [T](repeating: T.zero, count: Swift.max(k, 1))
            var bestIndex = [Int](repeating: 0, count: Swift.max(k, 1))
            v.withUnsafeBufferPointer { p in
                for o in 0..<outer {
                    for i in 0..<inner {
                        let base = o * dim * inner + i
                        var filled = 0
                        guard k > 0 else { continue }
                        for j in 0..<dim {
                            let e = p[base + j * inner]
                            if filled == k {
                                let worst = bestValues[k - 1]
                                if !(largest ? e > worst : e < worst) { continue }
                            }
                            var pos = filled < k ? filled : k - 1
                            while pos > 0 && (largest ? e > bestValues[pos - 1] : e < bestValues[pos - 1]) {
                                if pos < k {
                                    bestValues[pos] = bestValues[pos - 1]
                                    bestIndex[pos] = bestIndex[pos - 1]
                                }
                                pos -= 1
                            }
                            bestValues[pos] = e
                            bestIndex[pos] = j
                            if filled < k { filled += 1 }
                        }
                        for j in 0..<k {
                            values[(o * k + j) * inner + i] = bestValues[j]
                            indices[(o * k + j) * inner + i] = Int64(bestIndex[j])
                        }
                    }
                }
            }
            var shape = x.shape
            shape[a] = k
            return [Tensor.make(shape, values), Tensor.make(shape, indices)]
        }
    }

    static func softmax<T: FloatElement>(_: T.Type, axis: Int, coerce2D: Bool, log: Bool, label: String) -> any Kernel {
        let level = KernelPaths.level  // read once, at planning (see FloatUnaryKernel)
        return ClosureKernel { inputs in
            var x = try inputs.takeRequired(0, label)
            let a = try ShapeOperators.normaliseAxis(axis, rank: x.rank, label: label)
            let shape = x.shape
            let (outer, dim, inner): (Int, Int, Int) =
                coerce2D ? (shape.prefix(a).reduce(1, *), shape.dropFirst(a).reduce(1, *), 1) : split(shape, a)
            guard var v = x.takeElements(T.self) else { throw ModelRuntimeError.invalidInput("\(label): wrong type") }
            if T.self == Float.self, inner == 1, !log {
                v.withUnsafeMutableBufferPointer { p in
                    p.withMemoryRebound(to: Float.self) { rows in
                        // Wide rows (attention scores) one row at a time in C; a classifier's few classes in one
                        // vectorised pass over the whole buffer.
                        if dim >= 16 {
                            mk_softmax_rows_f32_at(rows.baseAddress, outer, dim, 1, nil, 1, 1, level)
                        } else {
                            softmaxRows(rows, rows: outer, width: dim, level: level)
                        }
                    }
                }
                return [Tensor.make(shape, v)]
            }
            v.withUnsafeMutableBufferPointer { p in
                for o in 0..<outer {
                    for i in 0..<inner {
                        let base = o * dim * inner + i
                        var m = -T.infinity
                        for k in 0..<dim { m = Swift.max(m, p[base + k * inner]) }
                        var sum: T = 0
                        for k in 0..<dim {
                            let e = T.exponential(p[base + k * inner] - m)
                            if !log { p[base + k * inner] = e }
                            sum += e
                        }
                        if log {
                            let ls = T.logarithm(sum)
                            for k in 0..<dim { p[base + k * inner] = p[base + k * inner] - m - ls }
                        } else {
                            for k in 0..<dim { p[base + k * inner] /= sum }
                        }
                    }
                }
            }
            return [Tensor.make(shape, v)]
        }
    }

    /// Softmax over contiguous float rows (the common case: the last axis): each row less its maximum, then the
    /// exponentials of the whole buffer in one call of the vectorised `mk_exp_f32` (a classifier's rows are only a
    /// few classes wide), then each row over its sum.
    static func softmaxRows(_ p: UnsafeMutableBufferPointer<Float>, rows: Int, width: Int, level: Int32) {
        guard let base = p.baseAddress, width > 0 else { return }
        for o in 0..<rows {
            let row = base + o * width
            var m = -Float.infinity
            for k in 0..<width { m = Swift.max(m, row[k]) }
            for k in 0..<width { row[k] -= m }
        }
        mk_exp_f32_at(base, p.count, level)
        for o in 0..<rows {
            let row = base + o * width
            var sum: Float = 0
            for k in 0..<width { sum += row[k] }
            for k in 0..<width { row[k] /= sum }
        }
    }
}
