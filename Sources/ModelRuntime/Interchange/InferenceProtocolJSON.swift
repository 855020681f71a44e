import Foundation

/// Tensors in the Open Inference Protocol v2 JSON shape:
/// `{"inputs": [{"name": "X", "shape": [2, 3], "datatype": "FP32", "data": [...]}]}`, data flat and row-major.
///
/// JSON has no literal for non-finite numbers, so NaN and infinities are read and written as the strings
/// `"NaN"`, `"Infinity"` and `"-Infinity"`.
public enum InferenceProtocolJSON {
    /// One named tensor as it appears in a request or response.
    public struct NamedTensor: Sendable {
        /// Tensor name.
        public var name: String
        /// The tensor.
        public var tensor: Tensor

        /// Creates a named tensor.
        public init(name: String, tensor: Tensor) {
            self.name = name
            self.tensor = tensor
        }
    }

    /// Decodes the tensors under `key` (`inputs` for requests, `outputs` for responses).
    /// - Throws: `ModelRuntimeError` with code `invalid_input` describing the first problem found.
    public static func decode(_ data: Data, key: String = "inputs") throws -> [NamedTensor] {
        let root: FastJSON.Value
        do {
            root = try FastJSON.parseValue(data)
        } catch {
            throw ModelRuntimeError.invalidInput("the request is not valid JSON")
        }
        guard case .array(let list)? = root[key] else {
            throw ModelRuntimeError.invalidInput("expected a JSON object with an '\(key)' array")
        }
        return try list.enumerated().map { index, item in
            guard case .object(let entry) = item else {
                throw ModelRuntimeError.invalidInput("\(key)[\(index)] is not an object")
            }
            return try decodeTensor(entry, where: "\(key)[\(index)]")
        }
    }

    /// Encodes tensors as `{"<key>": [...]}`.
    public static func encode(_ tensors: [NamedTensor], key: String = "outputs") throws -> Data {
        var out: [UInt8] = [UInt8(ascii: "{")]
        JSONBytes.appendString(key, to: &out)
        out.append(contentsOf: ":[".utf8)
        for (i, named) in tensors.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            JSONBytes.appendTensorEntry(name: named.name, tensor: named.tensor, to: &out)
        }
        out.append(contentsOf: "]}".utf8)
        return Data(out)
    }

    /// Decodes one `{"name", "shape", "datatype", "data"}` entry of a parsed request.
    public static func decodeTensor(_ entry: [String: FastJSON.Value], where place: String) throws -> NamedTensor {
        guard case .string(let name)? = entry["name"] else { throw ModelRuntimeError.invalidInput("\(place) has no name") }
        guard case .array(let shapeValues)? = entry["shape"] else {
            throw ModelRuntimeError.invalidInput("input '\(name)' has no shape array")
        }
        let shape = try shapeValues.map { v -> Int in
            guard case .number(let n) = v, let i = Int(exactly: n), i >= 0 else {
                throw ModelRuntimeError.invalidInput("input '\(name)' has an invalid shape")
            }
            return i
        }
        guard case .string(let typeName)? = entry["datatype"], let type = ElementType(inferenceProtocolName: typeName) else {
            let given: String
            if case .string(let text)? = entry["datatype"] { given = text } else { given = "none" }
            throw ModelRuntimeError.invalidInput(
                "input '\(name)' has datatype \(given); use FP32, FP64, INT64, INT32, BOOL or BYTES")
        }
        guard case .array(let raw)? = entry["data"] else {
            throw ModelRuntimeError.invalidInput("input '\(name)' has no data array")
        }
        let values = flatten(raw)
        func number(_ v: FastJSON.Value) throws -> Double {
            switch v {
            case .number(let d): return d
            case .integer(let i): return Double(i)
            case .bool(let b): return b ? 1 : 0
            case .string(let s):
                switch s.lowercased() {
                case "nan": return .nan
                case "infinity", "inf", "+infinity": return .infinity
                case "-infinity", "-inf": return -.infinity
                default: break
                }
            default: break
            }
            throw ModelRuntimeError.invalidInput("input '\(name)' has a non-numeric value in data")
        }
        func integer(_ v: FastJSON.Value) throws -> Int64 {
            switch v {
            case .integer(let i): return i
            case .number(let d):
                if let i = Int64(exactly: d) { return i }
            case .bool(let b): return b ? 1 : 0
            default: break
            }
            throw ModelRuntimeError.invalidInput("input '\(name)' has a non-integer value in data")
        }
        let storage: Tensor.Storage
        switch type {
        case .float32: storage = .float32(try values.map { Float(try number($0)) })
        case .float64: storage = .float64(try values.map(number))
        case .int64: storage = .int64(try values.map(integer))
        case .int32:
            storage = .int32(
                try values.map {
                    guard let i = Int32(exactly: try integer($0)) else {
                        throw ModelRuntimeError.invalidInput("input '\(name)' has a value outside int32")
                    }
                    return i
                })
        case .bool:
            storage = .bool(
                try values.map { v in
                    switch v {
                    case .bool(let b): return b
                    case .number(let d): return d != 0
                    case .integer(let i): return i != 0
                    default: throw ModelRuntimeError.invalidInput("input '\(name)' has a non-boolean value in data")
                    }
                })
        case .string:
            storage = .string(
                try values.map { v in
                    guard case .string(let s) = v else {
                        throw ModelRuntimeError.invalidInput("input '\(name)' has a non-string value in data")
                    }
                    return s
                })
        }
        do {
            return NamedTensor(name: name, tensor: try Tensor(shape: shape, storage: storage))
        } catch let error as ModelRuntimeError {
            throw ModelRuntimeError.invalidInput("input '\(name)': \(error.message)")
        }
    }

    /// Accepts nested arrays too (some clients send row-major nested lists).
    private static func flatten(_ values: [FastJSON.Value]) -> [FastJSON.Value] {
        guard values.contains(where: { if case .array = $0 { true } else { false } }) else { return values }
        var out: [FastJSON.Value] = []
        for v in values {
            if case .array(let nested) = v { out.append(contentsOf: flatten(nested)) } else { out.append(v) }
        }
        return out
    }

    private static func number(_ v: Double) -> Any {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "Infinity" : "-Infinity" }
        return v
    }

    /// A tensor's elements, flat, as JSONSerialization values (non-finite floats as strings).
    public static func jsonValues(_ storage: Tensor.Storage) -> [Any] {
        switch storage {
        case .float32(let v): v.map { number(Double($0)) }
        case .float64(let v): v.map { number($0) }
        case .int64(let v): v.map { NSNumber(value: $0) }
        case .int32(let v): v.map { NSNumber(value: $0) }
        case .bool(let v): v.map { $0 }
        case .string(let v): v
        }
    }
}

extension InferenceProtocolJSON {
    /// Parses JSON, also accepting the bare `NaN`, `Infinity` and `-Infinity` tokens that Python clients (and
    /// Triton's own parser) allow; see `FastJSON`.
    public static func parseLenient(_ data: Data) throws -> Any {
        try FastJSON.parse(data)
    }
}
