import Foundation
import ModelRuntime


/// Trees' input rules by estimator and the scikit-learn version that pickled it (the version the model was
/// validated with), probed on 1.3.0, 1.4.2, 1.5.2, 1.6.1, 1.7.2 and 1.9.1: NaN follows `missing_go_to_left` in
/// decision trees with the best splitter from 1.3, random forests from 1.4, extra trees and random splitters from 1.6;
/// infinities are refused (inputs are cast to float32 first).
enum TreeRules {
    static func rule(_ state: EstimatorState, splitter: String?) -> InputRule {
        let nan: Bool
        switch state.name {
        case "DecisionTreeClassifier", "DecisionTreeRegressor":
            nan = state.atLeast(1, 3) && (splitter == "best" || state.atLeast(1, 6))
        case "ExtraTreeClassifier", "ExtraTreeRegressor", "ExtraTreesClassifier", "ExtraTreesRegressor":
            nan = state.atLeast(1, 6)
        case "RandomForestClassifier", "RandomForestRegressor": nan = state.atLeast(1, 4)
        default: nan = false
        }
        return InputRule(nan: nan, infinity: false, float32: true)
    }
}

/// `DecisionTree*`, `ExtraTree*`, `RandomForest*`, `ExtraTrees*`: probabilities averaged over trees, or values.
struct ForestStage: PredictStage {
    let name: String
    let inputWidth: Int
    let rule: InputRule
    let classes: ModelSignature.ClassLabels?
    let table: TreeTable
    let compact: TreeTable.Compact
    let treeCount: Int

    init(_ state: EstimatorState) throws(StateError) {
        name = state.name
        inputWidth = try state.featureCount()
        guard try state.int("n_outputs_") == 1 else {
            throw StateError("\(state.name) has several outputs (multi-output), which is not supported")
        }
        let trees: [EstimatorState]
        if state.has("tree_") {
            trees = [state]
        } else {
            guard let items = try state.value("estimators_").items, !items.isEmpty else {
                throw StateError("\(state.name).estimators_ is not a list of trees")
            }
            trees = try items.map { (node) throws(StateError) in try EstimatorState(node) }
        }
        let isClassifier = state.name.hasSuffix("Classifier")
        classes = isClassifier ? try ModelSignature.ClassLabels(try state.array("classes_"), owner: state.name) : nil
        let width = classes?.count ?? 1
        var table = TreeTable(width: width)
        for treeState in trees {
            let tree = try TreeTable.Tree(treeState, features: inputWidth)
            guard tree.classes == width || !isClassifier else {
                throw StateError("a tree of \(state.name) has \(tree.classes) classes where the model has \(width)")
            }
            table.append(tree) { node in
                let row = Array(tree.values[(node * tree.classes)..<(node * tree.classes + width)])
                guard isClassifier else { return row }
                // predict_proba's per-tree normalisation (a leaf of no weight stays as it is).
                let sum = row.reduce(0, +)
                return row.map { $0 / (sum == 0 ? 1 : sum) }
            }
        }
        self.table = table
        compact = table.compact()
        treeCount = trees.count
        rule = TreeRules.rule(state, splitter: trees.first?.string("splitter"))
    }

    var outputs: [ModelSignature.Value] {
        if let classes {
            [Outputs.labelValue(classes), Outputs.value("probabilities", .float64, width: classes.count)]
        } else {
            [Outputs.value("prediction", .float64, width: nil)]
        }
    }

    func predict(_ x: [Double], rows: Int) throws -> [String: Tensor] {
        var sums = table.accumulate(x, rows: rows, features: inputWidth, compact: compact)
        if treeCount > 1 {
            let n = Double(treeCount)
            for i in sums.indices { sums[i] /= n }
        }
        guard let classes else { return ["prediction": try Outputs.tensor(sums, rows: rows, width: nil)] }
        return [
            "label": try Outputs.labels(Outputs.argmax(sums, rows: rows, width: classes.count), classes: classes),
            "probabilities": try Outputs.tensor(sums, rows: rows, width: classes.count),
        ]
    }
}

/// `IsolationForest`: the average isolation depth of a row over trees, as `score_samples`, `decision_function`
/// (minus `offset_`) and `predict` (1 inlier, -1 outlier).
struct IsolationForestStage: PredictStage {
    let name = "IsolationForest"
    let inputWidth: Int
    let rule: InputRule
    let classes: ModelSignature.ClassLabels? = nil
    let table: TreeTable
    let compact: TreeTable.Compact
    let denominator: Double
    let offset: Double

    init(_ state: EstimatorState) throws(StateError) {
        let inputWidth = try state.featureCount()
        self.inputWidth = inputWidth
        guard let trees = try state.value("estimators_").items, !trees.isEmpty else {
            throw StateError("IsolationForest.estimators_ is not a list of trees")
        }
        let featureLists = try state.value("estimators_features_").items ?? []
        let maxFeatures = try state.int("_max_features")
        let subsample = maxFeatures != inputWidth
        guard !subsample || featureLists.count == trees.count else {
            throw StateError("IsolationForest.estimators_features_ does not name one feature list per tree")
        }
        var table = TreeTable(width: 1)
        for (index, node) in trees.enumerated() {
            var map: [Int]? = nil
            var width = inputWidth
            if subsample {
                guard let features = try NumpyArray(featureLists[index]).intValues,
                    features.allSatisfy({ $0 >= 0 && $0 < inputWidth })
                else { throw StateError("IsolationForest.estimators_features_[\(index)] is not a list of features") }
                map = features.map(Int.init)
                width = features.count
            }
            let tree = try TreeTable.Tree(try EstimatorState(node), features: width)
            let depths = tree.depths
            table.append(tree, featureMap: map) { leaf in
                [(Double(depths[leaf] + 1) + Self.averagePathLength(Double(tree.samples[leaf]))) - 1.0]
            }
        }
        self.table = table
        compact = table.compact()
        denominator = Double(trees.count) * Self.averagePathLength(try state.double("max_samples_"))
        offset = try state.double("offset_")
        // From 1.6 IsolationForest takes NaN and infinities (probed on 1.3.0, 1.4.2, 1.5.2, 1.6.1, 1.7.2, 1.9.1).
        let open = state.atLeast(1, 6)
        rule = InputRule(nan: open, infinity: open, float32: true)
    }

    /// c(n): the average path length of an unsuccessful search in a binary search tree of n points.
    static func averagePathLength(_ n: Double) -> Double {
        if n <= 1 { return 0 }
        if n <= 2 { return 1 }
        return 2.0 * (log(n - 1.0) + 0.5772156649015329) - 2.0 * (n - 1.0) / n
    }

    var outputs: [ModelSignature.Value] {
        [
            Outputs.value("label", .int64, width: nil), Outputs.value("decision_function", .float64, width: nil),
            Outputs.value("score_samples", .float64, width: nil),
        ]
    }

    func predict(_ x: [Double], rows: Int) throws -> [String: Tensor] {
        let depths = table.accumulate(x, rows: rows, features: inputWidth, compact: compact)
        let scores = depths.map { -pow(2.0, -$0 / denominator) }
        let decision = scores.map { $0 - offset }
        return [
            "label": try Tensor(shape: [rows], int64s: decision.map { $0 < 0 ? -1 : 1 }),
            "decision_function": try Outputs.tensor(decision, rows: rows, width: nil),
            "score_samples": try Outputs.tensor(scores, rows: rows, width: nil),
        ]
    }
}

extension ForestStage {
    var summary: String {
        "\(name): \(treeCount) tree\(treeCount == 1 ? "" : "s"), \(table.nodeCount) nodes, \(inputWidth) features"
            + (classes.map { ", \($0.count) classes" } ?? "")
    }
}

extension IsolationForestStage {
    var summary: String { "IsolationForest: \(table.roots.count) trees, \(table.nodeCount) nodes, \(inputWidth) features, offset \(offset)" }
}
