/// The one error type of `ModelRuntime`: a stable machine-readable code plus a message that says what was wrong.
///
/// Load-time errors name the node (`node 'name' (domain:Op)`) and the attribute or input at fault, so a registry
/// can refuse a model with a message its owner can act on. Messages never contain file paths.
public struct ModelRuntimeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable error code. New codes may be added; existing ones never change meaning.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The code as written in logs and API responses, e.g. `unsupported_operator`.
        public let rawValue: String
        /// Creates a code from its raw string.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// The code as a string.
        public var description: String { rawValue }

        /// The bytes are not a readable ONNX model (truncated, corrupt, cyclic, dangling references...).
        public static let invalidModel = Code(rawValue: "invalid_model")
        /// A pickled model (joblib) names a class or function outside the allow-list: loading it with Python would
        /// run that code. Refused, and nothing of the file ran.
        public static let unsafeModel = Code(rawValue: "unsafe_model")
        /// The model uses an operator (or domain) this runtime does not implement.
        public static let unsupportedOperator = Code(rawValue: "unsupported_operator")
        /// An operator carries an attribute, or an attribute value, this runtime does not implement.
        public static let unsupportedAttribute = Code(rawValue: "unsupported_attribute")
        /// A tensor or value type this runtime does not implement (float16, sparse tensors, sequences...).
        public static let unsupportedType = Code(rawValue: "unsupported_type")
        /// An IR version or operator-set version outside the supported range.
        public static let unsupportedVersion = Code(rawValue: "unsupported_version")
        /// The model keeps tensors in external files, which are refused.
        public static let externalData = Code(rawValue: "external_data")
        /// The inputs given to `run` do not match the model signature (name, type, shape, values).
        public static let invalidInput = Code(rawValue: "invalid_input")
        /// A tensor (declared in the model, sent in a request, or computed by a node) would be larger than
        /// `Tensor.maxElements`: refused before anything is allocated.
        public static let tooLarge = Code(rawValue: "too_large")
        /// Inputs matched the signature but a node failed on them (a shape the graph cannot take, an index out of
        /// range): the model and this input do not go together.
        public static let executionFailed = Code(rawValue: "execution_failed")
    }

    /// What kind of failure this is.
    public let code: Code
    /// A one-line human-readable explanation.
    public let message: String

    /// Creates an error from a code and a message.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`.
    public var description: String { "\(code.rawValue): \(message)" }

    static func invalidModel(_ message: String) -> Self { .init(.invalidModel, message) }
    static func invalidInput(_ message: String) -> Self { .init(.invalidInput, message) }
}
