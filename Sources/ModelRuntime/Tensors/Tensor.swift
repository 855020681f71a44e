/// A dense, row-major n-dimensional array: the value passed into and out of an `InferenceSession`.
///
/// `Tensor` is a value type with copy-on-write storage, so passing it around is cheap and sharing it between
/// tasks is safe.
public struct Tensor: Sendable, Equatable {
    /// The elements, by type.
    public enum Storage: Sendable, Equatable {
        case float32([Float])
        case float64([Double])
        case int64([Int64])
        case int32([Int32])
        case bool([Bool])
        case string([String])

        /// Number of elements.
        public var count: Int {
            switch self {
            case .float32(let v): v.count
            case .float64(let v): v.count
            case .int64(let v): v.count
            case .int32(let v): v.count
            case .bool(let v): v.count
            case .string(let v): v.count
            }
        }

        /// The element type.
        public var elementType: ElementType {
            switch self {
            case .float32: .float32
            case .float64: .float64
            case .int64: .int64
            case .int32: .int32
            case .bool: .bool
            case .string: .string
            }
        }
    }

    /// Dimensions, outermost first. `[]` is a scalar.
    public internal(set) var shape: [Int]
    /// The elements in row-major order.
    public internal(set) var storage: Storage

    /// Creates a tensor, checking that `shape` is non-negative and matches the element count.
    /// - Throws: `ModelRuntimeError` with code `invalid_input` when they disagree.
    public init(shape: [Int], storage: Storage) throws {
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw ModelRuntimeError.invalidInput("tensor shape \(shape) has a negative dimension")
        }
        guard let count = Tensor.elementCount(shape) else {
            throw ModelRuntimeError(
                .tooLarge, "tensor shape \(shape) is larger than the \(Tensor.maxElements) elements a tensor may have")
        }
        guard count == storage.count else {
            throw ModelRuntimeError.invalidInput("tensor shape \(shape) needs \(count) elements, got \(storage.count)")
        }
        self.shape = shape
        self.storage = storage
    }

    /// Creates a tensor whose shape is already known to match (kernels and the loader use this).
    init(unchecked shape: [Int], _ storage: Storage) {
        self.shape = shape
        self.storage = storage
    }

    /// A float32 tensor.
    public init(shape: [Int], floats: [Float]) throws { try self.init(shape: shape, storage: .float32(floats)) }
    /// A float64 tensor.
    public init(shape: [Int], doubles: [Double]) throws { try self.init(shape: shape, storage: .float64(doubles)) }
    /// An int64 tensor.
    public init(shape: [Int], int64s: [Int64]) throws { try self.init(shape: shape, storage: .int64(int64s)) }
    /// An int32 tensor.
    public init(shape: [Int], int32s: [Int32]) throws { try self.init(shape: shape, storage: .int32(int32s)) }
    /// A bool tensor.
    public init(shape: [Int], bools: [Bool]) throws { try self.init(shape: shape, storage: .bool(bools)) }
    /// A string tensor.
    public init(shape: [Int], strings: [String]) throws { try self.init(shape: shape, storage: .string(strings)) }

    /// The element type.
    public var elementType: ElementType { storage.elementType }
    /// Number of elements (the product of the shape).
    public var count: Int { storage.count }
    /// Number of dimensions.
    public var rank: Int { shape.count }

    /// The elements when this is a float32 tensor.
    public var floats: [Float]? { if case .float32(let v) = storage { v } else { nil } }
    /// The elements when this is a float64 tensor.
    public var doubles: [Double]? { if case .float64(let v) = storage { v } else { nil } }
    /// The elements when this is an int64 tensor.
    public var int64s: [Int64]? { if case .int64(let v) = storage { v } else { nil } }
    /// The elements when this is an int32 tensor.
    public var int32s: [Int32]? { if case .int32(let v) = storage { v } else { nil } }
    /// The elements when this is a bool tensor.
    public var bools: [Bool]? { if case .bool(let v) = storage { v } else { nil } }
    /// The elements when this is a string tensor.
    public var strings: [String]? { if case .string(let v) = storage { v } else { nil } }

    /// The most elements one tensor may hold (1 GiB of float32), and the most its shape may span when every
    /// dimension counts as at least 1. Bounding the span too keeps a zero-size shape such as `[0, 2^40, 2^40]` out:
    /// it holds nothing, but every stride or suffix product a kernel takes of it would overflow.
    public static let maxElements = 1 << 28

    /// The product of `shape`, or `nil` for a negative dimension or a shape beyond `maxElements` (by its count or
    /// its span). Every product of some of a valid shape's dimensions is then at most `maxElements`.
    static func elementCount(_ shape: [Int]) -> Int? {
        var total = 1
        var span = 1
        for d in shape {
            guard d >= 0 else { return nil }
            let (product, overflow) = span.multipliedReportingOverflow(by: Swift.max(d, 1))
            guard !overflow, product <= maxElements else { return nil }
            span = product
            total &*= d  // at most `span`
        }
        return total
    }

    /// The element count of a shape about to be allocated (by a kernel, a decoder, a warm-up); `too_large`
    /// beyond `maxElements` and `invalid_input` for a negative dimension. Call it before allocating.
    public static func count(of shape: [Int], _ label: @autoclosure () -> String) throws -> Int {
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw ModelRuntimeError.invalidInput("\(label()): shape \(shape) has a negative dimension")
        }
        guard let count = elementCount(shape) else {
            throw ModelRuntimeError(
                .tooLarge, "\(label()): the result would have shape \(shape), more than \(maxElements) elements")
        }
        return count
    }
}
