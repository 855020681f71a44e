import CModelKernels

/// Transformer-block rewrites, each performing the same float operations in the same order as the steps it
/// replaces (so results are bit-for-bit those of the unfused plan):
///
/// 4. **Attention softmax**: `Softmax(Add(Div(scores, c), mask))` along the last axis becomes one pass over the
///    scores (divide, add the mask row, softmax) instead of three, reading the `[B, 1, 1, S]` mask in place.
/// 5. **Residual LayerNorm**: `LayerNormalization(Add(a, b))` adds the residual inside the normalisation's pass.
///
/// And one rewrite that changes the rounding, not the function:
///
/// 6. **Erf GELU**: the exact GELU as exporters write it, `x * (1 + erf(x / sqrt 2)) * 0.5` or
///    `(x * 0.5) * (1 + erf(x / sqrt 2))` (five steps), becomes one vectorised GELU step (within 2.5e-7 relative of
///    the same formula in double precision, where the five float steps round five times), which a preceding dense
///    step then absorbs.
extension PlanOptimizer {
    static func fuseErfGelu(_ plan: ExecutionPlan) -> ExecutionPlan {
        var p = plan
        let readers = p.readerCounts()
        let producers = p.producerIndex()
        var consumer: [Int: Int] = [:]
        for (j, step) in p.steps.enumerated() { for case .slot(let s)? in step.inputs { consumer[s] = j } }
        func scalar(_ ref: ValueRef??) -> Float? {
            guard case .constant(let c)?? = ref, let v = p.constants[c].floats, v.count == 1 else { return nil }
            return v[0]
        }
        func only(_ step: Int) -> Int? {
            guard p.steps[step].outputs.count == 1, let out = p.steps[step].outputs.first, out >= 0, readers[out] == 1 else { return nil }
            return consumer[out]
        }
        func isOp(_ step: Int, _ name: String) -> Bool { p.steps[step].label.hasSuffix("(\(name))") && p.steps[step].inputs.count == 2 }
        var removed = Set<Int>()
        for e in p.steps.indices where p.steps[e].label.hasSuffix("(Erf)") && !removed.contains(e) {
            guard case .slot(let d)? = p.steps[e].inputs.first, readers[d] == 1, let div = producers[d],
                isOp(div, "Div"), case .slot(let x)? = p.steps[div].inputs[0],
                let root = scalar(p.steps[div].inputs[1]), abs(root - 1.4142135) < 1e-5,
                let add = only(e), isOp(add, "Add"),
                let one = scalar(p.steps[add].inputs.first { $0 != .slot(p.steps[e].outputs[0]) }), one == 1,
                let mul = only(add), isOp(mul, "Mul")
            else { continue }
            let other = p.steps[mul].inputs.first { $0 != .slot(p.steps[add].outputs[0]) } ?? nil
            var last: Int
            var gone: [Int]
            if other == .slot(x), let half = only(mul), isOp(half, "Mul"), scalar(p.steps[half].inputs.first { $0 != .slot(p.steps[mul].outputs[0]) }) == 0.5 {
                // x * (1 + erf) * 0.5
                last = half
                gone = [div, e, add, mul]
            } else if case .slot(let h)? = other, readers[h] == 1, let halfStep = producers[h], isOp(halfStep, "Mul"),
                p.steps[halfStep].inputs.contains(.slot(x)),
                scalar(p.steps[halfStep].inputs.first { $0 != .slot(x) }) == 0.5
            {
                // (x * 0.5) * (1 + erf)
                last = mul
                gone = [div, e, add, halfStep]
            } else {
                continue
            }
            guard gone.allSatisfy({ !removed.contains($0) }), !removed.contains(last) else { continue }
            p.steps[last].kernel = GeluKernel(level: KernelPaths.level, label: p.steps[last].label)
            p.steps[last].inputs = [.slot(x)]
            p.steps[last].moves = [false]
            p.steps[last].fusion = .gelu
            removed.formUnion(gone)
        }
        p.steps = p.steps.enumerated().filter { !removed.contains($0.offset) }.map(\.element)
        return p
    }

    static func fuseAttentionSoftmax(_ plan: ExecutionPlan) -> ExecutionPlan {
        var p = plan
        let readers = p.readerCounts()
        let producers = p.producerIndex()
        var removed = Set<Int>()
        for i in p.steps.indices {
            guard case .softmax(let axis)? = p.steps[i].fusion, axis == -1, p.steps[i].inputs.count == 1,
                case .slot(let s)? = p.steps[i].inputs[0], readers[s] == 1, let j = producers[s], !removed.contains(j),
                p.steps[j].label.hasSuffix("(Add)"), p.steps[j].inputs.count == 2, p.steps[j].outputs.count == 1
            else { continue }
            var inputs = p.steps[j].inputs
            var divisor: Float = 1
            var divStep: Int?
            // The scaled scores: one of the Add's inputs made by Div(scores, scalar constant), read only here.
            for (side, ref) in inputs.enumerated() {
                guard case .slot(let d)? = ref, readers[d] == 1, let k = producers[d], !removed.contains(k),
                    p.steps[k].label.hasSuffix("(Div)"), p.steps[k].inputs.count == 2, p.steps[k].outputs.count == 1,
                    case .slot? = p.steps[k].inputs[0], case .constant(let c)? = p.steps[k].inputs[1],
                    let value = p.constants[c].floats, value.count == 1
                else { continue }
                divisor = value[0]
                divStep = k
                inputs = side == 0 ? [p.steps[k].inputs[0], inputs[1]] : [p.steps[k].inputs[0], inputs[0]]
                break
            }
            p.steps[i].kernel = AttentionSoftmaxKernel(
                divisor: divisor, hasMask: true, axis: axis, level: KernelPaths.level, label: p.steps[i].label)
            p.steps[i].inputs = inputs
            p.steps[i].moves = [false, false]
            p.steps[i].fusion = nil
            removed.insert(j)
            if let divStep { removed.insert(divStep) }
        }
        p.steps = p.steps.enumerated().filter { !removed.contains($0.offset) }.map(\.element)
        return p
    }

    static func fuseResidualLayerNorms(_ plan: ExecutionPlan) -> ExecutionPlan {
        var p = plan
        let readers = p.readerCounts()
        let producers = p.producerIndex()
        var removed = Set<Int>()
        for i in p.steps.indices {
            guard case .layerNorm(let axis, let epsilon)? = p.steps[i].fusion, p.steps[i].inputs.count >= 2,
                case .slot(let s)? = p.steps[i].inputs[0], readers[s] == 1, let j = producers[s], !removed.contains(j),
                p.steps[j].label.hasSuffix("(Add)"), p.steps[j].inputs.count == 2, p.steps[j].outputs.count == 1,
                case .slot? = p.steps[j].inputs[0], case .slot? = p.steps[j].inputs[1]
            else { continue }
            p.steps[i].kernel = LayerNormKernel(
                axis: axis, epsilon: epsilon, residual: true, level: KernelPaths.level, label: p.steps[i].label)
            p.steps[i].inputs = p.steps[j].inputs + Array(p.steps[i].inputs.dropFirst())
            p.steps[i].moves = [Bool](repeating: false, count: p.steps[i].inputs.count)
            p.steps[i].fusion = nil
            removed.insert(j)
        }
        p.steps = p.steps.enumerated().filter { !removed.contains($0.offset) }.map(\.element)
        return p
    }
}
