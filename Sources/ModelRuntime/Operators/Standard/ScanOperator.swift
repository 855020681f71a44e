/// Scan (opset 9+): runs a planned body graph once per slice of the scan inputs, carrying state.
enum ScanOperator {
    static var definitions: [OperatorDefinition] {
        [
            OperatorDefinition(domain: "", name: "Scan", opsets: 9...22) { ctx in
                let label = ctx.label
                let scanCount = try AttributeReader.required(try ctx.attributes.int("num_scan_inputs"), "num_scan_inputs", label)
                let body = try AttributeReader.required(try ctx.attributes.graph("body"), "body", label)
                for name in ["scan_input_axes", "scan_input_directions", "scan_output_axes", "scan_output_directions"] {
                    if let values = try ctx.attributes.ints(name), values.contains(where: { $0 != 0 }) {
                        throw ctx.unsupported(name, "\(values)")
                    }
                }
                let stateCount = ctx.inputCount - scanCount
                guard scanCount >= 1, stateCount >= 0 else { throw ctx.invalid("num_scan_inputs=\(scanCount) does not fit the inputs") }
                for i in 0..<ctx.inputCount { _ = try ctx.type(i) }
                let planned = try ctx.subgraphs.plan(body, label: "\(label) body")
                guard planned.inputs.count == ctx.inputCount else {
                    throw ctx.invalid("body has \(planned.inputs.count) inputs, the node passes \(ctx.inputCount)")
                }
                guard planned.outputs.count >= stateCount else { throw ctx.invalid("body has too few outputs") }
                for i in 0..<ctx.inputCount where planned.inputs[i].type != ctx.inputTypes[i] {
                    throw ctx.invalid("body input \(i) has type \(planned.inputs[i].type.onnxName)")
                }
                let kernel = ScanKernel(
                    body: planned.plan, stateCount: stateCount, scanCount: scanCount,
                    scanOutputCount: planned.outputs.count - stateCount, label: label)
                return BuiltOperator(
                    kernel: kernel, outputTypes: planned.outputs.map(\.type), implicitInputs: planned.implicitInputs)
            }
        ]
    }
}

struct ScanKernel: Kernel {
    let body: ExecutionPlan
    let stateCount: Int
    let scanCount: Int
    let scanOutputCount: Int
    let label: String

    func run(_ inputs: inout [Tensor?]) throws -> [Tensor] {
        var states = try (0..<stateCount).map { try inputs.required($0, label) }
        let scans = try (stateCount..<(stateCount + scanCount)).map { try inputs.required($0, label) }
        let implicit = inputs.dropFirst(stateCount + scanCount).compactMap { $0 }
        guard let length = scans.first?.shape.first, scans.allSatisfy({ $0.rank >= 1 && $0.shape[0] == length }) else {
            throw ModelRuntimeError.invalidInput("\(label): scan inputs must share their first dimension")
        }
        var collected = [[Tensor]](repeating: [], count: scanOutputCount)
        for t in 0..<length {
            let slices = try scans.map { s -> Tensor in
                let chunk = length == 0 ? 0 : s.count / length
                return try IndexingOperators.gather(s, Array((t * chunk)..<((t + 1) * chunk)), Array(s.shape.dropFirst()))
            }
            let outputs = try body.run(states + slices + implicit)
            states = Array(outputs.prefix(stateCount))
            for k in 0..<scanOutputCount { collected[k].append(outputs[stateCount + k]) }
        }
        var results = states
        for parts in collected {
            guard let first = parts.first else {
                results.append(Tensor(unchecked: [0], .float32([])))
                continue
            }
            guard parts.allSatisfy({ $0.shape == first.shape && $0.elementType == first.elementType }) else {
                throw ModelRuntimeError.invalidInput("\(label): scan outputs change shape between iterations")
            }
            let unsqueezed = parts.map { Tensor(unchecked: [1] + $0.shape, $0.storage) }
            results.append(try IndexingOperators.concat(unsqueezed, axis: 0, label: label))
        }
        return results
    }
}
