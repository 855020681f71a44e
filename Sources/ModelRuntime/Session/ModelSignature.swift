/// The inputs and outputs of a model: names, element types, declared shapes and class labels.
public struct ModelSignature: Sendable, Equatable, Codable {
    /// One declared dimension.
    public enum Dimension: Sendable, Hashable, Codable, CustomStringConvertible {
        /// A fixed size.
        case fixed(Int)
        /// A named free dimension such as `N` or `batch`.
        case symbolic(String)
        /// A free dimension without a name.
        case unknown

        /// `3`, `N` or `?`.
        public var description: String {
            switch self {
            case .fixed(let n): "\(n)"
            case .symbolic(let s): s
            case .unknown: "?"
            }
        }
    }

    /// The kind of value an output carries in the ONNX file.
    public enum ValueKind: String, Sendable, Codable {
        /// A plain tensor.
        case tensor
        /// A ZipMap output (`seq(map(label, float))`), returned by this runtime as its dense `[N, classes]`
        /// probability tensor; the map keys are `ModelSignature.classLabels`.
        case sequenceOfMaps
    }

    /// One input or output.
    public struct Value: Sendable, Equatable, Codable {
        /// The tensor name.
        public var name: String
        /// The element type `run` accepts or returns.
        public var elementType: ElementType
        /// Declared dimensions (informational for outputs: converters sometimes declare them wrongly);
        /// `nil` when the file declares no shape.
        public var shape: [Dimension]?
        /// What the ONNX file declares the value to be.
        public var kind: ValueKind

        /// Creates a value description.
        public init(name: String, elementType: ElementType, shape: [Dimension]?, kind: ValueKind = .tensor) {
            self.name = name
            self.elementType = elementType
            self.shape = shape
            self.kind = kind
        }
    }

    /// Class labels of a classifier, integer or string.
    public enum ClassLabels: Sendable, Equatable, Codable {
        case int64s([Int64])
        case strings([String])

        /// Number of classes.
        public var count: Int {
            switch self {
            case .int64s(let v): v.count
            case .strings(let v): v.count
            }
        }
    }

    /// Model inputs in declaration order.
    public var inputs: [Value]
    /// Model outputs in declaration order.
    public var outputs: [Value]
    /// The classes, when the model contains a classifier that names them.
    public var classLabels: ClassLabels?

    /// Creates a signature.
    public init(inputs: [Value], outputs: [Value], classLabels: ClassLabels?) {
        self.inputs = inputs
        self.outputs = outputs
        self.classLabels = classLabels
    }
}
