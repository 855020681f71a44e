import Foundation

/// Non-generic float32 versions of the hot elementwise kernels (arithmetic: `ArithmeticKernel.specialised`).
///
/// Kernels are called through `any Kernel`, and Swift runs a generic type's protocol witnesses unspecialised
/// (element access through value witnesses, 10-30x slower). These concrete loops let the compiler inline the
/// arithmetic for the type nearly every model uses.
enum FloatKernels {
    enum Unary: Sendable { case neg, abs, relu, log, exp, sqrt, sigmoid, tanh, erf, floor, ceil, reciprocal }

    static func unary(_ op: Unary, _ x: inout Tensor, _ label: String) throws -> Tensor {
        switch op {
        case .neg: return try mapInPlace(&x, Float.self, label: label) { -$0 }
        case .abs: return try mapInPlace(&x, Float.self, label: label) { Swift.abs($0) }
        case .relu: return try mapInPlace(&x, Float.self, label: label) { $0 < 0 ? 0 : $0 }
        case .log: return try mapInPlace(&x, Float.self, label: label) { Foundation.log($0) }
        case .exp: return try mapInPlace(&x, Float.self, label: label) { Float.exponential($0) }
        case .sqrt: return try mapInPlace(&x, Float.self, label: label) { $0.squareRoot() }
        case .sigmoid: return try mapInPlace(&x, Float.self, label: label) { 1 / (1 + Float.exponential(-$0)) }
        case .tanh: return try mapInPlace(&x, Float.self, label: label) { Foundation.tanh($0) }
        case .erf: return try mapInPlace(&x, Float.self, label: label) { Foundation.erf($0) }
        case .floor: return try mapInPlace(&x, Float.self, label: label) { $0.rounded(.down) }
        case .ceil: return try mapInPlace(&x, Float.self, label: label) { $0.rounded(.up) }
        case .reciprocal: return try mapInPlace(&x, Float.self, label: label) { 1 / $0 }
        }
    }

    static func compare(_ name: String, _ a: Tensor, _ b: Tensor, _ label: String) throws -> Tensor {
        switch name {
        case "Greater": return try broadcastBinary(a, b, label: label) { (x: Float, y: Float) in x > y }
        case "Less": return try broadcastBinary(a, b, label: label) { (x: Float, y: Float) in x < y }
        case "GreaterOrEqual": return try broadcastBinary(a, b, label: label) { (x: Float, y: Float) in x >= y }
        case "LessOrEqual": return try broadcastBinary(a, b, label: label) { (x: Float, y: Float) in x <= y }
        default: return try broadcastBinary(a, b, label: label) { (x: Float, y: Float) in x == y }
        }
    }
}

/// A float32 unary operator.
struct FloatUnaryKernel: Kernel {
    let op: FloatKernels.Unary
    let label: String
    func run(_ inputs: inout [Tensor?]) throws -> [Tensor] {
        var x = try inputs.takeRequired(0, label)
        return [try FloatKernels.unary(op, &x, label)]
    }
}
