/// Transpose, Concat, Gather, Slice: operators that move elements without computing on them.
enum IndexingOperators {
    static var definitions: [OperatorDefinition] {
        [
            OperatorDefinition(domain: "", name: "Transpose", opsets: 1...22) { ctx in
                try ctx.expectInputs(1...1)
                let perm = try ctx.attributes.ints("perm")
                let label = ctx.label
                return BuiltOperator(
                    kernel: ClosureKernel { inputs in
                        [try transpose(try inputs.required(0, label), perm: perm, label: label)]
                    }, outputTypes: [try ctx.type(0)])
            },
            OperatorDefinition(domain: "", name: "Concat", opsets: 1...22) { ctx in
                guard ctx.inputCount >= 1 else { throw ctx.invalid("needs at least one input") }
                let t = try ctx.type(0)
                for i in 0..<ctx.inputCount { try ctx.expect(i, [t]) }
                let axis = try AttributeReader.required(try ctx.attributes.int("axis"), "axis", ctx.label)
                let label = ctx.label
                return BuiltOperator(
                    kernel: ClosureKernel { inputs in
                        [try concat(inputs.compactMap { $0 }, axis: axis, label: label)]
                    }, outputTypes: [t])
            },
            OperatorDefinition(domain: "", name: "Gather", opsets: 1...22) { ctx in
                try ctx.expectInputs(2...2)
                try ctx.expect(1, [.int64, .int32])
                let axis = try ctx.attributes.int("axis", default: 0)
                let label = ctx.label
                return BuiltOperator(
                    kernel: ClosureKernel { inputs in
                        [try gatherAxis(try inputs.required(0, label), try inputs.required(1, label), axis: axis, label: label)]
                    }, outputTypes: [try ctx.type(0)], fusion: .gather(axis: axis))
            },
            OperatorDefinition(domain: "", name: "Slice", opsets: 10...22) { ctx in
                try ctx.expectInputs(3...5)
                for i in 1..<ctx.inputCount where ctx.optionalType(i) != nil { try ctx.expect(i, [.int64, .int32]) }
                let label = ctx.label
                return BuiltOperator(
                    kernel: ClosureKernel { inputs in
                        let x = try inputs.required(0, label)
                        func ints(_ i: Int) throws -> [Int]? {
                            guard i < inputs.count, let t = inputs[i] else { return nil }
                            return try CastOperator.convert(t, to: .int64).int64s?.map { Int(clamping: $0) }
                        }
                        guard let starts = try ints(1), let ends = try ints(2) else {
                            throw ModelRuntimeError.invalidInput("\(label): starts and ends are required")
                        }
                        return [try slice(x, starts: starts, ends: ends, axes: try ints(3), steps: try ints(4), label: label)]
                    }, outputTypes: [try ctx.type(0)])
            },
        ]
    }

    /// A tensor of `shape` whose element i is `source[indices[i]]` (indices already validated).
    static func gather(_ source: Tensor, _ indices: [Int], _ shape: [Int]) throws -> Tensor {
        func pick<T>(_ v: [T]) -> [T] { indices.map { v[$0] } }
        let storage: Tensor.Storage
        switch source.storage {
        case .float32(let v): storage = .float32(pick(v))
        case .float64(let v): storage = .float64(pick(v))
        case .int64(let v): storage = .int64(pick(v))
        case .int32(let v): storage = .int32(pick(v))
        case .bool(let v): storage = .bool(pick(v))
        case .string(let v): storage = .string(pick(v))
        }
        return Tensor(unchecked: shape, storage)
    }

    static func transpose(_ x: Tensor, perm: [Int]?, label: String) throws -> Tensor {
        let rank = x.rank
        let p = perm ?? Array((0..<rank).reversed())
        guard p.count == rank, Set(p) == Set(0..<rank) else {
            throw ModelRuntimeError.invalidInput("\(label): perm \(p) does not fit rank \(rank)")
        }
        if rank == 2 && p == [1, 0], let v = x.floats {
            let (r, c) = (x.shape[0], x.shape[1])
            var out = [Float](repeating: 0, count: v.count)
            for i in 0..<r { for j in 0..<c { out[j * r + i] = v[i * c + j] } }
            return Tensor(unchecked: [c, r], .float32(out))
        }
        let outShape = p.map { x.shape[$0] }
        let inStrides = Broadcast.contiguousStrides(x.shape)
        let strides = p.map { inStrides[$0] }
        switch x.storage {
        case .float32(let v): return Tensor(unchecked: outShape, .float32(permuted(v, outShape, strides)))
        case .float64(let v): return Tensor(unchecked: outShape, .float64(permuted(v, outShape, strides)))
        case .int64(let v): return Tensor(unchecked: outShape, .int64(permuted(v, outShape, strides)))
        case .int32(let v): return Tensor(unchecked: outShape, .int32(permuted(v, outShape, strides)))
        case .bool(let v): return Tensor(unchecked: outShape, .bool(permuted(v, outShape, strides)))
        case .string(let v): return Tensor(unchecked: outShape, .string(permuted(v, outShape, strides)))
        }
    }

    /// `v` read through `strides` (the input stride of each output dimension) into a row-major array of `shape`:
    /// dimensions that stay adjacent are merged, and the innermost runs as a flat loop (a copy of contiguous
    /// elements when the permutation keeps the last axis, as attention's head transposes do).
    static func permuted<T>(_ v: [T], _ shape: [Int], _ strides: [Int]) -> [T] {
        let total = shape.reduce(1, *)
        guard total > 0 else { return [] }
        let (dims, input, _) = Broadcast.collapsed(shape, strides, Broadcast.contiguousStrides(shape))
        let rank = dims.count
        let inner = dims[rank - 1]
        let step = input[rank - 1]
        return [T](unsafeUninitializedCapacity: total) { out, initialized in
            v.withUnsafeBufferPointer { source in
                guard let src = source.baseAddress, let dst = out.baseAddress else { return }
                var index = [Int](repeating: 0, count: max(rank - 1, 1))
                var offset = 0
                index.withUnsafeMutableBufferPointer { index in
                    for row in 0..<(total / inner) {
                        let o = dst + row * inner
                        if step == 1 {
                            o.initialize(from: src + offset, count: inner)
                        } else {
                            for j in 0..<inner { (o + j).initialize(to: src[offset + j * step]) }
                        }
                        var d = rank - 2
                        while d >= 0 {
                            index[d] += 1
                            offset += input[d]
                            if index[d] < dims[d] { break }
                            offset -= input[d] * dims[d]
                            index[d] = 0
                            d -= 1
                        }
                    }
                }
            }
            initialized = total
        }
    }

    static func concat(_ parts: [Tensor], axis: Int, label: String) throws -> Tensor {
        guard let first = parts.first else { throw ModelRuntimeError.invalidInput("\(label): no inputs") }
        let rank = first.rank
        let a = try ShapeOperators.normaliseAxis(axis, rank: rank, label: label)
        var outShape = first.shape
        outShape[a] = 0
        for p in parts {
            guard p.rank == rank, p.elementType == first.elementType,
                zip(p.shape, first.shape).enumerated().allSatisfy({ $0.offset == a || $0.element.0 == $0.element.1 })
            else {
                throw ModelRuntimeError.invalidInput(
                    "\(label): cannot concatenate shapes \(parts.map(\.shape)) on axis \(axis)")
            }
            outShape[a] += p.shape[a]  // each part's dimension is at most `Tensor.maxElements`: no overflow
        }
        _ = try Tensor.count(of: outShape, label)
        let outer = first.shape.prefix(a).reduce(1, *)
        let inner = first.shape.dropFirst(a + 1).reduce(1, *)
        // Each input's chunks copied into their column of the output, one input at a time: appending slices
        // row by row cost a call and a retain per chunk (k-means and MLP classifiers join [N, 1] columns).
        let width = outShape[a] * inner
        func join<T>(_ arrays: [[T]]) -> [T] {
            [T](unsafeUninitializedCapacity: outer * width) { out, initialized in
                var offset = 0
                for (k, v) in arrays.enumerated() {
                    let chunk = parts[k].shape[a] * inner
                    if chunk > 0, let target = out.baseAddress {
                        v.withUnsafeBufferPointer { source in
                            guard let source = source.baseAddress else { return }
                            for o in 0..<outer {
                                (target + o * width + offset).initialize(from: source + o * chunk, count: chunk)
                            }
                        }
                    }
                    offset += chunk
                }
                initialized = outer * width
            }
        }
        let storage: Tensor.Storage
        switch first.storage {
        case .float32: storage = .float32(join(parts.compactMap(\.floats)))
        case .float64: storage = .float64(join(parts.compactMap(\.doubles)))
        case .int64: storage = .int64(join(parts.compactMap(\.int64s)))
        case .int32: storage = .int32(join(parts.compactMap(\.int32s)))
        case .bool: storage = .bool(join(parts.compactMap(\.bools)))
        case .string: storage = .string(join(parts.compactMap(\.strings)))
        }
        return Tensor(unchecked: outShape, storage)
    }

    static func gatherAxis(_ x: Tensor, _ indicesTensor: Tensor, axis: Int, label: String) throws -> Tensor {
        let a = try ShapeOperators.normaliseAxis(axis, rank: x.rank, label: label)
        let idx = try CastOperator.convert(indicesTensor, to: .int64).int64s ?? []
        let dim = x.shape[a]
        let outer = x.shape.prefix(a).reduce(1, *)
        let inner = x.shape.dropFirst(a + 1).reduce(1, *)
        var resolved = [Int]()
        resolved.reserveCapacity(idx.count)
        for i in idx {
            let j = i < 0 ? Int(i) + dim : Int(clamping: i)
            guard j >= 0, j < dim else {
                throw ModelRuntimeError.invalidInput("\(label): index \(i) is out of range for axis of size \(dim)")
            }
            resolved.append(j)
        }
        let outShape = Array(x.shape.prefix(a)) + indicesTensor.shape + Array(x.shape.dropFirst(a + 1))
        _ = try Tensor.count(of: outShape, label)  // ids from a request times an embedding width: bounded first
        var indices = [Int]()
        indices.reserveCapacity(outer * resolved.count * inner)
        for o in 0..<outer {
            for j in resolved {
                let base = (o * dim + j) * inner
                for k in 0..<inner { indices.append(base + k) }
            }
        }
        return try gather(x, indices, outShape)
    }

    static func slice(_ x: Tensor, starts: [Int], ends: [Int], axes: [Int]?, steps: [Int]?, label: String) throws
        -> Tensor
    {
        let rank = x.rank
        let axes = try (axes ?? Array(0..<starts.count)).map { try ShapeOperators.normaliseAxis($0, rank: rank, label: label) }
        let steps = steps ?? Array(repeating: 1, count: starts.count)
        guard starts.count == ends.count, axes.count == starts.count, steps.count == starts.count else {
            throw ModelRuntimeError.invalidInput("\(label): starts, ends, axes and steps differ in length")
        }
        var begin = [Int](repeating: 0, count: rank)
        var step = [Int](repeating: 1, count: rank)
        var outShape = x.shape
        for (k, a) in axes.enumerated() {
            let dim = x.shape[a]
            guard steps[k] != 0 else { throw ModelRuntimeError.invalidInput("\(label): step 0") }
            // A step longer than the axis selects one element, as the axis's own length does; clamping keeps the
            // arithmetic below from overflowing on steps such as Int64.min or Int64.max.
            let s = steps[k] > 0 ? Swift.min(steps[k], Swift.max(dim, 1)) : Swift.max(steps[k], -Swift.max(dim, 1))
            var b = starts[k] < 0 ? starts[k] + dim : starts[k]
            var e = ends[k] < 0 ? ends[k] + dim : ends[k]
            if s > 0 {
                b = Swift.min(Swift.max(b, 0), dim)
                e = Swift.min(Swift.max(e, 0), dim)
                outShape[a] = Swift.max(0, (e - b + s - 1) / s)
            } else {
                b = Swift.min(Swift.max(b, -1), dim - 1)
                e = Swift.min(Swift.max(e, -1), dim - 1)
                outShape[a] = Swift.max(0, (b - e + (-s) - 1) / (-s))
            }
            begin[a] = b
            step[a] = s
        }
        let strides = Broadcast.contiguousStrides(x.shape)
        let offset = zip(begin, strides).reduce(0) { $0 + $1.0 * $1.1 }
        let outStrides = zip(strides, step).map { $0 * $1 }
        var indices = [Int](repeating: 0, count: outShape.reduce(1, *))
        Broadcast.forEach(out: outShape, inputStrides: [outStrides]) { i, o in indices[i] = offset + o[0] }
        return try gather(x, indices, outShape)
    }
}
