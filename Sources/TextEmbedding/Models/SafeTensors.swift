import Foundation
import ModelRuntime

/// Reads a `model.safetensors` file: an 8-byte little-endian header length, a JSON header naming each tensor's
/// dtype, shape and byte range, then the data. Every number in the header is checked before anything is
/// allocated: the header fits the file, ranges lie inside the data and do not overlap, each range is exactly
/// the size its shape and dtype need. float32 tensors are kept, float16 and bfloat16 widened to float32, int64
/// kept; other dtypes are refused when a tensor of that type is asked for.
public enum SafeTensors {
    /// The largest header accepted (real ones are a few tens of KB).
    public static let maxHeaderBytes = 16 << 20

    public struct Entry: Sendable, Equatable {
        public var dtype: String
        public var shape: [Int]
        public var range: Range<Int>
    }

    /// The header's entries by name (the `__metadata__` entry aside).
    public static func entries(_ data: Data) throws -> [String: Entry] {
        guard data.count >= 8 else { throw invalid("the file is shorter than its 8-byte header length") }
        let length = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard length <= UInt64(maxHeaderBytes), Int(length) <= data.count - 8 else {
            throw invalid("the header length \(length) does not fit the file of \(data.count) bytes")
        }
        let headerEnd = 8 + Int(length)
        let header: FastJSON.Value
        do {
            header = try FastJSON.parseValue(data.subdata(in: data.startIndex + 8..<data.startIndex + headerEnd))
        } catch {
            throw invalid("the header is not valid JSON: \(error)")
        }
        guard case .object(let fields) = header else { throw invalid("the header is not a JSON object") }
        let dataSize = data.count - headerEnd
        var entries: [String: Entry] = [:]
        for (name, value) in fields where name != "__metadata__" {
            guard let dtype = value["dtype"]?.string, let shape = value["shape"]?.array?.compactMap(\.int),
                shape.count == value["shape"]?.array?.count, let offsets = value["data_offsets"]?.array?.compactMap(\.int),
                offsets.count == 2
            else {
                throw invalid("tensor '\(name.prefix(80))' lacks a dtype, shape or data_offsets")
            }
            guard let width = width(dtype) else { throw invalid("tensor '\(name.prefix(80))' has the unknown dtype \(dtype)") }
            let count: Int
            do { count = try Tensor.count(of: shape, "tensor '\(name.prefix(80))'") } catch {
                throw invalid("tensor '\(name.prefix(80))' has the shape \(shape), which is negative or too large")
            }
            guard offsets[0] >= 0, offsets[0] <= offsets[1], offsets[1] <= dataSize, offsets[1] - offsets[0] == count * width else {
                throw invalid("tensor '\(name.prefix(80))' has data_offsets \(offsets) that do not hold \(shape) of \(dtype) in \(dataSize) bytes")
            }
            entries[name] = Entry(dtype: dtype, shape: shape, range: (headerEnd + offsets[0])..<(headerEnd + offsets[1]))
        }
        let ranges = entries.values.map(\.range).filter { !$0.isEmpty }.sorted { $0.lowerBound < $1.lowerBound }
        for (a, b) in zip(ranges, ranges.dropFirst()) where a.upperBound > b.lowerBound {
            throw invalid("two tensors' data ranges overlap")
        }
        return entries
    }

    /// Every float tensor (float32, float16, bfloat16, as float32) and int64 tensor of the file.
    public static func tensors(_ data: Data) throws -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        for (name, entry) in try entries(data) {
            result[name] = try tensor(entry, in: data, name: name)
        }
        return result
    }

    static func tensor(_ entry: Entry, in data: Data, name: String) throws -> Tensor {
        let count = entry.shape.reduce(1, *)
        let bytes = data[(data.startIndex + entry.range.lowerBound)..<(data.startIndex + entry.range.upperBound)]
        switch entry.dtype {
        case "F32":
            var floats = [Float](repeating: 0, count: count)
            floats.withUnsafeMutableBytes { _ = bytes.copyBytes(to: $0) }
            return try Tensor(shape: entry.shape, floats: floats.map { Float(bitPattern: UInt32(littleEndian: $0.bitPattern)) })
        case "F16", "BF16":
            var halves = [UInt16](repeating: 0, count: count)
            halves.withUnsafeMutableBytes { _ = bytes.copyBytes(to: $0) }
            let brain = entry.dtype == "BF16"
            return try Tensor(shape: entry.shape, floats: halves.map { raw in
                let bits = UInt16(littleEndian: raw)
                return brain ? Float(bitPattern: UInt32(bits) << 16) : halfToFloat(bits)
            })
        case "I64":
            var ints = [Int64](repeating: 0, count: count)
            ints.withUnsafeMutableBytes { _ = bytes.copyBytes(to: $0) }
            return try Tensor(shape: entry.shape, int64s: ints.map { Int64(littleEndian: $0) })
        default:
            throw ModelRuntimeError(.unsupportedType, "model.safetensors: tensor '\(name.prefix(80))' is \(entry.dtype), which is not supported")
        }
    }

    /// IEEE half precision to single, subnormals, infinities and NaNs included.
    static func halfToFloat(_ h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exponent = Int((h >> 10) & 0x1F)
        let mantissa = UInt32(h & 0x3FF)
        if exponent == 0 {
            let value = Float(mantissa) * 0x1p-24
            return sign == 0 ? value : -value
        }
        if exponent == 31 { return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13)) }
        return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | (mantissa << 13))
    }

    static func width(_ dtype: String) -> Int? {
        switch dtype {
        case "F64", "I64", "U64": return 8
        case "F32", "I32", "U32": return 4
        case "F16", "BF16", "I16", "U16": return 2
        case "I8", "U8", "BOOL", "F8_E4M3", "F8_E5M2": return 1
        default: return nil
        }
    }

    static func invalid(_ message: String) -> ModelRuntimeError {
        ModelRuntimeError(.invalidModel, "model.safetensors: \(message)")
    }
}
