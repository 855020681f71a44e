/// A loaded model that turns named input tensors into named output tensors.
///
/// Implementations are immutable after load and safe to call from many tasks at once.
public protocol InferenceSession: Sendable {
    /// Names, types and shapes of the inputs and outputs, and class labels where the model has them.
    var signature: ModelSignature { get }
    /// Facts from the model file (producer, opsets, operator counts).
    var metadata: ModelMetadata { get }
    /// Runs the model.
    /// - Parameter inputs: one tensor per signature input, by name.
    /// - Returns: one tensor per signature output, by name.
    /// - Throws: `ModelRuntimeError` with code `invalid_input` when inputs do not match the signature.
    func run(_ inputs: [String: Tensor]) throws -> [String: Tensor]
}
