import CModelKernels

/// A constant float32 right-hand matrix packed once, at load, into the panel layout the AVX2/FMA SGEMM of
/// `CModelKernels` streams. `nil` when the CPU lacks AVX2/FMA or the sizes do not fit the C interface; callers
/// then keep the OpenBLAS path.
struct PackedWeights: Sendable {
    let k: Int
    let n: Int
    private let panels: [Float]
    /// The GEMM tile's level, read once at packing (a task-local read per call would cost ~20 ns).
    private let level: Int32

    /// Whether the packed kernel runs here (the CPU has AVX2/FMA and no `KernelPaths` cap below it).
    static var available: Bool { KernelPaths.level >= 1 }

    /// Packs `b` (`k x n` row-major, or its `n x k` transpose when `transposed`), each element times `scale`.
    init?(_ b: [Float], k: Int, n: Int, transposed: Bool, scale: Float = 1) {
        guard PackedWeights.available, k > 0, n > 0, k <= Int(Int32.max), n <= Int(Int32.max), b.count == k * n else {
            return nil
        }
        self.k = k
        self.n = n
        level = KernelPaths.level
        let source = scale == 1 ? b : b.map { $0 * scale }
        let count = mk_sgemm_packed_count(Int32(k), Int32(n))
        panels = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            source.withUnsafeBufferPointer { src in
                mk_sgemm_pack_b(
                    Int32(k), Int32(n), src.baseAddress, Int32(transposed ? k : n), transposed ? 1 : 0,
                    buffer.baseAddress)
            }
            initialized = count
        }
    }

    /// `c[m x n] = a[m x k] * B (+ bias[j]) (then max(0, .) when relu)`, row-major and contiguous.
    func multiply(
        _ a: UnsafePointer<Float>, rows m: Int, bias: UnsafePointer<Float>?, relu: Bool, gelu: Bool = false,
        into c: UnsafeMutablePointer<Float>
    ) {
        panels.withUnsafeBufferPointer { p in
            mk_sgemm_packed_at(
                Int32(m), Int32(n), Int32(k), a, Int32(k), p.baseAddress, bias, c, Int32(n), gelu ? 2 : relu ? 1 : 0, level)
        }
    }
}

/// A dense layer: `X * W (+ bias) (-> ReLU)` with `W` constant and packed at load. It stands for MatMul with a
/// constant 2-D right operand and for Gemm with a constant B; `PlanOptimizer` folds a following bias `Add`
/// and `Relu` into it, so an MLP layer is one pass over its output. The sum over `k` is the same for every
/// fusion, and the bias and ReLU are applied to the finished sum, exactly as the separate nodes would.
struct DenseKernel: Kernel {
    let weights: PackedWeights
    /// Gemm takes exactly 2-D input; MatMul folds leading dimensions into rows (and accepts a 1-D vector).
    let matrixOnly: Bool
    let label: String
    /// Added to every row (`n` values), already multiplied by Gemm's beta.
    var bias: [Float]? = nil
    var relu = false
    /// The exact GELU applied to each finished block of rows (a fused `Gelu` step).
    var gelu = false
    /// Gemm's C when it is not a per-column constant: input 2, times `beta`, broadcast to `[M, N]`.
    var addsInput = false
    var beta: Float = 1
    /// The output has at least this many dimensions (a fused `[1, N]` bias broadcasts a vector result to 2-D).
    var minimumRank = 1

    func run(_ inputs: inout [Tensor?]) throws -> [Tensor] {
        let x = try inputs.required(0, label)
        guard let xv = x.floats else { throw ModelRuntimeError.invalidInput("\(label): expected a float input") }
        guard x.rank >= 1, !matrixOnly || x.rank == 2, x.shape[x.rank - 1] == weights.k else {
            throw ModelRuntimeError.invalidInput(
                "\(label): cannot multiply \(x.shape) by [\(weights.k), \(weights.n)]")
        }
        let m = x.count / weights.k
        guard m <= Int(Int32.max) else { throw ModelRuntimeError.invalidInput("\(label): \(m) rows are too many") }
        let n = weights.n
        let out = [Float](unsafeUninitializedCapacity: m * n) { buffer, initialized in
            xv.withUnsafeBufferPointer { xp in
                guard m > 0, let a = xp.baseAddress, let c = buffer.baseAddress else { return }
                if let bias {
                    bias.withUnsafeBufferPointer {
                        weights.multiply(a, rows: m, bias: $0.baseAddress, relu: relu, gelu: gelu, into: c)
                    }
                } else {
                    weights.multiply(a, rows: m, bias: nil, relu: relu, gelu: gelu, into: c)
                }
            }
            initialized = m * n
        }
        var shape = Array(x.shape.dropLast())
        shape.append(n)
        while shape.count < minimumRank { shape.insert(1, at: 0) }
        var result = Tensor(unchecked: shape, .float32(out))
        if addsInput, let c = inputs.count > 2 ? inputs[2] : nil, beta != 0 {
            // ONNX lets C broadcast one way only, to [M, N].
            guard c.floats != nil, Broadcast.shape(c.shape, [m, n]) == [m, n] else {
                throw ModelRuntimeError.invalidInput("\(label): C of shape \(c.shape) does not broadcast to [\(m), \(n)]")
            }
            let beta = beta
            result = try broadcastInPlace(&result, c, label: label) { (y: Float, c: Float) in y + beta * c }
        }
        return [result]
    }
}
