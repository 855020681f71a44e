import Foundation

/// Elementwise unary operators: Neg, Abs, Log, Exp, Sqrt, Relu, Sigmoid, Tanh, Erf, Floor, Ceil, Reciprocal,
/// Not, IsNaN, plus Clip.
enum UnaryOperators {
    static var definitions: [OperatorDefinition] {
        var defs: [OperatorDefinition] = []
        for name in ["Neg", "Abs", "Relu"] {
            defs.append(
                OperatorDefinition(domain: "", name: name, opsets: 1...22) { ctx in
                    try ctx.expectInputs(1...1)
                    let t = try ctx.expect(0, TypeDispatch.numeric)
                    ctx.attributes.ignore("consumed_inputs")
                    let label = ctx.label
                    let kernel = try TypeDispatch.numeric(t, label) { numericUnary($0, name, label: label) }
                    return BuiltOperator(kernel: kernel, outputTypes: [t], fusion: .pointwise)
                })
        }
        for name in ["Log", "Exp", "Sqrt", "Sigmoid", "Tanh", "Erf", "Floor", "Ceil", "Reciprocal"] {
            defs.append(
                OperatorDefinition(domain: "", name: name, opsets: 1...22) { ctx in
                    try ctx.expectInputs(1...1)
                    let t = try ctx.expect(0, TypeDispatch.floating)
                    ctx.attributes.ignore("consumed_inputs")
                    let label = ctx.label
                    let kernel = try TypeDispatch.floating(t, label) { floatUnary($0, name, label: label) }
                    return BuiltOperator(kernel: kernel, outputTypes: [t], fusion: .pointwise)
                })
        }
        defs.append(
            OperatorDefinition(domain: "", name: "Not", opsets: 1...22) { ctx in
                try ctx.expectInputs(1...1)
                try ctx.expect(0, [.bool])
                return BuiltOperator(kernel: MapKernel<Bool, Bool>(label: ctx.label) { !$0 }, outputTypes: [.bool])
            })
        defs.append(
            OperatorDefinition(domain: "", name: "IsNaN", opsets: 9...22) { ctx in
                try ctx.expectInputs(1...1)
                let t = try ctx.expect(0, TypeDispatch.floating)
                let label = ctx.label
                let kernel: any Kernel =
                    t == .float32
                    ? MapKernel<Float, Bool>(label: label) { $0.isNaN } : MapKernel<Double, Bool>(label: label) { $0.isNaN }
                return BuiltOperator(kernel: kernel, outputTypes: [.bool])
            })
        defs.append(
            OperatorDefinition(domain: "", name: "Clip", opsets: 1...22) { ctx in
                try ctx.expectInputs(1...3)
                let t = try ctx.expect(0, TypeDispatch.numeric)
                if ctx.opset < 11 {
                    let lo = try ctx.attributes.float("min", default: -.greatestFiniteMagnitude)
                    let hi = try ctx.attributes.float("max", default: .greatestFiniteMagnitude)
                    let label = ctx.label
                    let kernel = try TypeDispatch.numeric(t, label) {
                        clip($0, fixed: (Double(lo), Double(hi)), label: label)
                    }
                    return BuiltOperator(kernel: kernel, outputTypes: [t], fusion: .pointwise)
                }
                for i in 1..<ctx.inputCount where ctx.optionalType(i) != nil { try ctx.expect(i, [t]) }
                let label = ctx.label
                let kernel = try TypeDispatch.numeric(t, label) { clip($0, fixed: nil, label: label) }
                return BuiltOperator(kernel: kernel, outputTypes: [t], fusion: .pointwise)
            })
        return defs
    }

    static let floatOps: [String: FloatKernels.Unary] = [
        "Neg": .neg, "Abs": .abs, "Relu": .relu, "Log": .log, "Exp": .exp, "Sqrt": .sqrt, "Sigmoid": .sigmoid,
        "Tanh": .tanh, "Erf": .erf, "Floor": .floor, "Ceil": .ceil, "Reciprocal": .reciprocal,
    ]

    static func numericUnary<T: NumericElement>(_: T.Type, _ name: String, label: String) -> any Kernel {
        if T.self == Float.self, let op = floatOps[name] { return FloatUnaryKernel(op: op, label: label) }
        switch name {
        case "Neg": return UnaryKernel<NegFunction<T>>(label: label)
        case "Abs": return UnaryKernel<AbsFunction<T>>(label: label)
        default: return UnaryKernel<ReluFunction<T>>(label: label)
        }
    }

    static func floatUnary<T: FloatElement>(_: T.Type, _ name: String, label: String) -> any Kernel {
        if T.self == Float.self, let op = floatOps[name] { return FloatUnaryKernel(op: op, label: label) }
        switch name {
        case "Log": return UnaryKernel<LogFunction<T>>(label: label)
        case "Exp": return UnaryKernel<ExpFunction<T>>(label: label)
        case "Sqrt": return UnaryKernel<SqrtFunction<T>>(label: label)
        case "Tanh": return UnaryKernel<TanhFunction<T>>(label: label)
        case "Erf": return UnaryKernel<ErfFunction<T>>(label: label)
        case "Floor": return UnaryKernel<FloorFunction<T>>(label: label)
        case "Ceil": return UnaryKernel<CeilFunction<T>>(label: label)
        case "Reciprocal": return UnaryKernel<ReciprocalFunction<T>>(label: label)
        default: return UnaryKernel<SigmoidFunction<T>>(label: label)
        }
    }

    static func clip<T: NumericElement>(_: T.Type, fixed: (Double, Double)?, label: String) -> any Kernel {
        ClosureKernel { inputs in
            var x = try inputs.takeRequired(0, label)
            var lo = T.lowest
            var hi = T.highest
            if let fixed {
                lo = T(fromDouble: fixed.0)
                hi = T(fromDouble: fixed.1)
            } else {
                if inputs.count > 1, let t = inputs[1] {
                    guard t.count == 1, let v = t.elements(T.self)?.first else {
                        throw ModelRuntimeError.invalidInput("\(label): min must be a scalar")
                    }
                    lo = v
                }
                if inputs.count > 2, let t = inputs[2] {
                    guard t.count == 1, let v = t.elements(T.self)?.first else {
                        throw ModelRuntimeError.invalidInput("\(label): max must be a scalar")
                    }
                    hi = v
                }
            }
            let (l, h) = (lo, hi)
            return [try mapInPlace(&x, T.self, label: label) { v in v.isNaNValue ? v : Swift.min(Swift.max(v, l), h) }]
        }
    }
}

/// Applies a function to every element, reusing the buffer when input and output types match.
struct MapKernel<In: TensorElement, Out: TensorElement>: Kernel {
    let label: String
    let f: @Sendable (In) -> Out

    init(label: String, _ f: @escaping @Sendable (In) -> Out) {
        self.label = label
        self.f = f
    }

    func run(_ inputs: inout [Tensor?]) throws -> [Tensor] {
        let x = try inputs.takeRequired(0, label)
        guard let values = x.elements(In.self) else {
            throw ModelRuntimeError.invalidInput("\(label): expected \(In.elementType.onnxName) input")
        }
        return [Tensor.make(x.shape, values.map(f))]
    }
}

/// Maps elements in place (no allocation when the caller holds the only reference).
@inline(__always)
func mapInPlace<T: TensorElement>(_ x: inout Tensor, _: T.Type, label: String, _ f: (T) -> T) throws -> Tensor {
    let shape = x.shape
    guard var values = x.takeElements(T.self) else {
        throw ModelRuntimeError.invalidInput("\(label): expected \(T.elementType.onnxName) input")
    }
    values.withUnsafeMutableBufferPointer { p in
        for i in 0..<p.count { p[i] = f(p[i]) }
    }
    return Tensor.make(shape, values)
}

/// A unary function as a type, so `UnaryKernel` specialises and inlines it into the loop.
protocol UnaryFunction {
    associatedtype Element: TensorElement
    static func apply(_ x: Element) -> Element
}

/// Applies a `UnaryFunction` in place.
struct UnaryKernel<F: UnaryFunction>: Kernel {
    let label: String
    func run(_ inputs: inout [Tensor?]) throws -> [Tensor] {
        var x = try inputs.takeRequired(0, label)
        return [try mapInPlace(&x, F.Element.self, label: label) { F.apply($0) }]
    }
}

enum NegFunction<T: NumericElement>: UnaryFunction { static func apply(_ x: T) -> T { T.negate(x) } }
enum AbsFunction<T: NumericElement>: UnaryFunction { static func apply(_ x: T) -> T { T.absolute(x) } }
enum ReluFunction<T: NumericElement>: UnaryFunction {
    static func apply(_ x: T) -> T { x < T.zero ? T.zero : x }
}
enum LogFunction<T: FloatElement>: UnaryFunction { static func apply(_ x: T) -> T { T.logarithm(x) } }
enum ExpFunction<T: FloatElement>: UnaryFunction { static func apply(_ x: T) -> T { T.exponential(x) } }
enum SqrtFunction<T: FloatElement>: UnaryFunction { static func apply(_ x: T) -> T { x.squareRoot() } }
enum TanhFunction<T: FloatElement>: UnaryFunction { static func apply(_ x: T) -> T { T.hyperbolicTangent(x) } }
enum ErfFunction<T: FloatElement>: UnaryFunction { static func apply(_ x: T) -> T { T.errorFunction(x) } }
enum FloorFunction<T: FloatElement>: UnaryFunction { static func apply(_ x: T) -> T { x.rounded(.down) } }
enum CeilFunction<T: FloatElement>: UnaryFunction { static func apply(_ x: T) -> T { x.rounded(.up) } }
enum ReciprocalFunction<T: FloatElement>: UnaryFunction { static func apply(_ x: T) -> T { 1 / x } }
enum SigmoidFunction<T: FloatElement>: UnaryFunction {
    static func apply(_ x: T) -> T { 1 / (1 + T.exponential(-x)) }
}
