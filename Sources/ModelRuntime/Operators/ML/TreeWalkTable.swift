/// A branch-free layout of a tree ensemble.
///
/// Leaves become nodes that point to themselves, so walking a tree is exactly `depth` steps of
/// `index = goesTrue ? trueChild : falseChild` with no data-dependent branches; eight rows are walked together
/// so their loads overlap. Each node packs its feature (low 28 bits) with a 4-bit truth table (high bits) that
/// says whether to go to the true child when the value is below, equal to or above the threshold, or NaN, which
/// covers every branch mode and the missing-value tracks.
struct TreeWalkTable: Sendable {
    struct Node: Sendable {
        var threshold: Float
        var feature: UInt32
        var trueChild: Int32
        var falseChild: Int32
    }

    static let featureMask: UInt32 = (1 << 28) - 1
    /// Per tree: walk eight rows in lock-step for `depth` steps (trees up to depth 12: random forests, isolation
    /// forests, XGBoost, most LightGBM trees), or each row to its leaf (deeper trees, where lock-step would waste
    /// most steps).
    var lockStep: [Bool]
    var nodes: [Node]
    var roots: [Int32]
    var depths: [Int32]
    /// Leaf id of each walk node (meaningful for leaf nodes only).
    var leafOf: [Int32]
    /// Every branch is `<=` with NaN going false (scikit-learn without missing values): a cheaper step.
    var plainLessOrEqual: Bool

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

    init?(_ model: TreeEnsembleModel) {
        guard model.members.isEmpty, model.maxFeature < Int(Self.featureMask) else { return nil }
        var nodes: [Node] = []
        nodes.reserveCapacity(model.nodes.count * 2)
        for (i, n) in model.nodes.enumerated() {
            guard let table = Self.truthTable(model.modes[i], nanTrue: model.nanTrue[i]) else { return nil }
            nodes.append(
                Node(
                    threshold: n.threshold, feature: UInt32(n.feature) | (table << 28), trueChild: n.trueChild,
                    falseChild: n.falseChild))
        }
        plainLessOrEqual = model.nodes.indices.allSatisfy { i in
            model.nodes[i].trueChild == model.nodes[i].falseChild || (model.modes[i] == .leq && !model.nanTrue[i])
        }
        var leafOf = [Int32](repeating: -1, count: nodes.count)
        var leafNode = [Int32](repeating: -1, count: model.leafCount)
        func node(forLeaf l: Int) -> Int32 {
            if leafNode[l] < 0 {
                leafNode[l] = Int32(nodes.count)
                nodes.append(Node(threshold: 0, feature: 0, trueChild: Int32(nodes.count), falseChild: Int32(nodes.count)))
                leafOf.append(Int32(l))
            }
            return leafNode[l]
        }
        for i in 0..<model.nodes.count {
            if nodes[i].trueChild < 0 { nodes[i].trueChild = node(forLeaf: Int(~nodes[i].trueChild)) }
            if nodes[i].falseChild < 0 { nodes[i].falseChild = node(forLeaf: Int(~nodes[i].falseChild)) }
        }
        roots = model.roots.map { $0 >= 0 ? $0 : node(forLeaf: Int(~$0)) }
        // Depth of each tree: the longest root-to-leaf path (trees were checked acyclic at load).
        var depths: [Int32] = []
        var lockStep: [Bool] = []
        for root in roots {
            var deepest: Int32 = 0
            var stack: [(Int32, Int32)] = [(root, 0)]
            while let (i, d) = stack.popLast() {
                let n = nodes[Int(i)]
                if n.trueChild == i && n.falseChild == i {
                    deepest = max(deepest, d)
                    continue
                }
                stack.append((n.trueChild, d + 1))
                stack.append((n.falseChild, d + 1))
            }
            depths.append(deepest)
            // Measured: lock-step wins up to about this depth even on unbalanced trees.
            lockStep.append(deepest <= 12)
        }
        self.lockStep = lockStep
        self.nodes = nodes
        self.depths = depths
        self.leafOf = leafOf
    }

    /// Leaves reached by rows `start..<end` in tree `tree`, written to `leaves[r - start]`.
    func walk(tree: Int, values: UnsafePointer<Float>, features: Int, start: Int, end: Int, leaves: UnsafeMutablePointer<Int32>) {
        nodes.withUnsafeBufferPointer { np in
            guard let np = np.baseAddress else { return }
            let depth = Int(depths[tree])
            switch (lockStep[tree], plainLessOrEqual) {
            case (true, true):
                Self.walk(PlainLessOrEqualStep.self, np, roots[tree], depth, values, features, start, end, leaves)
            case (true, false):
                Self.walk(TruthTableStep.self, np, roots[tree], depth, values, features, start, end, leaves)
            case (false, true):
                Self.walkToLeaves(PlainLessOrEqualStep.self, np, roots[tree], values, features, start, end, leaves)
            case (false, false):
                Self.walkToLeaves(TruthTableStep.self, np, roots[tree], values, features, start, end, leaves)
            }
        }
        leafOf.withUnsafeBufferPointer { lp in
            for r in start..<end { leaves[r - start] = lp[Int(leaves[r - start])] }
        }
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
                let moved = (i0 ^ p0) | (i1 ^ p1) | (i2 ^ p2) | (i3 ^ p3) | (i4 ^ p4) | (i5 ^ p5) | (i6 ^ p6) | (i7 ^ p7)
                if moved == 0 { break }
            }
            let o = leaves + (r - start)
            o[0] = i0; o[1] = i1; o[2] = i2; o[3] = i3; o[4] = i4; o[5] = i5; o[6] = i6; o[7] = i7
            r += 8
        }
        walkEachRow(np, root, values, features, r, end, leaves + (r - start))
    }

    /// The rows `r..<r+8` of a row-major `[rows, features]` matrix.
    @inline(__always)
    static func eightRows(_ values: UnsafePointer<Float>, _ features: Int, _ r: Int) -> (
        UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>,
        UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>
    ) {
        let r0 = values + r * features
        return (
            r0, r0 + features, r0 + 2 * features, r0 + 3 * features, r0 + 4 * features, r0 + 5 * features,
            r0 + 6 * features, r0 + 7 * features
        )
    }

    static func walkEachRow(
        _ np: UnsafePointer<Node>, _ root: Int32, _ values: UnsafePointer<Float>, _ features: Int, _ start: Int,
        _ end: Int, _ leaves: UnsafeMutablePointer<Int32>
    ) {
        for r in start..<end {
            var i = root
            let row = values + r * features
            while true {
                let next = TruthTableStep.step(np, i, row)
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
            let (r0, r1, r2, r3, r4, r5, r6, r7) = eightRows(values, features, r)
            var i0 = root, i1 = root, i2 = root, i3 = root, i4 = root, i5 = root, i6 = root, i7 = root
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
            let o = leaves + (r - start)
            o[0] = i0; o[1] = i1; o[2] = i2; o[3] = i3; o[4] = i4; o[5] = i5; o[6] = i6; o[7] = i7
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
        let go = Int32(truncatingIfNeeded: (n.feature >> (28 + (equal | above | nan))) & 1)
        return n.falseChild &+ (n.trueChild &- n.falseChild) &* go
    }
}

/// `x <= threshold`, NaN going to the false child.
enum PlainLessOrEqualStep: WalkStep {
    @inline(__always)
    static func step(_ np: UnsafePointer<TreeWalkTable.Node>, _ i: Int32, _ row: UnsafePointer<Float>) -> Int32 {
        let n = np[Int(i)]
        let v = row[Int(n.feature & TreeWalkTable.featureMask)]
        let go: Int32 = v <= n.threshold ? 1 : 0
        return n.falseChild &+ (n.trueChild &- n.falseChild) &* go
    }
}
