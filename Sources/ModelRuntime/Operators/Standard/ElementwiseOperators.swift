import Foundation

/// Broadcasting arithmetic and comparison operators: Add, Sub, Mul, Div, Pow, Max, Min, Sum, Mean, Equal,
/// Greater, Less, GreaterOrEqual, LessOrEqual, And, Or, Xor, Where.
enum ElementwiseOperators {
    enum Arithmetic: Sendable { case add, sub, mul, div, max, min }

    static var definitions: [OperatorDefinition] {
        var defs: [OperatorDefinition] = []
        for (name, op) in [("Add", Arithmetic.add), ("Sub", .sub), ("Mul", .mul), ("Div", .div)] {
            defs.append(
                OperatorDefinition(domain: "", name: name, opsets: 1...22) { ctx in
                    try ctx.expectInputs(2...2)
                    let t = try ctx.expect(0, TypeDispatch.numeric)
                    try ctx.expect(1, [t])
                    ctx.attributes.ignore("broadcast", "axis", "consumed_inputs")
                    return BuiltOperator(kernel: try arithmetic(t, op, ctx.label), outputTypes: [t], fusion: .pointwise)
                })
        }
        for (name, op) in [("Max", Arithmetic.max), ("Min", .min), ("Sum", .add), ("Mean", .add)] {
            defs.append(
                OperatorDefinition(domain: "", name: name, opsets: 1...22) { ctx in
                    guard ctx.inputCount >= 1 else { throw ctx.invalid("needs at least one input") }
                    let t = try ctx.expect(0, TypeDispatch.numeric)
                    for i in 0..<ctx.inputCount { try ctx.expect(i, [t]) }
                    ctx.attributes.ignore("consumed_inputs")
                    let kernel = try TypeDispatch.numeric(t, ctx.label) {
                        variadic($0, op, mean: name == "Mean", label: ctx.label)
                    }
                    return BuiltOperator(
                        kernel: kernel, outputTypes: [t], fusion: name == "Sum" ? .sum : (ctx.inputCount <= 2 ? .pointwise : nil))
                })
        }
        defs.append(
            OperatorDefinition(domain: "", name: "Pow", opsets: 1...22) { ctx in
                try ctx.expectInputs(2...2)
                let t = try ctx.expect(0, TypeDispatch.numeric)
                let e = try ctx.expect(1, TypeDispatch.numeric)
                let kernel = try TypeDispatch.numeric(t, ctx.label) { power($0, exponent: e, label: ctx.label) }
                return BuiltOperator(kernel: kernel, outputTypes: [t], fusion: .pointwise)
            })
        for name in ["Equal", "Greater", "Less", "GreaterOrEqual", "LessOrEqual"] {
            defs.append(
                OperatorDefinition(domain: "", name: name, opsets: 1...22) { ctx in
                    try ctx.expectInputs(2...2)
                    let allowed: Set<ElementType> = name == "Equal" ? TypeDispatch.all : TypeDispatch.numeric
                    let t = try ctx.expect(0, allowed)
                    try ctx.expect(1, [t])
                    ctx.attributes.ignore("broadcast", "axis")
                    let label = ctx.label
                    let kernel = TypeDispatch.any(t) { comparison($0, name, label: label) }
                    return BuiltOperator(kernel: kernel, outputTypes: [.bool], fusion: .pointwise)
                })
        }
        for name in ["And", "Or", "Xor"] {
            defs.append(
                OperatorDefinition(domain: "", name: name, opsets: 1...22) { ctx in
                    try ctx.expectInputs(2...2)
                    try ctx.expect(0, [.bool])
                    try ctx.expect(1, [.bool])
                    let label = ctx.label
                    let op: @Sendable (Bool, Bool) -> Bool
                    switch name {
                    case "And": op = { $0 && $1 }
                    case "Or": op = { $0 || $1 }
                    default: op = { $0 != $1 }
                    }
                    return BuiltOperator(
                        kernel: ClosureKernel { inputs in
                            var a = try inputs.takeRequired(0, label)
                            return [try broadcastInPlace(&a, try inputs.required(1, label), label: label, op)]
                        }, outputTypes: [.bool], fusion: .pointwise)
                })
        }
        defs.append(
            OperatorDefinition(domain: "", name: "Where", opsets: 9...22) { ctx in
                try ctx.expectInputs(3...3)
                try ctx.expect(0, [.bool])
                let t = try ctx.type(1)
                try ctx.expect(2, [t])
                let label = ctx.label
                return BuiltOperator(kernel: TypeDispatch.any(t) { whereKernel($0, label: label) }, outputTypes: [t])
            })
        return defs
    }

    static func arithmetic(_ type: ElementType, _ op: Arithmetic, _ label: String) throws -> any Kernel {
        try TypeDispatch.numeric(type, label) { makeArithmetic($0, op, label) }
    }

    static func makeArithmetic<T: NumericElement>(_: T.Type, _ op: Arithmetic, _ label: String) -> any Kernel {
        ArithmeticKernel(type: T.self, op: op, label: label)
    }

    static func variadic<T: NumericElement>(_: T.Type, _ op: Arithmetic, mean: Bool, label: String) -> any Kernel {
        let pairwise = ArithmeticKernel(type: T.self, op: op, label: label)
        return ClosureKernel { inputs in
            var acc = try inputs.takeRequired(0, label)
            for i in 1..<max(inputs.count, 1) {
                acc = try pairwise.apply(&acc, try inputs.required(i, label))
            }
            if mean, inputs.count > 1 {
                let n = T(fromDouble: Double(inputs.count))
                acc = try broadcastInPlace(&acc, Tensor.make([], [n]), label: label, T.divide)
            }
            return [acc]
        }
    }

    static func power<T: NumericElement>(_: T.Type, exponent: ElementType, label: String) -> any Kernel {
        ClosureKernel { inputs in
            var base = try inputs.takeRequired(0, label)
            var exp = try inputs.required(1, label)
            if exp.elementType != T.elementType {
                exp = try CastOperator.convert(exp, to: T.elementType)
            }
            if T.self == Float.self, exp.count == 1, let e = exp.floats?.first, e == 2 || e == 0.5 || e == 1 {
                // Exact fast paths ORT takes too (square, sqrt).
                return [
                    try broadcastInPlace(&base, exp, label: label) { (x: T, _: T) in
                        let f = x.asDouble
                        return T(fromDouble: e == 2 ? f * f : e == 1 ? f : f.squareRoot())
                    }
                ]
            }
            return [try broadcastInPlace(&base, exp, label: label, T.power)]
        }
    }

    static func comparison<T: TensorElement>(_: T.Type, _ name: String, label: String) -> any Kernel {
        if let numeric = T.self as? any NumericElement.Type {
            return numericComparison(numeric, name, label: label)
        }
        return ClosureKernel { inputs in
            let a = try inputs.required(0, label)
            let b = try inputs.required(1, label)
            return [try broadcastBinary(a, b, label: label) { (x: T, y: T) in x == y }]
        }
    }

    static func numericComparison<T: NumericElement>(_: T.Type, _ name: String, label: String) -> any Kernel {
        if T.self == Float.self {
            return ClosureKernel { inputs in
                [try FloatKernels.compare(name, try inputs.required(0, label), try inputs.required(1, label), label)]
            }
        }
        let op: @Sendable (T, T) -> Bool
        switch name {
        case "Greater": op = { $0 > $1 }
        case "Less": op = { $0 < $1 }
        case "GreaterOrEqual": op = { $0 >= $1 }
        case "LessOrEqual": op = { $0 <= $1 }
        default: op = { $0 == $1 }
        }
        return ClosureKernel { inputs in
            [try broadcastBinary(try inputs.required(0, label), try inputs.required(1, label), label: label, op)]
        }
    }

    static func whereKernel<T: TensorElement>(_: T.Type, label: String) -> any Kernel {
        ClosureKernel { inputs in
            let c = try inputs.required(0, label)
            let x = try inputs.required(1, label)
            let y = try inputs.required(2, label)
            guard let s1 = Broadcast.shape(c.shape, x.shape), let out = Broadcast.shape(s1, y.shape),
                let cv = c.bools, let xv = x.elements(T.self), let yv = y.elements(T.self)
            else {
                throw ModelRuntimeError.invalidInput(
                    "\(label): shapes \(c.shape), \(x.shape), \(y.shape) cannot be broadcast together")
            }
            let total = try Tensor.count(of: out, label)
            var result = [T](repeating: T.zero, count: total)
            if cv.count == total && xv.count == total && yv.count == total {
                for i in 0..<total { result[i] = cv[i] ? xv[i] : yv[i] }
            } else {
                let strides = [c.shape, x.shape, y.shape].map { Broadcast.strides(of: $0, in: out) }
                Broadcast.forEach(out: out, inputStrides: strides) { i, o in
                    result[i] = cv[o[0]] ? xv[o[1]] : yv[o[2]]
                }
            }
            return [Tensor.make(out, result)]
        }
    }
}

/// Add, Sub, Mul, Div, Max and Min on one numeric type, in place when the runtime hands over the buffer.
struct ArithmeticKernel<T: NumericElement>: Kernel {
    let op: ElementwiseOperators.Arithmetic
    let label: String

    init(type _: T.Type, op: ElementwiseOperators.Arithmetic, label: String) {
        self.op = op
        self.label = label
    }

    func run(_ inputs: inout [Tensor?]) throws -> [Tensor] {
        var a = try inputs.takeRequired(0, label)
        return [try apply(&a, try inputs.required(1, label))]
    }

    /// Kernels run through `any Kernel`, where a generic kernel's body runs unspecialised (elements through
    /// value witnesses, 10-30x slower): float32 and float64 call the non-generic type's `arithmetic` with a
    /// concrete type, which the compiler specialises.
    func apply(_ a: inout Tensor, _ b: Tensor) throws -> Tensor {
        typealias Kernels = ElementwiseOperators
        if T.self == Float.self { return try Kernels.arithmetic(Float.self, op, &a, b, label) }
        if T.self == Double.self { return try Kernels.arithmetic(Double.self, op, &a, b, label) }
        return try Kernels.arithmetic(T.self, op, &a, b, label)
    }
}

extension ElementwiseOperators {
    /// `op` with broadcasting, in `a`'s buffer when it has the output shape.
    static func arithmetic<E: NumericElement>(
        _: E.Type, _ op: ElementwiseOperators.Arithmetic, _ a: inout Tensor, _ b: Tensor, _ label: String
    ) throws -> Tensor {
        switch op {
        case .add: return try broadcastInPlace(&a, b, label: label, function: Add<E>())
        case .sub: return try broadcastInPlace(&a, b, label: label, function: Sub<E>())
        case .mul: return try broadcastInPlace(&a, b, label: label, function: Mul<E>())
        case .div: return try broadcastInPlace(&a, b, label: label, function: Div<E>())
        case .max: return try broadcastInPlace(&a, b, label: label, function: Max<E>())
        case .min: return try broadcastInPlace(&a, b, label: label, function: Min<E>())
        }
    }

    struct Add<E: NumericElement>: BinaryFunction {
        @inline(__always) func callAsFunction(_ x: E, _ y: E) -> E { E.add(x, y) }
    }
    struct Sub<E: NumericElement>: BinaryFunction {
        @inline(__always) func callAsFunction(_ x: E, _ y: E) -> E { E.subtract(x, y) }
    }
    struct Mul<E: NumericElement>: BinaryFunction {
        @inline(__always) func callAsFunction(_ x: E, _ y: E) -> E { E.multiply(x, y) }
    }
    struct Div<E: NumericElement>: BinaryFunction {
        @inline(__always) func callAsFunction(_ x: E, _ y: E) -> E { E.divide(x, y) }
    }
    /// ONNX Max and Min propagate NaN from either side.
    struct Max<E: NumericElement>: BinaryFunction {
        @inline(__always) func callAsFunction(_ x: E, _ y: E) -> E { x.isNaNValue || x >= y ? x : y }
    }
    struct Min<E: NumericElement>: BinaryFunction {
        @inline(__always) func callAsFunction(_ x: E, _ y: E) -> E { x.isNaNValue || x <= y ? x : y }
    }
}
