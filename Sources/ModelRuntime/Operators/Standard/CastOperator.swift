import Foundation

/// Cast (and the shared element conversion used by other kernels).
enum CastOperator {
    static var definitions: [OperatorDefinition] {
        [
            OperatorDefinition(domain: "", name: "Cast", opsets: 1...22) { ctx in
                try ctx.expectInputs(1...1)
                _ = try ctx.type(0)
                let code = try AttributeReader.required(try ctx.attributes.int("to"), "to", ctx.label)
                ctx.attributes.ignore("saturate", "round_mode")
                guard let target = ElementType(onnxCode: code) else {
                    throw ModelRuntimeError(
                        .unsupportedType, "\(ctx.label): cast to \(ElementType.describe(onnxCode: code))")
                }
                let label = ctx.label
                return BuiltOperator(
                    kernel: ClosureKernel { inputs in
                        [try convert(try inputs.takeRequired(0, label), to: target)]
                    }, outputTypes: [target], fusion: .pointwise)
            },
            OperatorDefinition(domain: "", name: "CastLike", opsets: 15...22) { ctx in
                try ctx.expectInputs(2...2)
                let target = try ctx.type(1)
                ctx.attributes.ignore("saturate", "round_mode")
                let label = ctx.label
                return BuiltOperator(
                    kernel: ClosureKernel { inputs in [try convert(try inputs.takeRequired(0, label), to: target)] },
                    outputTypes: [target])
            },
        ]
    }

    /// Converts a tensor to another element type with ONNX Cast semantics (truncation toward zero for
    /// float-to-integer, NaN and overflow to the minimum integer as on x86, non-zero to `true`).
    static func convert(_ tensor: Tensor, to target: ElementType) throws -> Tensor {
        if tensor.elementType == target { return tensor }
        let shape = tensor.shape
        switch (tensor.storage, target) {
        case (.string(let v), _):
            return try fromStrings(v, shape: shape, to: target)
        case (_, .string):
            return Tensor(unchecked: shape, .string(describe(tensor.storage)))
        case (.bool(let v), _):
            return TypeDispatch.any(target) { fromBools(v, shape, $0) }
        case (_, .bool):
            return Tensor(unchecked: shape, .bool(doubles(tensor.storage).map { $0 != 0 }))
        case (.int64(let v), .int32):
            return Tensor(unchecked: shape, .int32(v.map { Int32(truncatingIfNeeded: $0) }))
        case (.float32(let v), .float64):
            return Tensor(unchecked: shape, .float64(v.map { Double($0) }))
        case (.float64(let v), .float32):
            return Tensor(unchecked: shape, .float32(v.map { Float($0) }))
        case (.int64(let v), .float32):
            return Tensor(unchecked: shape, .float32(v.map { Float($0) }))
        case (.float32(let v), .int64):
            return Tensor(unchecked: shape, .int64(v.map { Int64.saturating(Double($0)) }))
        default:
            let values = doubles(tensor.storage)
            switch target {
            case .float32: return Tensor(unchecked: shape, .float32(values.map { Float($0) }))
            case .float64: return Tensor(unchecked: shape, .float64(values))
            case .int64: return Tensor(unchecked: shape, .int64(values.map(Int64.saturating)))
            case .int32: return Tensor(unchecked: shape, .int32(values.map { Int32(fromDouble: $0) }))
            case .bool, .string: return tensor
            }
        }
    }

    static func doubles(_ storage: Tensor.Storage) -> [Double] {
        switch storage {
        case .float32(let v): v.map { Double($0) }
        case .float64(let v): v
        case .int64(let v): v.map { Double($0) }
        case .int32(let v): v.map { Double($0) }
        case .bool(let v): v.map { $0 ? 1 : 0 }
        case .string(let v): v.map { Double($0) ?? .nan }
        }
    }

    private static func fromBools<T: TensorElement>(_ v: [Bool], _ shape: [Int], _: T.Type) -> Tensor {
        if let n = T.self as? any NumericElement.Type {
            return numericFromBools(v, shape, n)
        }
        return Tensor(unchecked: shape, .string(v.map { $0 ? "1" : "0" }))
    }

    private static func numericFromBools<T: NumericElement>(_ v: [Bool], _ shape: [Int], _: T.Type) -> Tensor {
        Tensor.make(shape, v.map { $0 ? T(fromDouble: 1) : T.zero })
    }

    private static func fromStrings(_ v: [String], shape: [Int], to target: ElementType) throws -> Tensor {
        if target == .bool {
            return Tensor(unchecked: shape, .bool(v.map { $0 != "0" && !$0.isEmpty && $0.lowercased() != "false" }))
        }
        let values = v.map { s -> Double in
            let t = s.trimmingCharacters(in: .whitespaces).lowercased()
            switch t {
            case "nan", "-nan": return .nan
            case "inf", "infinity", "+inf": return .infinity
            case "-inf", "-infinity": return -.infinity
            default: return Double(t) ?? .nan
            }
        }
        return try convert(Tensor(unchecked: shape, .float64(values)), to: target)
    }

    private static func describe(_ storage: Tensor.Storage) -> [String] {
        switch storage {
        case .float32(let v): v.map { formatFloat(Double($0), digits: 9) }
        case .float64(let v): v.map { formatFloat($0, digits: 17) }
        case .int64(let v): v.map(String.init)
        case .int32(let v): v.map(String.init)
        case .bool(let v): v.map { $0 ? "1" : "0" }
        case .string(let v): v
        }
    }

    private static func formatFloat(_ x: Double, digits: Int) -> String {
        if x.isNaN { return "NaN" }
        if x.isInfinite { return x > 0 ? "INF" : "-INF" }
        return String(format: "%.\(digits)g", x)
    }
}
