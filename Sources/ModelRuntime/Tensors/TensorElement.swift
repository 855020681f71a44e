import Foundation

/// A Swift type that can be the element of a `Tensor`; lets kernels be written once, generically.
protocol TensorElement: Sendable, Equatable {
    static var elementType: ElementType { get }
    static func wrap(_ values: [Self]) -> Tensor.Storage
    static func unwrap(_ storage: Tensor.Storage) -> [Self]?
    static var zero: Self { get }
}

/// A numeric element: arithmetic, comparison and conversion to and from the other numeric types.
protocol NumericElement: TensorElement, Comparable, Numeric {
    init(fromDouble value: Double)
    var asDouble: Double { get }
    static func add(_ a: Self, _ b: Self) -> Self
    static func subtract(_ a: Self, _ b: Self) -> Self
    static func multiply(_ a: Self, _ b: Self) -> Self
    static func divide(_ a: Self, _ b: Self) -> Self
    static func power(_ a: Self, _ b: Self) -> Self
    static func absolute(_ a: Self) -> Self
    static func negate(_ a: Self) -> Self
    static var lowest: Self { get }
    static var highest: Self { get }
    var isNaNValue: Bool { get }
}

/// A floating-point element: the transcendental functions.
protocol FloatElement: NumericElement, BinaryFloatingPoint {
    static func exponential(_ a: Self) -> Self
    static func logarithm(_ a: Self) -> Self
    static func squareRoot(_ a: Self) -> Self
    static func hyperbolicTangent(_ a: Self) -> Self
    static func errorFunction(_ a: Self) -> Self
}

extension Tensor {
    /// The elements as `[T]` when the storage holds `T`.
    func elements<T: TensorElement>(_: T.Type = T.self) -> [T]? { T.unwrap(storage) }

    /// Builds a tensor from elements whose count already matches `shape`.
    static func make<T: TensorElement>(_ shape: [Int], _ values: [T]) -> Tensor {
        Tensor(unchecked: shape, T.wrap(values))
    }

    /// Moves the elements out, leaving the tensor empty, so a kernel can reuse the buffer in place.
    mutating func takeElements<T: TensorElement>(_: T.Type = T.self) -> [T]? {
        guard let values = T.unwrap(storage) else { return nil }
        storage = T.wrap([])
        return values
    }
}

extension Float: FloatElement {
    static var elementType: ElementType { .float32 }
    static func wrap(_ values: [Float]) -> Tensor.Storage { .float32(values) }
    static func unwrap(_ storage: Tensor.Storage) -> [Float]? { if case .float32(let v) = storage { v } else { nil } }
    init(fromDouble value: Double) { self.init(value) }
    var asDouble: Double { Double(self) }
    static func add(_ a: Float, _ b: Float) -> Float { a + b }
    static func subtract(_ a: Float, _ b: Float) -> Float { a - b }
    static func multiply(_ a: Float, _ b: Float) -> Float { a * b }
    static func divide(_ a: Float, _ b: Float) -> Float { a / b }
    static func power(_ a: Float, _ b: Float) -> Float { Foundation.pow(a, b) }
    static func absolute(_ a: Float) -> Float { Swift.abs(a) }
    static func negate(_ a: Float) -> Float { -a }
    static var lowest: Float { -.infinity }
    static var highest: Float { .infinity }
    var isNaNValue: Bool { isNaN }
    /// `expf`, with the results it gives below -104 (0) and above 89 (infinity) returned directly: those take
    /// its slow under/overflow path (measured: softmax over wide logits spent more there than in exp itself).
    static func exponential(_ a: Float) -> Float { a < -104 ? 0 : a > 89 ? .infinity : Foundation.exp(a) }
    static func logarithm(_ a: Float) -> Float { Foundation.log(a) }
    static func squareRoot(_ a: Float) -> Float { a.squareRoot() }
    static func hyperbolicTangent(_ a: Float) -> Float { Foundation.tanh(a) }
    static func errorFunction(_ a: Float) -> Float { Foundation.erf(a) }
}

extension Double: FloatElement {
    static var elementType: ElementType { .float64 }
    static func wrap(_ values: [Double]) -> Tensor.Storage { .float64(values) }
    static func unwrap(_ storage: Tensor.Storage) -> [Double]? {
        if case .float64(let v) = storage { v } else { nil }
    }
    init(fromDouble value: Double) { self = value }
    var asDouble: Double { self }
    static func add(_ a: Double, _ b: Double) -> Double { a + b }
    static func subtract(_ a: Double, _ b: Double) -> Double { a - b }
    static func multiply(_ a: Double, _ b: Double) -> Double { a * b }
    static func divide(_ a: Double, _ b: Double) -> Double { a / b }
    static func power(_ a: Double, _ b: Double) -> Double { Foundation.pow(a, b) }
    static func absolute(_ a: Double) -> Double { Swift.abs(a) }
    static func negate(_ a: Double) -> Double { -a }
    static var lowest: Double { -.infinity }
    static var highest: Double { .infinity }
    var isNaNValue: Bool { isNaN }
    static func exponential(_ a: Double) -> Double { Foundation.exp(a) }
    static func logarithm(_ a: Double) -> Double { Foundation.log(a) }
    static func squareRoot(_ a: Double) -> Double { a.squareRoot() }
    static func hyperbolicTangent(_ a: Double) -> Double { Foundation.tanh(a) }
    static func errorFunction(_ a: Double) -> Double { Foundation.erf(a) }
}

extension Int64: NumericElement {
    static var elementType: ElementType { .int64 }
    static func wrap(_ values: [Int64]) -> Tensor.Storage { .int64(values) }
    static func unwrap(_ storage: Tensor.Storage) -> [Int64]? { if case .int64(let v) = storage { v } else { nil } }
    init(fromDouble value: Double) { self = Int64.saturating(value) }
    var asDouble: Double { Double(self) }
    // Integer division by zero is undefined in ONNX; return 0 rather than trap.
    static func add(_ a: Int64, _ b: Int64) -> Int64 { a &+ b }
    static func subtract(_ a: Int64, _ b: Int64) -> Int64 { a &- b }
    static func multiply(_ a: Int64, _ b: Int64) -> Int64 { a &* b }
    static func divide(_ a: Int64, _ b: Int64) -> Int64 { b == 0 ? 0 : a.dividedReportingOverflow(by: b).partialValue }
    static func power(_ a: Int64, _ b: Int64) -> Int64 { Int64.saturating(Foundation.pow(Double(a), Double(b))) }
    static func absolute(_ a: Int64) -> Int64 { a == .min ? .min : Swift.abs(a) }
    static func negate(_ a: Int64) -> Int64 { 0 &- a }
    static var lowest: Int64 { .min }
    static var highest: Int64 { .max }
    var isNaNValue: Bool { false }

    /// Converts with C-like truncation, clamping out-of-range values and mapping NaN to `Int64.min` like x86.
    static func saturating(_ value: Double) -> Int64 {
        guard !value.isNaN else { return .min }
        if value >= 9.223372036854775807e18 { return .min }
        if value <= -9.223372036854775808e18 { return .min }
        return Int64(value)
    }
}

extension Int32: NumericElement {
    static var elementType: ElementType { .int32 }
    static func wrap(_ values: [Int32]) -> Tensor.Storage { .int32(values) }
    static func unwrap(_ storage: Tensor.Storage) -> [Int32]? { if case .int32(let v) = storage { v } else { nil } }
    init(fromDouble value: Double) {
        if value.isNaN || value >= 2147483648.0 || value < -2147483648.0 {
            self = .min
        } else {
            self = Int32(value)
        }
    }
    var asDouble: Double { Double(self) }
    static func add(_ a: Int32, _ b: Int32) -> Int32 { a &+ b }
    static func subtract(_ a: Int32, _ b: Int32) -> Int32 { a &- b }
    static func multiply(_ a: Int32, _ b: Int32) -> Int32 { a &* b }
    static func divide(_ a: Int32, _ b: Int32) -> Int32 { b == 0 ? 0 : a.dividedReportingOverflow(by: b).partialValue }
    static func power(_ a: Int32, _ b: Int32) -> Int32 { Int32(fromDouble: Foundation.pow(Double(a), Double(b))) }
    static func absolute(_ a: Int32) -> Int32 { a == .min ? .min : Swift.abs(a) }
    static func negate(_ a: Int32) -> Int32 { 0 &- a }
    static var lowest: Int32 { .min }
    static var highest: Int32 { .max }
    var isNaNValue: Bool { false }
}

extension Bool: TensorElement {
    static var elementType: ElementType { .bool }
    static func wrap(_ values: [Bool]) -> Tensor.Storage { .bool(values) }
    static func unwrap(_ storage: Tensor.Storage) -> [Bool]? { if case .bool(let v) = storage { v } else { nil } }
    static var zero: Bool { false }
}

extension String: TensorElement {
    static var elementType: ElementType { .string }
    static func wrap(_ values: [String]) -> Tensor.Storage { .string(values) }
    static func unwrap(_ storage: Tensor.Storage) -> [String]? { if case .string(let v) = storage { v } else { nil } }
    static var zero: String { "" }
}
