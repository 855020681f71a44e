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
        let root: Any
        do {
            root = try FastJSON.parse(data)
        } catch {
            throw ModelRuntimeError.invalidInput("the request is not valid JSON")
        }
        guard let object = root as? [String: Any], let list = object[key] as? [Any] else {
            throw ModelRuntimeError.invalidInput("expected a JSON object with an '\(key)' array")
        }
        return try list.enumerated().map { index, item in
            guard let entry = item as? [String: Any] else {
                throw ModelRuntimeError.invalidInput("\(key)[\(index)] is not an object")
            }
            return try decodeTensor(entry, where: "\(key)[\(index)]")
        }
    }

    /// Encodes tensors as `{"<key>": [...]}`.
    public static func encode(_ tensors: [NamedTensor], key: String = "outputs") throws -> Data {
        let list: [[String: Any]] = tensors.map { named in
            [
                "name": named.name, "shape": named.tensor.shape, "datatype": named.tensor.elementType.inferenceProtocolName,
                "data": jsonValues(named.tensor.storage),
            ]
        }
        return try JSONSerialization.data(withJSONObject: [key: list], options: [.sortedKeys])
    }

    /// Decodes one `{"name", "shape", "datatype", "data"}` entry of a parsed request.
    public static func decodeTensor(_ entry: [String: Any], where place: String) throws -> NamedTensor {
        guard let name = entry["name"] as? String else { throw ModelRuntimeError.invalidInput("\(place) has no name") }
        guard let shapeValues = entry["shape"] as? [Any] else {
            throw ModelRuntimeError.invalidInput("input '\(name)' has no shape array")
        }
        let shape = try shapeValues.map { v -> Int in
            guard let n = v as? NSNumber, let i = Int(exactly: n.doubleValue), i >= 0 else {
                throw ModelRuntimeError.invalidInput("input '\(name)' has an invalid shape")
            }
            return i
        }
        guard let typeName = entry["datatype"] as? String, let type = ElementType(inferenceProtocolName: typeName) else {
            throw ModelRuntimeError.invalidInput(
                "input '\(name)' has datatype \(entry["datatype"] ?? "none"); use FP32, FP64, INT64, INT32, BOOL or BYTES")
        }
        guard let raw = entry["data"] as? [Any] else {
            throw ModelRuntimeError.invalidInput("input '\(name)' has no data array")
        }
        let values = flatten(raw)
        func number(_ v: Any) throws -> Double {
            if let d = v as? Double { return d }
            if let n = v as? NSNumber { return n.doubleValue }
            if let s = v as? String {
                switch s.lowercased() {
                case "nan": return .nan
                case "infinity", "inf", "+infinity": return .infinity
                case "-infinity", "-inf": return -.infinity
                default: break
                }
            }
            throw ModelRuntimeError.invalidInput("input '\(name)' has a non-numeric value in data")
        }
        func integer(_ v: Any) throws -> Int64 {
            if let d = v as? Double {
                guard let i = Int64(exactly: d) else {
                    throw ModelRuntimeError.invalidInput("input '\(name)' has a non-integer value in data")
                }
                return i
            }
            guard let n = v as? NSNumber, Double(n.int64Value) == n.doubleValue else {
                throw ModelRuntimeError.invalidInput("input '\(name)' has a non-integer value in data")
            }
            return n.int64Value
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
                    if let b = v as? Bool { return b }
                    if let n = v as? NSNumber { return n.doubleValue != 0 }
                    throw ModelRuntimeError.invalidInput("input '\(name)' has a non-boolean value in data")
                })
        case .string:
            storage = .string(
                try values.map { v in
                    guard let s = v as? String else {
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
    private static func flatten(_ values: [Any]) -> [Any] {
        var out: [Any] = []
        for v in values {
            if let nested = v as? [Any] { out.append(contentsOf: flatten(nested)) } else { out.append(v) }
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
