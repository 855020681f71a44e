/// Reads element types and shapes from `ValueInfoProto`s.
enum ValueInfoReader {
    /// The tensor element type, or an error naming the value when it is not a supported tensor.
    static func elementType(_ info: Onnx_ValueInfoProto, what: String) throws -> ElementType {
        guard info.hasType else { throw ModelRuntimeError.invalidModel("\(what) has no type") }
        switch info.type.value {
        case .tensorType(let t):
            guard let type = ElementType(onnxCode: Int(t.elemType)) else {
                throw ModelRuntimeError(
                    .unsupportedType, "\(what) has element type \(ElementType.describe(onnxCode: Int(t.elemType)))")
            }
            return type
        case .sequenceType: throw ModelRuntimeError(.unsupportedType, "\(what) is a sequence; only tensors are supported")
        case .mapType: throw ModelRuntimeError(.unsupportedType, "\(what) is a map; only tensors are supported")
        case .optionalType: throw ModelRuntimeError(.unsupportedType, "\(what) is optional; only tensors are supported")
        case .sparseTensorType: throw ModelRuntimeError(.unsupportedType, "\(what) is a sparse tensor")
        case nil: throw ModelRuntimeError(.unsupportedType, "\(what) has an unknown value type")
        }
    }

    /// Declared dimensions, or `nil` when the shape is not declared.
    static func shape(_ info: Onnx_ValueInfoProto) -> [ModelSignature.Dimension]? {
        guard case .tensorType(let t)? = info.type.value, t.hasShape else { return nil }
        return t.shape.dim.map { dim in
            switch dim.value {
            case .dimValue(let v): .fixed(Int(v))
            case .dimParam(let p): .symbolic(p)
            case nil: .unknown
            }
        }
    }

    /// Describes any value type, e.g. `tensor(float)` or `seq(map(int64,tensor(float)))`.
    static func describe(_ type: Onnx_TypeProto) -> String {
        switch type.value {
        case .tensorType(let t): "tensor(\(ElementType.describe(onnxCode: Int(t.elemType))))"
        case .sequenceType(let s): "seq(\(describe(s.elemType)))"
        case .mapType(let m): "map(\(ElementType.describe(onnxCode: Int(m.keyType))),\(describe(m.valueType)))"
        case .optionalType(let o): "optional(\(describe(o.elemType)))"
        case .sparseTensorType(let s): "sparse_tensor(\(ElementType.describe(onnxCode: Int(s.elemType))))"
        case nil: "unknown"
        }
    }
}
