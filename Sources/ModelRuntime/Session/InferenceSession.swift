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
    /// See the extension's default.
    func exampleInputs(batch: Int, seed: UInt64?) throws -> [String: Tensor]?
}

extension InferenceSession {
    /// Inputs this model accepts, for warm-ups and benchmarks, when a signature alone cannot build them (an encoder
    /// that refuses unknown categories needs known ones); `nil` lets the caller build them from the signature.
    public func exampleInputs(batch: Int, seed: UInt64?) throws -> [String: Tensor]? { nil }
}
