/// Builds a `TreeEnsembleModel` from TreeEnsemble (ai.onnx.ml opset 5) attributes.
enum TreeEnsembleV5Builder {
    static func build(_ ctx: inout NodeContext) throws -> (TreeEnsembleModel, PostTransform) {
        let label = ctx.label
        func req<T>(_ v: T?, _ name: String) throws -> T { try AttributeReader.required(v, name, label) }
        let aggregateCode = try ctx.attributes.int("aggregate_function", default: 1)
        let aggregates: [TreeEnsembleModel.Aggregate] = [.average, .sum, .min, .max]
        guard aggregateCode >= 0, aggregateCode < 4 else { throw ctx.unsupported("aggregate_function", "\(aggregateCode)") }
        let post = try PostTransform(code: try ctx.attributes.int("post_transform", default: 0), ctx)
        let targetCount = try req(ctx.attributes.int("n_targets"), "n_targets")
        guard targetCount >= 1, targetCount < 1 << 20 else { throw ctx.invalid("n_targets=\(targetCount)") }
        let roots = try req(ctx.attributes.int64s("tree_roots"), "tree_roots")
        let features = try req(ctx.attributes.int64s("nodes_featureids"), "nodes_featureids")
        let modesProto = try req(ctx.attributes.tensorProto("nodes_modes"), "nodes_modes")
        let splits = try req(ctx.attributes.tensor("nodes_splits"), "nodes_splits")
        let trueIds = try req(ctx.attributes.int64s("nodes_truenodeids"), "nodes_truenodeids")
        let trueLeafs = try req(ctx.attributes.int64s("nodes_trueleafs"), "nodes_trueleafs")
        let falseIds = try req(ctx.attributes.int64s("nodes_falsenodeids"), "nodes_falsenodeids")
        let falseLeafs = try req(ctx.attributes.int64s("nodes_falseleafs"), "nodes_falseleafs")
        let tracks = try ctx.attributes.int64s("nodes_missing_value_tracks_true") ?? []
        let leafTargets = try req(ctx.attributes.int64s("leaf_targetids"), "leaf_targetids")
        let leafWeightsTensor = try req(ctx.attributes.tensor("leaf_weights"), "leaf_weights")
        let membership = try ctx.attributes.tensor("membership_values")
        ctx.attributes.ignore("nodes_hitrates")

        let modeBytes: [UInt8]
        if modesProto.dataType == 2 {
            modeBytes = modesProto.hasRawData ? Array(modesProto.rawData) : modesProto.int32Data.map { UInt8(clamping: $0) }
        } else {
            throw ctx.invalid("nodes_modes must be a uint8 tensor")
        }
        let thresholds64 = try CastOperator.convert(splits, to: .float64).doubles ?? []
        let weights = try CastOperator.convert(leafWeightsTensor, to: .float32).floats ?? []
        let n = features.count
        for (name, count) in [
            ("nodes_modes", modeBytes.count), ("nodes_splits", thresholds64.count), ("nodes_truenodeids", trueIds.count),
            ("nodes_trueleafs", trueLeafs.count), ("nodes_falsenodeids", falseIds.count),
            ("nodes_falseleafs", falseLeafs.count),
        ] where count != n {
            throw ctx.invalid("\(name) has \(count) entries, nodes_featureids has \(n)")
        }
        guard tracks.isEmpty || tracks.count == n else { throw ctx.invalid("nodes_missing_value_tracks_true length") }
        guard leafTargets.count == weights.count else { throw ctx.invalid("leaf_targetids and leaf_weights differ in length") }
        guard n > 0, n < Int(Int32.max) / 2, weights.count < Int(Int32.max) / 2 else { throw ctx.invalid("bad node count") }

        var modes: [TreeEnsembleModel.Mode] = []
        var members: [Int: Set<Float>] = [:]
        var memberGroups: [[Float]] = []
        if let m = membership, let values = try CastOperator.convert(m, to: .float32).floats {
            var current: [Float] = []
            for v in values {
                if v.isNaN {
                    memberGroups.append(current)
                    current = []
                } else {
                    current.append(v)
                }
            }
            if !current.isEmpty { memberGroups.append(current) }
        }
        var nextGroup = 0
        var nodes: [TreeEnsembleModel.Node] = []
        var maxFeature = 0
        for i in 0..<n {
            guard let mode = TreeEnsembleModel.Mode(rawValue: modeBytes[i]) else {
                throw ctx.unsupported("nodes_modes", "\(modeBytes[i])")
            }
            modes.append(mode)
            if mode == .member {
                guard nextGroup < memberGroups.count else { throw ctx.invalid("membership_values has too few sets") }
                members[i] = Set(memberGroups[nextGroup])
                nextGroup += 1
            }
            func child(_ id: Int64, _ leaf: Int64) throws -> Int32 {
                if leaf != 0 {
                    guard id >= 0, id < weights.count else { throw ctx.invalid("node \(i) points to missing leaf \(id)") }
                    return ~Int32(id)
                }
                guard id >= 0, id < n else { throw ctx.invalid("node \(i) points to missing node \(id)") }
                return Int32(id)
            }
            guard features[i] >= 0, features[i] < 1 << 24 else { throw ctx.invalid("node \(i) has feature \(features[i])") }
            maxFeature = max(maxFeature, Int(features[i]))
            nodes.append(
                .init(
                    threshold: Float(thresholds64[i]), feature: Int32(features[i]),
                    trueChild: try child(trueIds[i], trueLeafs[i]), falseChild: try child(falseIds[i], falseLeafs[i])))
        }
        var perLeaf = [[(Int32, Float)]](repeating: [], count: weights.count)
        for (l, t) in leafTargets.enumerated() {
            guard t >= 0, t < targetCount else { throw ctx.invalid("leaf_targetids has \(t), outside 0..<\(targetCount)") }
            perLeaf[l].append((Int32(t), weights[l]))
        }
        let rootRefs: [Int32] = try roots.map {
            guard $0 >= 0, $0 < n else { throw ctx.invalid("tree root \($0) is not a node") }
            return Int32($0)
        }
        let model = try TreeEnsembleBuilder.finish(
            nodes: nodes, modes: modes, nanTrue: (0..<n).map { !tracks.isEmpty && tracks[$0] != 0 },
            thresholds64: thresholds64, members: members, roots: rootRefs, perLeaf: perLeaf,
            isLeaf: Array(repeating: false, count: n), targetCount: targetCount, aggregate: aggregates[aggregateCode],
            maxFeature: maxFeature, label: label)
        return (model, post)
    }
}
