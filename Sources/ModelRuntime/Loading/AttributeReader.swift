/// Typed, validated access to one node's attributes.
///
/// Every read names the attribute; `finish()` refuses attributes the operator builder never asked for, so an
/// attribute this runtime would silently ignore is reported at load instead.
struct AttributeReader {
    private var attributes: [String: Onnx_AttributeProto] = [:]
    private var consumed: Set<String> = []
    let label: String

    init(node: Onnx_NodeProto, label: String) throws {
        self.label = label
        for attribute in node.attribute {
            guard attributes[attribute.name] == nil else {
                throw ModelRuntimeError.invalidModel("\(label): attribute '\(attribute.name)' appears twice")
            }
            if !attribute.refAttrName.isEmpty {
                throw ModelRuntimeError(
                    .unsupportedAttribute, "\(label): attribute '\(attribute.name)' refers to a function attribute")
            }
            attributes[attribute.name] = attribute
        }
    }

    /// Whether the attribute is present.
    func has(_ name: String) -> Bool { attributes[name] != nil }

    private mutating func fetch(_ name: String, _ type: Onnx_AttributeProto.AttributeType) throws
        -> Onnx_AttributeProto?
    {
        guard let attribute = attributes[name] else { return nil }
        consumed.insert(name)
        // Old exporters leave `type` unset; accept the value when the matching field is populated.
        if attribute.type != .undefined && attribute.type != type {
            throw ModelRuntimeError(
                .unsupportedAttribute, "\(label): attribute '\(name)' has type \(attribute.type), expected \(type)")
        }
        return attribute
    }

    mutating func int(_ name: String) throws -> Int? {
        guard let a = try fetch(name, .int) else { return nil }
        guard let value = Int(exactly: a.i) else {
            throw ModelRuntimeError(.unsupportedAttribute, "\(label): attribute '\(name)' is out of range")
        }
        return value
    }

    mutating func int(_ name: String, default value: Int) throws -> Int { try int(name) ?? value }

    mutating func float(_ name: String) throws -> Float? { try fetch(name, .float)?.f }

    mutating func float(_ name: String, default value: Float) throws -> Float { try float(name) ?? value }

    mutating func string(_ name: String) throws -> String? {
        guard let a = try fetch(name, .string) else { return nil }
        return String(decoding: a.s, as: UTF8.self)
    }

    mutating func string(_ name: String, default value: String) throws -> String { try string(name) ?? value }

    mutating func ints(_ name: String) throws -> [Int]? {
        guard let a = try fetch(name, .ints) else { return nil }
        return try a.ints.map {
            guard let v = Int(exactly: $0) else {
                throw ModelRuntimeError(.unsupportedAttribute, "\(label): attribute '\(name)' is out of range")
            }
            return v
        }
    }

    mutating func int64s(_ name: String) throws -> [Int64]? { try fetch(name, .ints)?.ints }

    mutating func floats(_ name: String) throws -> [Float]? { try fetch(name, .floats)?.floats }

    mutating func strings(_ name: String) throws -> [String]? {
        try fetch(name, .strings)?.strings.map { String(decoding: $0, as: UTF8.self) }
    }

    mutating func tensor(_ name: String) throws -> Tensor? {
        guard let a = try fetch(name, .tensor) else { return nil }
        return try TensorProtoDecoder.decode(a.t, context: "\(label): attribute '\(name)'")
    }

    /// The raw tensor proto, for element types `Tensor` does not hold (TreeEnsemble's uint8 modes).
    mutating func tensorProto(_ name: String) throws -> Onnx_TensorProto? { try fetch(name, .tensor)?.t }

    /// A float attribute list, or its `_as_tensor` twin converted to float.
    mutating func floatsOrTensor(_ name: String) throws -> [Float]? {
        if let t = try tensor(name + "_as_tensor") {
            return try CastOperator.convert(t, to: .float32).floats
        }
        return try floats(name)
    }

    mutating func graph(_ name: String) throws -> Onnx_GraphProto? { try fetch(name, .graph)?.g }

    /// Marks attributes that are accepted but deliberately unused (e.g. `nodes_hitrates`).
    mutating func ignore(_ names: String...) {
        for name in names { consumed.insert(name) }
    }

    /// Refuses any attribute no one read.
    func finish() throws {
        let unknown = attributes.keys.filter { !consumed.contains($0) }.sorted()
        if let first = unknown.first {
            throw ModelRuntimeError(.unsupportedAttribute, "\(label): attribute '\(first)' is not supported")
        }
    }

    /// A required attribute, or an error naming it.
    static func required<T>(_ value: T?, _ name: String, _ label: String) throws -> T {
        guard let value else {
            throw ModelRuntimeError.invalidModel("\(label): required attribute '\(name)' is missing")
        }
        return value
    }
}
