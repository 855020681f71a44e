import Foundation
@testable import ModelRuntime

/// The ONNX fixtures written by scripts/onnx/generate_fixtures.py, found relative to this file.
enum Fixtures {
    static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fixtures/onnx")

    /// Names of all fixtures with both a model and expectations.
    static let names: [String] = {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }
            .filter { files.contains("\($0).onnx") }.sorted()
    }()

    static func model(_ name: String) -> URL { directory.appendingPathComponent("\(name).onnx") }

    static func modelData(_ name: String) throws -> Data { try Data(contentsOf: model(name)) }

    /// Inputs and onnxruntime's outputs for a fixture.
    static func expectations(_ name: String) throws -> (inputs: [String: Tensor], outputs: [String: Tensor]) {
        let data = try Data(contentsOf: directory.appendingPathComponent("\(name).json"))
        let inputs = try InferenceProtocolJSON.decode(data, key: "inputs")
        let outputs = try InferenceProtocolJSON.decode(data, key: "outputs")
        return (
            Dictionary(inputs.map { ($0.name, $0.tensor) }, uniquingKeysWith: { a, _ in a }),
            Dictionary(outputs.map { ($0.name, $0.tensor) }, uniquingKeysWith: { a, _ in a })
        )
    }
}

/// Compares a computed tensor with onnxruntime's: labels and integers exactly, floats within
/// 1e-5 absolute + 1e-5 relative, NaN equal to NaN. Returns a description of the first difference.
func difference(_ actual: Tensor, _ expected: Tensor) -> String? {
    guard actual.shape == expected.shape else { return "shape \(actual.shape) != expected \(expected.shape)" }
    switch (actual.storage, expected.storage) {
    case (.float32(let a), .float32(let e)):
        return floatDifference(a.map { Double($0) }, e.map { Double($0) })
    case (.float64(let a), .float64(let e)):
        return floatDifference(a, e)
    default:
        return actual.storage == expected.storage ? nil : "values differ: \(actual.storage) vs \(expected.storage)"
    }
}

private func floatDifference(_ a: [Double], _ e: [Double]) -> String? {
    for i in a.indices {
        if a[i].isNaN && e[i].isNaN { continue }
        if a[i] == e[i] { continue }
        if !(abs(a[i] - e[i]) <= 1e-5 + 1e-5 * abs(e[i])) { return "element \(i): \(a[i]) vs expected \(e[i])" }
    }
    return nil
}
