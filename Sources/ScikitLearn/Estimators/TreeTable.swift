import Foundation

/// scikit-learn trees flattened into one table: every tree's nodes end to end, children as absolute indices, and
/// per node a payload row (class probabilities, a regression value, an isolation path length) that a leaf adds to
/// the row's accumulator.
///
/// scikit-learn walks trees on float32 inputs against float64 thresholds (`x32 <= threshold`), so rows are rounded
/// to float32 first and compared in double: the same branch on every input, thresholds included. NaN follows each
/// node's `missing_go_to_left`. Scores accumulate in double in tree order, as scikit-learn's do.
struct TreeTable: Sendable {
    /// One split, or a leaf (`left` is `~leaf`, an index into the leaf payloads).
    struct Node: Sendable {
        var threshold: Double
        var feature: Int32
        var left: Int32
        var right: Int32
        var missingLeft: Bool
    }

    var nodes: [Node] = []
    var roots: [Int32] = []
    /// `width` values per leaf, in leaf order.
    var payload: [Double] = []
    var leafCount = 0
    let width: Int
    /// Each tree adds to one column only (boosting: one tree per class and stage), so a leaf holds one value and
    /// `targets` names the column; otherwise a leaf holds a value per column.
    let targeted: Bool
    var targets: [Int] = []

    init(width: Int, targeted: Bool = false) {
        self.width = width
        self.targeted = targeted
    }

    /// One pickled `sklearn.tree._tree.Tree`, read and checked so a walk always ends: children must come after their
    /// parent, features must exist.
    struct Tree {
        var left: [Int64]
        var right: [Int64]
        var feature: [Int64]
        var threshold: [Double]
        var missingLeft: [Bool]
        var samples: [Int64]
        /// `node_count × outputs × classes`.
        var values: [Double]
        var outputs: Int
        var classes: Int
        var count: Int { left.count }

        func isLeaf(_ node: Int) -> Bool { left[node] == -1 }

        init(_ owner: EstimatorState, features: Int) throws(StateError) {
            let tree = try owner.estimator("tree_")
            guard case .object(let call) = try owner.value("tree_").kind, call.arguments.count >= 3,
                let outputs = call.arguments[2].int
            else { throw StateError("\(owner.name).tree_ is not a scikit-learn Tree") }
            let nodes = try tree.array("nodes")
            guard let left = nodes.field("left_child")?.intValues, let right = nodes.field("right_child")?.intValues,
                let feature = nodes.field("feature")?.intValues, let threshold = nodes.field("threshold")?.doubles,
                let samples = nodes.field("n_node_samples")?.intValues
            else { throw StateError("\(owner.name).tree_ has nodes without children, features or thresholds") }
            let count = left.count
            guard count >= 1 else { throw StateError("\(owner.name).tree_ has no nodes") }
            let values = try tree.array("values")
            guard values.shape.count == 3, values.shape[0] == count, let data = values.doubles else {
                throw StateError("\(owner.name).tree_.values does not hold one row per node")
            }
            self.left = left
            self.right = right
            self.feature = feature
            self.threshold = threshold
            self.samples = samples
            self.values = data
            self.outputs = values.shape[1]
            self.classes = values.shape[2]
            guard self.outputs == Int(outputs), self.outputs == 1, self.classes >= 1 else {
                throw StateError("\(owner.name).tree_.values has a shape that disagrees with its outputs")
            }
            missingLeft = nodes.field("missing_go_to_left")?.intValues?.map { $0 != 0 } ?? [Bool](repeating: false, count: count)
            for node in 0..<count where left[node] != -1 {
                guard left[node] > node, right[node] > node, left[node] < count, right[node] < count else {
                    throw StateError("\(owner.name).tree_ node \(node) has children out of order; the tree is corrupt")
                }
                guard feature[node] >= 0, feature[node] < features else {
                    throw StateError("\(owner.name).tree_ node \(node) splits on feature \(feature[node]) of \(features)")
                }
            }
        }

        /// A histogram gradient boosting `TreePredictor` (numerical splits only).
        init(predictor node: PickleNode, features: Int) throws(StateError) {
            let owner = try EstimatorState(node)
            let nodes = try owner.array("nodes")
            guard let value = nodes.field("value")?.doubles, let leaf = nodes.field("is_leaf")?.intValues,
                let left = nodes.field("left")?.intValues, let right = nodes.field("right")?.intValues,
                let feature = nodes.field("feature_idx")?.intValues, let threshold = nodes.field("num_threshold")?.doubles,
                let missing = nodes.field("missing_go_to_left")?.intValues, let samples = nodes.field("count")?.intValues
            else { throw StateError("a TreePredictor without its node fields") }
            guard !value.isEmpty else { throw StateError("a TreePredictor without nodes") }
            if let categorical = nodes.field("is_categorical")?.intValues, categorical.contains(where: { $0 != 0 }) {
                throw StateError("histogram gradient boosting with categorical splits is not supported")
            }
            let count = value.count
            self.left = (0..<count).map { leaf[$0] != 0 ? -1 : left[$0] }
            self.right = (0..<count).map { leaf[$0] != 0 ? -1 : right[$0] }
            self.feature = feature
            self.threshold = threshold
            self.missingLeft = missing.map { $0 != 0 }
            self.samples = samples
            self.values = value
            outputs = 1
            classes = 1
            for node in 0..<count where self.left[node] != -1 {
                guard left[node] > node, right[node] > node, left[node] < count, right[node] < count else {
                    throw StateError("TreePredictor node \(node) has children out of order; the tree is corrupt")
                }
                guard feature[node] >= 0, feature[node] < features else {
                    throw StateError("TreePredictor node \(node) splits on feature \(feature[node]) of \(features)")
                }
            }
        }

        /// Depth of every node (the root is 0).
        var depths: [Int] {
            var depth = [Int](repeating: 0, count: count)
            for node in 0..<count where !isLeaf(node) {
                depth[Int(left[node])] = depth[node] + 1
                depth[Int(right[node])] = depth[node] + 1
            }
            return depth
        }
    }

    /// Adds a tree; `payload(node)` gives each node's row (only leaves' are read), `featureMap` renames features (an
    /// isolation tree trained on a subset of columns).
    mutating func append(_ tree: Tree, featureMap: [Int]? = nil, target: Int = 0, payload rows: (Int) -> [Double]) {
        let base = Int32(nodes.count)
        roots.append(base)
        targets.append(target)
        for node in 0..<tree.count {
            if tree.isLeaf(node) {
                nodes.append(Node(threshold: 0, feature: 0, left: ~Int32(leafCount), right: 0, missingLeft: false))
                payload.append(contentsOf: rows(node))
                leafCount += 1
            } else {
                let f = Int(tree.feature[node])
                nodes.append(
                    Node(
                        threshold: tree.threshold[node], feature: Int32(featureMap.map { $0[f] } ?? f),
                        left: base + Int32(tree.left[node]), right: base + Int32(tree.right[node]),
                        missingLeft: tree.missingLeft[node]))
            }
        }
    }

    /// A split compared in float32 (16 bytes): scikit-learn compares a float32 input `x` with a float64 threshold
    /// `t`, and for every float `x`, `x <= t` exactly when `x <= t↓` with `t↓` the largest float not above `t`.
    /// The missing-value side is the feature's top bit. A leaf points to itself both ways, so a walk can take a
    /// fixed number of steps (the tree's depth) without asking whether it has arrived.
    struct CompactNode: Sendable {
        var threshold: Float
        var featureAndMissing: UInt32
        var left: Int32
        var right: Int32
    }

    /// The float32 form of the table: nodes, each leaf's payload index (by node), each tree's depth.
    struct Compact: Sendable {
        var nodes: [CompactNode]
        var leafOf: [Int32]
        var depths: [Int]
    }

    /// The nodes in float32 form (built once the table is complete).
    func compact() -> Compact {
        var nodes: [CompactNode] = []
        var leafOf: [Int32] = []
        nodes.reserveCapacity(self.nodes.count)
        for (index, node) in self.nodes.enumerated() {
            if node.left < 0 {
                nodes.append(CompactNode(threshold: 0, featureAndMissing: 0, left: Int32(index), right: Int32(index)))
                leafOf.append(~node.left)
            } else {
                var t = Float(node.threshold)
                if Double(t) > node.threshold { t = t.nextDown }
                nodes.append(
                    CompactNode(
                        threshold: t, featureAndMissing: UInt32(node.feature) | (node.missingLeft ? 1 << 31 : 0),
                        left: node.left, right: node.right))
                leafOf.append(-1)
            }
        }
        // Depth of each tree: children come after their parent, so one pass per tree finds it.
        var depths: [Int] = []
        for (t, root) in roots.enumerated() {
            let end = t + 1 < roots.count ? Int(roots[t + 1]) : self.nodes.count
            var depth = [Int](repeating: 0, count: end - Int(root))
            var deepest = 0
            for index in Int(root)..<end where self.nodes[index].left >= 0 {
                let d = depth[index - Int(root)] + 1
                depth[Int(self.nodes[index].left) - Int(root)] = d
                depth[Int(self.nodes[index].right) - Int(root)] = d
                deepest = max(deepest, d)
            }
            depths.append(deepest)
        }
        return Compact(nodes: nodes, leafOf: leafOf, depths: depths)
    }

    /// Sums every tree's leaf payload per row, starting from `initial` (one value per column): `rows × width`.
    /// `compact` (nodes from `compact()`) walks float32-rounded inputs, as scikit-learn's trees do; without it the
    /// inputs are compared in double (histogram boosting). Tree-major over blocks of rows, so a tree's nodes stay in
    /// cache while a block walks it, eight rows in lockstep, so their memory reads overlap.
    func accumulate(
        _ x: [Double], rows: Int, features: Int, initial: [Double]? = nil, compact: Compact? = nil
    ) -> [Double] {
        var sums = [Double](repeating: 0, count: rows * width)
        if let initial {
            for r in 0..<rows { for k in 0..<width { sums[r * width + k] = initial[k] } }
        }
        let width = width
        let targeted = targeted
        let targets = targets
        func add(
            _ leafNode: Int32, _ r: Int, _ tree: Int, _ payload: UnsafeBufferPointer<Double>,
            _ sums: UnsafeMutableBufferPointer<Double>
        ) {
            if width == 1 {
                sums[r] += payload[Int(~leafNode)]
            } else if targeted {
                sums[r * width + targets[tree]] += payload[Int(~leafNode)]
            } else {
                let leaf = Int(~leafNode) * width
                for k in 0..<width { sums[r * width + k] += payload[leaf + k] }
            }
        }
        payload.withUnsafeBufferPointer { payload in
            sums.withUnsafeMutableBufferPointer { sums in
                if let compact {
                    let values = x.map { Float($0) }
                    values.withUnsafeBufferPointer { values in
                        compact.nodes.withUnsafeBufferPointer { nodes in
                            compact.leafOf.withUnsafeBufferPointer { leafOf in
                                var lanes = [Int32](repeating: 0, count: 8)
                                var bases = [Int](repeating: 0, count: 8)
                                lanes.withUnsafeMutableBufferPointer { lanes in
                                    bases.withUnsafeMutableBufferPointer { bases in
                                        var start = 0
                                        while start < rows {
                                            let end = min(start + 256, rows)
                                            for (tree, root) in roots.enumerated() {
                                                let depth = compact.depths[tree]
                                                var r = start
                                                while r < end {
                                                    let count = min(8, end - r)
                                                    if count < 4 {
                                                        // Too few rows to overlap: walk each to its leaf and stop there.
                                                        for lane in 0..<count {
                                                            var index = Int(root)
                                                            while leafOf[index] < 0 {
                                                                let node = nodes[index]
                                                                let v = values[(r + lane) * features + Int(node.featureAndMissing & 0x7FFF_FFFF)]
                                                                let left = v <= node.threshold || (v.isNaN && node.featureAndMissing >> 31 != 0)
                                                                index = Int(left ? node.left : node.right)
                                                            }
                                                            add(~leafOf[index], r + lane, tree, payload, sums)
                                                        }
                                                        r += count
                                                        continue
                                                    }
                                                    for lane in 0..<count {
                                                        lanes[lane] = root
                                                        bases[lane] = (r + lane) * features
                                                    }
                                                    // Branch-free steps: a leaf stays where it is.
                                                    for _ in 0..<depth {
                                                        for lane in 0..<count {
                                                            let node = nodes[Int(lanes[lane])]
                                                            let v = values[bases[lane] + Int(node.featureAndMissing & 0x7FFF_FFFF)]
                                                            let below = v <= node.threshold ? UInt32(1) : 0
                                                            let missing = (v.isNaN ? UInt32(1) : 0) & (node.featureAndMissing >> 31)
                                                            lanes[lane] = (below | missing) != 0 ? node.left : node.right
                                                        }
                                                    }
                                                    for lane in 0..<count { add(~leafOf[Int(lanes[lane])], r + lane, tree, payload, sums) }
                                                    r += count
                                                }
                                            }
                                            start = end
                                        }
                                    }
                                }
                            }
                        }
                    }
                    return
                }
                x.withUnsafeBufferPointer { values in
                    nodes.withUnsafeBufferPointer { nodes in
                        var start = 0
                        while start < rows {
                            let end = min(start + 256, rows)
                            for (tree, root) in roots.enumerated() {
                                for r in start..<end {
                                    var node = nodes[Int(root)]
                                    while node.left >= 0 {
                                        let v = values[r * features + Int(node.feature)]
                                        node = nodes[Int(v <= node.threshold || (v.isNaN && node.missingLeft) ? node.left : node.right)]
                                    }
                                    add(node.left, r, tree, payload, sums)
                                }
                            }
                            start = end
                        }
                    }
                }
            }
        }
        return sums
    }
}
