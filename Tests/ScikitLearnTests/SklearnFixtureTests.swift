import Foundation
import ModelRuntime
import ScikitLearn
import Testing

/// Every estimator the generator (scripts/sklearn/generate_fixtures.py) trained under each pinned scikit-learn
/// version, read from its joblib files (uncompressed, zlib, gzip) and run on the recorded inputs: labels exactly as
/// scikit-learn gave them, numbers within 1e-6 relative + 1e-9 absolute, and a refusal wherever scikit-learn raised.
@Suite struct SklearnFixtureTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fixtures/sklearn")

    struct Fixture: CustomTestStringConvertible, Sendable {
        let version: String
        let name: String
        let file: String
        var testDescription: String { "\(version)/\(file)" }
    }

    static let fixtures: [Fixture] = {
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).sorted()
        return versions.flatMap { version -> [Fixture] in
            let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent(version).path)) ?? []).sorted()
            return files.filter { $0.hasSuffix(".joblib") }.map { file in
                Fixture(version: version, name: String(file.prefix { $0 != "." }), file: file)
            }
        }
    }()

    @Test func bothPinnedVersionsAreThere() {
        #expect(Set(Self.fixtures.map(\.version)).count >= 2)
        #expect(Self.fixtures.count >= 90)
    }

    @Test(arguments: fixtures) func matchesScikitLearn(_ fixture: Fixture) throws {
        let folder = Self.directory.appendingPathComponent(fixture.version)
        let bytes = [UInt8](try Data(contentsOf: folder.appendingPathComponent(fixture.file)))
        // FastJSON reads numbers with strtod, exactly; Foundation's reader on Linux can be off by an ulp or two, which
        // moves an input that sits exactly on a split threshold to the other branch.
        let record = try FastJSON.parse(Data(contentsOf: folder.appendingPathComponent("\(fixture.name).json"))) as! [String: Any]
        let session = try SklearnSession(bytes: bytes)
        let named = record["inputs"] as? [[String: Any]]
        if let named {
            // Fitted on a DataFrame: one input per column, strings where the encoder takes strings.
            #expect(session.signature.inputs.map(\.name) == named.map { $0["name"] as! String })
            #expect(session.signature.inputs.map(\.elementType.inferenceProtocolName) == named.map { $0["type"] as! String })
        }
        for case let entry as [String: Any] in record["cases"] as! [Any] {
            let caseName = entry["name"] as! String
            let rawRows = entry["X"] as! [[Any]]
            var inputs: [String: Tensor] = [:]
            if let named {
                for (c, column) in named.enumerated() {
                    let name = column["name"] as! String
                    if column["type"] as! String == "BYTES" {
                        inputs[name] = try Tensor(shape: [rawRows.count, 1], strings: rawRows.map { $0[c] as? String ?? "" })
                    } else {
                        inputs[name] = try Tensor(shape: [rawRows.count, 1], doubles: rawRows.map { Self.number($0[c]) })
                    }
                }
            } else {
                let width = rawRows.first?.count ?? 0
                #expect(session.signature.inputs.first?.shape == [.symbolic("N"), .fixed(width)])
                inputs["X"] = try Tensor(shape: [rawRows.count, width], doubles: rawRows.flatMap { $0.map(Self.number) })
            }
            let expected = entry["outputs"] as! [String: [String: Any]]
            if let failing = expected.first(where: { $0.value["error"] != nil }) {
                #expect(throws: ModelRuntimeError.self, "\(caseName): scikit-learn raised '\(failing.value["error"]!)'") {
                    try session.run(inputs)
                }
                continue
            }
            let outputs = try session.run(inputs)
            for (method, result) in expected {
                let name: String
                switch method {
                case "predict": name = outputs["label"] != nil ? "label" : "prediction"
                case "predict_proba": name = "probabilities"
                default: name = method
                }
                guard let tensor = outputs[name] else {
                    Issue.record("\(caseName): no output '\(name)' for \(method); outputs: \(outputs.keys.sorted())")
                    continue
                }
                let values = Self.flatten(result["values"]!)
                #expect(tensor.count == values.count, "\(caseName) \(method): \(tensor.count) values, scikit-learn gave \(values.count)")
                switch tensor.storage {
                case .string(let labels): #expect(labels == values.map { $0 as? String ?? "\($0)" }, "\(caseName) \(method)")
                case .int64(let labels): #expect(labels == values.map { Int64(Self.number($0)) }, "\(caseName) \(method)")
                case .float64(let numbers):
                    for (i, (got, want)) in zip(numbers, values.map(Self.number)).enumerated() {
                        let close = got == want || (got.isNaN && want.isNaN) || abs(got - want) <= 1e-9 + 1e-6 * abs(want)
                        #expect(close, "\(caseName) \(method)[\(i)]: \(got), scikit-learn \(want)")
                        if !close { break }
                    }
                default: Issue.record("\(caseName) \(method): unexpected type \(tensor.elementType)")
                }
            }
        }
    }

    static func number(_ value: Any) -> Double {
        switch value {
        case let s as String: s == "NaN" ? .nan : s == "Infinity" ? .infinity : s == "-Infinity" ? -.infinity : .nan
        case let n as Double: n
        case let n as Int64: Double(n)
        case let n as Int: Double(n)
        default: .nan
        }
    }

    static func flatten(_ value: Any) -> [Any] {
        if let list = value as? [Any] { return list.flatMap(flatten) }
        return [value]
    }
}
