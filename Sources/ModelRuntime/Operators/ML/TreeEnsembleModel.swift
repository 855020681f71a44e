/// A tree ensemble flattened for fast traversal: one array of 16-byte nodes for all trees, leaves addressed by
/// negative child indices (`~leaf`), and leaf weights in compressed rows.
///
/// Scores accumulate in float32 in tree order, like onnxruntime; the planner's fusions rely on that order.
struct TreeEnsembleModel: Sendable {
    enum Mode: UInt8, Sendable {
        case leq = 0, lt, gte, gt, eq, neq, member
    }

    enum Aggregate: Sendable { case sum, average, min, max }

    struct Node: Sendable {
        var threshold: Float
        var feature: Int32
        /// Child when the comparison holds; `~leaf` when it is a leaf.
        var trueChild: Int32
        var falseChild: Int32
    }

    var nodes: [Node]
    /// Per node: the mode, and whether NaN follows the true branch.
    var modes: [Mode]
    var nanTrue: [Bool]
    /// Thresholds in double precision, for double inputs.
    var thresholds64: [Double]
    /// Membership sets of `member` nodes (TreeEnsemble opset 5).
    var members: [Int: Set<Float>]
    /// Root of each tree, in the node encoding (`~leaf` for a single-leaf tree).
    var roots: [Int32]
    /// Leaf `l` has weights `leafStart[l]..<leafStart[l+1]` in `leafTargets`/`leafWeights`.
    var leafStart: [Int32]
    var leafTargets: [Int32]
    var leafWeights: [Float]
    var targetCount: Int
    var aggregate: Aggregate
    /// The mode of every branch when they all agree (the fast path), else `nil`.
    var uniformMode: Mode?
    /// Highest feature index used, to check inputs once per run.
    var maxFeature: Int
    /// The branch-free layout, built by `prepared()` once the model is final.
    var walkTable: TreeWalkTable? = nil

    /// The model with its walk table built (call after any rewrite of nodes or features).
    func prepared() -> TreeEnsembleModel {
        var m = self
        m.walkTable = TreeWalkTable(m)
        return m
    }

    var leafCount: Int { leafStart.count - 1 }

    /// Whether each target can receive a score (ORT's `has_score`).
    var targetsWithWeights: [Bool] {
        var seen = [Bool](repeating: false, count: targetCount)
        for t in leafTargets { seen[Int(t)] = true }
        return seen
    }

    @inline(__always)
    static func goesTrue(_ x: Float, _ t: Float, _ mode: Mode) -> Bool {
        switch mode {
        case .leq: x <= t
        case .lt: x < t
        case .gte: x >= t
        case .gt: x > t
        case .eq: x == t
        case .neq: x != t
        case .member: false
        }
    }

    /// The leaf a float row reaches in tree `tree`.
    @inline(__always)
    func leaf(tree: Int, row: UnsafePointer<Float>) -> Int {
        var idx = roots[tree]
        return nodes.withUnsafeBufferPointer { np in
            if let mode = uniformMode {
                switch mode {
                case .leq:
                    while idx >= 0 {
                        let n = np[Int(idx)]
                        let v = row[Int(n.feature)]
                        idx = (v <= n.threshold || (v.isNaN && nanTrue[Int(idx)])) ? n.trueChild : n.falseChild
                    }
                    return Int(~idx)
                case .lt:
                    while idx >= 0 {
                        let n = np[Int(idx)]
                        let v = row[Int(n.feature)]
                        idx = (v < n.threshold || (v.isNaN && nanTrue[Int(idx)])) ? n.trueChild : n.falseChild
                    }
                    return Int(~idx)
                default: break
                }
            }
            while idx >= 0 {
                let i = Int(idx)
                let n = np[i]
                let v = row[Int(n.feature)]
                let go: Bool
                if v.isNaN && nanTrue[i] {
                    go = true
                } else if modes[i] == .member {
                    go = members[i]?.contains(v) ?? false
                } else {
                    go = Self.goesTrue(v, n.threshold, modes[i])
                }
                idx = go ? n.trueChild : n.falseChild
            }
            return Int(~idx)
        }
    }

    /// The leaf a double row reaches (compares in double precision).
    func leaf(tree: Int, row: UnsafePointer<Double>) -> Int {
        var idx = roots[tree]
        while idx >= 0 {
            let i = Int(idx)
            let n = nodes[i]
            let v = row[Int(n.feature)]
            let t = thresholds64[i]
            let go: Bool
            if v.isNaN && nanTrue[i] {
                go = true
            } else {
                switch modes[i] {
                case .leq: go = v <= t
                case .lt: go = v < t
                case .gte: go = v >= t
                case .gt: go = v > t
                case .eq: go = v == t
                case .neq: go = v != t
                case .member: go = members[i]?.contains(Float(v)) ?? false
                }
            }
            idx = go ? n.trueChild : n.falseChild
        }
        return Int(~idx)
    }

    /// Raw aggregated scores `[rows, targetCount]` before base values (SUM/AVERAGE sum; MIN/MAX keep extremes).
    /// `hasScore` reports, for MIN/MAX, whether any leaf reached contributed to the target.
    func scores(rows: Int, features: Int, values: UnsafePointer<Float>) -> (scores: [Float], hasScore: [Bool]) {
        let t = targetCount
        var out = [Float](repeating: 0, count: rows * t)
        var has = [Bool](repeating: false, count: aggregate == .sum || aggregate == .average ? 0 : rows * t)
        var leaves = [Int32](repeating: 0, count: 256)
        let table = walkTable
        out.withUnsafeMutableBufferPointer { op in
            guard let base = op.baseAddress else { return }
            leafStart.withUnsafeBufferPointer { ls in
                leafTargets.withUnsafeBufferPointer { lt in
                    leafWeights.withUnsafeBufferPointer { lw in
                        leaves.withUnsafeMutableBufferPointer { lv in
                            guard let lv = lv.baseAddress else { return }
                            // Rows in blocks of 256 so a tree stays in cache while it serves them all.
                            var start = 0
                            if let table, rows < 8 {
                                // Too few rows to walk eight at a time: walk eight trees at a time instead.
                                for r in 0..<rows {
                                    var tree = 0
                                    while tree < roots.count {
                                        let walked = table.walkTrees(row: values + r * features, from: tree, leaves: lv)
                                        for k in 0..<walked {
                                            accumulate(base + r * t, Int(lv[k]), ls, lt, lw, hasRow: r, has: &has)
                                        }
                                        tree += walked
                                    }
                                }
                                start = rows
                            }
                            while start < rows {
                                let end = Swift.min(start + 256, rows)
                                for tree in 0..<roots.count {
                                    if let table, table.direct != nil {
                                        table.addScores(
                                            tree: tree, values: values, features: features, start: start, end: end,
                                            scratch: lv, scores: base, stride: t)
                                        continue
                                    }
                                    if let table {
                                        table.walk(
                                            tree: tree, values: values, features: features, start: start, end: end,
                                            leaves: lv)
                                    } else {
                                        for r in start..<end {
                                            lv[r - start] = Int32(leaf(tree: tree, row: values + r * features))
                                        }
                                    }
                                    for r in start..<end {
                                        accumulate(base + r * t, Int(lv[r - start]), ls, lt, lw, hasRow: r, has: &has)
                                    }
                                }
                                start = end
                            }
                        }
                    }
                }
            }
        }
        return (out, has)
    }

    /// Raw scores for double rows.
    func scores(rows: Int, features: Int, values: UnsafePointer<Double>) -> (scores: [Float], hasScore: [Bool]) {
        let t = targetCount
        var out = [Float](repeating: 0, count: rows * t)
        var has = [Bool](repeating: false, count: aggregate == .sum || aggregate == .average ? 0 : rows * t)
        out.withUnsafeMutableBufferPointer { op in
            guard let base = op.baseAddress else { return }
            leafStart.withUnsafeBufferPointer { ls in
                leafTargets.withUnsafeBufferPointer { lt in
                    leafWeights.withUnsafeBufferPointer { lw in
                        for r in 0..<rows {
                            for tree in 0..<roots.count {
                                let l = leaf(tree: tree, row: values + r * features)
                                accumulate(base + r * t, l, ls, lt, lw, hasRow: r, has: &has)
                            }
                        }
                    }
                }
            }
        }
        return (out, has)
    }

    @inline(__always)
    private func accumulate(
        _ s: UnsafeMutablePointer<Float>, _ l: Int, _ ls: UnsafeBufferPointer<Int32>, _ lt: UnsafeBufferPointer<Int32>,
        _ lw: UnsafeBufferPointer<Float>, hasRow r: Int, has: inout [Bool]
    ) {
        let lo = Int(ls[l])
        let hi = Int(ls[l + 1])
        switch aggregate {
        case .sum, .average:
            for w in lo..<hi { s[Int(lt[w])] += lw[w] }
        case .min, .max:
            for w in lo..<hi {
                let target = Int(lt[w])
                let h = r * targetCount + target
                if !has[h] {
                    s[target] = lw[w]
                    has[h] = true
                } else if aggregate == .min ? lw[w] < s[target] : lw[w] > s[target] {
                    s[target] = lw[w]
                }
            }
        }
    }
}
