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
        guard let count = Tensor.elementCount(shape), count == storage.count else {
            throw ModelRuntimeError.invalidInput(
                "tensor shape \(shape) needs \(Tensor.elementCount(shape) ?? -1) elements, got \(storage.count)")
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

    /// The product of `shape`, or `nil` on overflow or a negative dimension.
    static func elementCount(_ shape: [Int]) -> Int? {
        var total = 1
        for d in shape {
            guard d >= 0 else { return nil }
            let (product, overflow) = total.multipliedReportingOverflow(by: d)
            guard !overflow else { return nil }
            total = product
        }
        return total
    }
}
