import Foundation
import FuzzSupport
import Testing
@testable import ModelRuntime

@Suite("Loader fuzzing")
struct LoaderFuzzTests {
    /// Mutates fixture bytes (byte flips, overwrites, deletions, duplications) with a fixed seed; every mutant
    /// must either load or fail with a `ModelRuntimeError`, and one that loads must run or fail the same way.
    @Test(
        "mutated fixtures never crash",
        arguments: ["scaler_logreg", "logreg_binary", "kmeans", "linear_svc", "mlp_binary", "tree_ensemble_v5",
            "category_mapper", "standard_ops", "lof_novelty", "svc_rbf", "gbr", "categorical_pipeline"])
    func mutants(name: String) throws {
        let original = try Fixtures.modelData(name)
        let (inputs, _) = try Fixtures.expectations(name)
        var rng = SplitMix64(state: UInt64(truncatingIfNeeded: name.hashValue == 0 ? 1 : name.utf8.reduce(7) { $0 &* 31 &+ Int($1) }))
        var loaded = 0
        for _ in 0..<150 {
            var bytes = [UInt8](original)
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let at = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: bytes[at] ^= UInt8(1 << Int.random(in: 0..<8, using: &rng))
                case 1: bytes[at] = UInt8.random(in: 0...255, using: &rng)
                case 2: bytes.remove(at: at)
                default: bytes.insert(bytes[at], at: at)
                }
                if bytes.isEmpty { bytes = [0] }
            }
            let error = runtimeError {
                let session = try ONNXSession(data: Data(bytes))
                loaded += 1
                _ = try session.run(inputs)
            }
            #expect(error?.code.rawValue != "unexpected_error_type", "\(String(describing: error))")
        }
        // Flips in weights and thresholds leave a model that still loads: the mutants reach planning and running,
        // not only the parser.
        #expect(loaded > 0, "none of 150 mutants of \(name) loaded")
    }
}
