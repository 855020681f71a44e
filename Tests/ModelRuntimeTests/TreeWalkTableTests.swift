import Testing

@testable import ModelRuntime

/// The branch-free walk table rewrites every branch (`x < t` as `x <= t.nextDown`, a NaN-goes-true branch as the
/// negation of its opposite, and so on). These tests walk it against the model's plain branchy walk on every mode,
/// both NaN directions, thresholds at the edges of float and values next to each threshold.
@Suite("Tree walk table")
struct TreeWalkTableTests {
    typealias Mode = TreeEnsembleModel.Mode

    static let thresholds: [Float] = [
        0, -0.0, 1.5, -2.25, .infinity, -.infinity, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
        .leastNonzeroMagnitude, -.leastNonzeroMagnitude,
    ]

    /// Feature 0: every threshold, its neighbours, and NaN. Feature 1: -1 ... 16 and NaN (the deep chain's range).
    static func rows() -> [[Float]] {
        var first: [Float] = [.nan]
        for t in thresholds { first += [t, t.nextUp, t.nextDown] }
        return first.enumerated().map { i, v in [v, i % 19 == 18 ? .nan : Float(i % 19) - 1] }
    }

    /// One single-branch tree per (mode, NaN direction, threshold) on feature 0, then a chain 16 deep on feature 1
    /// (past the lock-step depth, so it is walked to its leaves) cycling through the modes.
    static func model(modes: [Mode], nanDirections: [Bool] = [false, true]) -> TreeEnsembleModel {
        var nodes: [TreeEnsembleModel.Node] = []
        var nodeModes: [Mode] = []
        var nanTrue: [Bool] = []
        var roots: [Int32] = []
        var leaves: Int32 = 0
        func leaf() -> Int32 {
            leaves += 1
            return ~(leaves - 1)
        }
        func branch(_ mode: Mode, _ nan: Bool, _ t: Float, feature: Int32, falseChild: Int32? = nil) -> Int32 {
            nodes.append(.init(threshold: t, feature: feature, trueChild: leaf(), falseChild: falseChild ?? leaf()))
            nodeModes.append(mode)
            nanTrue.append(nan)
            return Int32(nodes.count - 1)
        }
        for mode in modes {
            for nan in nanDirections {
                for t in thresholds { roots.append(branch(mode, nan, t, feature: 0)) }
            }
        }
        var chain = leaf()
        for depth in (0..<16).reversed() {
            let nan = nanDirections[depth % nanDirections.count]
            chain = branch(modes[depth % modes.count], nan, Float(depth), feature: 1, falseChild: chain)
        }
        roots.append(chain)
        let leafCount = Int(leaves)
        return TreeEnsembleModel(
            nodes: nodes, modes: nodeModes, nanTrue: nanTrue, thresholds64: nodes.map { Double($0.threshold) },
            members: [:], roots: roots, leafStart: (0...leafCount).map(Int32.init),
            leafTargets: [Int32](repeating: 0, count: leafCount), leafWeights: (0..<leafCount).map(Float.init),
            targetCount: 1, aggregate: .sum, uniformMode: nil, maxFeature: 1
        ).prepared()
    }

    func expectTableAgreesWithBranchyWalk(_ model: TreeEnsembleModel, ordered: Bool, plain: Bool = false) throws {
        let table = try #require(model.walkTable)
        #expect(table.ordered == ordered && table.plain == plain)
        #expect(table.lockStep.contains(false), "the deep chain is walked to its leaves")
        let rows = Self.rows()
        let values = rows.flatMap { $0 }
        var disagreements: [String] = []
        values.withUnsafeBufferPointer { p in
            let base = p.baseAddress!
            var leaves = [Int32](repeating: -1, count: rows.count)
            for tree in 0..<model.roots.count {
                leaves.withUnsafeMutableBufferPointer { l in
                    table.walk(tree: tree, values: base, features: 2, start: 0, end: rows.count, leaves: l.baseAddress!)
                }
                for r in rows.indices {
                    let expected = model.leaf(tree: tree, row: base + 2 * r)
                    if Int(leaves[r]) != expected {
                        disagreements.append(
                            "tree \(tree), row \(rows[r]): table leaf \(leaves[r]), branchy \(expected)")
                    }
                }
            }
            // One row at a time, eight trees at a time (the small-batch walk).
            var eight = [Int32](repeating: -1, count: 8)
            for r in rows.indices {
                var tree = 0
                while tree < model.roots.count {
                    let walked = eight.withUnsafeMutableBufferPointer {
                        table.walkTrees(row: base + 2 * r, from: tree, leaves: $0.baseAddress!)
                    }
                    for k in 0..<walked where Int(eight[k]) != model.leaf(tree: tree + k, row: base + 2 * r) {
                        disagreements.append("tree \(tree + k), row \(rows[r]) by trees: table leaf \(eight[k])")
                    }
                    tree += walked
                }
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(10))")
    }

    @Test("ordered modes, both NaN directions, edge thresholds: the rewritten walk takes the same branches")
    func orderedModesAgree() throws {
        try expectTableAgreesWithBranchyWalk(Self.model(modes: [.leq, .lt, .gte, .gt]), ordered: true)
        try expectTableAgreesWithBranchyWalk(
            Self.model(modes: [.leq], nanDirections: [false]), ordered: true, plain: true)
    }

    @Test("equality modes fall back to truth tables and take the same branches")
    func truthTablesAgree() throws {
        try expectTableAgreesWithBranchyWalk(Self.model(modes: [.leq, .lt, .gte, .gt, .eq, .neq]), ordered: false)
    }
}
