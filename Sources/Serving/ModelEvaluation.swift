import Foundation
public import ModelRuntime
public import RegistryCore

extension ModelPool {
    /// Rows per model call during re-evaluation: large enough to amortise the call, small enough to bound memory.
    static let evaluationBatch = 8_192

    /// Runs the version's model on a labelled dataset among its files and measures binary classification metrics.
    /// A model with one tabular input is evaluated; its predicted label decides precision, recall, f1 and accuracy,
    /// the positive class's probability (or, for an anomaly detector answering -1/1, the negated score) roc_auc.
    public func evaluate(_ version: ModelVersion, dataset entry: ArtifactEntry, rule: ValidationPolicy.Evaluation)
        async throws -> (rows: Int, metrics: [String: Double])
    {
        guard entry.size <= Int64(EvaluationDataset.maxSize) else {
            throw RegistryError.invalidArgument("\(entry.path.rawValue) is \(entry.size) bytes; evaluation datasets are read up to \(EvaluationDataset.maxSize)")
        }
        let model: LoadedModel
        do {
            model = try await load(version)
        } catch let problem as ServingProblem {
            throw RegistryError.failedPrecondition(problem.message)
        }
        let signature = model.signature
        let numeric = { (value: ModelSignature.Value) in value.elementType == .float32 || value.elementType == .float64 }
        // A model fitted on named columns takes one single-value input per column: the dataset's columns by name.
        let perColumn = signature.inputs.count > 1 && signature.inputs.allSatisfy { value in
            numeric(value) && (value.shape.map { $0.count == 1 || $0.count == 2 && $0[1] == .fixed(1) } ?? false)
        }
        guard let input = signature.inputs.first, perColumn || signature.inputs.count == 1 && numeric(input) else {
            throw RegistryError.invalidArgument(
                "re-evaluation takes a model with one numeric tabular input or one numeric input per column; "
                    + "\(version.version) has \(signature.inputs.count) inputs of which some are not numbers")
        }
        var width: Int?
        if perColumn {
            width = signature.inputs.count
        } else if let shape = input.shape, shape.count == 2, case .fixed(let k) = shape[1] {
            width = k
        }
        let declared = perColumn ? signature.inputs.map(\.name) : FeatureList(version)?.features.map(\.name)
        let data = try await loader.read(entry, version: version.version)
        let features = declared.flatMap { names in width == nil || names.count == width ? names : nil }
        // Parsing is CPU work on every core: off the cooperative threads, like the model runs.
        let dataset = try await offloaded {
            try EvaluationDataset(parsing: data, name: entry.path.rawValue, label: rule.label, features: features)
        }
        guard width == nil || dataset.features.count == width else {
            throw RegistryError.invalidArgument(
                "\(entry.path.rawValue) has \(dataset.features.count) feature columns but the model takes \(width!)")
        }
        let k = dataset.features.count
        var predicted: [String] = []
        var scores: [Double] = []
        var positiveIndex: Int?
        if case .strings(let classes)? = model.outputs.classes { positiveIndex = classes.firstIndex(of: rule.positiveLabel) }
        if case .int64s(let classes)? = model.outputs.classes { positiveIndex = classes.firstIndex { String($0) == rule.positiveLabel } }
        predicted.reserveCapacity(dataset.rows)
        var start = 0
        while start < dataset.rows {
            let count = min(Self.evaluationBatch, dataset.rows - start)
            let slice = Array(dataset.values[(start * k)..<((start + count) * k)])
            var tensors: [String: Tensor] = [:]
            if perColumn {
                for (j, value) in signature.inputs.enumerated() {
                    let column = (0..<count).map { slice[$0 * k + j] }
                    let shape = value.shape?.count == 1 ? [count] : [count, 1]
                    tensors[value.name] = value.elementType == .float32
                        ? try Tensor(shape: shape, floats: column.map(Float.init)) : try Tensor(shape: shape, doubles: column)
                }
            } else {
                tensors[input.name] = input.elementType == .float32
                    ? try Tensor(shape: [count, k], floats: slice.map(Float.init))
                    : try Tensor(shape: [count, k], doubles: slice)
            }
            let (outputs, _) = try await offloaded { [tensors] in try self.predict(model, tensors, rows: count) }
            guard let name = model.outputs.label, let labels = outputs[name] else {
                throw RegistryError.invalidArgument("re-evaluation needs a model that predicts labels; \(version.version) has no label output")
            }
            switch labels.storage {
            case .int64(let values): predicted += values.map { String($0) }
            case .int32(let values): predicted += values.map { String($0) }
            case .string(let values): predicted += values
            default: throw RegistryError.invalidArgument("the model's labels are not integers or strings")
            }
            if let name = model.outputs.probabilities, let index = positiveIndex, let tensor = outputs[name] {
                let values: [Double]? = switch tensor.storage {
                case .float32(let v): v.map(Double.init)
                case .float64(let v): v
                default: nil
                }
                if let values, values.count % count == 0 {
                    let classes = values.count / count
                    scores += (0..<count).map { values[$0 * classes + index] }
                }
            } else if let name = model.outputs.score, let tensor = outputs[name] {
                switch tensor.storage {
                case .float32(let v) where v.count == count: scores += v.map(Double.init)
                case .float64(let v) where v.count == count: scores += v
                default: break
                }
            }
            start += count
        }
        // An anomaly detector answers -1 (anomaly) or 1; a dataset marks anomalies as the positive label.
        let anomaly = Set(predicted).isSubset(of: ["-1", "1"]) && !Set(dataset.labels).contains("-1")
        let truth = dataset.labels.map { $0 == rule.positiveLabel }
        let positive = predicted.map { anomaly ? $0 == "-1" : $0 == rule.positiveLabel }
        let ranking: [Double]? = scores.count == dataset.rows ? (anomaly ? scores.map { -$0 } : scores) : nil
        return (dataset.rows, BinaryMetrics.compute(truth: truth, predicted: positive, scores: ranking))
    }
}
