/// Names visible to a (sub)graph from its enclosing graphs.
struct OuterScope {
    var types: [String: ElementType]
    var constants: [String: Tensor]
}

/// A graph planned for execution, with its interface.
struct PlannedGraph {
    var plan: ExecutionPlan
    var inputs: [(name: String, type: ElementType)]
    var outputs: [(name: String, type: ElementType)]
    /// Outer-scope names the graph reads at run time; the caller passes them after the explicit inputs.
    var implicitInputs: [String]
    /// Count of nodes per `domain:Op`, including nodes folded away.
    var operatorCounts: [String: Int]
}

/// Plans subgraphs (Scan bodies) against the scope of the node that owns them.
struct SubgraphPlanner {
    let opsets: OpsetTable
    let scope: OuterScope

    func plan(_ graph: Onnx_GraphProto, label: String) throws -> PlannedGraph {
        try GraphPlanner(opsets: opsets).plan(graph, outer: scope, label: label)
    }
}

/// Turns a `GraphProto` into an `ExecutionPlan`: checks every node, orders them topologically, infers element
/// types, folds constant subgraphs and assigns slots with last-use moves.
struct GraphPlanner {
    let opsets: OpsetTable
    /// Whether to apply `PlanOptimizer` (tests compare against unoptimised plans).
    var optimize = true

    func plan(_ graph: Onnx_GraphProto, outer: OuterScope?, label: String = "graph") throws -> PlannedGraph {
        guard graph.sparseInitializer.isEmpty else {
            throw ModelRuntimeError(.unsupportedType, "\(label): sparse initializers are not supported")
        }
        var constants: [String: Tensor] = [:]
        for proto in graph.initializer {
            guard !proto.name.isEmpty else {
                throw ModelRuntimeError.invalidModel("\(label): an initializer has no name")
            }
            guard constants[proto.name] == nil else {
                throw ModelRuntimeError.invalidModel("\(label): initializer '\(proto.name)' is defined twice")
            }
            constants[proto.name] = try TensorProtoDecoder.decode(proto, context: "initializer '\(proto.name)'")
        }
        var types: [String: ElementType] = constants.mapValues(\.elementType)
        var inputs: [(name: String, type: ElementType)] = []
        for info in graph.input where constants[info.name] == nil {
            guard !info.name.isEmpty else { throw ModelRuntimeError.invalidModel("\(label): an input has no name") }
            guard types[info.name] == nil else {
                throw ModelRuntimeError.invalidModel("\(label): input '\(info.name)' is declared twice")
            }
            let type = try ValueInfoReader.elementType(info, what: "\(label) input '\(info.name)'")
            types[info.name] = type
            inputs.append((info.name, type))
        }
        let order = try TopologicalOrder.sort(graph.node, available: Set(types.keys), outer: outer, label: label)

        var builder = PlanBuilder()
        var inputSlots: [Int] = []
        for input in inputs { inputSlots.append(builder.slot(for: input.name)) }
        for (name, value) in constants { builder.constantIndex[name] = builder.addConstant(value) }
        var implicit: [String] = []
        var counts: [String: Int] = [:]

        for index in order {
            let node = graph.node[index]
            let domain = try opsets.normalise(node.domain, node: node)
            let nodeLabel = NodeLabel.make(node, domain: domain)
            counts["\(domain.isEmpty ? "ai.onnx" : domain):\(node.opType)", default: 0] += 1
            let definition = try OperatorRegistry.definition(domain: domain, name: node.opType, label: nodeLabel)
            let opset = opsets.version(for: domain)
            guard definition.opsets.contains(opset) else {
                throw ModelRuntimeError(
                    .unsupportedVersion,
                    "\(nodeLabel): opset \(opset) is not supported for \(node.opType) (supported "
                        + "\(definition.opsets.lowerBound)...\(definition.opsets.upperBound))")
            }
            var inputTypes: [ElementType?] = []
            var inputConstants: [Tensor?] = []
            for name in node.input {
                if name.isEmpty {
                    inputTypes.append(nil)
                    inputConstants.append(nil)
                    continue
                }
                if types[name] == nil, let outerType = outer?.types[name] {
                    types[name] = outerType
                    if let value = outer?.constants[name] {
                        constants[name] = value
                        builder.constantIndex[name] = builder.addConstant(value)
                    } else {
                        implicit.append(name)
                        _ = builder.slot(for: name)
                    }
                }
                guard let type = types[name] else {
                    throw ModelRuntimeError.invalidModel("\(nodeLabel): input '\(name)' is not defined")
                }
                inputTypes.append(type)
                inputConstants.append(constants[name])
            }
            // Only subgraph owners need a snapshot of the scope; building it per node would be quadratic.
            let ownsSubgraph = node.attribute.contains { $0.type == .graph || $0.hasG || !$0.graphs.isEmpty }
            let scope =
                ownsSubgraph
                ? OuterScope(
                    types: (outer?.types ?? [:]).merging(types) { $1 },
                    constants: (outer?.constants ?? [:]).merging(constants) { $1 })
                : OuterScope(types: [:], constants: [:])
            var context = NodeContext(
                node: node, label: nodeLabel, opset: opset,
                attributes: try AttributeReader(node: node, label: nodeLabel),
                inputTypes: inputTypes, constants: inputConstants,
                subgraphs: SubgraphPlanner(opsets: opsets, scope: scope))
            let built = try definition.build(&context)
            try context.attributes.finish()
            guard node.output.count <= built.outputTypes.count else {
                throw ModelRuntimeError.invalidModel(
                    "\(nodeLabel): declares \(node.output.count) outputs, the operator has \(built.outputTypes.count)")
            }
            for name in built.implicitInputs where types[name] == nil {
                guard let outerType = outer?.types[name] else {
                    throw ModelRuntimeError.invalidModel("\(nodeLabel): subgraph reads undefined value '\(name)'")
                }
                types[name] = outerType
                if let value = outer?.constants[name] {
                    constants[name] = value
                    builder.constantIndex[name] = builder.addConstant(value)
                } else {
                    implicit.append(name)
                    _ = builder.slot(for: name)
                }
            }
            let allNames = Array(node.input) + built.implicitInputs
            let allConstant = allNames.allSatisfy { $0.isEmpty || constants[$0] != nil }
            for (name, type) in zip(node.output, built.outputTypes) where !name.isEmpty {
                guard types[name] == nil else {
                    throw ModelRuntimeError.invalidModel("\(nodeLabel): output '\(name)' is already defined")
                }
                types[name] = type
            }
            if built.foldable && allConstant {
                var args: [Tensor?] = allNames.map { $0.isEmpty ? nil : constants[$0] }
                let results: [Tensor]
                do {
                    results = try built.kernel.run(&args)
                } catch let error as ModelRuntimeError {
                    throw ModelRuntimeError(
                        error.code == .tooLarge ? .tooLarge : .invalidModel,
                        "\(nodeLabel): fails on its constant inputs: \(error.message)")
                }
                for (name, value) in zip(node.output, results) where !name.isEmpty {
                    constants[name] = value
                    builder.constantIndex[name] = builder.addConstant(value)
                }
                continue
            }
            builder.addStep(
                kernel: built.kernel, inputs: allNames, outputs: Array(node.output), label: nodeLabel,
                fusion: built.fusion)
        }

        var outputs: [(name: String, type: ElementType)] = []
        var outputRefs: [ValueRef] = []
        for info in graph.output {
            guard let type = types[info.name], let ref = builder.ref(for: info.name) else {
                throw ModelRuntimeError.invalidModel("\(label): output '\(info.name)' is not produced by any node")
            }
            outputs.append((info.name, type))
            outputRefs.append(ref)
        }
        for name in implicit { inputSlots.append(builder.slot(for: name)) }
        var plan = builder.finish(inputSlots: inputSlots, outputRefs: outputRefs)
        if optimize { plan = PlanOptimizer.optimize(plan) }
        return PlannedGraph(
            plan: plan, inputs: inputs, outputs: outputs, implicitInputs: implicit, operatorCounts: counts)
    }
}

/// Formats `node 'name' (domain:Op)` for messages.
enum NodeLabel {
    static func make(_ node: Onnx_NodeProto, domain: String) -> String {
        let name = node.name.isEmpty ? (node.output.first ?? "?") : node.name
        return "node '\(name)' (\(domain.isEmpty ? "" : domain + ":")\(node.opType))"
    }
}
