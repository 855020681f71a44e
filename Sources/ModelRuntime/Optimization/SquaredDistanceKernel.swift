/// `ReduceSumSquare(a - b)` over the last axis of a float `[N, F]` tensor against a `[F]` vector, computed
/// row by row without the intermediate difference (eight rows at a time so the additions overlap). Other shapes
/// run the two original kernels.
struct SquaredDistanceKernel: Kernel {
    let subtract: any Kernel
    let reduce: any Kernel
    let axes: [Int]?
    let keepDims: Bool
    let label: String

    func run(_ inputs: inout [Tensor?]) throws -> [Tensor] {
        let a = try inputs.required(0, label)
        let b = try inputs.required(1, label)
        guard a.rank == 2, let av = a.floats, let bv = b.floats, bv.count == a.shape[1],
            b.shape.last == a.shape[1], axes == [1] || axes == [-1]
        else {
            var first = inputs
            var difference = try subtract.run(&first)
            var second: [Tensor?] = [difference.removeFirst()]
            return try reduce.run(&second)
        }
        let (n, f) = (a.shape[0], a.shape[1])
        let out = [Float](unsafeUninitializedCapacity: n) { buffer, initialized in
            av.withUnsafeBufferPointer { ap in
                bv.withUnsafeBufferPointer { bp in
                    var r = 0
                    while r + 4 <= n {
                        var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
                        let base = r * f
                        for k in 0..<f {
                            let y = bp[k]
                            let d0 = ap[base + k] - y
                            let d1 = ap[base + f + k] - y
                            let d2 = ap[base + 2 * f + k] - y
                            let d3 = ap[base + 3 * f + k] - y
                            s0 += d0 * d0
                            s1 += d1 * d1
                            s2 += d2 * d2
                            s3 += d3 * d3
                        }
                        buffer[r] = s0
                        buffer[r + 1] = s1
                        buffer[r + 2] = s2
                        buffer[r + 3] = s3
                        r += 4
                    }
                    while r < n {
                        var s: Float = 0
                        for k in 0..<f {
                            let d = ap[r * f + k] - bp[k]
                            s += d * d
                        }
                        buffer[r] = s
                        r += 1
                    }
                }
            }
            initialized = n
        }
        return [Tensor(unchecked: keepDims ? [n, 1] : [n], .float32(out))]
    }
}
