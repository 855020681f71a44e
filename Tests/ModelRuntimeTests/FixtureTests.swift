import Foundation
import Testing
@testable import ModelRuntime

@Suite("Fixtures match onnxruntime")
struct FixtureTests {
    @Test("fixture catalogue is present")
    func catalogue() {
        #expect(Fixtures.names.count >= 19, "run scripts/onnx/generate_fixtures.py")
    }

    /// Every kernel path this CPU runs (portable, AVX2/FMA, AVX-512), forced per test by a task-local cap.
    static let levels = Array(0...KernelPaths.detected)

    @Test("outputs match onnxruntime on every kernel path", arguments: Fixtures.names, levels)
    func outputsMatch(name: String, level: Int) throws {
        try KernelPaths.$cap.withValue(level) { try outputsMatch(name: name) }
    }

    func outputsMatch(name: String) throws {
        let session = try ONNXSession(contentsOf: Fixtures.model(name))
        let (inputs, expected) = try Fixtures.expectations(name)
        let outputs = try session.run(inputs)
        #expect(!expected.isEmpty && expected.count == session.signature.outputs.count)
        for (outputName, want) in expected {
            let got = try #require(outputs[outputName], "missing output \(outputName)")
            let diff = difference(got, want)
            #expect(diff == nil, "\(name).\(outputName): \(diff ?? "")")
        }
    }

    @Test("row-by-row runs match the batched run", arguments: Fixtures.names)
    func rowsMatchBatch(name: String) throws {
        let session = try ONNXSession(contentsOf: Fixtures.model(name))
        let (inputs, expected) = try Fixtures.expectations(name)
        guard inputs.values.allSatisfy({ $0.rank == 2 }), let rows = inputs.values.first?.shape[0], rows > 1,
            name != "standard_ops"
        else { return }
        for r in 0..<rows {
            var single: [String: Tensor] = [:]
            for (k, t) in inputs {
                let width = t.shape[1]
                single[k] = try IndexingOperators.gather(t, Array((r * width)..<((r + 1) * width)), [1, width])
            }
            let outputs = try session.run(single)
            for (outputName, want) in expected where want.rank >= 1 && want.shape[0] == rows {
                let width = want.count / rows
                let row = try IndexingOperators.gather(want, Array((r * width)..<((r + 1) * width)), [1] + want.shape.dropFirst())
                let got = try #require(outputs[outputName])
                #expect(difference(got, row) == nil, "\(name).\(outputName) row \(r): \(difference(got, row) ?? "")")
            }
        }
    }
}
