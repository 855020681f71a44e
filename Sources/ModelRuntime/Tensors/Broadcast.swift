/// Multidirectional (numpy-style) broadcasting, as the ONNX elementwise operators define it.
enum Broadcast {
    /// The broadcast shape of two shapes, or `nil` when a pair of dimensions is neither equal nor 1.
    static func shape(_ a: [Int], _ b: [Int]) -> [Int]? {
        let rank = max(a.count, b.count)
        var out = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            if da == db || db == 1 {
                out[i] = da
            } else if da == 1 {
                out[i] = db
            } else {
                return nil
            }
        }
        return out
    }

    /// Element strides of `shape` laid against `out` (right-aligned), 0 where the dimension is broadcast.
    static func strides(of shape: [Int], in out: [Int]) -> [Int] {
        var strides = [Int](repeating: 0, count: out.count)
        var step = 1
        let offset = out.count - shape.count
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[i + offset] = shape[i] == 1 ? 0 : step
            step *= shape[i]
        }
        return strides
    }

    /// How a smaller operand repeats over a full-size output, for the two common patterns with flat loops.
    enum Repeat: Equatable {
        /// The operand is the output's trailing dimensions (a `[N]` or `[1, N]` bias over `[M, N]`): its elements
        /// repeat with period `count`.
        case rows
        /// The operand is the output's leading dimensions followed by 1s (a `[M, 1]` column over `[M, N]`): each
        /// element repeats `inner` times in a row.
        case columns(inner: Int)
    }

    static func repeatPattern(of small: [Int], in out: [Int]) -> Repeat? {
        guard small.count <= out.count else { return nil }
        let core = Array(small.drop(while: { $0 == 1 }))
        if Array(out.suffix(core.count)) == core { return .rows }
        let aligned = [Int](repeating: 1, count: out.count - small.count) + small
        guard let last = aligned.lastIndex(where: { $0 != 1 }), Array(aligned[...last]) == Array(out[...last]) else {
            return nil
        }
        return .columns(inner: out[(last + 1)...].reduce(1, *))
    }

    /// Row-major strides of a shape.
    static func contiguousStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var step = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[i] = step
            step *= shape[i]
        }
        return strides
    }

    /// The broadcast of two operands over `out` with adjacent dimensions merged wherever both operands step through
    /// them the same way (contiguously, or not at all), and size-1 dimensions dropped: a `[B, 1, 1, S]` mask over
    /// `[B, H, S, S]` scores becomes `[B, H*S, S]` with strides `[S, 0, 1]` against `[H*S*S, S, 1]`, so the inner
    /// loop runs over contiguous rows.
    static func collapsed(_ out: [Int], _ sa: [Int], _ sb: [Int]) -> (dims: [Int], sa: [Int], sb: [Int]) {
        var dims: [Int] = []
        var a: [Int] = []
        var b: [Int] = []
        for i in out.indices where out[i] != 1 {
            if let last = dims.indices.last, a[last] == sa[i] * out[i], b[last] == sb[i] * out[i] {
                dims[last] *= out[i]
                a[last] = sa[i]
                b[last] = sb[i]
            } else {
                dims.append(out[i])
                a.append(sa[i])
                b.append(sb[i])
            }
        }
        if dims.isEmpty { return ([1], [0], [0]) }
        return (dims, a, b)
    }

    /// `out[i] = op(a[i'], b[i''])` over a collapsed broadcast: the last dimension as a flat loop (contiguous or
    /// constant on each side), the others as an odometer of offsets. `out` may be `a`'s buffer (same indices).
    @inline(__always)
    static func apply<F: BinaryFunction>(
        _ op: F, out: UnsafeMutablePointer<F.Output>, a: UnsafePointer<F.Input>, b: UnsafePointer<F.Input>,
        dims: [Int], sa: [Int], sb: [Int]
    ) {
        let rank = dims.count
        let inner = dims[rank - 1]
        let (ia, ib) = (sa[rank - 1], sb[rank - 1])
        let outer = dims.dropLast().reduce(1, *)
        var index = [Int](repeating: 0, count: max(rank - 1, 1))
        var offA = 0
        var offB = 0
        index.withUnsafeMutableBufferPointer { index in
            for row in 0..<outer {
                let po = out + row * inner
                let pa = a + offA
                let pb = b + offB
                if ia == 1 && ib == 1 {
                    for j in 0..<inner { po[j] = op(pa[j], pb[j]) }
                } else if ia == 1 && ib == 0 {
                    let y = pb[0]
                    for j in 0..<inner { po[j] = op(pa[j], y) }
                } else if ia == 0 && ib == 1 {
                    let x = pa[0]
                    for j in 0..<inner { po[j] = op(x, pb[j]) }
                } else {
                    for j in 0..<inner { po[j] = op(pa[j * ia], pb[j * ib]) }
                }
                var d = rank - 2
                while d >= 0 {
                    index[d] += 1
                    offA += sa[d]
                    offB += sb[d]
                    if index[d] < dims[d] { break }
                    offA -= sa[d] * dims[d]
                    offB -= sb[d] * dims[d]
                    index[d] = 0
                    d -= 1
                }
            }
        }
    }

    /// Visits every output element of a broadcast with the matching element offsets of each input.
    /// `body(outIndex, offsets)` where offsets has one entry per input.
    @inline(__always)
    static func forEach(out: [Int], inputStrides: [[Int]], _ body: (Int, UnsafeBufferPointer<Int>) -> Void) {
        let rank = out.count
        let n = inputStrides.count
        let total = out.reduce(1, *)
        guard total > 0 else { return }
        var index = [Int](repeating: 0, count: rank)
        var offsets = [Int](repeating: 0, count: n)
        offsets.withUnsafeMutableBufferPointer { offs in
            for linear in 0..<total {
                body(linear, UnsafeBufferPointer(offs))
                // increment the multi-index, updating offsets
                var d = rank - 1
                while d >= 0 {
                    index[d] += 1
                    for k in 0..<n { offs[k] += inputStrides[k][d] }
                    if index[d] < out[d] { break }
                    for k in 0..<n { offs[k] -= inputStrides[k][d] * out[d] }
                    index[d] = 0
                    d -= 1
                }
            }
        }
    }
}

/// An elementwise function of two elements as a type: kernels generic over it are specialised per function and
/// inline it in their loops. A closure passed down instead stayed an indirect call per element wherever the loop
/// sat inside another closure (`Array(unsafeUninitializedCapacity:)`): measured, 60% of a broadcast Add.
protocol BinaryFunction {
    associatedtype Input: TensorElement
    associatedtype Output: TensorElement
    func callAsFunction(_ x: Input, _ y: Input) -> Output
}

/// A closure as a `BinaryFunction`, for the kernels where the indirect call does not matter.
struct ClosureFunction<Input: TensorElement, Output: TensorElement>: BinaryFunction {
    let body: (Input, Input) -> Output
    @inline(__always) func callAsFunction(_ x: Input, _ y: Input) -> Output { body(x, y) }
}

/// Applies a same-typed `op` elementwise with broadcasting, reusing `a`'s buffer when it has the output shape
/// (when the executor moved its last reference to `a` into the kernel, no allocation happens).
@inline(__always)
func broadcastInPlace<T: TensorElement>(
    _ a: inout Tensor, _ b: Tensor, label: String, _ op: (T, T) -> T
) throws -> Tensor {
    try withoutActuallyEscaping(op) { op in
        try broadcastInPlace(&a, b, label: label, function: ClosureFunction(body: op))
    }
}

/// `broadcastInPlace` over a function type.
@inline(__always)
func broadcastInPlace<F: BinaryFunction>(
    _ a: inout Tensor, _ b: Tensor, label: String, function op: F
) throws -> Tensor where F.Output == F.Input {
    typealias T = F.Input
    guard let outShape = Broadcast.shape(a.shape, b.shape) else {
        throw ModelRuntimeError.invalidInput("\(label): shapes \(a.shape) and \(b.shape) cannot be broadcast together")
    }
    guard outShape == a.shape else { return try broadcastBinary(a, b, label: label, function: op) }
    guard let bv = b.elements(T.self), var av = a.takeElements(T.self) else {
        throw ModelRuntimeError.invalidInput("\(label): expected \(T.elementType.onnxName) inputs")
    }
    av.withUnsafeMutableBufferPointer { ap in
        bv.withUnsafeBufferPointer { bp in
            let n = ap.count
            if bp.count == n {
                for i in 0..<n { ap[i] = op(ap[i], bp[i]) }
            } else if bp.count == 1 {
                let s = bp[0]
                for i in 0..<n { ap[i] = op(ap[i], s) }
            } else {
                switch bp.count > 0 ? Broadcast.repeatPattern(of: b.shape, in: outShape) : nil {
                case .rows?:
                    let period = bp.count
                    var base = 0
                    while base < n {
                        for j in 0..<period { ap[base + j] = op(ap[base + j], bp[j]) }
                        base += period
                    }
                case .columns(let inner)? where inner * bp.count == n:
                    for i in 0..<bp.count {
                        let s = bp[i]
                        for j in (i * inner)..<((i + 1) * inner) { ap[j] = op(ap[j], s) }
                    }
                default:
                    let (dims, sa, sb) = Broadcast.collapsed(
                        outShape, Broadcast.strides(of: a.shape, in: outShape), Broadcast.strides(of: b.shape, in: outShape))
                    guard let a0 = ap.baseAddress, let b0 = bp.baseAddress else { return }
                    Broadcast.apply(op, out: a0, a: UnsafePointer(a0), b: b0, dims: dims, sa: sa, sb: sb)
                }
            }
        }
    }
    return Tensor(unchecked: outShape, T.wrap(av))
}

/// Applies `op` elementwise with broadcasting into a new buffer.
@inline(__always)
func broadcastBinary<T: TensorElement, R: TensorElement>(
    _ a: Tensor, _ b: Tensor, label: String, _ op: (T, T) -> R
) throws -> Tensor {
    try withoutActuallyEscaping(op) { op in
        try broadcastBinary(a, b, label: label, function: ClosureFunction(body: op))
    }
}

/// `broadcastBinary` over a function type.
@inline(__always)
func broadcastBinary<F: BinaryFunction>(_ a: Tensor, _ b: Tensor, label: String, function op: F) throws -> Tensor {
    typealias T = F.Input
    typealias R = F.Output
    guard let outShape = Broadcast.shape(a.shape, b.shape) else {
        throw ModelRuntimeError.invalidInput("\(label): shapes \(a.shape) and \(b.shape) cannot be broadcast together")
    }
    guard let av = a.elements(T.self), let bv = b.elements(T.self) else {
        throw ModelRuntimeError.invalidInput("\(label): expected \(T.elementType.onnxName) inputs")
    }
    let total = try Tensor.count(of: outShape, label)
    let result = [R](unsafeUninitializedCapacity: total) { out, initialized in
        av.withUnsafeBufferPointer { ap in
            bv.withUnsafeBufferPointer { bp in
                if ap.count == total && bp.count == total {
                    for i in 0..<total { out[i] = op(ap[i], bp[i]) }
                } else if bp.count == 1 && ap.count == total {
                    let s = bp[0]
                    for i in 0..<total { out[i] = op(ap[i], s) }
                } else if ap.count == 1 && bp.count == total {
                    let s = ap[0]
                    for i in 0..<total { out[i] = op(s, bp[i]) }
                } else if ap.count == total, bp.count > 0, Broadcast.repeatPattern(of: b.shape, in: outShape) == .rows {
                    let inner = bp.count
                    var base = 0
                    while base < total {
                        for j in 0..<inner { out[base + j] = op(ap[base + j], bp[j]) }
                        base += inner
                    }
                } else if bp.count == total, ap.count > 0,
                    let pattern = Broadcast.repeatPattern(of: a.shape, in: outShape)
                {
                    // The left operand is the smaller one (a bias or a column on the left of the op).
                    switch pattern {
                    case .rows:
                        let period = ap.count
                        var base = 0
                        while base < total {
                            for j in 0..<period { out[base + j] = op(ap[j], bp[base + j]) }
                            base += period
                        }
                    case .columns(let inner):
                        for i in 0..<ap.count {
                            let s = ap[i]
                            for j in (i * inner)..<((i + 1) * inner) { out[j] = op(s, bp[j]) }
                        }
                    }
                } else if outShape.count == 2 {
                    // Rows against columns and the like: two loops over strides, no per-element index carry.
                    let sa = Broadcast.strides(of: a.shape, in: outShape)
                    let sb = Broadcast.strides(of: b.shape, in: outShape)
                    let (rows, cols) = (outShape[0], outShape[1])
                    for i in 0..<rows {
                        let ai = i * sa[0]
                        let bi = i * sb[0]
                        for j in 0..<cols { out[i * cols + j] = op(ap[ai + j * sa[1]], bp[bi + j * sb[1]]) }
                    }
                } else if total > 0, let a0 = ap.baseAddress, let b0 = bp.baseAddress, let o0 = out.baseAddress {
                    let (dims, sa, sb) = Broadcast.collapsed(
                        outShape, Broadcast.strides(of: a.shape, in: outShape), Broadcast.strides(of: b.shape, in: outShape))
                    Broadcast.apply(op, out: o0, a: a0, b: b0, dims: dims, sa: sa, sb: sb)
                }
            }
        }
        initialized = total
    }
    return Tensor(unchecked: outShape, R.wrap(result))
}
