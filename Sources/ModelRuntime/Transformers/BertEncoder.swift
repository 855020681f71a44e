import Foundation

/// The shape of a BERT-family encoder, as Hugging Face's `config.json` gives it.
public struct BertConfiguration: Sendable, Equatable {
    public var hiddenSize: Int
    public var attentionHeads: Int
    public var layers: Int
    public var intermediateSize: Int
    public var maxPositions: Int
    public var typeVocabularySize: Int
    public var vocabularySize: Int
    public var layerNormEpsilon: Float
    /// `gelu` (exact, through erf), `gelu_new` / `gelu_pytorch_tanh` (tanh approximation) or `relu`.
    public var activation: String

    public init(
        hiddenSize: Int, attentionHeads: Int, layers: Int, intermediateSize: Int, maxPositions: Int,
        typeVocabularySize: Int, vocabularySize: Int, layerNormEpsilon: Float = 1e-12, activation: String = "gelu"
    ) {
        self.hiddenSize = hiddenSize
        self.attentionHeads = attentionHeads
        self.layers = layers
        self.intermediateSize = intermediateSize
        self.maxPositions = maxPositions
        self.typeVocabularySize = typeVocabularySize
        self.vocabularySize = vocabularySize
        self.layerNormEpsilon = layerNormEpsilon
        self.activation = activation
    }

    /// Every dimension positive, the hidden size a multiple of the heads, sizes within reason (a hostile
    /// `config.json` must not make the builder allocate beyond what its weights could honestly need).
    func validate() throws {
        let sizes = [hiddenSize, attentionHeads, layers, intermediateSize, maxPositions, typeVocabularySize, vocabularySize]
        guard sizes.allSatisfy({ $0 > 0 }), hiddenSize <= 65_536, intermediateSize <= 262_144, layers <= 256,
            maxPositions <= 1 << 20, vocabularySize <= 4_000_000, typeVocabularySize <= 1_024
        else {
            throw ModelRuntimeError.invalidModel("config.json: the encoder's sizes \(sizes) are not positive or are out of range")
        }
        guard hiddenSize % attentionHeads == 0 else {
            throw ModelRuntimeError.invalidModel(
                "config.json: hidden_size \(hiddenSize) is not a multiple of num_attention_heads \(attentionHeads)")
        }
        guard ["gelu", "gelu_new", "gelu_pytorch_tanh", "gelu_fast", "relu"].contains(activation) else {
            throw ModelRuntimeError(.unsupportedAttribute, "config.json: hidden_act '\(activation)' is not supported")
        }
        guard layerNormEpsilon.isFinite, layerNormEpsilon >= 0 else {
            throw ModelRuntimeError.invalidModel("config.json: layer_norm_eps must be a non-negative number")
        }
    }
}

/// A BERT encoder built natively from its weights (Hugging Face `BertModel` names, as in `model.safetensors`):
/// the same graph an ONNX export of the model holds (embeddings, LayerNormalization, attention with the padding
/// mask, GELU feed-forward), planned by this runtime, so no export step is needed and every optimisation of the
/// runtime applies. Inputs `input_ids`, `attention_mask`, `token_type_ids` (int64 `[batch, sequence]`); output
/// `last_hidden_state` (float32 `[batch, sequence, hidden]`).
public enum BertEncoder {
    /// - Parameter weights: float32 tensors by name; a `bert.` prefix (task checkpoints) is accepted, and tensors
    ///   the encoder does not use (`pooler.*`, `embeddings.position_ids`, task heads) are ignored.
    public static func session(configuration c: BertConfiguration, weights: [String: Tensor]) throws -> ONNXSession {
        try c.validate()
        var graph = GraphWriter()
        let hidden = Int64(c.hiddenSize)

        func weight(_ name: String, _ shape: [Int]) throws -> String {
            guard let tensor = weights[name] ?? weights["bert." + name] else {
                throw ModelRuntimeError.invalidModel("the weights have no tensor '\(name)'")
            }
            guard tensor.shape == shape else {
                throw ModelRuntimeError.invalidModel("weight '\(name)' has shape \(tensor.shape), the configuration needs \(shape)")
            }
            guard tensor.elementType == .float32 else {
                throw ModelRuntimeError(.unsupportedType, "weight '\(name)' is \(tensor.elementType.onnxName), float32 is needed")
            }
            return graph.initializer(name, tensor)
        }
        /// A Linear layer's weight, stored `[out, in]`, transposed once here for `x · W`.
        func linear(_ x: String, _ name: String, inputs: Int, outputs: Int) throws -> String {
            let w = try weight(name + ".weight", [outputs, inputs])
            let t = try IndexingOperators.transpose(graph.take(w), perm: [1, 0], label: name)
            let product = graph.node("MatMul", [x, graph.initializer(name + ".weight.T", t)])
            return graph.node("Add", [product, try weight(name + ".bias", [outputs])])
        }
        func layerNorm(_ x: String, _ name: String) throws -> String {
            graph.node(
                "LayerNormalization", [x, try weight(name + ".weight", [c.hiddenSize]), try weight(name + ".bias", [c.hiddenSize])],
                attributes: [.float("epsilon", c.layerNormEpsilon), .int("axis", -1)])
        }

        let shape = graph.node("Shape", ["input_ids"])
        let sequence = graph.node("Gather", [shape, graph.constant(int64s: [1], shape: [])], attributes: [.int("axis", 0)])
        let positions = graph.node(
            "Unsqueeze",
            [graph.node("Range", [graph.constant(int64s: [0], shape: []), sequence, graph.constant(int64s: [1], shape: [])]), graph.constant(int64s: [0], shape: [1])])
        let words = graph.node("Gather", [try weight("embeddings.word_embeddings.weight", [c.vocabularySize, c.hiddenSize]), "input_ids"])
        let types = graph.node(
            "Gather", [try weight("embeddings.token_type_embeddings.weight", [c.typeVocabularySize, c.hiddenSize]), "token_type_ids"])
        let places = graph.node("Gather", [try weight("embeddings.position_embeddings.weight", [c.maxPositions, c.hiddenSize]), positions])
        var h = try layerNorm(graph.node("Add", [graph.node("Add", [words, types]), places]), "embeddings.LayerNorm")

        // [batch, 1, 1, sequence]: 0 where a token is real, the most negative float where it is padding.
        let mask4 = graph.node("Unsqueeze", ["attention_mask", graph.constant(int64s: [1, 2], shape: [2])])
        let padding = graph.node("Equal", [mask4, graph.constant(int64s: [0], shape: [])])
        let additiveMask = graph.node(
            "Where", [padding, graph.constant(floats: [-Float.greatestFiniteMagnitude], shape: []), graph.constant(floats: [0], shape: [])])

        for layer in 0..<c.layers {
            let p = "encoder.layer.\(layer)."
            // Queries, keys and values from one product with the three weights side by side ([hidden, 3 hidden]),
            // attended head by head in place by ai.modelyard:Attention (softmax(q kᵀ / √d + mask) v).
            var packed: [Float] = [], bias: [Float] = []
            packed.reserveCapacity(c.hiddenSize * 3 * c.hiddenSize)
            var transposed: [[Float]] = []
            for part in ["query", "key", "value"] {
                let name = p + "attention.self." + part
                let w = try weight(name + ".weight", [c.hiddenSize, c.hiddenSize])
                let t = try IndexingOperators.transpose(graph.take(w), perm: [1, 0], label: name)
                transposed.append(t.floats ?? [])
                bias += graph.take(try weight(name + ".bias", [c.hiddenSize])).floats ?? []
            }
            for row in 0..<c.hiddenSize {
                for part in transposed { packed += part[(row * c.hiddenSize)..<((row + 1) * c.hiddenSize)] }
            }
            let qkv = graph.node(
                "Add",
                [
                    graph.node("MatMul", [h, graph.initializer(p + "attention.self.qkv.weight", Tensor(unchecked: [c.hiddenSize, 3 * c.hiddenSize], .float32(packed)))]),
                    graph.initializer(p + "attention.self.qkv.bias", Tensor(unchecked: [3 * c.hiddenSize], .float32(bias))),
                ])
            let merged = graph.node(
                "Attention", [qkv, additiveMask], attributes: [.int("num_heads", Int64(c.attentionHeads))], domain: AttentionOperator.domain)
            let attended = try layerNorm(
                graph.node("Add", [try linear(merged, p + "attention.output.dense", inputs: c.hiddenSize, outputs: c.hiddenSize), h]),
                p + "attention.output.LayerNorm")
            let inner = try linear(attended, p + "intermediate.dense", inputs: c.hiddenSize, outputs: c.intermediateSize)
            let activated: String
            switch c.activation {
            case "relu": activated = graph.node("Relu", [inner])
            case "gelu": activated = graph.node("Gelu", [inner])
            default: activated = graph.node("Gelu", [inner], attributes: [.string("approximate", "tanh")])
            }
            let output = try linear(activated, p + "output.dense", inputs: c.intermediateSize, outputs: c.hiddenSize)
            h = try layerNorm(graph.node("Add", [output, attended]), p + "output.LayerNorm")
        }
        graph.output(h, as: "last_hidden_state")
        return try ONNXSession(proto: graph.model(
            inputs: ["input_ids", "attention_mask", "token_type_ids"].map { ($0, ElementType.int64, [nil, nil]) },
            outputs: [("last_hidden_state", .float32, [nil, nil, hidden])], opset: 20))
    }
}

/// Writes an ONNX graph in memory: nodes with generated value names, initializers from tensors.
struct GraphWriter {
    enum Attribute {
        case int(String, Int64)
        case ints(String, [Int64])
        case float(String, Float)
        case string(String, String)
    }

    private(set) var nodes: [Onnx_NodeProto] = []
    private var initializers: [String: Tensor] = [:]
    private var order: [String] = []
    private var counter = 0

    mutating func initializer(_ name: String, _ tensor: Tensor) -> String {
        if initializers[name] == nil { order.append(name) }
        initializers[name] = tensor
        return name
    }

    /// Removes an initializer that only served to build another one.
    mutating func take(_ name: String) -> Tensor {
        order.removeAll { $0 == name }
        return initializers.removeValue(forKey: name)!
    }

    mutating func constant(int64s: [Int64], shape: [Int]) -> String {
        counter += 1
        return initializer("const_\(counter)", Tensor(unchecked: shape, .int64(int64s)))
    }

    mutating func constant(floats: [Float], shape: [Int]) -> String {
        counter += 1
        return initializer("const_\(counter)", Tensor(unchecked: shape, .float32(floats)))
    }

    mutating func node(_ op: String, _ inputs: [String], attributes: [Attribute] = [], domain: String = "") -> String {
        counter += 1
        let output = "\(op)_\(counter)"
        var node = Onnx_NodeProto()
        node.opType = op
        node.domain = domain
        node.name = "/\(op)_\(counter)"
        node.input = inputs
        node.output = [output]
        node.attribute = attributes.map { attribute in
            var a = Onnx_AttributeProto()
            switch attribute {
            case .int(let name, let value): (a.name, a.type, a.i) = (name, .int, value)
            case .ints(let name, let values): (a.name, a.type, a.ints) = (name, .ints, values)
            case .float(let name, let value): (a.name, a.type, a.f) = (name, .float, value)
            case .string(let name, let value): (a.name, a.type, a.s) = (name, .string, Data(value.utf8))
            }
            return a
        }
        nodes.append(node)
        return output
    }

    mutating func output(_ value: String, as name: String) {
        var node = Onnx_NodeProto()
        node.opType = "Identity"
        node.name = "/output_\(name)"
        node.input = [value]
        node.output = [name]
        nodes.append(node)
    }

    func model(inputs: [(String, ElementType, [Int64?])], outputs: [(String, ElementType, [Int64?])], opset: Int64) -> Onnx_ModelProto {
        func info(_ value: (String, ElementType, [Int64?])) -> Onnx_ValueInfoProto {
            var info = Onnx_ValueInfoProto()
            info.name = value.0
            var tensor = Onnx_TypeProto.Tensor()
            tensor.elemType = Int32(value.1.onnxCode)
            var shape = Onnx_TensorShapeProto()
            shape.dim = value.2.enumerated().map { index, size in
                var dim = Onnx_TensorShapeProto.Dimension()
                if let size { dim.dimValue = size } else { dim.dimParam = index == 0 ? "batch" : "sequence" }
                return dim
            }
            tensor.shape = shape
            info.type.tensorType = tensor
            return info
        }
        var graph = Onnx_GraphProto()
        graph.name = "encoder"
        graph.node = nodes
        graph.initializer = order.map { name in
            let tensor = initializers[name]!
            var proto = Onnx_TensorProto()
            proto.name = name
            proto.dims = tensor.shape.map { Int64($0) }
            switch tensor.storage {
            case .float32(let v):
                proto.dataType = 1
                proto.rawData = v.withUnsafeBytes { Data($0) }
            case .int64(let v):
                proto.dataType = 7
                proto.rawData = v.withUnsafeBytes { Data($0) }
            default:
                break
            }
            return proto
        }
        graph.input = inputs.map(info)
        graph.output = outputs.map(info)
        var model = Onnx_ModelProto()
        model.irVersion = 9
        model.producerName = "modelyard"
        var set = Onnx_OperatorSetIdProto()
        set.version = opset
        model.opsetImport = [set]
        for domain in Set(nodes.map(\.domain)).subtracting([""]).sorted() {
            var custom = Onnx_OperatorSetIdProto()
            custom.domain = domain
            custom.version = 1
            model.opsetImport.append(custom)
        }
        model.graph = graph
        return model
    }
}
