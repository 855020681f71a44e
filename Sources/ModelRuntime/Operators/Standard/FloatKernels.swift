import CModelKernels
import Foundation

/// Non-generic float32 versions of the hot unary and comparison kernels (for arithmetic, see
/// `ElementwiseOperators.arithmetic`).
///
/// Kernels are called through `any Kernel`, and Swift runs a generic type's protocol witnesses unspecialised
/// (element access through value witnesses, 10-30x slower). These concrete loops let the compiler inline the
/// arithmetic for the type nearly every model uses.
enum FloatKernels {
    enum Unary: Sendable { case neg, abs, relu, log, exp, sqrt, sigmoid, tanh, erf, floor, ceil, reciprocal }

    static func unary(_ op: Unary, _ x: inout Tensor, _ label: String, level: Int32) throws -> Tensor {
        switch op {
        case .neg: return try mapInPlace(&x, Float.self, label: label) { -$0 }
        case .abs: return try mapInPlace(&x, Float.self, label: label) { Swift.abs($0) }
        case .relu: return try mapInPlace(&x, Float.self, label: label) { $0 < 0 ? 0 : $0 }
        case .log: return try mapInPlace(&x, Float.self, label: label) { Foundation.log($0) }
        case .exp: return try mapBuffer(&x, label: label, level: level, mk_exp_f32_at)
        case .sqrt: return try mapInPlace(&x, Float.self, label: label) { $0.squareRoot() }
        case .sigmoid: return try mapBuffer(&x, label: label, level: level, mk_sigmoid_f32_at)
        case .tanh: return try mapBuffer(&x, label: label, level: level, mk_tanh_f32_at)
        case .erf: return try mapBuffer(&x, label: label, level: level, mk_erf_f32_at)
        case .floor: return try mapInPlace(&x, Float.self, label: label) { $0.rounded(.down) }
        case .ceil: return try mapInPlace(&x, Float.self, label: label) { $0.rounded(.up) }
        case .reciprocal: return try mapInPlace(&x, Float.self, label: label) { 1 / $0 }
        }
    }

    /// A whole-buffer C kernel (CModelKernels' vectorised exp, sigmoid, tanh) applied in place.
    static func mapBuffer(
        _ x: inout Tensor, label: String, level: Int32, _ kernel: (UnsafeMutablePointer<Float>?, Int, Int32) -> Void
    ) throws -> Tensor {
        let shape = x.shape
        guard var values = x.takeElements(Float.self) else {
            throw ModelRuntimeError.invalidInput("\(label): expected float32 input")
        }
        values.withUnsafeMutableBufferPointer { kernel($0.baseAddress, $0.count, level) }
        return Tensor.make(shape, values)
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
    /// The vector-math path, read once when the model is planned: a task-local read costs ~20 ns, too much to pay
    /// on every call of a microsecond prediction.
    var level = KernelPaths.level
    func run(_ inputs: inout [Tensor?]) throws -> [Tensor] {
        var x = try inputs.takeRequired(0, label)
        return [try FloatKernels.unary(op, &x, label, level: level)]
    }
}
