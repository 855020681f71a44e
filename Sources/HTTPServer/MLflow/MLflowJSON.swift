import Foundation
import Hummingbird
import ModelRuntime
import NIOCore
import RegistryCore

/// A JSON value as MLflow's clients parse it: int64 as numbers, non-finite doubles as the strings `"NaN"`,
/// `"Infinity"`, `"-Infinity"`, absent fields omitted. Written by hand (no reflection) because list endpoints
/// return thousands of entities.
indirect enum MLflowJSON {
    case object([(String, MLflowJSON?)])
    case array([MLflowJSON])
    case string(String)
    case int(Int64)
    case double(Double)
    case bool(Bool)
    /// Already-serialised JSON (entities written directly, for lists of thousands).
    case raw([UInt8])

    static func tags(_ tags: [String: String]) -> MLflowJSON {
        .array(tags.sorted { $0.key < $1.key }.map { .object([("key", .string($0.key)), ("value", .string($0.value))]) })
    }

    /// `nil` for an empty list, so the field is omitted as the reference server does.
    static func list(_ items: [MLflowJSON]) -> MLflowJSON? { items.isEmpty ? nil : .array(items) }

    func write(into out: inout [UInt8]) {
        switch self {
        case .object(let fields):
            out.append(UInt8(ascii: "{"))
            var first = true
            for (key, value) in fields {
                guard let value else { continue }
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                Self.writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                value.write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                item.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .string(let text):
            Self.writeString(text, into: &out)
        case .int(let value):
            Self.writeInt(value, into: &out)
        case .double(let value):
            Self.writeDouble(value, into: &out)
        case .bool(let value):
            out.append(contentsOf: (value ? "true" : "false").utf8)
        case .raw(let bytes):
            out.append(contentsOf: bytes)
        }
    }

    /// About the written size (exact for raw parts, a little over for the rest), so an answer of thousands of
    /// entities is written into one allocation rather than one that doubles and copies its way up.
    var sizeHint: Int {
        switch self {
        case .object(let fields): return fields.reduce(2) { $0 + $1.0.utf8.count + 4 + ($1.1?.sizeHint ?? 0) }
        case .array(let items): return items.reduce(2) { $0 + $1.sizeHint + 1 }
        case .string(let text): return text.utf8.count + 8
        case .int, .double: return 24
        case .bool: return 5
        case .raw(let bytes): return bytes.count
        }
    }

    static func writeInt(_ value: Int64, into out: inout [UInt8]) {
        JSONBytes.appendInteger(value, to: &out)
    }

    static func writeDouble(_ value: Double, into out: inout [UInt8]) {
        if value.isNaN {
            out.append(contentsOf: "\"NaN\"".utf8)
        } else if value.isInfinite {
            out.append(contentsOf: (value > 0 ? "\"Infinity\"" : "\"-Infinity\"").utf8)
        } else if value == value.rounded(), abs(value) < 1e15 {
            out.append(contentsOf: String(Int64(value)).utf8)
            out.append(contentsOf: ".0".utf8)
        } else {
            out.append(contentsOf: value.description.utf8)
        }
    }

    static func writeString(_ text: String, into out: inout [UInt8]) {
        JSONBytes.appendString(text, to: &out)
    }

    func response(status: HTTPResponse.Status = .ok) -> Response {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(sizeHint)
        write(into: &bytes)
        let buffer = ByteBuffer(bytes: bytes)
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: buffer))
    }

    static let empty = MLflowJSON.object([])
}

/// Writes one JSON object field by field straight into bytes (no intermediate tree), for entities listed by
/// the thousand. Absent optionals are omitted, like `MLflowJSON.object`.
struct JSONObjectWriter {
    private(set) var bytes: [UInt8]
    private var first = true

    init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
        bytes.append(UInt8(ascii: "{"))
    }

    private mutating func key(_ name: String) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        first = false
        MLflowJSON.writeString(name, into: &bytes)
        bytes.append(UInt8(ascii: ":"))
    }

    mutating func string(_ name: String, _ value: String?) {
        guard let value else { return }
        key(name)
        MLflowJSON.writeString(value, into: &bytes)
    }

    mutating func int(_ name: String, _ value: Int64?) {
        guard let value else { return }
        key(name)
        MLflowJSON.writeInt(value, into: &bytes)
    }

    mutating func double(_ name: String, _ value: Double) {
        key(name)
        MLflowJSON.writeDouble(value, into: &bytes)
    }

    mutating func json(_ name: String, _ value: MLflowJSON?) {
        guard let value else { return }
        key(name)
        value.write(into: &bytes)
    }

    mutating func finish() -> MLflowJSON {
        bytes.append(UInt8(ascii: "}"))
        return .raw(bytes)
    }
}

// MARK: Lenient request values

/// An int64 sent as a JSON number or a decimal string (protobuf JSON allows both).
struct LenientInt64: Decodable {
    let value: Int64

    init(value: Int64) { self.value = value }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int64.self) {
            value = number
        } else if let text = try? container.decode(String.self), let number = Int64(text) {
            value = number
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected an integer")
        }
    }
}

/// A double sent as a JSON number or as `"NaN"`, `"Infinity"`, `"-Infinity"` or a numeric string.
struct LenientDouble: Decodable {
    let value: Double

    init(value: Double) { self.value = value }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Double.self) {
            value = number
        } else if let text = try? container.decode(String.self), let number = LenientDouble.parse(text) {
            value = number
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected a number")
        }
    }

    static func parse(_ text: String) -> Double? {
        switch text {
        case "NaN", "nan": return .nan
        case "Infinity", "inf": return .infinity
        case "-Infinity", "-inf": return -.infinity
        default: return Double(text)
        }
    }
}

/// `{key, value}` as MLflow sends tags and params.
struct KeyValue: Decodable {
    let key: String
    let value: String?
}

extension Array where Element == KeyValue {
    var dictionary: [String: String] {
        var result: [String: String] = [:]
        for item in self { result[item.key] = item.value ?? "" }
        return result
    }
}

/// The offset-based page tokens MLflow searches use.
enum MLflowPage {
    static func offset(_ token: String?) throws -> Int { try PageToken.offset(token) }

    static func token(offset: Int, count: Int, more: Bool) -> MLflowJSON? {
        PageToken.next(offset: offset, count: count, more: more).map(MLflowJSON.string)
    }

    static func limit(_ value: Int64?, default defaultValue: Int, max maxValue: Int, what: String) throws -> Int {
        guard let value else { return defaultValue }
        guard value >= 1, value <= Int64(maxValue) else {
            throw RegistryError.invalidArgument("max_results for \(what) must be between 1 and \(maxValue), got \(value)")
        }
        return Int(value)
    }
}
