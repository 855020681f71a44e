/// Builds a `TreeEnsembleModel` from the attributes of TreeEnsembleClassifier/Regressor (ml opsets 1-3) or
/// TreeEnsemble (ml opset 5), checking that every reference resolves and every tree is a tree.
enum TreeEnsembleBuilder {
    struct Weights {
        var treeIds: [Int64]
        var nodeIds: [Int64]
        var targetIds: [Int64]
        var weights: [Float]
    }

    static let modeNames: [String: TreeEnsembleModel.Mode] = [
        "BRANCH_LEQ": .leq, "BRANCH_LT": .lt, "BRANCH_GTE": .gte, "BRANCH_GT": .gt, "BRANCH_EQ": .eq, "BRANCH_NEQ": .neq,
    ]

    /// From the `nodes_*` and `target_*`/`class_*` attributes of the classic operators.
    static func classic(
        _ ctx: inout NodeContext, weightPrefix: String, targetCount: Int, aggregate: TreeEnsembleModel.Aggregate
    ) throws -> TreeEnsembleModel {
        let label = ctx.label
        func req<T>(_ v: T?, _ name: String) throws -> T { try AttributeReader.required(v, name, label) }
        let treeIds = try req(ctx.attributes.int64s("nodes_treeids"), "nodes_treeids")
        let nodeIds = try req(ctx.attributes.int64s("nodes_nodeids"), "nodes_nodeids")
        let featureIds = try req(ctx.attributes.int64s("nodes_featureids"), "nodes_featureids")
        let modeStrings = try req(ctx.attributes.strings("nodes_modes"), "nodes_modes")
        let values = try ctx.attributes.floatsOrTensor("nodes_values") ?? []
        let trueIds = try req(ctx.attributes.int64s("nodes_truenodeids"), "nodes_truenodeids")
        let falseIds = try req(ctx.attributes.int64s("nodes_falsenodeids"), "nodes_falsenodeids")
        let tracks = try ctx.attributes.int64s("nodes_missing_value_tracks_true") ?? []
        ctx.attributes.ignore("nodes_hitrates", "nodes_hitrates_as_tensor")
        let weights = Weights(
            treeIds: try req(ctx.attributes.int64s("\(weightPrefix)_treeids"), "\(weightPrefix)_treeids"),
            nodeIds: try req(ctx.attributes.int64s("\(weightPrefix)_nodeids"), "\(weightPrefix)_nodeids"),
            targetIds: try req(ctx.attributes.int64s("\(weightPrefix)_ids"), "\(weightPrefix)_ids"),
            weights: try req(ctx.attributes.floatsOrTensor("\(weightPrefix)_weights"), "\(weightPrefix)_weights"))

        let n = treeIds.count
        guard n > 0 else { throw ctx.invalid("has no tree nodes") }
        for (name, count) in [
            ("nodes_nodeids", nodeIds.count), ("nodes_featureids", featureIds.count), ("nodes_modes", modeStrings.count),
            ("nodes_values", values.count), ("nodes_truenodeids", trueIds.count), ("nodes_falsenodeids", falseIds.count),
        ] where count != n {
            throw ctx.invalid("\(name) has \(count) entries, nodes_treeids has \(n)")
        }
        guard tracks.isEmpty || tracks.count == n else {
            throw ctx.invalid("nodes_missing_value_tracks_true has \(tracks.count) entries, expected \(n)")
        }
        let w = weights
        guard w.nodeIds.count == w.treeIds.count, w.targetIds.count == w.treeIds.count, w.weights.count == w.treeIds.count
        else { throw ctx.invalid("\(weightPrefix)_* attributes differ in length") }
        guard n < Int(Int32.max) / 2 else { throw ctx.invalid("too many nodes") }

        var index: [Int64: [Int64: Int]] = [:]
        var treeOrder: [Int64] = []
        for i in 0..<n {
            if index[treeIds[i]] == nil { treeOrder.append(treeIds[i]) }
            guard index[treeIds[i], default: [:]][nodeIds[i]] == nil else {
                throw ctx.invalid("node \(nodeIds[i]) of tree \(treeIds[i]) is defined twice")
            }
            index[treeIds[i], default: [:]][nodeIds[i]] = i
        }
        var modes = [TreeEnsembleModel.Mode](repeating: .leq, count: n)
        var isLeaf = [Bool](repeating: false, count: n)
        var leafOf = [Int](repeating: -1, count: n)
        var leafCount = 0
        for i in 0..<n {
            if modeStrings[i] == "LEAF" {
                isLeaf[i] = true
                leafOf[i] = leafCount
                leafCount += 1
            } else if let m = modeNames[modeStrings[i]] {
                modes[i] = m
            } else {
                throw ctx.unsupported("nodes_modes", modeStrings[i])
            }
        }
        func encode(_ j: Int) -> Int32 { isLeaf[j] ? ~Int32(leafOf[j]) : Int32(j) }
        var nodes: [TreeEnsembleModel.Node] = []
        nodes.reserveCapacity(n)
        var referenced = [Bool](repeating: false, count: n)
        var maxFeature = 0
        for i in 0..<n {
            if isLeaf[i] {
                nodes.append(.init(threshold: 0, feature: 0, trueChild: ~Int32(leafOf[i]), falseChild: ~Int32(leafOf[i])))
                continue
            }
            guard let t = index[treeIds[i]]?[trueIds[i]], let f = index[treeIds[i]]?[falseIds[i]] else {
                throw ctx.invalid("node \(nodeIds[i]) of tree \(treeIds[i]) points to a missing child")
            }
            guard featureIds[i] >= 0, featureIds[i] < 1 << 24 else {
                throw ctx.invalid("node \(nodeIds[i]) of tree \(treeIds[i]) has feature id \(featureIds[i])")
            }
            referenced[t] = true
            referenced[f] = true
            maxFeature = max(maxFeature, Int(featureIds[i]))
            nodes.append(.init(threshold: values[i], feature: Int32(featureIds[i]), trueChild: encode(t), falseChild: encode(f)))
        }
        var roots: [Int32] = []
        for tree in treeOrder {
            let candidates = (index[tree] ?? [:]).values.filter { !referenced[$0] }
            guard candidates.count == 1, let root = candidates.first else {
                throw ctx.invalid("tree \(tree) has \(candidates.count) root nodes (expected one)")
            }
            roots.append(encode(root))
        }
        // Leaf weights in compressed rows, keeping attribute order within a leaf.
        var perLeaf = [[(Int32, Float)]](repeating: [], count: leafCount)
        for k in 0..<w.treeIds.count {
            guard let j = index[w.treeIds[k]]?[w.nodeIds[k]] else {
                throw ctx.invalid("\(weightPrefix) weight \(k) refers to missing node \(w.nodeIds[k]) of tree \(w.treeIds[k])")
            }
            guard isLeaf[j] else { throw ctx.invalid("\(weightPrefix) weight \(k) is attached to a branch node") }
            guard w.targetIds[k] >= 0, w.targetIds[k] < targetCount else {
                throw ctx.invalid("\(weightPrefix)_ids has \(w.targetIds[k]), outside 0..<\(targetCount)")
            }
            perLeaf[leafOf[j]].append((Int32(w.targetIds[k]), w.weights[k]))
        }
        let nanTrue = (0..<n).map { !tracks.isEmpty && tracks[$0] != 0 && !isLeaf[$0] }
        return try finish(
            nodes: nodes, modes: modes, nanTrue: nanTrue, thresholds64: values.map { Double($0) }, members: [:],
            roots: roots, perLeaf: perLeaf, isLeaf: isLeaf, targetCount: targetCount, aggregate: aggregate,
            maxFeature: maxFeature, label: label)
    }

    /// Checks that every tree is acyclic and assembles the model.
    static func finish(
        nodes: [TreeEnsembleModel.Node], modes: [TreeEnsembleModel.Mode], nanTrue: [Bool], thresholds64: [Double],
        members: [Int: Set<Float>], roots: [Int32], perLeaf: [[(Int32, Float)]], isLeaf: [Bool], targetCount: Int,
        aggregate: TreeEnsembleModel.Aggregate, maxFeature: Int, label: String
    ) throws -> TreeEnsembleModel {
        // A node reached twice means shared subtrees or a cycle; a cycle would loop forever at run time.
        var visited = [Bool](repeating: false, count: nodes.count)
        for root in roots where root >= 0 {
            var stack = [Int(root)]
            while let i = stack.popLast() {
                guard !visited[i] else {
                    throw ModelRuntimeError.invalidModel("\(label): tree node \(i) is reached twice (cycle or shared subtree)")
                }
                visited[i] = true
                for child in [nodes[i].trueChild, nodes[i].falseChild] where child >= 0 { stack.append(Int(child)) }
            }
        }
        var leafStart: [Int32] = [0]
        var leafTargets: [Int32] = []
        var leafWeights: [Float] = []
        for weights in perLeaf {
            for (t, w) in weights {
                leafTargets.append(t)
                leafWeights.append(w)
            }
            leafStart.append(Int32(leafTargets.count))
        }
        let branchModes = Set(zip(modes, isLeaf).filter { !$0.1 }.map(\.0))
        return TreeEnsembleModel(
            nodes: nodes, modes: modes, nanTrue: nanTrue, thresholds64: thresholds64, members: members, roots: roots,
            leafStart: leafStart, leafTargets: leafTargets, leafWeights: leafWeights, targetCount: targetCount,
            aggregate: aggregate, uniformMode: branchModes.count == 1 ? branchModes.first : (branchModes.isEmpty ? .leq : nil),
            maxFeature: maxFeature)
    }

    static func aggregate(_ name: String, _ ctx: NodeContext) throws -> TreeEnsembleModel.Aggregate {
        switch name {
        case "SUM": return .sum
        case "AVERAGE": return .average
        case "MIN": return .min
        case "MAX": return .max
        default: throw ctx.unsupported("aggregate_function", name)
        }
    }
}
