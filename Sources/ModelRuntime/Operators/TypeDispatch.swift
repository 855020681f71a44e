/// Chooses a generic kernel specialisation from a load-time element type. The closures receive the element
/// type as an existential metatype, which Swift opens when it is passed on to a generic function.
enum TypeDispatch {
    static let numeric: Set<ElementType> = [.float32, .float64, .int64, .int32]
    static let floating: Set<ElementType> = [.float32, .float64]
    static let all: Set<ElementType> = Set(ElementType.allCases)

    static func numeric<R>(_ type: ElementType, _ label: String, _ body: (any NumericElement.Type) -> R) throws -> R {
        switch type {
        case .float32: return body(Float.self)
        case .float64: return body(Double.self)
        case .int64: return body(Int64.self)
        case .int32: return body(Int32.self)
        default:
            throw ModelRuntimeError(.unsupportedType, "\(label): type \(type.onnxName) is not supported here")
        }
    }

    static func floating<R>(_ type: ElementType, _ label: String, _ body: (any FloatElement.Type) -> R) throws -> R {
        switch type {
        case .float32: return body(Float.self)
        case .float64: return body(Double.self)
        default:
            throw ModelRuntimeError(.unsupportedType, "\(label): type \(type.onnxName) is not supported here")
        }
    }

    static func any<R>(_ type: ElementType, _ body: (any TensorElement.Type) -> R) -> R {
        switch type {
        case .float32: body(Float.self)
        case .float64: body(Double.self)
        case .int64: body(Int64.self)
        case .int32: body(Int32.self)
        case .bool: body(Bool.self)
        case .string: body(String.self)
        }
    }
}
