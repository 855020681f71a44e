import Foundation
import ModelRuntime

/// `X · coefᵀ + intercept` in double, row by row, as a dense `rows × targets` block.
struct LinearMap: Sendable {
    /// `targets × features`, row-major.
    let coef: [Double]
    let intercept: [Double]
    let features: Int
    var targets: Int { intercept.count }

    init(_ state: EstimatorState) throws(StateError) {
        let coef = try state.array("coef_")
        features = try state.featureCount()
        guard let values = coef.doubles, values.count % max(features, 1) == 0, !values.isEmpty else {
            throw StateError("\(state.name).coef_ does not have \(features) columns")
        }
        self.coef = values
        let targets = values.count / features
        if state.has("intercept_"), let array = try? state.array("intercept_"), let values = array.doubles {
            intercept = values.count == 1 && targets > 1 ? [Double](repeating: values[0], count: targets) : values
        } else if state.has("intercept_") {
            intercept = [Double](repeating: try state.double("intercept_"), count: targets)
        } else {
            intercept = [Double](repeating: 0, count: targets)
        }
        guard intercept.count == targets else {
            throw StateError("\(state.name).intercept_ has \(intercept.count) values for \(targets) targets")
        }
    }

    func apply(_ x: [Double], rows: Int) -> [Double] {
        var out = [Double](repeating: 0, count: rows * targets)
        for r in 0..<rows {
            for t in 0..<targets {
                var sum = 0.0
                for f in 0..<features { sum += x[r * features + f] * coef[t * features + f] }
                out[r * targets + t] = sum + intercept[t]
            }
        }
        return out
    }
}

/// `LinearRegression`, `Ridge`, `Lasso`, `ElasticNet`: one value per row.
struct LinearRegressorStage: PredictStage {
    let name: String
    let map: LinearMap
    var inputWidth: Int { map.features }
    let rule = InputRule.finite
    let classes: ModelSignature.ClassLabels? = nil

    init(_ state: EstimatorState) throws(StateError) {
        name = state.name
        map = try LinearMap(state)
        guard map.targets == 1 else { throw StateError("\(state.name) has \(map.targets) targets; only one is supported") }
    }

    var outputs: [ModelSignature.Value] { [Outputs.value("prediction", .float64, width: nil)] }

    func predict(_ x: [Double], rows: Int) throws -> [String: Tensor] {
        ["prediction": try Outputs.tensor(map.apply(x, rows: rows), rows: rows, width: nil)]
    }
}

/// `LogisticRegression`, `SGDClassifier`, `LinearSVC`: the decision function, the label it picks, and probabilities
/// where the estimator has them (logistic regression; SGD with the log or modified Huber loss).
struct LinearClassifierStage: PredictStage {
    enum Probabilities { case none, oneVsRest, softmax, modifiedHuber }

    let name: String
    let map: LinearMap
    var inputWidth: Int { map.features }
    let rule = InputRule.finite
    let labels: ModelSignature.ClassLabels
    var classes: ModelSignature.ClassLabels? { labels }
    let probabilities: Probabilities

    init(_ state: EstimatorState) throws(StateError) {
        name = state.name
        map = try LinearMap(state)
        let classes = try ModelSignature.ClassLabels(try state.array("classes_"), owner: state.name)
        labels = classes
        guard classes.count >= 2, map.targets == (classes.count == 2 ? 1 : classes.count) else {
            throw StateError("\(state.name) has \(map.targets) coefficient rows for \(classes.count) classes")
        }
        switch state.name {
        case "LogisticRegression":
            // scikit-learn's rule: one-vs-rest when asked for, or by default for two classes and the liblinear solver.
            let multiClass = state.string("multi_class") ?? "auto"
            let solver = state.string("solver") ?? "lbfgs"
            let ovr =
                multiClass == "ovr" || multiClass == "warn"
                || (multiClass == "auto" || multiClass == "deprecated")
                    && (classes.count <= 2 || solver == "liblinear"
                        || solver == "newton-cholesky" && !state.atLeast(1, 5))
            probabilities = ovr ? .oneVsRest : .softmax
        case "SGDClassifier":
            switch state.string("loss") {
            case "log_loss", "log": probabilities = .oneVsRest
            case "modified_huber": probabilities = .modifiedHuber
            default: probabilities = .none
            }
        default: probabilities = .none
        }
    }

    var outputs: [ModelSignature.Value] {
        let count = labels.count
        var values = [Outputs.labelValue(labels)]
        if probabilities != .none { values.append(Outputs.value("probabilities", .float64, width: count)) }
        values.append(Outputs.value("decision_function", .float64, width: count == 2 ? nil : count))
        return values
    }

    func predict(_ x: [Double], rows: Int) throws -> [String: Tensor] {
        let classes = labels
        let decision = map.apply(x, rows: rows)
        let binary = map.targets == 1
        let indices = binary ? decision.map { $0 > 0 ? 1 : 0 } : Outputs.argmax(decision, rows: rows, width: map.targets)
        var result: [String: Tensor] = [
            "label": try Outputs.labels(indices, classes: classes),
            "decision_function": try Outputs.tensor(decision, rows: rows, width: binary ? nil : map.targets),
        ]
        if let proba = probabilities(decision, rows: rows) {
            result["probabilities"] = try Outputs.tensor(proba, rows: rows, width: classes.count)
        }
        return result
    }

    func probabilities(_ decision: [Double], rows: Int) -> [Double]? {
        let width = map.targets
        switch probabilities {
        case .none: return nil
        case .oneVsRest:
            let p = decision.map { 1.0 / (1.0 + exp(-$0)) }
            if width == 1 { return p.flatMap { [1 - $0, $0] } }
            var out = p
            for r in 0..<rows {
                let sum = p[(r * width)..<((r + 1) * width)].reduce(0, +)
                for c in 0..<width { out[r * width + c] /= sum }
            }
            return out
        case .softmax:
            let wide = width == 1 ? decision.flatMap { [-$0, $0] } : decision
            let w = width == 1 ? 2 : width
            var out = wide
            for r in 0..<rows {
                let row = wide[(r * w)..<((r + 1) * w)]
                let top = row.max()!
                var sum = 0.0
                for c in 0..<w {
                    out[r * w + c] = exp(wide[r * w + c] - top)
                    sum += out[r * w + c]
                }
                for c in 0..<w { out[r * w + c] /= sum }
            }
            return out
        case .modifiedHuber:
            // (clip(d, -1, 1) + 1) / 2, normalised over classes; rows with all zeros get equal shares.
            if width == 1 {
                return decision.flatMap { d -> [Double] in
                    let p = (min(max(d, -1), 1) + 1) / 2
                    return [1 - p, p]
                }
            }
            var out = decision.map { (min(max($0, -1), 1) + 1) / 2 }
            for r in 0..<rows {
                let sum = out[(r * width)..<((r + 1) * width)].reduce(0, +)
                for c in 0..<width { out[r * width + c] = sum == 0 ? 1 / Double(width) : out[r * width + c] / sum }
            }
            return out
        }
    }
}

extension LinearRegressorStage {
    var summary: String { "\(name): \(inputWidth) features" }
}

extension LinearClassifierStage {
    var summary: String {
        let kind: String =
            switch probabilities {
            case .none: "no probabilities"
            case .oneVsRest: "one-vs-rest probabilities"
            case .softmax: "softmax probabilities"
            case .modifiedHuber: "modified Huber probabilities"
            }
        return "\(name): \(inputWidth) features, \(labels.count) classes, \(kind)"
    }
}
