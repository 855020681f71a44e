import Foundation
import Testing
@testable import ModelRuntime

@Suite("Planning optimisations")
struct PlanOptimizerTests {
    @Test("every fixture: optimised and unoptimised plans agree exactly", arguments: Fixtures.names)
    func optimisedPlansAreExact(name: String) throws {
        let session = try ONNXSession(contentsOf: Fixtures.model(name))
        let (inputs, _) = try Fixtures.expectations(name)
        let optimised = try session.run(inputs)
        let plain = try ONNXSessionTestSupport.unoptimised(name)
            .run(session.signature.inputs.map { try #require(inputs[$0.name]) })
        for (spec, value) in zip(session.signature.outputs, plain) {
            let got = try #require(optimised[spec.name])
            #expect(got.shape == value.shape && difference(got, value) == nil, "\(name).\(spec.name)")
        }
    }

    @Test func isolationForestCollapses() throws {
        let session = try ONNXSession(contentsOf: Fixtures.model("isolation_forest"))
        #expect(session.metadata.nodeCount == 2710)
        #expect(session.plan.steps.count < 20, "\(session.plan.steps.count) steps: \(session.plan.steps.map(\.label))")
    }

    @Test func fusedIsolationForestIsExact() throws {
        let session = try ONNXSession(contentsOf: Fixtures.model("isolation_forest"))
        let (inputs, expected) = try Fixtures.expectations("isolation_forest")
        let out = try session.run(inputs)
        // Bit-exact agreement with onnxruntime is not promised, but with the unfused plan it is.
        let unfused = try ONNXSessionTestSupport.unoptimised("isolation_forest")
        let reference = try unfused.run([try #require(inputs["X"])])
        #expect(out["scores"] == reference[1])
        #expect(difference(try #require(out["scores"]), try #require(expected["scores"])) == nil)
    }
}

enum ONNXSessionTestSupport {
    /// Plans a fixture without `PlanOptimizer`.
    static func unoptimised(_ name: String) throws -> ExecutionPlan {
        let proto = try ONNXModelFile.parse(try Fixtures.modelData(name))
        return try GraphPlanner(opsets: try OpsetTable(proto.opsetImport), optimize: false)
            .plan(proto.graph, outer: nil, label: "graph").plan
    }
}
