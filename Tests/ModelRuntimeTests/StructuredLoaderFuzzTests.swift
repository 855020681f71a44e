import Foundation
import FuzzSupport
import Testing

@testable import ModelRuntime

/// Mutates the structure of real models — declared dimensions, initializer dims against their data, Reshape and
/// shape constants, attribute values, node wiring, opsets — rather than their bytes: each mutant either loads or
/// is refused with a `ModelRuntimeError`, and one that loads runs on inputs of several shapes or fails the same
/// way. A trap or an exhausted memory ends the test process, which is the failure this hunts.
@Suite struct StructuredLoaderFuzzTests {
    static let seeds = [
        "scaler_logreg", "random_forest", "mlp", "standard_ops", "category_mapper", "kmeans", "svc_rbf",
        "linear_svc", "tree_ensemble_v5", "categorical_pipeline", "lof_novelty", "gbr",
    ]
    static let extremes: [Int64] = [0, -1, 1, 2, 7, 1 << 31, 1 << 40, 1 << 62, .max, .min, -(1 << 40)]

    @Test func mutatedModelStructureNeverCrashes() throws {
        var run = FuzzRun(surface: "onnx-loader", cases: 600)
        var rng = SplitMix64(state: run.seed)
        let originals = try Self.seeds.map { try Onnx_ModelProto(serializedBytes: try Fixtures.modelData($0)) }
        var loaded = 0
        var refused: [ModelRuntimeError.Code: Int] = [:]
        while true {
            var proto = originals[Int.random(in: 0..<originals.count, using: &rng)]
            for _ in 0..<Int.random(in: 1...3, using: &rng) { Self.mutate(&proto, &rng) }
            guard let data = try? (proto.serializedBytes() as Data) else { continue }
            guard run.next(data) else { break }
            let error = runtimeError {
                let session = try ONNXSession(data: data)
                loaded += 1
                for batch in [0, 1, 3] {
                    _ = try? session.run(try Self.inputs(session.signature, batch: batch, rng: &rng))
                }
                _ = try session.run(try Self.inputs(session.signature, batch: 2, rng: &rng))
            }
            if let error {
                #expect(error.code.rawValue != "unexpected_error_type", "\(error)")
                refused[error.code, default: 0] += 1
            }
        }
        run.report()
        // Both outcomes happen: the mutations reach past the parser into planning and execution.
        #expect(loaded > 0 && refused.values.reduce(0, +) > 0, "loaded \(loaded), refused \(refused)")
        #expect(refused[.tooLarge, default: 0] + refused[.invalidModel, default: 0] > 0)
    }

    static func mutate(_ proto: inout Onnx_ModelProto, _ rng: inout SplitMix64) {
        func extreme() -> Int64 { extremes[Int.random(in: 0..<extremes.count, using: &rng)] }
        var graph = proto.graph
        switch Int.random(in: 0..<8, using: &rng) {
        case 0, 1:  // a declared input or output dimension
            let useInput = Bool.random(using: &rng)
            var values = useInput ? graph.input : graph.output
            guard !values.isEmpty else { return }
            let v = Int.random(in: 0..<values.count, using: &rng)
            var shape = values[v].type.tensorType.shape
            if shape.dim.isEmpty || Int.random(in: 0..<4, using: &rng) == 0 {
                shape.dim.append(Onnx_TensorShapeProto.Dimension())
            }
            let d = Int.random(in: 0..<shape.dim.count, using: &rng)
            if Int.random(in: 0..<5, using: &rng) == 0 { shape.dim[d].dimParam = "free" } else { shape.dim[d].dimValue = extreme() }
            values[v].type.tensorType.shape = shape
            if useInput { graph.input = values } else { graph.output = values }
        case 2:  // an initializer's dims, against the data it holds
            guard !graph.initializer.isEmpty else { return }
            let i = Int.random(in: 0..<graph.initializer.count, using: &rng)
            if graph.initializer[i].dims.isEmpty || Bool.random(using: &rng) {
                graph.initializer[i].dims.append(extreme())
            } else {
                graph.initializer[i].dims[Int.random(in: 0..<graph.initializer[i].dims.count, using: &rng)] = extreme()
            }
        case 3:  // an initializer's values: shape constants (Reshape, Expand, Slice targets) become extremes
            guard !graph.initializer.isEmpty else { return }
            let i = Int.random(in: 0..<graph.initializer.count, using: &rng)
            if !graph.initializer[i].int64Data.isEmpty {
                let at = Int.random(in: 0..<graph.initializer[i].int64Data.count, using: &rng)
                graph.initializer[i].int64Data[at] = extreme()
            } else if !graph.initializer[i].rawData.isEmpty {
                graph.initializer[i].rawData = graph.initializer[i].rawData.prefix(Int.random(in: 0...graph.initializer[i].rawData.count, using: &rng))
            } else {
                graph.initializer[i].dataType = Int32(Int.random(in: 0...16, using: &rng))
            }
        case 4:  // an attribute value
            guard !graph.node.isEmpty else { return }
            let n = Int.random(in: 0..<graph.node.count, using: &rng)
            guard !graph.node[n].attribute.isEmpty else { return }
            let a = Int.random(in: 0..<graph.node[n].attribute.count, using: &rng)
            var attribute = graph.node[n].attribute[a]
            switch attribute.type {
            case .int: attribute.i = extreme()
            case .ints:
                if attribute.ints.isEmpty || Bool.random(using: &rng) { attribute.ints.append(extreme()) }
                else { attribute.ints[Int.random(in: 0..<attribute.ints.count, using: &rng)] = extreme() }
            case .float: attribute.f = [Float.nan, .infinity, -.infinity, 0, 1e30][Int.random(in: 0..<5, using: &rng)]
            case .floats:
                if attribute.floats.isEmpty { attribute.floats = [.nan] }
                else { attribute.floats.removeLast(Int.random(in: 0...attribute.floats.count, using: &rng)) }
            case .tensor: attribute.t.dims = [extreme(), extreme()]
            default: attribute.type = .ints
            }
            graph.node[n].attribute[a] = attribute
        case 5:  // node wiring: an input renamed to another value, dropped or doubled
            guard !graph.node.isEmpty else { return }
            let n = Int.random(in: 0..<graph.node.count, using: &rng)
            let names = graph.node.flatMap(\.output) + graph.input.map(\.name) + graph.initializer.map(\.name)
            guard !graph.node[n].input.isEmpty, !names.isEmpty else { return }
            let i = Int.random(in: 0..<graph.node[n].input.count, using: &rng)
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: graph.node[n].input[i] = names[Int.random(in: 0..<names.count, using: &rng)]
            case 1: graph.node[n].input.remove(at: i)
            default: graph.node[n].input.append(graph.node[n].input[i])
            }
        case 6:  // an operator swapped for another of the set the runtime knows
            guard !graph.node.isEmpty else { return }
            let ops = ["Reshape", "Expand", "Tile", "Range", "ConstantOfShape", "Concat", "Gather", "Slice", "MatMul", "Add", "Transpose", "Flatten", "ReduceSum", "Softmax", "Cast", "Where"]
            graph.node[Int.random(in: 0..<graph.node.count, using: &rng)].opType = ops[Int.random(in: 0..<ops.count, using: &rng)]
        default:  // an opset version
            guard !proto.opsetImport.isEmpty else { return }
            proto.opsetImport[Int.random(in: 0..<proto.opsetImport.count, using: &rng)].version = [0, 1, 8, 13, 17, 99, .max][Int.random(in: 0..<7, using: &rng)]
        }
        proto.graph = graph
    }

    /// Inputs shaped after the signature: `batch` rows, other free dimensions 0 to 3, random values.
    static func inputs(_ signature: ModelSignature, batch: Int, rng: inout SplitMix64) throws -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        for input in signature.inputs {
            var shape = (input.shape ?? [.unknown]).map { dim -> Int in
                if case .fixed(let n) = dim { return n }
                return Int.random(in: 0...3, using: &rng)
            }
            if !shape.isEmpty, input.shape?.first.map({ if case .fixed = $0 { false } else { true } }) ?? true {
                shape[0] = batch
            }
            let count = try Tensor.count(of: shape, input.name)
            let storage: Tensor.Storage =
                switch input.elementType {
                case .float32: .float32((0..<count).map { _ in Float.random(in: -3...3, using: &rng) })
                case .float64: .float64((0..<count).map { _ in Double.random(in: -3...3, using: &rng) })
                case .int64: .int64((0..<count).map { _ in Int64.random(in: -2...5, using: &rng) })
                case .int32: .int32((0..<count).map { _ in Int32.random(in: -2...5, using: &rng) })
                case .bool: .bool((0..<count).map { _ in Bool.random(using: &rng) })
                case .string: .string((0..<count).map { _ in ["a", "b", "", "zz"][Int.random(in: 0..<4, using: &rng)] })
                }
            result[input.name] = try Tensor(shape: shape, storage: storage)
        }
        return result
    }
}
