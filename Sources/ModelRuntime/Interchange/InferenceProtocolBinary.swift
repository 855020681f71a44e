import Foundation

/// The binary tensor data extension of the Open Inference Protocol (what `tritonclient` sends by default): tensor
/// bytes follow the JSON header, little-endian and row-major; BYTES elements are each a 4-byte little-endian length
/// and the bytes.
public enum InferenceProtocolBinary {
    /// Decodes a tensor's raw bytes.
    public static func decode(name: String, datatype: String, shape: [Int], bytes: some Collection<UInt8>) throws -> Tensor {
        guard let type = ElementType(inferenceProtocolName: datatype) else {
            throw ModelRuntimeError.invalidInput(
                "input '\(name)' has datatype \(datatype); use FP32, FP64, INT64, INT32, BOOL or BYTES")
        }
        // Checked before anything is allocated: `[4294967296, 4294967296]` must be a 400, not an overflow.
        let count: Int
        do {
            count = try Tensor.count(of: shape, "input '\(name)'")
        } catch let error as ModelRuntimeError {
            throw ModelRuntimeError.invalidInput(error.message)
        }
        let raw = Array(bytes)
        func fixed<T>(_ width: Int, _ make: (UInt64) -> T) throws -> [T] {
            guard raw.count % width == 0, raw.count / width == count else {
                throw ModelRuntimeError.invalidInput(
                    "input '\(name)' has \(raw.count) bytes of binary data; shape \(shape) of \(datatype) needs "
                        + "\(count) elements of \(width) bytes")
            }
            return (0..<count).map { i in
                var bits: UInt64 = 0
                for b in 0..<width { bits |= UInt64(raw[i * width + b]) << (8 * UInt64(b)) }
                return make(bits)
            }
        }
        let storage: Tensor.Storage
        switch type {
        case .float32: storage = .float32(try fixed(4) { Float(bitPattern: UInt32(truncatingIfNeeded: $0)) })
        case .float64: storage = .float64(try fixed(8) { Double(bitPattern: $0) })
        case .int64: storage = .int64(try fixed(8) { Int64(bitPattern: $0) })
        case .int32: storage = .int32(try fixed(4) { Int32(truncatingIfNeeded: Int64(bitPattern: $0)) })
        case .bool: storage = .bool(try fixed(1) { $0 != 0 })
        case .string:
            var strings: [String] = []
            var offset = 0
            while offset < raw.count {
                guard offset + 4 <= raw.count else { break }
                let length = Int(raw[offset]) | Int(raw[offset + 1]) << 8 | Int(raw[offset + 2]) << 16 | Int(raw[offset + 3]) << 24
                offset += 4
                guard offset + length <= raw.count else {
                    throw ModelRuntimeError.invalidInput("input '\(name)' has a BYTES element longer than its data")
                }
                strings.append(String(decoding: raw[offset..<(offset + length)], as: UTF8.self))
                offset += length
            }
            guard offset == raw.count, strings.count == count else {
                throw ModelRuntimeError.invalidInput("input '\(name)' holds \(strings.count) BYTES elements; shape \(shape) needs \(count)")
            }
            storage = .string(strings)
        }
        do {
            return try Tensor(shape: shape, storage: storage)
        } catch let error as ModelRuntimeError {
            throw ModelRuntimeError.invalidInput("input '\(name)': \(error.message)")
        }
    }

    /// A tensor's raw bytes.
    public static func encode(_ tensor: Tensor) -> [UInt8] {
        var out: [UInt8] = []
        func put<T: FixedWidthInteger>(_ value: T) {
            withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
        }
        switch tensor.storage {
        case .float32(let v): out.reserveCapacity(v.count * 4); v.forEach { put($0.bitPattern) }
        case .float64(let v): out.reserveCapacity(v.count * 8); v.forEach { put($0.bitPattern) }
        case .int64(let v): out.reserveCapacity(v.count * 8); v.forEach { put($0) }
        case .int32(let v): out.reserveCapacity(v.count * 4); v.forEach { put($0) }
        case .bool(let v): out = v.map { $0 ? 1 : 0 }
        case .string(let v):
            for s in v {
                let bytes = Array(s.utf8)
                put(UInt32(bytes.count))
                out.append(contentsOf: bytes)
            }
        }
        return out
    }
}
