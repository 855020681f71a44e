/// Identity, Constant, Reshape, Flatten, Squeeze, Unsqueeze, Shape, Size, Expand, ConstantOfShape.
enum ShapeOperators {
    static var definitions: [OperatorDefinition] {
        [
            OperatorDefinition(domain: "", name: "Identity", opsets: 1...22) { ctx in
                try ctx.expectInputs(1...1)
                let label = ctx.label
                return BuiltOperator(
                    kernel: ClosureKernel { [try $0.takeRequired(0, label)] }, outputTypes: [try ctx.type(0)],
                    fusion: .pointwise)
            },
            OperatorDefinition(domain: "", name: "Constant", opsets: 1...22) { ctx in
                try ctx.expectInputs(0...0)
                let value = try constantValue(&ctx)
                return BuiltOperator(kernel: ClosureKernel { _ in [value] }, outputTypes: [value.elementType])
            },
            OperatorDefinition(domain: "", name: "Reshape", opsets: 5...22) { ctx in
                try ctx.expectInputs(2...2)
                try ctx.expect(1, [.int64])
                let allowZero = try ctx.attributes.int("allowzero", default: 0) != 0
                let label = ctx.label
                return BuiltOperator(
                    kernel: ClosureKernel { inputs in
                        let x = try inputs.takeRequired(0, label)
                        guard let spec = try inputs.required(1, label).int64s else {
                            throw ModelRuntimeError.invalidInput("\(label): shape must be int64")
                        }
                        let shape = try reshape(x.shape, count: x.count, spec: spec, allowZero: allowZero, label: label)
                        return [Tensor(unchecked: shape, x.storage)]
                    }, outputTypes: [try ctx.type(0)], fusion: ctx.constant(1) != nil ? .pointwise : nil)
            },
            OperatorDefinition(domain: "", name: "Flatten", opsets: 1...22) { ctx in
                try ctx.expectInputs(1...1)
                let axis = try ctx.attributes.int("axis", default: 1)
                let label = ctx.label
                return BuiltOperator(
                    kernel: ClosureKernel { inputs in
                        let x = try inputs.takeRequired(0, label)
                        let a = try normaliseAxis(axis, rank: x.rank, inclusive: true, label: label)
                        let outer = x.shape.prefix(a).reduce(1, *)
                        return [Tensor(unchecked: [outer, x.shape.dropFirst(a).reduce(1, *)], x.storage)]
                    }, outputTypes: [try ctx.type(0)])
            },
            OperatorDefinition(domain: "", name: "Squeeze", opsets: 1...22) { ctx in
                try ctx.expectInputs(1...2)
                let fixed = try axesArgument(&ctx, inputIndex: 1, attributeUntil: 13)
                let label = ctx.label
                return BuiltOperator(
                    kernel: ClosureKernel { inputs in
                        let x = try inputs.takeRequired(0, label)
                        let axes = try fixed ?? dynamicAxes(inputs, 1, label)
                        return [Tensor(unchecked: try squeezedShape(x.shape, axes: axes, label: label), x.storage)]
                    }, outputTypes: [try ctx.type(0)])
            },
            OperatorDefinition(domain: "", name: "Unsqueeze", opsets: 1...22) { ctx in
                try ctx.expectInputs(1...2)
                let fixed = try axesArgument(&ctx, inputIndex: 1, attributeUntil: 13)
                let label = ctx.label
                return BuiltOperator(
                    kernel: ClosureKernel { inputs in
                        let x = try inputs.takeRequired(0, label)
                        guard let axes = try fixed ?? dynamicAxes(inputs, 1, label) else {
                            throw ModelRuntimeError.invalidInput("\(label): axes are required")
                        }
                        return [Tensor(unchecked: try unsqueezedShape(x.shape, axes: axes, label: label), x.storage)]
                    }, outputTypes: [try ctx.type(0)])
            },
            OperatorDefinition(domain: "", name: "Shape", opsets: 1...22) { ctx in
                try ctx.expectInputs(1...1)
                let start = try ctx.attributes.int("start", default: 0)
                let end = try ctx.attributes.int("end")
                let label = ctx.label
                return BuiltOperator(
                    kernel: ClosureKernel { inputs in
                        let dims = try inputs.required(0, label).shape
                        let r = dims.count
                        let s = Swift.min(Swift.max(start < 0 ? start + r : start, 0), r)
                        let e = Swift.min(Swift.max((end ?? r) < 0 ? (end ?? r) + r : (end ?? r), s), r)
                        return [Tensor(unchecked: [e - s], .int64(dims[s..<e].map { Int64($0) }))]
                    }, outputTypes: [.int64])
            },
            OperatorDefinition(domain: "", name: "Size", opsets: 1...22) { ctx in
                try ctx.expectInputs(1...1)
                let label = ctx.label
                return BuiltOperator(
                    kernel: ClosureKernel { [Tensor(unchecked: [], .int64([Int64(try $0.required(0, label).count)]))] },
                    outputTypes: [.int64])
            },
            OperatorDefinition(domain: "", name: "ConstantOfShape", opsets: 9...22) { ctx in
                try ctx.expectInputs(1...1)
                try ctx.expect(0, [.int64])
                let value = try ctx.attributes.tensor("value") ?? Tensor(unchecked: [1], .float32([0]))
                guard value.count == 1 else { throw ctx.invalid("value must hold one element") }
                let label = ctx.label
                return BuiltOperator(
                    kernel: ClosureKernel { inputs in
                        guard let dims = try inputs.required(0, label).int64s, dims.allSatisfy({ $0 >= 0 }) else {
                            throw ModelRuntimeError.invalidInput("\(label): invalid shape")
                        }
                        let shape = dims.map { Int($0) }
                        let count = try Tensor.count(of: shape, label)
                        return [try IndexingOperators.gather(value, Array(repeating: 0, count: count), shape)]
                    }, outputTypes: [value.elementType])
            },
            OperatorDefinition(domain: "", name: "Expand", opsets: 8...22) { ctx in
                try ctx.expectInputs(2...2)
                try ctx.expect(1, [.int64])
                let label = ctx.label
                return BuiltOperator(
                    kernel: ClosureKernel { inputs in
                        let x = try inputs.required(0, label)
                        guard let dims = try inputs.required(1, label).int64s, dims.allSatisfy({ $0 >= 0 }),
                            let out = Broadcast.shape(x.shape, dims.map { Int($0) })
                        else { throw ModelRuntimeError.invalidInput("\(label): cannot expand \(x.shape)") }
                        let count = try Tensor.count(of: out, label)
                        var indices = [Int](repeating: 0, count: count)
                        Broadcast.forEach(out: out, inputStrides: [Broadcast.strides(of: x.shape, in: out)]) { i, o in
                            indices[i] = o[0]
                        }
                        return [try IndexingOperators.gather(x, indices, out)]
                    }, outputTypes: [try ctx.type(0)])
            },
        ]
    }

    static func constantValue(_ ctx: inout NodeContext) throws -> Tensor {
        if let t = try ctx.attributes.tensor("value") { return t }
        if let f = try ctx.attributes.float("value_float") { return Tensor(unchecked: [], .float32([f])) }
        if let f = try ctx.attributes.floats("value_floats") { return Tensor(unchecked: [f.count], .float32(f)) }
        if let i = try ctx.attributes.int64s("value_ints") { return Tensor(unchecked: [i.count], .int64(i)) }
        if ctx.attributes.has("value_int"), let i = try ctx.attributes.int("value_int") {
            return Tensor(unchecked: [], .int64([Int64(i)]))
        }
        if let s = try ctx.attributes.string("value_string") { return Tensor(unchecked: [], .string([s])) }
        if let s = try ctx.attributes.strings("value_strings") { return Tensor(unchecked: [s.count], .string(s)) }
        if ctx.attributes.has("sparse_value") {
            throw ModelRuntimeError(.unsupportedAttribute, "\(ctx.label): sparse_value is not supported")
        }
        throw ctx.invalid("has no value attribute")
    }

    /// Axes from the `axes` attribute (opsets before `attributeUntil`) or a constant input; `nil` when given at
    /// run time or absent.
    static func axesArgument(_ ctx: inout NodeContext, inputIndex: Int, attributeUntil: Int) throws -> [Int]?? {
        if ctx.opset < attributeUntil {
            return .some(try ctx.attributes.ints("axes"))
        }
        guard ctx.optionalType(inputIndex) != nil else { return .some(nil) }
        try ctx.expect(inputIndex, [.int64])
        if let c = ctx.constant(inputIndex), let v = c.int64s { return .some(v.map { Int($0) }) }
        return nil
    }

    static func dynamicAxes(_ inputs: [Tensor?], _ index: Int, _ label: String) throws -> [Int]? {
        guard index < inputs.count, let t = inputs[index] else { return nil }
        guard let v = t.int64s else { throw ModelRuntimeError.invalidInput("\(label): axes must be int64") }
        return v.map { Int($0) }
    }

    static func normaliseAxis(_ axis: Int, rank: Int, inclusive: Bool = false, label: String) throws -> Int {
        let a = axis < 0 ? axis + rank : axis
        guard a >= 0, a < rank || (inclusive && a == rank) else {
            throw ModelRuntimeError.invalidInput("\(label): axis \(axis) is out of range for rank \(rank)")
        }
        return a
    }

    static func reshape(_ shape: [Int], count: Int, spec: [Int64], allowZero: Bool, label: String) throws -> [Int] {
        var out: [Int] = []
        var inferred: Int? = nil
        for (i, d) in spec.enumerated() {
            if d == -1 {
                guard inferred == nil else { throw ModelRuntimeError.invalidInput("\(label): more than one -1") }
                inferred = i
                out.append(1)
            } else if d == 0 && !allowZero {
                guard i < shape.count else {
                    throw ModelRuntimeError.invalidInput("\(label): 0 at position \(i) but input rank is \(shape.count)")
                }
                out.append(shape[i])
            } else {
                guard d >= 0, d < 1 << 40 else { throw ModelRuntimeError.invalidInput("\(label): invalid dimension \(d)") }
                out.append(Int(d))
            }
        }
        // Checked products: a target such as [2^39, 2^39] must be refused, not overflow.
        guard let known = Tensor.elementCount(out) else {
            throw ModelRuntimeError.invalidInput("\(label): cannot reshape \(shape) (\(count) elements) to \(spec)")
        }
        if let i = inferred {
            guard known > 0, count % known == 0 else {
                throw ModelRuntimeError.invalidInput("\(label): cannot reshape \(shape) to \(spec)")
            }
            out[i] = count / known
        }
        guard Tensor.elementCount(out) == count else {
            throw ModelRuntimeError.invalidInput("\(label): cannot reshape \(shape) (\(count) elements) to \(spec)")
        }
        return out
    }

    static func squeezedShape(_ shape: [Int], axes: [Int]?, label: String) throws -> [Int] {
        guard let axes else { return shape.filter { $0 != 1 } }
        let normalised = try Set(axes.map { try normaliseAxis($0, rank: shape.count, label: label) })
        for a in normalised where shape[a] != 1 {
            throw ModelRuntimeError.invalidInput("\(label): cannot squeeze axis \(a) of shape \(shape)")
        }
        return shape.enumerated().filter { !normalised.contains($0.offset) }.map(\.element)
    }

    static func unsqueezedShape(_ shape: [Int], axes: [Int], label: String) throws -> [Int] {
        let rank = shape.count + axes.count
        let normalised = try Set(axes.map { try normaliseAxis($0, rank: rank, label: label) })
        guard normalised.count == axes.count else { throw ModelRuntimeError.invalidInput("\(label): repeated axis") }
        var out: [Int] = []
        var source = shape.makeIterator()
        for i in 0..<rank { out.append(normalised.contains(i) ? 1 : (source.next() ?? 1)) }
        return out
    }
}
