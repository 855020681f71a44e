/// Scaler, Normalizer, Imputer, ArrayFeatureExtractor and ZipMap.
enum PreprocessingOperators {
    static var definitions: [OperatorDefinition] {
        [
            OperatorDefinition(domain: OpsetTable.mlDomain, name: "Scaler", opsets: 1...5) { ctx in
                try ctx.expectInputs(1...1)
                try ctx.expect(0, MLInput.numericTypes)
                let offset = try ctx.attributes.floats("offset") ?? [0]
                let scale = try ctx.attributes.floats("scale") ?? [1]
                guard !offset.isEmpty, !scale.isEmpty else { throw ctx.invalid("offset and scale must not be empty") }
                let label = ctx.label
                return BuiltOperator(
                    kernel: ClosureKernel { inputs in
                        var x = try inputs.takeRequired(0, label)
                        let shape = x.shape
                        let (_, width, _) = try MLInput.floatRows(x, label)
                        for (name, list) in [("offset", offset), ("scale", scale)] where list.count != 1 && list.count != width {
                            throw ModelRuntimeError.invalidInput("\(label): \(name) has \(list.count) values, input has \(width) columns")
                        }
                        let converted = x.elementType == .float32 ? nil : try MLInput.floatRows(x, label).values
                        var v = converted ?? x.takeElements(Float.self) ?? []
                        let fullOffset = offset.count == width ? offset : Array(repeating: offset[0], count: width)
                        let fullScale = scale.count == width ? scale : Array(repeating: scale[0], count: width)
                        v.withUnsafeMutableBufferPointer { p in
                            fullOffset.withUnsafeBufferPointer { o in
                                fullScale.withUnsafeBufferPointer { sc in
                                    guard width > 0 else { return }
                                    var base = 0
                                    while base + width <= p.count {
                                        for c in 0..<width { p[base + c] = (p[base + c] - o[c]) * sc[c] }
                                        base += width
                                    }
                                }
                            }
                        }
                        return [Tensor(unchecked: shape, .float32(v))]
                    }, outputTypes: [.float32])
            },
            OperatorDefinition(domain: OpsetTable.mlDomain, name: "Normalizer", opsets: 1...5) { ctx in
                try ctx.expectInputs(1...1)
                try ctx.expect(0, MLInput.numericTypes)
                let norm = try ctx.attributes.string("norm", default: "MAX")
                guard ["MAX", "L1", "L2"].contains(norm) else { throw ctx.unsupported("norm", norm) }
                let label = ctx.label
                return BuiltOperator(
                    kernel: ClosureKernel { inputs in
                        var x = try inputs.takeRequired(0, label)
                        let (rows, width, _) = try MLInput.floatRows(x, label)
                        let converted = x.elementType == .float32 ? nil : try MLInput.floatRows(x, label).values
                        var v = converted ?? x.takeElements(Float.self) ?? []
                        v.withUnsafeMutableBufferPointer { p in
                            for r in 0..<rows {
                                let row = r * width
                                var d: Float = 0
                                switch norm {
                                case "L1": for i in row..<(row + width) { d += Swift.abs(p[i]) }
                                case "L2":
                                    for i in row..<(row + width) { d += p[i] * p[i] }
                                    d = d.squareRoot()
                                default:
                                    d = width > 0 ? p[row] : 1
                                    for i in row..<(row + width) where p[i] > d { d = p[i] }
                                }
                                for i in row..<(row + width) { p[i] /= d }
                            }
                        }
                        return [Tensor(unchecked: x.rank == 1 ? [1, width] : [rows, width], .float32(v))]
                    }, outputTypes: [.float32])
            },
            OperatorDefinition(domain: OpsetTable.mlDomain, name: "Imputer", opsets: 1...5) { ctx in
                try ctx.expectInputs(1...1)
                let t = try ctx.expect(0, [.float32, .int64])
                let floats = try ctx.attributes.floatsOrTensor("imputed_value_floats") ?? []
                let ints = try ctx.attributes.int64s("imputed_value_int64s") ?? []
                let replacedFloat = try ctx.attributes.float("replaced_value_float", default: 0)
                let replacedInt = Int64(try ctx.attributes.int("replaced_value_int64", default: 0))
                let label = ctx.label
                if t == .float32 {
                    guard !floats.isEmpty else { throw ctx.invalid("imputed_value_floats is required for float input") }
                    return BuiltOperator(
                        kernel: ClosureKernel { inputs in
                            var x = try inputs.takeRequired(0, label)
                            let width = x.rank == 0 ? 1 : x.shape[x.rank - 1]
                            guard floats.count == 1 || floats.count == width else {
                                throw ModelRuntimeError.invalidInput("\(label): \(floats.count) imputed values for \(width) columns")
                            }
                            var i = 0
                            return [
                                try mapInPlace(&x, Float.self, label: label) { v in
                                    defer { i += 1 }
                                    let hit = replacedFloat.isNaN ? v.isNaN : v == replacedFloat
                                    return hit ? floats[floats.count == 1 ? 0 : i % width] : v
                                }
                            ]
                        }, outputTypes: [.float32])
                }
                guard !ints.isEmpty else { throw ctx.invalid("imputed_value_int64s is required for int64 input") }
                return BuiltOperator(
                    kernel: ClosureKernel { inputs in
                        var x = try inputs.takeRequired(0, label)
                        let width = x.rank == 0 ? 1 : x.shape[x.rank - 1]
                        guard ints.count == 1 || ints.count == width else {
                            throw ModelRuntimeError.invalidInput("\(label): \(ints.count) imputed values for \(width) columns")
                        }
                        var i = 0
                        return [
                            try mapInPlace(&x, Int64.self, label: label) { v in
                                defer { i += 1 }
                                return v == replacedInt ? ints[ints.count == 1 ? 0 : i % width] : v
                            }
                        ]
                    }, outputTypes: [.int64])
            },
            OperatorDefinition(domain: OpsetTable.mlDomain, name: "ArrayFeatureExtractor", opsets: 1...5) { ctx in
                try ctx.expectInputs(2...2)
                let t = try ctx.type(0)
                try ctx.expect(1, [.int64])
                let label = ctx.label
                return BuiltOperator(
                    kernel: ClosureKernel { inputs in
                        let x = try inputs.required(0, label)
                        guard let idx = try inputs.required(1, label).int64s, !idx.isEmpty, x.rank >= 1 else {
                            throw ModelRuntimeError.invalidInput("\(label): needs a non-empty index list and rank >= 1 data")
                        }
                        let last = x.shape[x.rank - 1]
                        let outer = last == 0 ? 0 : x.count / last
                        var indices: [Int] = []
                        indices.reserveCapacity(outer * idx.count)
                        for o in 0..<outer {
                            for i in idx {
                                guard i >= 0, i < last else {
                                    throw ModelRuntimeError.invalidInput("\(label): index \(i) is out of range 0..<\(last)")
                                }
                                indices.append(o * last + Int(i))
                            }
                        }
                        let shape = x.rank == 1 ? [1, idx.count] : Array(x.shape.dropLast()) + [idx.count]
                        return [try IndexingOperators.gather(x, indices, shape)]
                    }, outputTypes: [t])
            },
            OperatorDefinition(domain: OpsetTable.mlDomain, name: "ZipMap", opsets: 1...5) { ctx in
                try ctx.expectInputs(1...1)
                try ctx.expect(0, [.float32])
                guard let labels = try ClassLabelSet.read(&ctx, intName: "classlabels_int64s", stringName: "classlabels_strings")
                else { throw ctx.invalid("classlabels_int64s or classlabels_strings is required") }
                let label = ctx.label
                // The map sequence is returned densely: one column per label, in label order.
                return BuiltOperator(
                    kernel: ClosureKernel { inputs in
                        let x = try inputs.takeRequired(0, label)
                        let width = x.rank == 0 ? 1 : x.shape[x.rank - 1]
                        guard width == labels.count else {
                            throw ModelRuntimeError.invalidInput("\(label): \(width) scores for \(labels.count) labels")
                        }
                        return [Tensor(unchecked: [width == 0 ? 0 : x.count / width, width], x.storage)]
                    }, outputTypes: [.float32])
            },
        ]
    }
}
