/// Orders nodes so every value is produced before it is read (Kahn's algorithm, stable in file order), and
/// reports dangling references and cycles by node.
enum TopologicalOrder {
    static func sort(_ nodes: [Onnx_NodeProto], available: Set<String>, outer: OuterScope?, label: String) throws
        -> [Int]
    {
        var producer: [String: Int] = [:]
        for (i, node) in nodes.enumerated() {
            for name in node.output where !name.isEmpty {
                guard producer[name] == nil, !available.contains(name) else {
                    throw ModelRuntimeError.invalidModel(
                        "\(NodeLabel.make(node, domain: node.domain)): output '\(name)' is already defined")
                }
                producer[name] = i
            }
        }
        var dependents = [[Int]](repeating: [], count: nodes.count)
        var pendingCount = [Int](repeating: 0, count: nodes.count)
        for (i, node) in nodes.enumerated() {
            var reads = Set(node.input.filter { !$0.isEmpty })
            for attribute in node.attribute {
                if attribute.hasG { reads.formUnion(freeNames(attribute.g)) }
                for g in attribute.graphs { reads.formUnion(freeNames(g)) }
            }
            for name in reads {
                if let p = producer[name] {
                    if p == i {
                        throw ModelRuntimeError.invalidModel(
                            "\(NodeLabel.make(node, domain: node.domain)): reads its own output '\(name)' (cycle)")
                    }
                    dependents[p].append(i)
                    pendingCount[i] += 1
                } else if !available.contains(name) && outer?.types[name] == nil {
                    throw ModelRuntimeError.invalidModel(
                        "\(NodeLabel.make(node, domain: node.domain)): input '\(name)' is not produced by any node "
                            + "and is neither a graph input nor an initializer (missing initializer?)")
                }
            }
        }
        var ready = (0..<nodes.count).filter { pendingCount[$0] == 0 }.reversed().map { $0 }
        var order: [Int] = []
        order.reserveCapacity(nodes.count)
        while let next = ready.popLast() {
            order.append(next)
            for d in dependents[next] {
                pendingCount[d] -= 1
                if pendingCount[d] == 0 { ready.append(d) }
            }
        }
        if order.count < nodes.count, let stuck = (0..<nodes.count).first(where: { pendingCount[$0] > 0 }) {
            throw ModelRuntimeError.invalidModel(
                "\(label) has a cycle through \(NodeLabel.make(nodes[stuck], domain: nodes[stuck].domain))")
        }
        return order
    }

    /// Names a subgraph reads from its enclosing scopes.
    static func freeNames(_ graph: Onnx_GraphProto) -> Set<String> {
        var defined = Set(graph.input.map(\.name)).union(graph.initializer.map(\.name))
        for node in graph.node { defined.formUnion(node.output) }
        var free = Set<String>()
        for node in graph.node {
            for name in node.input where !name.isEmpty && !defined.contains(name) { free.insert(name) }
            for attribute in node.attribute {
                if attribute.hasG { free.formUnion(freeNames(attribute.g).subtracting(defined)) }
            }
        }
        for output in graph.output where !defined.contains(output.name) { free.insert(output.name) }
        return free
    }
}
