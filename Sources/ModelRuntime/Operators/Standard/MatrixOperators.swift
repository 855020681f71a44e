/// MatMul and Gemm on float32 and float64.
enum MatrixOperators {
    static var definitions: [OperatorDefinition] {
        [
            OperatorDefinition(domain: "", name: "MatMul", opsets: 1...22) { ctx in
                try ctx.expectInputs(2...2)
                let t = try ctx.expect(0, TypeDispatch.floating)
                try ctx.expect(1, [t])
                let label = ctx.label
                if t == .float32, let b = ctx.constant(1), b.rank == 2, let bv = b.floats,
                    let weights = PackedWeights(bv, k: b.shape[0], n: b.shape[1], transposed: false)
                {
                    let dense = DenseKernel(weights: weights, matrixOnly: false, label: label)
                    return BuiltOperator(kernel: dense, outputTypes: [t], fusion: .dense(dense))
                }
                return BuiltOperator(
                    kernel: ClosureKernel { inputs in
                        let a = try inputs.required(0, label)
                        let b = try inputs.required(1, label)
                        return [t == .float32 ? try matmul(a, b, Float.self, label) : try matmul(a, b, Double.self, label)]
                    }, outputTypes: [t])
            },
            OperatorDefinition(domain: "", name: "Gemm", opsets: 1...22) { ctx in
                try ctx.expectInputs(2...3)
                let t = try ctx.expect(0, TypeDispatch.floating)
                try ctx.expect(1, [t])
                if ctx.optionalType(2) != nil { try ctx.expect(2, [t]) }
                let alpha = try ctx.attributes.float("alpha", default: 1)
                let beta = try ctx.attributes.float("beta", default: 1)
                let transA = try ctx.attributes.int("transA", default: 0) != 0
                var transB = try ctx.attributes.int("transB", default: 0) != 0
                ctx.attributes.ignore("broadcast")
                let label = ctx.label
                if t == .float32, !transA, let b = ctx.constant(1), b.rank == 2, let bv = b.floats,
                    let weights = PackedWeights(
                        bv, k: b.shape[transB ? 1 : 0], n: b.shape[transB ? 0 : 1], transposed: transB, scale: alpha)
                {
                    let dense = denseGemm(
                        weights, c: ctx.constant(2), hasC: ctx.optionalType(2) != nil, beta: beta, label: label)
                    return BuiltOperator(kernel: dense, outputTypes: [t], fusion: .dense(dense))
                }
                // A constant transposed weight is transposed once here rather than on every run.
                var fixedB: Tensor? = nil
                if let b = ctx.constant(1), b.rank == 2 {
                    fixedB = transB ? try IndexingOperators.transpose(b, perm: [1, 0], label: label) : b
                    transB = false
                }
                let tb = transB
                let b0 = fixedB
                return BuiltOperator(
                    kernel: ClosureKernel { inputs in
                        var a = try inputs.required(0, label)
                        var b = try b0 ?? inputs.required(1, label)
                        let c = inputs.count > 2 ? inputs[2] : nil
                        guard a.rank == 2, b.rank == 2 else {
                            throw ModelRuntimeError.invalidInput("\(label): Gemm needs 2-D inputs, got \(a.shape), \(b.shape)")
                        }
                        if transA { a = try IndexingOperators.transpose(a, perm: [1, 0], label: label) }
                        if tb { b = try IndexingOperators.transpose(b, perm: [1, 0], label: label) }
                        if t == .float32 {
                            return [try gemm(a, b, c, alpha: alpha, beta: beta, Float.self, label)]
                        }
                        return [try gemm(a, b, c, alpha: alpha, beta: beta, Double.self, label)]
                    }, outputTypes: [t])
            },
        ]
    }

    /// Gemm over packed weights: a constant per-column (or scalar) C becomes the fused bias; any other C is
    /// added after the product.
    static func denseGemm(_ weights: PackedWeights, c: Tensor?, hasC: Bool, beta: Float, label: String) -> DenseKernel {
        var dense = DenseKernel(weights: weights, matrixOnly: true, label: label, beta: beta)
        guard hasC, beta != 0 else { return dense }
        let n = weights.n
        if let c, let cv = c.floats, cv.count == 1 {
            dense.bias = [Float](repeating: beta * cv[0], count: n)
        } else if let c, let cv = c.floats, cv.count == n, c.rank == 1 || (c.rank == 2 && c.shape[0] == 1) {
            dense.bias = cv.map { beta * $0 }
        } else {
            dense.addsInput = true
        }
        return dense
    }

    /// `alpha * a * b + beta * c` with `c` broadcast to `[M, N]`.
    static func gemm<T: FloatElement>(
        _ a: Tensor, _ b: Tensor, _ c: Tensor?, alpha: Float, beta: Float, _: T.Type, _ label: String
    ) throws -> Tensor {
        let (m, k, n) = (a.shape[0], a.shape[1], b.shape[1])
        guard b.shape[0] == k else {
            throw ModelRuntimeError.invalidInput("\(label): cannot multiply \(a.shape) by \(b.shape)")
        }
        var out = [T](repeating: 0, count: try Tensor.count(of: [m, n], label))
        if let c, beta != 0 {
            guard let cv = c.elements(T.self), Broadcast.shape(c.shape, [m, n]) == [m, n] else {
                throw ModelRuntimeError.invalidInput("\(label): C of shape \(c.shape) does not broadcast to [\(m), \(n)]")
            }
            let strides = Broadcast.strides(of: c.shape, in: [m, n])
            let bt = T(fromDouble: Double(beta))
            if c.count == n && c.shape.last == n {
                for i in 0..<m { for j in 0..<n { out[i * n + j] = bt * cv[j] } }
            } else {
                Broadcast.forEach(out: [m, n], inputStrides: [strides]) { i, o in out[i] = bt * cv[o[0]] }
            }
        }
        try multiplyInto(&out, a, b, m: m, n: n, k: k, alpha: alpha, T.self, label)
        return Tensor.make([m, n], out)
    }

    static func multiplyInto<T: FloatElement>(
        _ out: inout [T], _ a: Tensor, _ b: Tensor, m: Int, n: Int, k: Int, alpha: Float, _: T.Type, _ label: String,
        aOffset: Int = 0, bOffset: Int = 0, outOffset: Int = 0
    ) throws {
        guard let av = a.elements(T.self), let bv = b.elements(T.self) else {
            throw ModelRuntimeError.invalidInput("\(label): wrong element types")
        }
        guard av.count >= aOffset + m * k, bv.count >= bOffset + k * n, out.count >= outOffset + m * n else {
            throw ModelRuntimeError.invalidInput("\(label): inconsistent matrix sizes")
        }
        guard m > 0, n > 0, k > 0 else { return }
        av.withUnsafeBufferPointer { ap in
            bv.withUnsafeBufferPointer { bp in
                out.withUnsafeMutableBufferPointer { cp in
                    guard let a0 = ap.baseAddress, let b0 = bp.baseAddress, let c0 = cp.baseAddress else { return }
                    if T.self == Float.self {
                        GEMM.multiplyAdd(
                            m: m, n: n, k: k, alpha: alpha,
                            a: UnsafeRawPointer(a0 + aOffset).assumingMemoryBound(to: Float.self),
                            b: UnsafeRawPointer(b0 + bOffset).assumingMemoryBound(to: Float.self),
                            c: UnsafeMutableRawPointer(c0 + outOffset).assumingMemoryBound(to: Float.self))
                    } else {
                        GEMM.multiplyAdd(
                            m: m, n: n, k: k, alpha: Double(alpha),
                            a: UnsafeRawPointer(a0 + aOffset).assumingMemoryBound(to: Double.self),
                            b: UnsafeRawPointer(b0 + bOffset).assumingMemoryBound(to: Double.self),
                            c: UnsafeMutableRawPointer(c0 + outOffset).assumingMemoryBound(to: Double.self))
                    }
                }
            }
        }
    }

    /// numpy `matmul`: 1-D operands are promoted, batch dimensions broadcast.
    static func matmul<T: FloatElement>(_ a: Tensor, _ b: Tensor, _: T.Type, _ label: String) throws -> Tensor {
        guard a.rank >= 1, b.rank >= 1 else { throw ModelRuntimeError.invalidInput("\(label): scalar operand") }
        let aShape = a.rank == 1 ? [1, a.shape[0]] : a.shape
        let bShape = b.rank == 1 ? [b.shape[0], 1] : b.shape
        let (m, k) = (aShape[aShape.count - 2], aShape[aShape.count - 1])
        let (k2, n) = (bShape[bShape.count - 2], bShape[bShape.count - 1])
        guard k == k2 else { throw ModelRuntimeError.invalidInput("\(label): cannot multiply \(a.shape) by \(b.shape)") }
        let aBatch = Array(aShape.dropLast(2))
        let bBatch = Array(bShape.dropLast(2))
        var outShape: [Int]
        var out: [T]
        if bBatch.isEmpty {
            // Fold A's batch into its rows: one large GEMM.
            let rows = aBatch.reduce(1, *) * m  // A's own dimensions: at most `Tensor.maxElements`
            out = [T](repeating: 0, count: try Tensor.count(of: aBatch + [m, n], label))
            try multiplyInto(&out, a, b, m: rows, n: n, k: k, alpha: 1, T.self, label)
            outShape = aBatch + [m, n]
        } else {
            guard let batch = Broadcast.shape(aBatch, bBatch) else {
                throw ModelRuntimeError.invalidInput("\(label): batch dimensions of \(a.shape) and \(b.shape) differ")
            }
            out = [T](repeating: 0, count: try Tensor.count(of: batch + [m, n], label))
            let sa = Broadcast.strides(of: aBatch, in: batch)
            let sb = Broadcast.strides(of: bBatch, in: batch)
            var pairs: [(Int, Int)] = []
            Broadcast.forEach(out: batch, inputStrides: [sa, sb]) { _, o in pairs.append((o[0], o[1])) }
            for (i, (ia, ib)) in pairs.enumerated() {
                try multiplyInto(
                    &out, a, b, m: m, n: n, k: k, alpha: 1, T.self, label, aOffset: ia * m * k, bOffset: ib * k * n,
                    outOffset: i * m * n)
            }
            outShape = batch + [m, n]
        }
        if a.rank == 1 { outShape.remove(at: outShape.count - 2) }
        if b.rank == 1 { outShape.removeLast() }
        return Tensor.make(outShape, out)
    }
}
