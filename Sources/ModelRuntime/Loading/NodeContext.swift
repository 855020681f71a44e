/// What an operator builder sees of one node while the graph is planned.
struct NodeContext {
    let node: Onnx_NodeProto
    /// `node 'name' (domain:Op)`, used as the prefix of every message.
    let label: String
    /// The operator-set version in force for the node's domain.
    let opset: Int
    var attributes: AttributeReader
    /// Element type of each node input; `nil` where the optional input is omitted.
    let inputTypes: [ElementType?]
    /// Value of each input when it is known at load (initializers, folded constants).
    let constants: [Tensor?]
    /// Plans subgraphs (Scan bodies) against the enclosing scope.
    let subgraphs: SubgraphPlanner

    var inputCount: Int { inputTypes.count }

    /// The type of a required input.
    func type(_ index: Int) throws -> ElementType {
        guard index < inputTypes.count, let type = inputTypes[index] else {
            throw ModelRuntimeError.invalidModel("\(label): required input \(index) is missing")
        }
        return type
    }

    /// The type of an optional input, `nil` when omitted.
    func optionalType(_ index: Int) -> ElementType? { index < inputTypes.count ? inputTypes[index] : nil }

    /// The load-time value of an input, when known.
    func constant(_ index: Int) -> Tensor? { index < constants.count ? constants[index] : nil }

    /// Requires input `index` to have one of `allowed` types.
    @discardableResult
    func expect(_ index: Int, _ allowed: Set<ElementType>, _ what: String = "input") throws -> ElementType {
        let type = try type(index)
        guard allowed.contains(type) else {
            let names = allowed.map(\.onnxName).sorted().joined(separator: ", ")
            throw ModelRuntimeError(
                .unsupportedType, "\(label): \(what) \(index) has type \(type.onnxName); supported: \(names)")
        }
        return type
    }

    /// Requires the input count to lie in `range`.
    func expectInputs(_ range: ClosedRange<Int>) throws {
        let present = inputTypes.lastIndex(where: { $0 != nil }).map { $0 + 1 } ?? 0
        guard range.contains(present) || (present <= range.upperBound && inputCount >= range.lowerBound) else {
            throw ModelRuntimeError.invalidModel(
                "\(label): has \(inputCount) inputs, expected \(range.lowerBound)...\(range.upperBound)")
        }
        for i in 0..<range.lowerBound where i >= inputTypes.count || inputTypes[i] == nil {
            throw ModelRuntimeError.invalidModel("\(label): required input \(i) is missing")
        }
    }

    /// An error for an attribute value this runtime does not implement.
    func unsupported(_ attribute: String, _ value: String) -> ModelRuntimeError {
        ModelRuntimeError(.unsupportedAttribute, "\(label): \(attribute)=\(value) is not supported")
    }

    /// An error for a malformed attribute.
    func invalid(_ message: String) -> ModelRuntimeError {
        ModelRuntimeError.invalidModel("\(label): \(message)")
    }
}

/// What a builder returns: the kernel and the element type of each output.
struct BuiltOperator {
    var kernel: any Kernel
    var outputTypes: [ElementType]
    /// Whether the kernel may be run at load when all inputs are constants.
    var foldable = true
    /// Outer-scope names a subgraph reads; appended to the node's inputs by the planner.
    var implicitInputs: [String] = []
    /// Extra facts that planning optimisations use (e.g. a tree ensemble's structure).
    var fusion: FusionInfo? = nil
}

/// Facts about a built operator that planning optimisations (`PlanOptimizer`) can use.
enum FusionInfo: Sendable {
    /// A TreeEnsembleRegressor whose structure and finalisation are known.
    case treeRegressor(TreeEnsembleRegressorKernel)
    /// Gather along `axis` (indices are the step's second input).
    case gather(axis: Int)
    /// Each output element depends only on the same element of the inputs (constant operands aside).
    case pointwise
    /// The variadic Sum.
    case sum
    /// ReduceSumSquare with load-time axes.
    case reduceSumSquare(axes: [Int]?, keepDims: Bool)
    /// MatMul or Gemm over packed constant weights, which can absorb a following bias Add and Relu.
    case dense(DenseKernel)
    /// Float Softmax along `axis` (not coerced to 2-D), which can absorb a preceding scale and additive mask.
    case softmax(axis: Int)
    /// The exact float GELU, which a dense step can absorb.
    case gelu
    /// Float LayerNormalization with one output, which can absorb a preceding residual Add.
    case layerNorm(axis: Int, epsilon: Float)
}

/// An operator the runtime implements.
struct OperatorDefinition: Sendable {
    let domain: String
    let name: String
    /// Operator-set versions accepted for the node's domain.
    let opsets: ClosedRange<Int>
    let build: @Sendable (inout NodeContext) throws -> BuiltOperator
}
