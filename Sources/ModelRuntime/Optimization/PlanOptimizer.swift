/// Planning-time rewrites of an `ExecutionPlan`. Every rewrite keeps results bit-for-bit identical to running
/// the original steps:
///
/// 1. **Gather folding**: a tree ensemble reading `Gather(X, constant columns, axis=1)` reads `X` directly with
///    remapped feature ids.
/// 2. **Leaf tables**: a single-tree, single-target TreeEnsembleRegressor has finitely many outputs (one per
///    leaf). When its output only flows through pointwise steps (elementwise ops with scalar constants, Cast,
///    LabelEncoder, Reshape...) to one value, those steps are run once at load on the leaf values and the
///    results become the leaves' weights, so the whole chain costs one tree walk per row.
/// 3. **Ensemble merging**: a Sum of such trees over the same input becomes one ensemble; tree ensembles add
///    in float32 in tree order starting from 0, which is exactly the Sum's left-to-right addition.
///
/// IsolationForest exports (about 27 nodes per tree) collapse to one tree-ensemble step plus the score tail.
enum PlanOptimizer {
    static func optimize(_ plan: ExecutionPlan) -> ExecutionPlan {
        var p = plan
        p = foldGathers(p)
        p = foldLeafTables(p)
        p = mergeSums(p)
        p = fuseSquaredDistances(p)
        p = fuseErfGelu(p)
        p = fuseDenseLayers(p)
        p = fuseAttentionSoftmax(p)
        p = fuseResidualLayerNorms(p)
        p = removeDeadSteps(p)
        return p.withRecomputedMoves()
    }

    // MARK: - Gather folding

    static func foldGathers(_ plan: ExecutionPlan) -> ExecutionPlan {
        var p = plan
        let producers = p.producerIndex()
        for i in p.steps.indices {
            guard case .treeRegressor(let kernel)? = p.steps[i].fusion, case .slot(let x)? = p.steps[i].inputs.first,
                let g = producers[x], case .gather(let axis)? = p.steps[g].fusion, axis == 1 || axis == -1,
                p.steps[g].inputs.count == 2, case .constant(let c)? = p.steps[g].inputs[1],
                let indices = p.constants[c].int64s, p.constants[c].rank == 1, let source = p.steps[g].inputs[0]
            else { continue }
            var model = kernel.model
            var ok = true
            for n in model.nodes.indices where model.nodes[n].trueChild != model.nodes[n].falseChild {
                let f = Int(model.nodes[n].feature)
                guard f < indices.count, indices[f] >= 0, indices[f] < 1 << 24 else {
                    ok = false
                    break
                }
                model.nodes[n].feature = Int32(indices[f])
            }
            guard ok else { continue }
            model.maxFeature = Int(indices.max() ?? 0)
            let replaced = TreeEnsembleRegressorKernel(
                model: model, base: kernel.base, post: kernel.post, output: kernel.output, label: kernel.label)
            p.steps[i].kernel = replaced
            p.steps[i].fusion = .treeRegressor(replaced)
            p.steps[i].inputs[0] = source
        }
        return p
    }

    // MARK: - Leaf tables

    static func foldLeafTables(_ plan: ExecutionPlan) -> ExecutionPlan {
        var p = plan
        var removed = Set<Int>()
        let outputSlots = Set(p.outputRefs.compactMap { if case .slot(let s) = $0 { s } else { nil } })
        for i in p.steps.indices {
            guard case .treeRegressor(let kernel)? = p.steps[i].fusion, kernel.model.roots.count == 1,
                kernel.model.targetCount == 1, kernel.post == .none, kernel.output == .float32,
                kernel.model.aggregate == .sum || kernel.model.aggregate == .average,
                let treeOut = p.steps[i].outputs.first, treeOut >= 0, !outputSlots.contains(treeOut)
            else { continue }
            // Grow the pointwise region fed only by this tree's output.
            var region = Set([treeOut])
            var members: [Int] = []
            for j in (i + 1)..<p.steps.count where !removed.contains(j) {
                let step = p.steps[j]
                guard case .pointwise? = step.fusion else { continue }
                var readsRegion = false
                var fits = true
                for ref in step.inputs {
                    switch ref {
                    case .slot(let s)?:
                        if region.contains(s) { readsRegion = true } else { fits = false }
                    case .constant(let c)?:
                        if p.constants[c].count != 1 && !isReshapeShape(step, c) { fits = false }
                    case nil: break
                    }
                }
                guard readsRegion, fits, step.outputs.allSatisfy({ !outputSlots.contains($0) }) else { continue }
                members.append(j)
                for s in step.outputs where s >= 0 { region.insert(s) }
            }
            guard !members.isEmpty else { continue }
            // Exactly one region value may be read outside the region.
            let memberSet = Set(members)
            var exits = Set<Int>()
            for (j, step) in p.steps.enumerated() where j != i && !memberSet.contains(j) {
                for case .slot(let s)? in step.inputs where region.contains(s) { exits.insert(s) }
            }
            guard exits.count == 1, let exit = exits.first, exit != treeOut else { continue }
            // Evaluate the region on every leaf value (and on 1 and 2 rows, to prove it maps rows to rows).
            let leafValues = leafOutputs(kernel)
            guard let table = evaluate(p, members: members, input: treeOut, output: exit, values: leafValues),
                evaluate(p, members: members, input: treeOut, output: exit, values: Array(leafValues.prefix(1))) != nil,
                evaluate(p, members: members, input: treeOut, output: exit, values: Array(leafValues.prefix(2))) != nil
            else { continue }
            var model = kernel.model
            model.leafStart = (0...model.leafCount).map { Int32($0) }
            model.leafTargets = Array(repeating: 0, count: model.leafCount)
            model.leafWeights = table
            model.aggregate = .sum
            let replaced = TreeEnsembleRegressorKernel(
                model: model, base: [], post: .none, output: .float32, label: kernel.label + " (with leaf table)")
            p.steps[i].kernel = replaced
            p.steps[i].fusion = .treeRegressor(replaced)
            p.steps[i].outputs = [exit]
            removed.formUnion(members)
        }
        p.steps = p.steps.enumerated().filter { !removed.contains($0.offset) }.map(\.element)
        return p
    }

    static func isReshapeShape(_ step: PlanStep, _ constant: Int) -> Bool {
        step.inputs.count == 2 && step.inputs[1] == .constant(constant) && step.label.hasSuffix("(Reshape)")
    }

    /// The value the single-tree kernel outputs for each leaf, computed exactly as the kernel does.
    static func leafOutputs(_ kernel: TreeEnsembleRegressorKernel) -> [Float] {
        let m = kernel.model
        return (0..<m.leafCount).map { l in
            var s: Float = 0
            for w in Int(m.leafStart[l])..<Int(m.leafStart[l + 1]) { s += m.leafWeights[w] }
            if m.aggregate == .average { s /= Float(m.roots.count) }
            if !kernel.base.isEmpty { s += kernel.base[0] }
            return s
        }
    }

    /// Runs the region's steps on a `[k, 1]` column of values; returns the exit values when the exit is a
    /// float32 `[k, 1]` or `[k]` tensor, else `nil`.
    static func evaluate(_ plan: ExecutionPlan, members: [Int], input: Int, output: Int, values: [Float]) -> [Float]? {
        var sub = plan
        sub.steps = members.map { plan.steps[$0] }
        sub.inputSlots = [input]
        sub.outputRefs = [.slot(output)]
        sub = sub.withRecomputedMoves()
        guard let result = try? sub.run([Tensor(unchecked: [values.count, 1], .float32(values))]).first,
            let floats = result.floats, floats.count == values.count,
            result.shape == [values.count, 1]
        else { return nil }
        return floats
    }

    // MARK: - Merging Sums of trees

    static func mergeSums(_ plan: ExecutionPlan) -> ExecutionPlan {
        var p = plan
        let producers = p.producerIndex()
        let readers = p.readerCounts()
        var removed = Set<Int>()
        for i in p.steps.indices {
            guard case .sum? = p.steps[i].fusion, p.steps[i].inputs.count >= 2 else { continue }
            var trees: [(Int, TreeEnsembleRegressorKernel)] = []
            for ref in p.steps[i].inputs {
                guard case .slot(let s)? = ref, readers[s] == 1, let j = producers[s],
                    case .treeRegressor(let k)? = p.steps[j].fusion, k.model.targetCount == 1, k.post == .none,
                    k.base.isEmpty, k.model.aggregate == .sum, k.output == .float32,
                    p.steps[j].inputs.first == p.steps[trees.first?.0 ?? j].inputs.first
                else {
                    trees = []
                    break
                }
                trees.append((j, k))
            }
            guard trees.count == p.steps[i].inputs.count, let first = trees.first else { continue }
            let merged = TreeEnsembleMerger.merge(trees.map(\.1.model))
            let kernel = TreeEnsembleRegressorKernel(
                model: merged, base: [], post: .none, output: .float32,
                label: "\(p.steps[i].label) (\(trees.count) merged trees)")
            p.steps[i].kernel = kernel
            p.steps[i].fusion = .treeRegressor(kernel)
            p.steps[i].inputs = [p.steps[first.0].inputs[0]]
            p.steps[i].moves = [false]
            removed.formUnion(trees.map(\.0))
        }
        p.steps = p.steps.enumerated().filter { !removed.contains($0.offset) }.map(\.element)
        return p
    }

    // MARK: - Squared distances

    /// `ReduceSumSquare(Sub(a, b), axes=[last])` (the cdist pattern in LocalOutlierFactor and KMeans exports)
    /// becomes one kernel that never materialises the difference; same float operations in the same order.
    static func fuseSquaredDistances(_ plan: ExecutionPlan) -> ExecutionPlan {
        var p = plan
        let producers = p.producerIndex()
        let readers = p.readerCounts()
        var removed = Set<Int>()
        for i in p.steps.indices {
            guard case .reduceSumSquare(let axes, let keepDims)? = p.steps[i].fusion, p.steps[i].inputs.count == 1,
                case .slot(let d)? = p.steps[i].inputs[0], readers[d] == 1, let j = producers[d],
                case .pointwise? = p.steps[j].fusion, p.steps[j].label.hasSuffix("(Sub)"), p.steps[j].inputs.count == 2
            else { continue }
            let kernel = SquaredDistanceKernel(
                subtract: p.steps[j].kernel, reduce: p.steps[i].kernel, axes: axes, keepDims: keepDims,
                label: p.steps[i].label)
            p.steps[i].kernel = kernel
            p.steps[i].fusion = nil
            p.steps[i].inputs = p.steps[j].inputs
            p.steps[i].moves = [false, false]
            removed.insert(j)
        }
        p.steps = p.steps.enumerated().filter { !removed.contains($0.offset) }.map(\.element)
        return p
    }

    // MARK: - Dense layers

    /// `Add(dense, constant bias)` and then `Relu` fold into the dense step (MatMul or Gemm over packed
    /// weights): the bias and ReLU are applied to each finished sum as it is stored, the same operations the
    /// separate steps perform, without two more passes over the activations.
    static func fuseDenseLayers(_ plan: ExecutionPlan) -> ExecutionPlan {
        var p = plan
        let readers = p.readerCounts()
        var consumer: [Int: Int] = [:]
        for (j, step) in p.steps.enumerated() { for case .slot(let s)? in step.inputs { consumer[s] = j } }
        var removed = Set<Int>()
        for i in p.steps.indices where !removed.contains(i) {
            guard case .dense(var kernel)? = p.steps[i].fusion else { continue }
            // Absorb the single reader of the step's output while it is a bias Add (first) or a Relu (last).
            while !kernel.relu, !kernel.gelu, p.steps[i].outputs.count == 1, let out = p.steps[i].outputs.first, out >= 0,
                readers[out] == 1, let j = consumer[out], p.steps[j].outputs.count == 1
            {
                let next = p.steps[j]
                let n = kernel.weights.n
                if next.label.hasSuffix("(Relu)"), next.inputs.count == 1, !kernel.gelu {
                    kernel.relu = true
                } else if case .gelu? = next.fusion, next.inputs.count == 1, !kernel.gelu, !kernel.addsInput {
                    kernel.gelu = true
                } else if next.label.hasSuffix("(Add)"), kernel.bias == nil, !kernel.addsInput,
                    next.inputs.count == 2, next.inputs.contains(.slot(out)),
                    case .constant(let c)?? = next.inputs.first(where: { $0 != .slot(out) }),
                    let bias = p.constants[c].floats, p.constants[c].shape == [n] || p.constants[c].shape == [1, n]
                {
                    kernel.bias = bias
                    kernel.minimumRank = p.constants[c].rank
                } else {
                    break
                }
                p.steps[i].outputs = next.outputs
                removed.insert(j)
            }
            p.steps[i].kernel = kernel
            p.steps[i].fusion = .dense(kernel)
        }
        p.steps = p.steps.enumerated().filter { !removed.contains($0.offset) }.map(\.element)
        return p
    }

    // MARK: - Dead steps

    static func removeDeadSteps(_ plan: ExecutionPlan) -> ExecutionPlan {
        var p = plan
        var live = Set(p.outputRefs.compactMap { if case .slot(let s) = $0 { s } else { nil } })
        var keep = [Bool](repeating: false, count: p.steps.count)
        for i in p.steps.indices.reversed() {
            guard p.steps[i].outputs.contains(where: { live.contains($0) }) else { continue }
            keep[i] = true
            for case .slot(let s)? in p.steps[i].inputs { live.insert(s) }
        }
        p.steps = p.steps.enumerated().filter { keep[$0.offset] }.map(\.element)
        return p
    }
}

extension ExecutionPlan {
    /// Step index producing each slot.
    func producerIndex() -> [Int: Int] {
        var index: [Int: Int] = [:]
        for (i, step) in steps.enumerated() { for s in step.outputs where s >= 0 { index[s] = i } }
        return index
    }

    /// How many step inputs and graph outputs read each slot.
    func readerCounts() -> [Int: Int] {
        var counts: [Int: Int] = [:]
        for step in steps { for case .slot(let s)? in step.inputs { counts[s, default: 0] += 1 } }
        for case .slot(let s) in outputRefs { counts[s, default: 0] += 1 }
        return counts
    }

    /// Recomputes which step moves each slot (its last reader), after steps were rewritten.
    func withRecomputedMoves() -> ExecutionPlan {
        var p = self
        var last: [Int: (Int, Int)] = [:]
        for (i, step) in p.steps.enumerated() {
            p.steps[i].moves = Array(repeating: false, count: step.inputs.count)
            for (k, ref) in step.inputs.enumerated() { if case .slot(let s)? = ref { last[s] = (i, k) } }
        }
        let kept = Set(p.outputRefs.compactMap { if case .slot(let s) = $0 { s } else { nil } })
        for (slot, (i, k)) in last where !kept.contains(slot) { p.steps[i].moves[k] = true }
        return p
    }
}
