public import ModelRuntime
public import RegistryCore

/// A decision threshold the training service chose, applied when the version serves. Read from the version's params
/// (an imported folder's `anomaly_threshold` or `confidence_threshold`).
public enum DecisionThreshold: Sendable, Equatable {
    /// A row is an anomaly (label -1) when its score is below this, else normal (1): scikit-learn's
    /// `decision_function` convention, with the service's cut instead of the model's built-in 0.
    case anomaly(Double)
    /// A row whose highest class probability is below this is flagged `low_confidence`.
    case confidence(Double)

    public init?(params: [String: JSONValue]) {
        if case .number(let value)? = params["anomaly_threshold"], value.isFinite {
            self = .anomaly(value)
        } else if case .number(let value)? = params["confidence_threshold"], value.isFinite {
            self = .confidence(value)
        } else {
            return nil
        }
    }

    public var value: Double {
        switch self {
        case .anomaly(let value), .confidence(let value): value
        }
    }

    /// Adds what the threshold decides to a prediction body: anomaly labels from the scores, or low-confidence flags
    /// from the probabilities. Nothing changes when the model has no such output.
    func apply(to body: inout [String: Any], outputs: [String: Tensor], layout: OutputLayout, rows: Int) {
        func doubles(_ name: String?) -> [Double]? {
            guard let name, let tensor = outputs[name] else { return nil }
            switch tensor.storage {
            case .float32(let values): return values.map(Double.init)
            case .float64(let values): return values
            default: return nil
            }
        }
        switch self {
        case .anomaly(let threshold):
            guard let scores = doubles(layout.score), scores.count == rows else { return }
            body["labels"] = scores.map { $0 < threshold ? -1 : 1 }
            body["threshold"] = threshold
        case .confidence(let threshold):
            guard let probabilities = doubles(layout.probabilities), rows > 0, probabilities.count % rows == 0 else { return }
            let width = probabilities.count / rows
            body["low_confidence"] = (0..<rows).map { row in
                (probabilities[(row * width)..<((row + 1) * width)].max() ?? 0) < threshold
            }
            body["threshold"] = threshold
        }
    }
}
