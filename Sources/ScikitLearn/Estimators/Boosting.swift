import Foundation
import ModelRuntime

/// What a boosted ensemble's raw score becomes: a classifier's decision function, probabilities and label, or a
/// regressor's value through the loss's inverse link.
struct BoostedOutputs: Sendable {
    enum Link: Sendable { case identity, exp }

    let classes: ModelSignature.ClassLabels?
    /// Regressors: how raw scores become predictions.
    let link: Link
    /// Binary classifiers: the label is the positive class when raw ≥ 0 (scikit-learn ≥ 1.4's gradient boosting)
    /// rather than > 0 (probabilities' argmax).
    let positiveAtZero: Bool

    var outputs: [ModelSignature.Value] {
        guard let classes else { return [Outputs.value("prediction", .float64, width: nil)] }
        return [
            Outputs.labelValue(classes), Outputs.value("probabilities", .float64, width: classes.count),
            Outputs.value("decision_function", .float64, width: classes.count == 2 ? nil : classes.count),
        ]
    }

    func tensors(_ raw: [Double], rows: Int) throws -> [String: Tensor] {
        guard let classes else {
            let values = link == .exp ? raw.map { exp($0) } : raw
            return ["prediction": try Outputs.tensor(values, rows: rows, width: nil)]
        }
        if classes.count == 2 {
            let proba = raw.flatMap { r -> [Double] in
                let p = 1.0 / (1.0 + exp(-r))
                return [1 - p, p]
            }
            let labels = raw.map { positiveAtZero ? ($0 >= 0 ? 1 : 0) : ($0 > 0 ? 1 : 0) }
            return [
                "label": try Outputs.labels(labels, classes: classes),
                "probabilities": try Outputs.tensor(proba, rows: rows, width: 2),
                "decision_function": try Outputs.tensor(raw, rows: rows, width: nil),
            ]
        }
        let width = classes.count
        var proba = raw
        for r in 0..<rows {
            let row = raw[(r * width)..<((r + 1) * width)]
            let top = row.max() ?? 0
            var sum = 0.0
            for k in 0..<width {
                proba[r * width + k] = exp(raw[r * width + k] - top)
                sum += proba[r * width + k]
            }
            for k in 0..<width { proba[r * width + k] /= sum }
        }
        return [
            "label": try Outputs.labels(Outputs.argmax(proba, rows: rows, width: width), classes: classes),
            "probabilities": try Outputs.tensor(proba, rows: rows, width: width),
            "decision_function": try Outputs.tensor(raw, rows: rows, width: width),
        ]
    }
}

/// `GradientBoostingClassifier` / `GradientBoostingRegressor`: the initial estimator's raw score plus the learning
/// rate times each stage's tree (one tree per class and stage for several classes).
struct GradientBoostingStage: PredictStage {
    let name: String
    let inputWidth: Int
    let rule = InputRule(nan: false, infinity: false, float32: true)
    var classes: ModelSignature.ClassLabels? { outputsMap.classes }
    let table: TreeTable
    let compact: TreeTable.Compact
    let initial: [Double]
    let outputsMap: BoostedOutputs

    init(_ state: EstimatorState) throws(StateError) {
        name = state.name
        let inputWidth = try state.featureCount()
        self.inputWidth = inputWidth
        let isClassifier = state.name == "GradientBoostingClassifier"
        let classes = isClassifier ? try ModelSignature.ClassLabels(try state.array("classes_"), owner: state.name) : nil
        let loss = state.string("loss") ?? ""
        guard !(isClassifier && loss == "exponential") else {
            throw StateError("GradientBoostingClassifier with the exponential loss is not supported (log_loss is)")
        }
        let width = classes.map { $0.count == 2 ? 1 : $0.count } ?? 1
        let learningRate = try state.double("learning_rate")
        let stages = try state.array("estimators_")
        guard case .objects(let trees) = stages.values, stages.shape.count == 2, stages.shape[1] == width, !trees.isEmpty
        else { throw StateError("\(state.name).estimators_ is not an array of trees with \(width) per stage") }
        var table = TreeTable(width: width, targeted: true)
        for (index, node) in trees.enumerated() {
            let tree = try TreeTable.Tree(try EstimatorState(node), features: inputWidth)
            table.append(tree, target: index % width) { leaf in [learningRate * tree.values[leaf * tree.classes]] }
        }
        self.table = table
        compact = table.compact()
        initial = try Self.initialRaw(state, classes: classes, width: width)
        outputsMap = BoostedOutputs(classes: classes, link: .identity, positiveAtZero: state.atLeast(1, 4))
    }

    /// The raw score before the first stage: zero, a `DummyRegressor`'s constant, or a `DummyClassifier`'s class
    /// priors through the loss's link (clipped as the pickling version clipped them).
    static func initialRaw(_ state: EstimatorState, classes: ModelSignature.ClassLabels?, width: Int) throws(StateError) -> [Double] {
        let initNode = try state.value("init_")
        if initNode.string == "zero" { return [Double](repeating: 0, count: width) }
        let dummy = try EstimatorState(initNode)
        guard classes != nil else {
            guard dummy.name == "DummyRegressor", let constant = try dummy.array("constant_").doubles, constant.count == 1 else {
                throw StateError("\(state.name).init_ is a \(dummy.name); only the default DummyRegressor or 'zero' is supported")
            }
            return constant
        }
        guard dummy.name == "DummyClassifier", dummy.string("strategy") == "prior" || dummy.string("_strategy") == "prior" else {
            throw StateError("\(state.name).init_ is a \(dummy.name); only the default DummyClassifier(prior) or 'zero' is supported")
        }
        let prior = try dummy.doubles("class_prior_")
        guard prior.count == max(width, 2) else { throw StateError("\(state.name).init_ has \(prior.count) class priors") }
        let modern = state.atLeast(1, 4)
        let eps = modern ? Double.ulpOfOne : Double(Float.ulpOfOne)
        let clipped = prior.map { min(max($0, eps), 1 - eps) }
        if width == 1 { return [log(clipped[1] / (1 - clipped[1]))] }
        guard modern else { return clipped.map { log($0) } }
        // The symmetric multinomial logit: log(p / geometric mean of p).
        let geometricMean = exp(clipped.map { log($0) }.reduce(0, +) / Double(clipped.count))
        return clipped.map { log($0 / geometricMean) }
    }

    var outputs: [ModelSignature.Value] { outputsMap.outputs }

    func predict(_ x: [Double], rows: Int) throws -> [String: Tensor] {
        try outputsMap.tensors(
            table.accumulate(x, rows: rows, features: inputWidth, initial: initial, compact: compact), rows: rows)
    }
}

/// `HistGradientBoostingClassifier` / `HistGradientBoostingRegressor`: a baseline plus every iteration's predictor
/// trees, on the raw (not float32-rounded) input, NaN following each node's learned side.
struct HistGradientBoostingStage: PredictStage {
    let name: String
    let inputWidth: Int
    let rule = InputRule(nan: true, infinity: true, float32: false)
    var classes: ModelSignature.ClassLabels? { outputsMap.classes }
    let table: TreeTable
    let baseline: [Double]
    let outputsMap: BoostedOutputs

    init(_ state: EstimatorState) throws(StateError) {
        name = state.name
        let inputWidth = try state.featureCount()
        self.inputWidth = inputWidth
        if state.has("_preprocessor") || (try? state.array("is_categorical_").intValues?.contains(1)) == true {
            throw StateError("\(state.name) with categorical features is not supported")
        }
        let isClassifier = state.name == "HistGradientBoostingClassifier"
        let classes = isClassifier ? try ModelSignature.ClassLabels(try state.array("classes_"), owner: state.name) : nil
        let width = try state.int("n_trees_per_iteration_")
        guard width >= 1, width == (classes.map { $0.count == 2 ? 1 : $0.count } ?? 1) else {
            throw StateError("\(state.name).n_trees_per_iteration_ is \(width)")
        }
        let baselineArray = try state.array("_baseline_prediction")
        guard let baseline = baselineArray.doubles, baseline.count == width else {
            throw StateError("\(state.name)._baseline_prediction does not hold \(width) values")
        }
        self.baseline = baseline
        guard let iterations = try state.value("_predictors").items else { throw StateError("\(state.name)._predictors is not a list") }
        var table = TreeTable(width: width, targeted: true)
        for iteration in iterations {
            guard let predictors = iteration.items, predictors.count == width else {
                throw StateError("\(state.name)._predictors holds an iteration without \(width) trees")
            }
            for (k, node) in predictors.enumerated() {
                let tree = try TreeTable.Tree(predictor: node, features: inputWidth)
                table.append(tree, target: k) { leaf in [tree.values[leaf]] }
            }
        }
        self.table = table
        let loss = state.string("loss") ?? "squared_error"
        let link: BoostedOutputs.Link
        switch loss {
        case "squared_error", "absolute_error", "quantile", "log_loss", "least_squares", "least_absolute_deviation",
            "binary_crossentropy", "categorical_crossentropy", "auto":
            link = .identity
        case "poisson", "gamma": link = .exp
        default: throw StateError("\(state.name) with the '\(loss)' loss is not supported")
        }
        outputsMap = BoostedOutputs(classes: classes, link: link, positiveAtZero: false)
    }

    var outputs: [ModelSignature.Value] { outputsMap.outputs }

    func predict(_ x: [Double], rows: Int) throws -> [String: Tensor] {
        let raw = table.accumulate(x, rows: rows, features: inputWidth, initial: baseline)
        return try outputsMap.tensors(raw, rows: rows)
    }
}

extension GradientBoostingStage {
    var summary: String {
        "\(name): \(table.roots.count) trees (\(table.width) per stage), \(table.nodeCount) nodes, \(inputWidth) features"
    }
}

extension HistGradientBoostingStage {
    var summary: String {
        "\(name): \(table.roots.count) trees (\(table.width) per iteration), \(table.nodeCount) nodes, \(inputWidth) features"
    }
}
