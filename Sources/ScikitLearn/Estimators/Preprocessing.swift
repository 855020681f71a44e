import ModelRuntime

/// A per-column affine map `(x - shift) / divide * multiply + add`, in the order scikit-learn applies it (so results
/// match to the last bit where the operations are the same), optionally clipped.
struct ColumnScaler: TransformStage {
    let name: String
    let inputWidth: Int
    var outputWidth: Int { inputWidth }
    let rule = InputRule.allowNaN
    var shift: [Double]?
    var divide: [Double]?
    var multiply: [Double]?
    var add: [Double]?
    var clip: (Double, Double)?

    init(_ state: EstimatorState) throws(StateError) {
        name = state.name
        inputWidth = try state.featureCount()
        func column(_ key: String) throws(StateError) -> [Double]? {
            guard state.has(key) else { return nil }
            let values = try state.doubles(key)
            guard values.count == inputWidth else {
                throw StateError("\(state.name).\(key) has \(values.count) values for \(inputWidth) features")
            }
            return values
        }
        switch state.name {
        case "StandardScaler":
            shift = state.bool("with_mean", default: true) ? try column("mean_") : nil
            divide = state.bool("with_std", default: true) ? try column("scale_") : nil
        case "MinMaxScaler":
            multiply = try column("scale_")
            add = try column("min_")
            guard multiply != nil, add != nil else { throw StateError("MinMaxScaler without scale_ and min_ (is it fitted?)") }
            if state.bool("clip", default: false), let range = try state.value("feature_range").items, range.count == 2 {
                clip = (try EstimatorState.scalar(range[0]), try EstimatorState.scalar(range[1]))
            }
        case "RobustScaler":
            shift = state.bool("with_centering", default: true) ? try column("center_") : nil
            divide = state.bool("with_scaling", default: true) ? try column("scale_") : nil
        default: throw StateError("\(state.name) is not a scaler")
        }
    }

    func transform(_ x: [Double], rows: Int) -> [Double] {
        var out = x
        let w = inputWidth
        for r in 0..<rows {
            for c in 0..<w {
                var v = out[r * w + c]
                if let shift { v -= shift[c] }
                if let divide { v /= divide[c] }
                if let multiply { v *= multiply[c] }
                if let add { v += add[c] }
                if let clip { v = min(max(v, clip.0), clip.1) }
                out[r * w + c] = v
            }
        }
        return out
    }
}

/// `SimpleImputer`: a missing value (NaN, or the number it was fitted with) becomes its column's statistic;
/// columns that were all missing at fit time are dropped, as scikit-learn drops them (unless `keep_empty_features`).
struct ImputerStage: TransformStage {
    let name = "SimpleImputer"
    let inputWidth: Int
    let rule = InputRule.allowNaN
    let statistics: [Double]
    /// The input columns kept, in order.
    let kept: [Int]
    let missing: Double?
    var outputWidth: Int { kept.count }

    init(_ state: EstimatorState) throws(StateError) {
        inputWidth = try state.featureCount()
        guard !state.bool("add_indicator", default: false) else {
            throw StateError("SimpleImputer with add_indicator=True is not supported")
        }
        let statistics = try state.doubles("statistics_")
        guard statistics.count == inputWidth else {
            throw StateError("SimpleImputer.statistics_ has \(statistics.count) values for \(inputWidth) features")
        }
        self.statistics = statistics
        let keepEmpty = state.bool("keep_empty_features", default: false)
        kept = (0..<inputWidth).filter { keepEmpty || !statistics[$0].isNaN }
        let marker = try state.value("missing_values")
        switch marker.kind {
        case .float(let d) where d.isNaN: missing = nil
        case .int, .float: missing = try EstimatorState.scalar(marker)
        case .none: missing = nil
        default: throw StateError("SimpleImputer.missing_values of type \(marker.kindName) is not supported")
        }
    }

    func transform(_ x: [Double], rows: Int) -> [Double] {
        var out = [Double]()
        out.reserveCapacity(rows * kept.count)
        for r in 0..<rows {
            for c in kept {
                let v = x[r * inputWidth + c]
                let isMissing = v.isNaN || missing.map { v == $0 } ?? false
                out.append(isMissing ? (statistics[c].isNaN ? 0 : statistics[c]) : v)
            }
        }
        return out
    }
}

/// A transformer served on its own (a `scaler.joblib`): its output is the model's only output.
struct TransformOnlyStage: PredictStage {
    let stage: any TransformStage
    var name: String { stage.name }
    var inputWidth: Int { stage.inputWidth }
    var rule: InputRule { stage.rule }
    let classes: ModelSignature.ClassLabels? = nil
    var outputs: [ModelSignature.Value] { [Outputs.value("transform", .float64, width: stage.outputWidth)] }

    func predict(_ x: [Double], rows: Int) throws -> [String: Tensor] {
        ["transform": try Outputs.tensor(stage.transform(x, rows: rows), rows: rows, width: stage.outputWidth)]
    }
}

extension TransformOnlyStage {
    var summary: String { (stage as? any Summarized)?.summary ?? stage.name }
}



