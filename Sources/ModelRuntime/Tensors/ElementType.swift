/// The element types a `Tensor` can hold.
public enum ElementType: String, Sendable, Hashable, CaseIterable, Codable {
    case float32, float64, int64, int32, bool, string

    /// The ONNX `TensorProto.DataType` code, e.g. 1 for float32.
    public var onnxCode: Int {
        switch self {
        case .float32: 1
        case .int32: 6
        case .int64: 7
        case .string: 8
        case .bool: 9
        case .float64: 11
        }
    }

    /// Maps an ONNX `TensorProto.DataType` code to an element type; `nil` for types this runtime lacks.
    public init?(onnxCode: Int) {
        switch onnxCode {
        case 1: self = .float32
        case 6: self = .int32
        case 7: self = .int64
        case 8: self = .string
        case 9: self = .bool
        case 11: self = .float64
        default: return nil
        }
    }

    /// The Open Inference Protocol v2 datatype name: FP32, FP64, INT64, INT32, BOOL, BYTES.
    public var inferenceProtocolName: String {
        switch self {
        case .float32: "FP32"
        case .float64: "FP64"
        case .int64: "INT64"
        case .int32: "INT32"
        case .bool: "BOOL"
        case .string: "BYTES"
        }
    }

    /// Parses an Open Inference Protocol v2 datatype name.
    public init?(inferenceProtocolName name: String) {
        guard let match = Self.allCases.first(where: { $0.inferenceProtocolName == name.uppercased() }) else {
            return nil
        }
        self = match
    }

    /// The ONNX spelling, e.g. `tensor(float)`, used in messages.
    public var onnxName: String {
        switch self {
        case .float32: "float"
        case .float64: "double"
        case .int64: "int64"
        case .int32: "int32"
        case .bool: "bool"
        case .string: "string"
        }
    }

    /// Human-readable name for an ONNX data type code, including ones this runtime does not support.
    static func describe(onnxCode: Int) -> String {
        if let type = ElementType(onnxCode: onnxCode) { return type.onnxName }
        let names = [
            0: "undefined", 2: "uint8", 3: "int8", 4: "uint16", 5: "int16", 10: "float16", 12: "uint32",
            13: "uint64", 14: "complex64", 15: "complex128", 16: "bfloat16",
        ]
        return names[onnxCode] ?? "type code \(onnxCode)"
    }

    var isNumeric: Bool { self != .string && self != .bool }
    var isFloatingPoint: Bool { self == .float32 || self == .float64 }
}
