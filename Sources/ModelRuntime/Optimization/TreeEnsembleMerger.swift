/// Concatenates single-target tree ensembles into one, keeping tree order (and so float summation order).
enum TreeEnsembleMerger {
    static func merge(_ models: [TreeEnsembleModel]) -> TreeEnsembleModel {
        var nodes: [TreeEnsembleModel.Node] = []
        var modes: [TreeEnsembleModel.Mode] = []
        var nanTrue: [Bool] = []
        var thresholds64: [Double] = []
        var members: [Int: Set<Float>] = [:]
        var roots: [Int32] = []
        var leafStart: [Int32] = [0]
        var leafTargets: [Int32] = []
        var leafWeights: [Float] = []
        var uniform: Set<TreeEnsembleModel.Mode?> = []
        for m in models {
            let nodeOffset = Int32(nodes.count)
            let leafOffset = Int32(leafStart.count - 1)
            func shift(_ c: Int32) -> Int32 { c >= 0 ? c + nodeOffset : ~(~c + leafOffset) }
            for n in m.nodes {
                nodes.append(.init(threshold: n.threshold, feature: n.feature, trueChild: shift(n.trueChild), falseChild: shift(n.falseChild)))
            }
            modes += m.modes
            nanTrue += m.nanTrue
            thresholds64 += m.thresholds64
            for (k, v) in m.members { members[k + Int(nodeOffset)] = v }
            roots += m.roots.map(shift)
            let weightOffset = Int32(leafTargets.count)
            leafStart += m.leafStart.dropFirst().map { $0 + weightOffset }
            leafTargets += m.leafTargets
            leafWeights += m.leafWeights
            uniform.insert(m.uniformMode)
        }
        return TreeEnsembleModel(
            nodes: nodes, modes: modes, nanTrue: nanTrue, thresholds64: thresholds64, members: members, roots: roots,
            leafStart: leafStart, leafTargets: leafTargets, leafWeights: leafWeights, targetCount: 1, aggregate: .sum,
            uniformMode: uniform.count == 1 ? (uniform.first ?? nil) : nil,
            maxFeature: models.map(\.maxFeature).max() ?? 0)
    }
}
