/// Every operator this runtime implements, by domain and name.
enum OperatorRegistry {
    static let definitions: [String: OperatorDefinition] = {
        let all =
            ElementwiseOperators.definitions + UnaryOperators.definitions + CastOperator.definitions
            + ShapeOperators.definitions + IndexingOperators.definitions + ReductionOperators.definitions
            + MatrixOperators.definitions + ScanOperator.definitions + TreeEnsembleOperators.definitions
            + LinearOperators.definitions + PreprocessingOperators.definitions + EncodingOperators.definitions
            + SVMOperators.definitions + TransformerOperators.definitions + [AttentionOperator.definition]
        return Dictionary(all.map { ("\($0.domain):\($0.name)", $0) }, uniquingKeysWith: { a, _ in a })
    }()

    /// The definition for a node, or an `unsupported_operator` error naming it.
    static func definition(domain: String, name: String, label: String) throws -> OperatorDefinition {
        guard let d = definitions["\(domain):\(name)"] else {
            throw ModelRuntimeError(
                .unsupportedOperator,
                "\(label): operator \(domain.isEmpty ? "ai.onnx" : domain):\(name) is not supported")
        }
        return d
    }

    /// Whether `domain:name` is implemented for the given opset.
    static func supports(domain: String, name: String, opset: Int) -> Bool {
        definitions["\(domain):\(name)"]?.opsets.contains(opset) ?? false
    }

    /// Sorted `domain:Op` names of all supported operators.
    static var supportedOperatorNames: [String] {
        definitions.values.map { "\($0.domain.isEmpty ? "ai.onnx" : $0.domain):\($0.name)" }.sorted()
    }
}
