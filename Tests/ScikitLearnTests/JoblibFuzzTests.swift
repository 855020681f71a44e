import CompressNIO
import Foundation
import FuzzSupport
import ModelRuntime
import NIOCore
import Testing

@testable import ScikitLearn

/// Mutates real joblib files where their structure lives — integers (shapes, counts, feature indices), dtype codes,
/// strings naming classes and attributes, opcodes, spliced-in chunks, truncations — on the plain pickle, then
/// sometimes compresses it: each mutant loads or is refused with a `ModelRuntimeError`, and one that loads runs on
/// batches of several sizes (with NaN and extremes) or refuses the input the same way. A trap ends the process,
/// which is the failure this hunts (`scripts/fuzz.sh --surface joblib` runs it for minutes).
@Suite struct JoblibFuzzTests {
    static let seeds = [
        "random_forest_classifier", "isolation_forest_features", "logistic_regression_multinomial", "pipeline",
        "decision_tree_regressor", "simple_imputer_median", "sgd_classifier_log", "min_max_scaler",
        "gradient_boosting_classifier_3", "hist_gradient_boosting_classifier", "column_transformer_pipeline",
        "one_hot_encoder_frame", "column_transformer_indices",
    ]
    static let dtypes = ["f8", "f4", "f2", "i8", "i4", "i1", "u8", "u1", "b1", "U1", "U9", "S3", "O8", "V8", "V64", "x8", "f0"]
    static let extremes: [[UInt8]] = [
        [0x4B, 0x00], [0x4B, 0xFF], [0x4A, 0xFF, 0xFF, 0xFF, 0xFF], [0x4A, 0xFF, 0xFF, 0xFF, 0x7F],
        [0x8A, 0x08, 0, 0, 0, 0, 0, 0, 0, 0x80], [0x8A, 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F],
        [0x4D, 0xFF, 0xFF], [0x4E], [0x88], [0x47, 0x7F, 0xF8, 0, 0, 0, 0, 0, 0],
    ]

    @Test func mutatedJoblibFilesNeverCrash() throws {
        var run = FuzzRun(surface: "joblib", cases: 1_500)
        var rng = SplitMix64(state: run.seed)
        let originals = try Self.seeds.map { name in
            [UInt8](try Data(contentsOf: SklearnFixtureTests.directory.appendingPathComponent("1.9.1/\(name).joblib")))
        } + [[UInt8](try Data(contentsOf: SklearnFixtureTests.directory.appendingPathComponent("1.3.0/isolation_forest.joblib")))]
        var loaded = 0
        var refused: [String: Int] = [:]
        while true {
            var bytes = rng.pick(originals)
            for _ in 0..<(1 + rng.next(3)) { Self.mutate(&bytes, &rng) }
            if rng.next(4) == 0 {
                var buffer = ByteBuffer(bytes: bytes)
                if let compressed = try? buffer.compress(with: .zlib()) {
                    bytes = Array(compressed.readableBytesView)
                    if rng.next(2) == 0, !bytes.isEmpty { bytes[rng.next(bytes.count)] ^= UInt8(1 + rng.next(255)) }
                }
            }
            guard run.next(Data(bytes)) else { break }
            do {
                let session = try SklearnSession(bytes: bytes, maxInflatedBytes: 16 << 20)
                loaded += 1
                for batch in [0, 1, 3] {
                    var inputs = try session.exampleInputs(batch: batch, seed: rng.next()) ?? [:]
                    for spec in session.signature.inputs where rng.next(2) == 0 {
                        guard case .fixed(let width) = spec.shape?.last else { continue }
                        inputs[spec.name] =
                            spec.elementType == .string
                            ? try Tensor(shape: [batch, width], strings: (0..<(batch * width)).map { _ in rng.pick(["", "web", "fax", "é"]) })
                            : try Tensor(
                                shape: [batch, width],
                                doubles: (0..<(batch * width)).map { _ in rng.pick([0, 1, -1, 1e300, -1e300, .nan, .infinity, 0.5, 42]) })
                    }
                    do {
                        let outputs = try session.run(inputs)
                        #expect(outputs.values.allSatisfy { $0.shape.first == batch })
                    } catch let error as ModelRuntimeError {
                        #expect(error.code == .invalidInput || error.code == .tooLarge, "\(error)")
                    }
                }
            } catch let error as ModelRuntimeError {
                refused[error.code.rawValue, default: 0] += 1
            } catch {
                Issue.record("an error that is not a ModelRuntimeError: \(error)")
            }
        }
        run.report()
        // Both outcomes happen: mutations reach past the pickle into the estimators and their evaluation.
        #expect(loaded > 0 && refused.values.reduce(0, +) > 0, "loaded \(loaded), refused \(refused)")
    }

    static func mutate(_ bytes: inout [UInt8], _ rng: inout SplitMix64) {
        guard bytes.count > 8 else { return }
        switch rng.next(8) {
        case 0:  // an integer opcode's value (shapes, counts, features, indices)
            let positions = bytes.indices.filter { [0x4B, 0x4A, 0x4D, 0x8A].contains(bytes[$0]) }
            guard let at = positions.isEmpty ? nil : rng.pick(positions) else { return }
            let width = [0x4B: 2, 0x4D: 3, 0x4A: 5, 0x8A: 2 + Int(bytes[min(at + 1, bytes.count - 1)])][Int(bytes[at])] ?? 2
            bytes.replaceSubrange(at..<min(at + width, bytes.count), with: rng.pick(extremes))
        case 1:  // a dtype code
            let positions = bytes.indices.dropLast(3).filter { bytes[$0] == 0x8C && (2...3).contains(bytes[$0 + 1]) }
            guard let at = positions.isEmpty ? nil : rng.pick(positions) else { return }
            let code = Array(rng.pick(dtypes).utf8)
            let old = Int(bytes[at + 1])
            bytes.replaceSubrange(at..<min(at + 2 + old, bytes.count), with: [0x8C, UInt8(code.count)] + code)
        case 2:  // a name: another allowed class, or a forbidden one
            let positions = bytes.indices.dropLast(2).filter { bytes[$0] == 0x8C && bytes[$0 + 1] > 3 }
            guard let at = positions.isEmpty ? nil : rng.pick(positions) else { return }
            let name = Array(rng.pick(["Tree", "IsolationForest", "numpy", "ndarray", "dtype", "posix", "system", "feature", "classes_", "steps", "n_features_in_", "estimators_", "coef_", "_sklearn_version"]).utf8)
            let old = Int(bytes[at + 1])
            bytes.replaceSubrange(at..<min(at + 2 + old, bytes.count), with: [0x8C, UInt8(name.count)] + name)
        case 3:  // a random byte
            bytes[rng.next(bytes.count)] = UInt8(truncatingIfNeeded: rng.next())
        case 4:  // a truncation
            bytes = Array(bytes.prefix(rng.next(bytes.count)))
        case 5:  // a chunk copied elsewhere (duplicated structure)
            let start = rng.next(bytes.count)
            let chunk = Array(bytes[start..<min(bytes.count, start + 1 + rng.next(64))])
            bytes.insert(contentsOf: chunk, at: rng.next(bytes.count))
        case 6:  // an opcode inserted
            bytes.insert(rng.pick([0x2E, 0x28, 0x30, 0x31, 0x32, 0x52, 0x62, 0x65, 0x68, 0x73, 0x75, 0x81, 0x85, 0x93, 0x94]), at: rng.next(bytes.count))
        default:  // a range removed
            let start = rng.next(bytes.count)
            bytes.removeSubrange(start..<min(bytes.count, start + 1 + rng.next(32)))
        }
    }
}
