public import ModelRuntime

/// How a model's outputs map onto what a prediction reports: the predicted label, class probabilities (what
/// scikit-learn's `predict_proba` returns), a score (a regressor's value, an anomaly score), and anything else by
/// name.
public struct OutputLayout: Sendable, Equatable {
    /// The output holding the predicted label per row.
    public var label: String?
    /// The output holding one probability per class per row.
    public var probabilities: String?
    /// The output reported as the score per row.
    public var score: String?
    /// Outputs reported by name only.
    public var others: [String]
    /// Class labels, when the model names them.
    public var classes: ModelSignature.ClassLabels?

    public init(_ signature: ModelSignature) {
        classes = signature.classLabels
        var rest = signature.outputs
        func take(_ match: (ModelSignature.Value) -> Bool) -> String? {
            guard let index = rest.firstIndex(where: match) else { return nil }
            return rest.remove(at: index).name
        }
        let isFloat = { (v: ModelSignature.Value) in v.elementType == .float32 || v.elementType == .float64 }
        let isLabelType = { (v: ModelSignature.Value) in
            v.elementType == .int64 || v.elementType == .int32 || v.elementType == .string
        }
        label = take { isLabelType($0) && (signature.classLabels != nil || $0.name.lowercased().contains("label")) }
        if let classes = signature.classLabels {
            probabilities = take { value in
                guard isFloat(value) else { return false }
                if value.kind == .sequenceOfMaps || value.name.lowercased().contains("prob") { return true }
                if case .fixed(let width) = value.shape?.last { return width == classes.count }
                return false
            }
        }
        score = take(isFloat)
        others = rest.map(\.name)
    }
}
