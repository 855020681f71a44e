import CModelKernels

/// A branch-free layout of a tree ensemble.
///
/// A node's two children sit side by side at `base` (taken when the node's condition holds) and `base + 1`, so a
/// step is `index = base + (condition ? 0 : 1)`: a compare and an add, nothing a compiler can turn into a jump.
/// Leaves become nodes that step to themselves, so walking a tree is exactly `depth` steps with no
/// data-dependent branches, and eight rows are walked together so their loads overlap. Branchy walks (and
/// selects the compiler lowers to jumps) cost a misprediction on a good share of steps once the rows differ.
///
/// When every branch is `<`, `<=`, `>` or `>=` (scikit-learn, LightGBM, XGBoost), the condition is always
/// `(±x) <= threshold`: each mode and missing-value track is rewritten to that form (see `ordered`), NaN failing
/// it. Otherwise (`==`, `!=`) each node carries a 4-bit truth table: whether to take the first child when the
/// value is below, equal to or above the threshold, or NaN.
struct TreeWalkTable: Sendable {
    struct Node: Sendable {
        var threshold: Float
        /// The feature (low 28 bits) and, in the high 4 bits, the sign to apply to the value (bit 31, ordered
        /// tables) or the truth table (truth-table tables).
        var feature: UInt32
        /// Index of the first child; the second is `base + 1`. A leaf's is its own index - 1, with a condition
        /// that never holds.
        var base: Int32
    }

    static let featureMask: UInt32 = (1 << 28) - 1
    static let signBit: UInt32 = 1 << 31
    /// Per tree: walk eight rows in lock-step for `depth` steps (trees up to depth 12: random forests, isolation
    /// forests, XGBoost, most LightGBM trees), or each group to its leaves (deeper trees, where lock-step would
    /// waste most steps).
    var lockStep: [Bool]
    var nodes: [Node]
    var roots: [Int32]
    var depths: [Int32]
    /// Leaf id of each walk node (meaningful for leaf nodes only).
    var leafOf: [Int32]
    /// Every condition is `(±x) <= threshold` (no truth tables).
    var ordered: Bool
    /// Every condition is `x <= threshold` (scikit-learn without missing values): a step with no sign to apply.
    var plain: Bool
    /// Each walk node's leaf weight and its target, when scores are sums and every leaf has exactly one weight
    /// (regressors, gradient-boosted classifiers, isolation forests): `addScores` then adds the weight straight
    /// from the walk's node, without mapping nodes to leaves and leaves to weight lists.
    struct DirectWeights: Sendable {
        var weight: [Float]
        var target: [Int32]
        /// The target of every weight, when they all share one (regressors, binary classifiers).
        var oneTarget: Int?
    }
    var direct: DirectWeights?

    /// Truth table bits: 1 = below, 2 = equal, 4 = above, 8 = NaN.
    static func truthTable(_ mode: TreeEnsembleModel.Mode, nanTrue: Bool) -> UInt32? {
        let nan: UInt32 = nanTrue ? 8 : 0
        switch mode {
        case .leq: return 1 | 2 | nan
        case .lt: return 1 | nan
        case .gte: return 2 | 4 | nan
        case .gt: return 4 | nan
        case .eq: return 2 | nan
        case .neq: return 1 | 4 | 8
        case .member: return nil
        }
    }

    /// A branch as `(negate ? -x : x) <= threshold`, and whether that condition means the branch's true child.
    /// NaN fails every comparison: a branch whose NaN goes true is rewritten as the negation of its opposite.
    /// `x < t` is `x <= t.nextDown` (no float lies between them); a comparison that never holds gets a NaN
    /// threshold.
    static func ordered(_ mode: TreeEnsembleModel.Mode, _ t: Float, nanTrue: Bool) -> (
        negate: Bool, threshold: Float, meansTrue: Bool
    )? {
        func below(_ t: Float) -> Float { t == -.infinity ? .nan : t.nextDown }  // x < t  as  x <= below(t)
        switch (mode, nanTrue) {
        case (.leq, false): return (false, t, true)
        case (.leq, true): return (true, below(-t), false)  // true unless x > t, i.e. -x < -t
        case (.lt, false): return (false, below(t), true)
        case (.lt, true): return (true, -t, false)  // true unless x >= t, i.e. -x <= -t
        case (.gte, false): return (true, -t, true)
        case (.gte, true): return (false, below(t), false)  // true unless x < t
        case (.gt, false): return (true, below(-t), true)
        case (.gt, true): return (false, t, false)  // true unless x <= t
        default: return nil
        }
    }

    init?(_ model: TreeEnsembleModel) {
        guard model.members.isEmpty, model.maxFeature < Int(Self.featureMask) else { return nil }
        let ordered = model.modes.indices.allSatisfy {
            model.nodes[$0].trueChild == model.nodes[$0].falseChild
                || (model.modes[$0] != .eq && model.modes[$0] != .neq)
        }
        // A node whose two children are the same is that child.
        func resolve(_ reference: Int32) -> Int32 {
            var r = reference
            while r >= 0, model.nodes[Int(r)].trueChild == model.nodes[Int(r)].falseChild {
                r = model.nodes[Int(r)].trueChild
            }
            return r
        }
        // Each tree laid out breadth-first: a node's children are placed as a pair when it is. A model whose
        // "trees" share subtrees would be copied out; past a bound, it keeps the plain walk.
        let limit = 4 * (model.nodes.count + model.leafCount + model.roots.count)
        var nodes: [Node] = []
        var leafOf: [Int32] = []
        var roots: [Int32] = []
        var depths: [Int32] = []
        var lockStep: [Bool] = []
        var queue: [(reference: Int32, slot: Int, depth: Int32)] = []
        for root in model.roots {
            roots.append(Int32(nodes.count))
            queue = [(resolve(root), nodes.count, 0)]
            nodes.append(Node(threshold: .nan, feature: 0, base: 0))
            leafOf.append(-1)
            var deepest: Int32 = 0
            var next = 0
            while next < queue.count {
                let (reference, slot, depth) = queue[next]
                next += 1
                guard reference >= 0 else {
                    // A leaf: a condition that never holds steps to base + 1, itself.
                    nodes[slot] = Node(threshold: .nan, feature: 0, base: Int32(slot) - 1)
                    leafOf[slot] = ~reference
                    deepest = max(deepest, depth)
                    continue
                }
                let i = Int(reference)
                let n = model.nodes[i]
                let pair = nodes.count
                guard pair + 2 <= limit else { return nil }
                nodes.append(contentsOf: repeatElement(Node(threshold: .nan, feature: 0, base: 0), count: 2))
                leafOf.append(contentsOf: [-1, -1])
                var first = n.trueChild
                var second = n.falseChild
                if ordered {
                    guard let c = Self.ordered(model.modes[i], n.threshold, nanTrue: model.nanTrue[i]) else {
                        return nil
                    }
                    nodes[slot] = Node(
                        threshold: c.threshold, feature: UInt32(n.feature) | (c.negate ? Self.signBit : 0),
                        base: Int32(pair))
                    if !c.meansTrue { swap(&first, &second) }
                } else {
                    guard let table = Self.truthTable(model.modes[i], nanTrue: model.nanTrue[i]) else { return nil }
                    nodes[slot] = Node(
                        threshold: n.threshold, feature: UInt32(n.feature) | (table << 28), base: Int32(pair))
                }
                queue.append((resolve(first), pair, depth + 1))
                queue.append((resolve(second), pair + 1, depth + 1))
            }
            depths.append(deepest)
            // Measured: lock-step wins up to about this depth even on unbalanced trees.
            lockStep.append(deepest <= 12)
        }
        self.lockStep = lockStep
        self.nodes = nodes
        self.roots = roots
        self.depths = depths
        self.leafOf = leafOf
        self.ordered = ordered
        plain = ordered && nodes.allSatisfy { $0.feature & Self.signBit == 0 }
        direct = nil
        if model.aggregate == .sum || model.aggregate == .average,
            (0..<model.leafCount).allSatisfy({ model.leafStart[$0 + 1] - model.leafStart[$0] == 1 })
        {
            let entry = { (leaf: Int32) in Int(model.leafStart[Int(leaf)]) }
            let targets = model.leafTargets
            direct = DirectWeights(
                weight: leafOf.map { $0 >= 0 ? model.leafWeights[entry($0)] : 0 },
                target: leafOf.map { $0 >= 0 ? targets[entry($0)] : 0 },
                oneTarget: targets.first.flatMap { first in targets.allSatisfy { $0 == first } ? Int(first) : nil })
        }
    }

    /// Adds tree `tree`'s weight for rows `start..<end` to `scores[r * stride + target]`, through `direct` (which
    /// must be set); `scratch` holds `end - start` walk nodes.
    func addScores(
        tree: Int, values: UnsafePointer<Float>, features: Int, start: Int, end: Int,
        scratch: UnsafeMutablePointer<Int32>, scores: UnsafeMutablePointer<Float>, stride: Int
    ) {
        guard let direct else { return }
        walkNodes(tree: tree, values: values, features: features, start: start, end: end, nodes: scratch)
        direct.weight.withUnsafeBufferPointer { wp in
            if let k = direct.oneTarget {
                for r in start..<end { scores[r * stride + k] += wp[Int(scratch[r - start])] }
                return
            }
            direct.target.withUnsafeBufferPointer { tp in
                for r in start..<end {
                    let node = Int(scratch[r - start])
                    scores[r * stride + Int(tp[node])] += wp[node]
                }
            }
        }
    }

    /// Leaves reached by rows `start..<end` in tree `tree`, written to `leaves[r - start]`.
    func walk(
        tree: Int, values: UnsafePointer<Float>, features: Int, start: Int, end: Int,
        leaves: UnsafeMutablePointer<Int32>
    ) {
        walkNodes(tree: tree, values: values, features: features, start: start, end: end, nodes: leaves)
        leafOf.withUnsafeBufferPointer { lp in
            for r in start..<end { leaves[r - start] = lp[Int(leaves[r - start])] }
        }
    }

    /// The walk nodes (not leaf ids) rows `start..<end` stop on in tree `tree`, written to `nodes[r - start]`.
    func walkNodes(
        tree: Int, values: UnsafePointer<Float>, features: Int, start: Int, end: Int,
        nodes leaves: UnsafeMutablePointer<Int32>
    ) {
        nodes.withUnsafeBufferPointer { np in
            guard let np = np.baseAddress else { return }
            let depth = Int(depths[tree])
            switch (lockStep[tree], plain, ordered) {
            case (true, true, _):
                Self.walk(PlainStep.self, np, roots[tree], depth, values, features, start, end, leaves)
            case (true, false, true):
                Self.walk(OrderedStep.self, np, roots[tree], depth, values, features, start, end, leaves)
            case (true, false, false):
                Self.walk(TruthTableStep.self, np, roots[tree], depth, values, features, start, end, leaves)
            case (false, true, _):
                Self.walkToLeaves(PlainStep.self, np, roots[tree], values, features, start, end, leaves)
            case (false, false, true):
                Self.walkToLeaves(OrderedStep.self, np, roots[tree], values, features, start, end, leaves)
            case (false, false, false):
                Self.walkToLeaves(TruthTableStep.self, np, roots[tree], values, features, start, end, leaves)
            }
        }
    }

    /// The leaves one row reaches in trees `first...`: eight trees in lock-step when the next eight are all
    /// shallow (a single row's walk is otherwise one chain of dependent loads per tree: batch 1 of a 150-tree
    /// LightGBM model spent most of its time waiting on them), else the one tree `first`. Returns how many trees
    /// it walked; `leaves[k]` is tree `first + k`'s leaf.
    func walkTrees(row: UnsafePointer<Float>, from first: Int, leaves: UnsafeMutablePointer<Int32>) -> Int {
        guard first + 8 <= roots.count, lockStep[first..<(first + 8)].allSatisfy({ $0 }) else {
            walk(tree: first, values: row, features: 0, start: 0, end: 1, leaves: leaves)
            return 1
        }
        let depth = Int(depths[first..<(first + 8)].max() ?? 0)
        nodes.withUnsafeBufferPointer { np in
            roots.withUnsafeBufferPointer { rp in
                guard let np = np.baseAddress, let rp = rp.baseAddress else { return }
                switch (plain, ordered) {
                case (true, _): Self.walkEightTrees(PlainStep.self, np, rp + first, depth, row, leaves)
                case (false, true): Self.walkEightTrees(OrderedStep.self, np, rp + first, depth, row, leaves)
                case (false, false): Self.walkEightTrees(TruthTableStep.self, np, rp + first, depth, row, leaves)
                }
            }
        }
        leafOf.withUnsafeBufferPointer { lp in
            for k in 0..<8 { leaves[k] = lp[Int(leaves[k])] }
        }
        return 8
    }

    @inline(__always)
    static func walkEightTrees<S: WalkStep>(
        _: S.Type, _ np: UnsafePointer<Node>, _ roots: UnsafePointer<Int32>, _ depth: Int, _ row: UnsafePointer<Float>,
        _ leaves: UnsafeMutablePointer<Int32>
    ) {
        let starts = (roots[0], roots[1], roots[2], roots[3], roots[4], roots[5], roots[6], roots[7])
        stepEight(S.self, np, starts, (row, row, row, row, row, row, row, row), depth, leaves)
    }

    typealias Eight<T> = (T, T, T, T, T, T, T, T)

    /// Eight walks in lock-step for `depth` steps, walk k from node `starts.k` on row `rows.k`, so their chains
    /// of loads overlap: eight rows of one tree (`walk`) or eight trees of one row (`walkTrees`).
    @inline(__always)
    static func stepEight<S: WalkStep>(
        _: S.Type, _ np: UnsafePointer<Node>, _ starts: Eight<Int32>, _ rows: Eight<UnsafePointer<Float>>,
        _ depth: Int, _ out: UnsafeMutablePointer<Int32>
    ) {
        var (i0, i1, i2, i3, i4, i5, i6, i7) = starts
        let (r0, r1, r2, r3, r4, r5, r6, r7) = rows
        for _ in 0..<depth {
            i0 = S.step(np, i0, r0)
            i1 = S.step(np, i1, r1)
            i2 = S.step(np, i2, r2)
            i3 = S.step(np, i3, r3)
            i4 = S.step(np, i4, r4)
            i5 = S.step(np, i5, r5)
            i6 = S.step(np, i6, r6)
            i7 = S.step(np, i7, r7)
        }
        out[0] = i0; out[1] = i1; out[2] = i2; out[3] = i3; out[4] = i4; out[5] = i5; out[6] = i6; out[7] = i7
    }

    /// Eight rows in lock-step until all eight stand on leaves (deep, unbalanced trees: random forests grown
    /// to purity). Two steps per check: a row that has not reached a leaf moves on every step, so eight
    /// unchanged indices mean the group is done.
    static func walkToLeaves<S: WalkStep>(
        _: S.Type, _ np: UnsafePointer<Node>, _ root: Int32, _ values: UnsafePointer<Float>, _ features: Int,
        _ start: Int, _ end: Int, _ leaves: UnsafeMutablePointer<Int32>
    ) {
        var r = start
        while r + 8 <= end {
            let (r0, r1, r2, r3, r4, r5, r6, r7) = eightRows(values, features, r)
            var i0 = root, i1 = root, i2 = root, i3 = root, i4 = root, i5 = root, i6 = root, i7 = root
            while true {
                i0 = S.step(np, i0, r0); i1 = S.step(np, i1, r1); i2 = S.step(np, i2, r2); i3 = S.step(np, i3, r3)
                i4 = S.step(np, i4, r4); i5 = S.step(np, i5, r5); i6 = S.step(np, i6, r6); i7 = S.step(np, i7, r7)
                let p0 = i0, p1 = i1, p2 = i2, p3 = i3, p4 = i4, p5 = i5, p6 = i6, p7 = i7
                i0 = S.step(np, i0, r0); i1 = S.step(np, i1, r1); i2 = S.step(np, i2, r2); i3 = S.step(np, i3, r3)
                i4 = S.step(np, i4, r4); i5 = S.step(np, i5, r5); i6 = S.step(np, i6, r6); i7 = S.step(np, i7, r7)
                let moved =
                    (i0 ^ p0) | (i1 ^ p1) | (i2 ^ p2) | (i3 ^ p3) | (i4 ^ p4) | (i5 ^ p5) | (i6 ^ p6) | (i7 ^ p7)
                if moved == 0 { break }
            }
            let o = leaves + (r - start)
            o[0] = i0; o[1] = i1; o[2] = i2; o[3] = i3; o[4] = i4; o[5] = i5; o[6] = i6; o[7] = i7
            r += 8
        }
        walkEachRow(S.self, np, root, values, features, r, end, leaves + (r - start))
    }

    /// The rows `r..<r+8` of a row-major `[rows, features]` matrix.
    @inline(__always)
    static func eightRows(_ values: UnsafePointer<Float>, _ features: Int, _ r: Int) -> Eight<UnsafePointer<Float>> {
        let r0 = values + r * features
        return (
            r0, r0 + features, r0 + 2 * features, r0 + 3 * features, r0 + 4 * features, r0 + 5 * features,
            r0 + 6 * features, r0 + 7 * features
        )
    }

    static func walkEachRow<S: WalkStep>(
        _: S.Type, _ np: UnsafePointer<Node>, _ root: Int32, _ values: UnsafePointer<Float>, _ features: Int,
        _ start: Int, _ end: Int, _ leaves: UnsafeMutablePointer<Int32>
    ) {
        for r in start..<end {
            var i = root
            let row = values + r * features
            while true {
                let next = S.step(np, i, row)
                if next == i { break }
                i = next
            }
            leaves[r - start] = i
        }
    }

    @inline(__always)
    static func walk<S: WalkStep>(
        _: S.Type, _ np: UnsafePointer<Node>, _ root: Int32, _ depth: Int, _ values: UnsafePointer<Float>,
        _ features: Int, _ start: Int, _ end: Int, _ leaves: UnsafeMutablePointer<Int32>
    ) {
        var r = start
        while r + 8 <= end {
            let starts = (root, root, root, root, root, root, root, root)
            stepEight(S.self, np, starts, eightRows(values, features, r), depth, leaves + (r - start))
            r += 8
        }
        while r < end {
            var i = root
            let row = values + r * features
            for _ in 0..<depth { i = S.step(np, i, row) }
            leaves[r - start] = i
            r += 1
        }
    }
}

/// One step of a tree walk as a type, so `walk` specialises on it.
protocol WalkStep {
    static func step(_ np: UnsafePointer<TreeWalkTable.Node>, _ i: Int32, _ row: UnsafePointer<Float>) -> Int32
}

/// Any branch mode, via the node's truth table.
enum TruthTableStep: WalkStep {
    @inline(__always)
    static func step(_ np: UnsafePointer<TreeWalkTable.Node>, _ i: Int32, _ row: UnsafePointer<Float>) -> Int32 {
        let n = np[Int(i)]
        let v = row[Int(n.feature & TreeWalkTable.featureMask)]
        // Exactly one of below / equal / above / NaN holds; pick its bit of the truth table.
        let equal: UInt32 = v == n.threshold ? 1 : 0
        let above: UInt32 = v > n.threshold ? 2 : 0
        let nan: UInt32 = v.isNaN ? 3 : 0
        let first = (n.feature >> (28 + (equal | above | nan))) & 1
        return n.base &+ Int32(truncatingIfNeeded: first ^ 1)
    }
}

/// `(±x) <= threshold`: the sign comes from the node, NaN fails.
enum OrderedStep: WalkStep {
    @inline(__always)
    static func step(_ np: UnsafePointer<TreeWalkTable.Node>, _ i: Int32, _ row: UnsafePointer<Float>) -> Int32 {
        let n = np[Int(i)]
        let bits = UnsafeRawPointer(row).load(
            fromByteOffset: Int(n.feature & TreeWalkTable.featureMask) &* 4, as: UInt32.self)
        let v = Float(bitPattern: bits ^ (n.feature & TreeWalkTable.signBit))
        return mk_tree_step(v, n.threshold, n.base)
    }
}

/// `x <= threshold`, NaN failing: an ordered table where no node negates.
enum PlainStep: WalkStep {
    @inline(__always)
    static func step(_ np: UnsafePointer<TreeWalkTable.Node>, _ i: Int32, _ row: UnsafePointer<Float>) -> Int32 {
        let n = np[Int(i)]
        return mk_tree_step(row[Int(n.feature & TreeWalkTable.featureMask)], n.threshold, n.base)
    }
}
