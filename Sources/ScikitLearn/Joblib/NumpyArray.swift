/// A problem with a value read from the file: what was expected and where.
public struct StateError: Error, Equatable, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// A numpy dtype as pickled (`numpy.dtype(descr, False, True)` then `BUILD` with its byte order and, for records,
/// its fields).
struct NumpyDType: Sendable {
    enum Kind: Character, Sendable {
        case float = "f", signed = "i", unsigned = "u", bool = "b", unicode = "U", bytes = "S", object = "O",
            record = "V"
    }

    struct Field: Sendable {
        var dtype: NumpyDType
        var offset: Int
    }

    var kind: Kind
    var itemSize: Int
    var bigEndian: Bool
    var fields: [String: Field]

    init(_ node: PickleNode) throws(StateError) {
        guard case .object(let call) = node.kind, call.callable == "numpy.dtype", let descr = call.arguments.first?.string
        else { throw StateError("a dtype that is not numpy.dtype(...)") }
        let kindCode: Character
        let digits: Substring
        switch descr {
        case "?": (kindCode, digits) = ("b", "1")
        case let d where d.first == "O": (kindCode, digits) = ("O", "8")
        default:
            guard let first = descr.first else { throw StateError("an empty dtype") }
            (kindCode, digits) = (first, descr.dropFirst())
        }
        guard let kind = Kind(rawValue: kindCode) else { throw StateError("dtype '\(descr)' is not supported") }
        guard let size = Int(digits), size > 0, size <= 1 << 20 else { throw StateError("dtype '\(descr)' has no valid size") }
        self.kind = kind
        // U is counted in characters of 4 bytes each.
        itemSize = kind == .unicode ? size * 4 : size
        var order = "="
        fields = [:]
        if let state = call.state?.items, state.count >= 8 {
            order = state[1].string ?? "="
            if kind == .record, case .dict(let pairs) = state[4].kind {
                for (key, value) in pairs {
                    guard let name = key.string, let parts = value.items, parts.count >= 2, let offset = parts[1].int,
                        offset >= 0
                    else { throw StateError("a record dtype with a malformed field") }
                    let field = Field(dtype: try NumpyDType(parts[0]), offset: Int(offset))
                    guard field.dtype.itemSize <= itemSize, field.offset <= itemSize - field.dtype.itemSize else {
                        throw StateError("record field '\(name)' lies outside its record")
                    }
                    fields[name] = field
                }
            }
        }
        bigEndian = order == ">"
        switch kind {
        case .float: guard [2, 4, 8].contains(itemSize) else { throw StateError("float dtype of \(itemSize) bytes") }
        case .signed, .unsigned: guard [1, 2, 4, 8].contains(itemSize) else { throw StateError("integer dtype of \(itemSize) bytes") }
        default: break
        }
    }
}

/// A numpy array read from the file, in C order.
public struct NumpyArray: Sendable {
    public enum Values: Sendable {
        case doubles([Double])
        case ints([Int64])
        case strings([String])
        /// Python objects (an array of dtype object): their nodes.
        case objects([PickleNode])
        /// A record array: per field name, the field's values.
        case records([String: Values])
    }

    public var shape: [Int]
    public var values: Values

    /// The values as doubles (numbers and booleans), or nil.
    public var doubles: [Double]? {
        switch values {
        case .doubles(let v): v
        case .ints(let v): v.map(Double.init)
        default: nil
        }
    }

    /// The values as integers, when they are integers.
    var intValues: [Int64]? { if case .ints(let v) = values { v } else { nil } }

    /// A record array's field.
    func field(_ name: String) -> NumpyArray? {
        guard case .records(let fields) = values, let values = fields[name] else { return nil }
        return NumpyArray(shape: shape, values: values)
    }

    /// An array from joblib's wrapper object or from numpy's own pickling (`_reconstruct`).
    init(_ node: PickleNode) throws(StateError) {
        guard case .object(let call) = node.kind else { throw StateError("a value that is not an array") }
        switch call.callable {
        case "joblib.numpy_pickle.NumpyArrayWrapper":
            guard let state = call.state, let dtypeNode = state["dtype"], let dims = state["shape"]?.items else {
                throw StateError("an array wrapper without dtype or shape")
            }
            let dtype = try NumpyDType(dtypeNode)
            let shape = try Self.shape(dims)
            let fortran = state["order"]?.string == "F"
            guard let count = Self.product(shape) else { throw StateError("an array whose size overflows") }
            switch call.inline {
            case .raw(let bytes)?:
                self.init(shape: shape, values: try Self.decode(bytes, dtype: dtype, count: count))
            case .pickle(let inner)?:
                self = try NumpyArray(inner)
                guard self.shape == shape else { throw StateError("an object array whose shape disagrees with its wrapper") }
                return
            case nil: throw StateError("an array wrapper without its data")
            }
            if fortran { self = transposedToC() }
        case "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct":
            guard let state = call.state?.items, state.count >= 5, let dims = state[1].items else {
                throw StateError("a numpy array without its state")
            }
            let shape = try Self.shape(dims)
            guard let count = Self.product(shape) else { throw StateError("an array whose size overflows") }
            let dtype = try NumpyDType(state[2])
            let fortran = if case .bool(true) = state[3].kind { true } else { false }
            switch state[4].kind {
            case .list(let items) where dtype.kind == .object:
                guard items.count == count else { throw StateError("an object array with \(items.count) values for shape \(shape)") }
                self.init(shape: shape, values: .objects(items))
            case .bytes(let bytes):
                self.init(shape: shape, values: try Self.decode(bytes[...], dtype: dtype, count: count))
            default: throw StateError("a numpy array whose data is neither bytes nor a list")
            }
            if fortran { self = transposedToC() }
        case "numpy.core.numeric._frombuffer", "numpy._core.numeric._frombuffer":
            // Protocol 5's in-band form of an array inside a plain pickle: (bytes, dtype, shape, order).
            guard call.arguments.count == 4, case .bytes(let bytes) = call.arguments[0].kind, let dims = call.arguments[2].items
            else { throw StateError("a numpy buffer array without its bytes, dtype and shape") }
            let shape = try Self.shape(dims)
            guard let count = Self.product(shape) else { throw StateError("an array whose size overflows") }
            let dtype = try NumpyDType(call.arguments[1])
            self.init(shape: shape, values: try Self.decode(bytes[...], dtype: dtype, count: count))
            if call.arguments[3].string == "F" { self = transposedToC() }
        default:
            throw StateError("'\(call.callable)' where an array was expected")
        }
    }

    /// A pickled shape tuple: non-negative integers.
    static func shape(_ dims: [PickleNode]) throws(StateError) -> [Int] {
        try dims.map { (dim) throws(StateError) -> Int in
            guard let n = dim.int, n >= 0 else { throw StateError("an array with a negative dimension") }
            return Int(n)
        }
    }

    init(shape: [Int], values: Values) {
        self.shape = shape
        self.values = values
    }

    static func product(_ shape: [Int]) -> Int? {
        var count = 1
        for n in shape {
            let (p, overflow) = count.multipliedReportingOverflow(by: n)
            if overflow { return nil }
            count = p
        }
        return count
    }

    /// Decodes `count` items; the caller's bytes were bounded by the file's length before anything is allocated.
    static func decode(_ bytes: ArraySlice<UInt8>, dtype: NumpyDType, count: Int) throws(StateError) -> Values {
        let (total, overflow) = count.multipliedReportingOverflow(by: dtype.itemSize)
        guard !overflow, total == bytes.count else {
            throw StateError("an array of \(count) items of \(dtype.itemSize) bytes with \(bytes.count) bytes of data")
        }
        do {
            return try bytes.withUnsafeBytes { (raw) throws(StateError) -> Values in try decode(raw, dtype: dtype, count: count) }
        } catch let error as StateError {
            throw error
        } catch {
            throw StateError("\(error)")
        }
    }

    /// One value of `size` bytes at `offset`, as an unsigned integer (byte-swapped when the data is big-endian).
    @inline(__always)
    static func load(_ raw: UnsafeRawBufferPointer, _ offset: Int, _ size: Int, bigEndian: Bool) -> UInt64 {
        switch size {
        case 1: return UInt64(raw.load(fromByteOffset: offset, as: UInt8.self))
        case 2:
            let v = raw.loadUnaligned(fromByteOffset: offset, as: UInt16.self)
            return UInt64(bigEndian ? v.byteSwapped : v)
        case 4:
            let v = raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
            return UInt64(bigEndian ? v.byteSwapped : v)
        default:
            let v = raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            return bigEndian ? v.byteSwapped : v
        }
    }

    /// A number at `offset`: a double for floats, an integer otherwise.
    @inline(__always)
    static func scalar(_ raw: UnsafeRawBufferPointer, _ dtype: NumpyDType, at offset: Int) throws(StateError) -> (Double?, Int64?) {
        let bits = load(raw, offset, dtype.itemSize, bigEndian: dtype.bigEndian)
        switch (dtype.kind, dtype.itemSize) {
        case (.float, 8): return (Double(bitPattern: bits), nil)
        case (.float, 4): return (Double(Float(bitPattern: UInt32(bits))), nil)
        case (.float, 2): return (Double(Float16Bits(UInt16(bits))), nil)
        case (.signed, let size):
            let shift = UInt64(64 - 8 * size)
            return (nil, Int64(bitPattern: bits << shift) >> Int64(shift))
        case (.unsigned, _), (.bool, _):
            guard bits <= UInt64(Int64.max) else { throw StateError("an unsigned value beyond 2^63") }
            return (nil, Int64(bits))
        default: throw StateError("a value of an unsupported dtype")
        }
    }

    static func decode(_ raw: UnsafeRawBufferPointer, dtype: NumpyDType, count: Int) throws(StateError) -> Values {
        let size = dtype.itemSize
        switch dtype.kind {
        case .float:
            var out = [Double]()
            out.reserveCapacity(count)
            if size == 8 && !dtype.bigEndian {
                for i in 0..<count { out.append(Double(bitPattern: raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))) }
            } else {
                for i in 0..<count { out.append(try scalar(raw, dtype, at: i * size).0!) }
            }
            return .doubles(out)
        case .signed, .unsigned, .bool:
            var out = [Int64]()
            out.reserveCapacity(count)
            for i in 0..<count { out.append(try scalar(raw, dtype, at: i * size).1!) }
            return .ints(out)
        case .unicode:
            var out = [String]()
            out.reserveCapacity(count)
            for i in 0..<count {
                var scalars = String.UnicodeScalarView()
                for c in 0..<(size / 4) {
                    let code = UInt32(load(raw, i * size + 4 * c, 4, bigEndian: dtype.bigEndian))
                    if code == 0 { break }
                    guard let scalar = Unicode.Scalar(code) else { throw StateError("a string that is not valid Unicode") }
                    scalars.append(scalar)
                }
                out.append(String(scalars))
            }
            return .strings(out)
        case .bytes:
            var out = [String]()
            out.reserveCapacity(count)
            for i in 0..<count {
                let item = UnsafeRawBufferPointer(rebasing: raw[(i * size)..<((i + 1) * size)])
                let end = item.firstIndex(of: 0) ?? item.endIndex
                out.append(String(decoding: item[..<end], as: UTF8.self))
            }
            return .strings(out)
        case .record:
            var fields: [String: Values] = [:]
            for (name, field) in dtype.fields where field.dtype.kind != .record && field.dtype.kind != .object {
                if field.dtype.kind == .float {
                    var doubles: [Double] = []
                    doubles.reserveCapacity(count)
                    for i in 0..<count { doubles.append(try scalar(raw, field.dtype, at: i * size + field.offset).0 ?? 0) }
                    fields[name] = .doubles(doubles)
                } else {
                    var ints: [Int64] = []
                    ints.reserveCapacity(count)
                    for i in 0..<count { ints.append(try scalar(raw, field.dtype, at: i * size + field.offset).1 ?? 0) }
                    fields[name] = .ints(ints)
                }
            }
            return .records(fields)
        case .object:
            throw StateError("an object array stored as raw bytes")
        }
    }

    /// Fortran-ordered data (the first index fastest) rearranged into C order.
    func transposedToC() -> NumpyArray {
        guard shape.count > 1 else { return self }
        func permute<T>(_ items: [T]) -> [T] {
            // Index i in C order corresponds to the reversed-shape C index of the transposed array.
            var out = items
            var index = [Int](repeating: 0, count: shape.count)
            for c in 0..<items.count {
                var f = 0
                var stride = 1
                for d in 0..<shape.count {
                    f += index[d] * stride
                    stride *= shape[d]
                }
                out[c] = items[f]
                var d = shape.count - 1
                while d >= 0 {
                    index[d] += 1
                    if index[d] < shape[d] { break }
                    index[d] = 0
                    d -= 1
                }
            }
            return out
        }
        func permuteValues(_ values: Values) -> Values {
            switch values {
            case .doubles(let v): .doubles(permute(v))
            case .ints(let v): .ints(permute(v))
            case .strings(let v): .strings(permute(v))
            case .objects(let v): .objects(permute(v))
            case .records(let f): .records(f.mapValues(permuteValues))
            }
        }
        return NumpyArray(shape: shape, values: permuteValues(values))
    }
}

/// IEEE half precision from its bits (Float16 is not available on every Linux toolchain target).
private func Float16Bits(_ bits: UInt16) -> Float {
    let sign: Float = bits & 0x8000 != 0 ? -1 : 1
    let exponent = Int((bits >> 10) & 0x1F)
    let fraction = Float(bits & 0x3FF)
    switch exponent {
    case 0: return sign * fraction * Float(sign: .plus, exponent: -24, significand: 1)
    case 31: return fraction == 0 ? sign * .infinity : .nan
    default: return sign * (1 + fraction / 1024) * Float(sign: .plus, exponent: exponent - 15, significand: 1)
    }
}
