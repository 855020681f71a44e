import Foundation
import HTTPServer
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Registry
import RegistryCore
import Serving
import Testing

@testable import ModelRuntime
import ModelyardAPI

/// Requests and model files built to crash or stall the server: each is answered with a 4xx (or the model refused
/// with its reason), the server keeps serving, and nothing a client sends counts against a version.
@Suite struct HostileRequestTests {
    typealias S = ServingAPITests

    /// A one-node model whose input declares `dims` (nil: a free dimension).
    static func model(input dims: [Int64?]) throws -> [UInt8] {
        var relu = Onnx_NodeProto()
        relu.opType = "Relu"
        relu.input = ["wide"]
        relu.output = ["Y"]
        var graph = Onnx_GraphProto()
        graph.name = "wide"
        graph.node = [relu]
        graph.input = [S.value("wide", dims)]
        graph.output = [S.value("Y", dims)]
        return try S.model(graph)
    }

    @Test func aModelDeclaringAHugeInputIsRefusedAtUploadAndTheServerKeepsServing() async throws {
        try await APIHarness().run { client in
            _ = try await client.call(.post, "/api/v1/models", json: CreateModelRequest(name: "wide"))
            let refused = try await S.register(client, model: "wide", bytes: try Self.model(input: [nil, 1 << 40]))
            let serving = try #require(refused.serving)
            #expect(!serving.servable && serving.reason_code == "too_large", "\(String(describing: serving.reason))")
            #expect(serving.reason?.contains("'wide'") == true)
            // What serving made of the file is a state change of the version: audited.
            let audit = try S.json(try await client.call(.get, "/api/v1/models/wide/audit"))
            let recorded = (audit["entries"] as? [[String: Any]])?.first { $0["action"] as? String == "version.serving" }
            #expect((recorded?["details"] as? [String: String])?["reason_code"] == "too_large", "\(audit)")
            let deploy = try await client.call(
                .post, "/api/v1/models/wide/deployments", json: ["version": refused.version, "environment": "production"])
            #expect(deploy.status == .conflict)

            _ = try await client.call(.post, "/api/v1/models", json: CreateModelRequest(name: "fine"))
            let fine = try await S.register(client, model: "fine", bytes: try S.fixture("gbr"))
            _ = try await client.call(.post, "/api/v1/models/fine/deployments", json: ["version": fine.version, "environment": "production"])
            let answer = try await client.call(
                .post, "/api/v1/models/fine/predict", raw: try S.body(["inputs": Array(try S.rows("gbr").prefix(2))]))
            #expect(answer.status == .ok)
        }
    }

    @Test func benchmarkingAtBatchSizesAModelCannotTakeIsAClientErrorNot500() async throws {
        try await APIHarness().run { client in
            _ = try await client.call(.post, "/api/v1/models", json: CreateModelRequest(name: "fixed"))
            let fixed = try await S.register(client, model: "fixed", bytes: try Self.model(input: [1, 4]))
            let refused = try await client.call(
                .post, "/api/v1/models/fixed/versions/\(fixed.version)/benchmark", raw: #"{"batches": [1, 32]}"#)
            #expect(refused.status == .badRequest && refused.error?.code == "invalid_argument", "\(refused.text)")
            let one = try await client.call(
                .post, "/api/v1/models/fixed/versions/\(fixed.version)/benchmark", raw: #"{"batches": [1]}"#)
            #expect(one.status == .created, "\(one.text)")

            _ = try await client.call(.post, "/api/v1/models", json: CreateModelRequest(name: "broken"))
            let broken = try await S.register(client, model: "broken", bytes: try S.batchOfOneRegressor())
            let failing = try await client.call(
                .post, "/api/v1/models/broken/versions/\(broken.version)/benchmark", raw: #"{"batches": [32]}"#)
            #expect(failing.status == .conflict && failing.error?.code == "failed_precondition", "\(failing.text)")
        }
    }

    /// The Open Inference Protocol's binary extension: a JSON header, then raw bytes.
    static func binary(_ header: String, bytes: Int) -> (String, [String: String]) {
        (header + String(repeating: "\0", count: bytes), ["Inference-Header-Content-Length": "\(header.utf8.count)"])
    }

    @Test func aThousandMalformedOrOversizedRequestsCauseNoRollbackAndNo5xx() async throws {
        let harness = try APIHarness(serving: .init(maxRows: 50))
        try await harness.run { client in
            _ = try await client.call(.post, "/api/v1/models", json: CreateModelRequest(name: "gate"))
            let first = try await S.register(client, model: "gate", bytes: try S.fixture("gbr"))
            let second = try await S.register(client, model: "gate", bytes: try S.fixture("gbr"))
            for version in [first, second] {
                let deployed = try await client.call(
                    .post, "/api/v1/models/gate/deployments", json: ["version": version.version, "environment": "production"])
                #expect(deployed.status == .created)
            }
            // The strictest limits: one counted error in one request would roll back.
            let limits = try await client.call(
                .put, "/api/v1/models/gate/serving-limits", raw: #"{"max_error_rate": 0.001, "min_requests": 1}"#)
            #expect(limits.status == .ok)

            let row = try S.rows("gbr")[0]
            let width = row.count
            let tooMany = try S.body(["inputs": [[Any]](repeating: row, count: 51)])
            var nested = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
            nested = #"{"inputs": "# + nested + "}"
            let hostile: [(String, String, [String: String])] = [
                ("/api/v1/models/gate/predict", "not json", [:]),
                ("/api/v1/models/gate/predict", #"{"inputs": [[1, 2]]}"#, [:]),
                ("/api/v1/models/gate/predict", #"{"inputs": [["a", "b"]]}"#, [:]),
                ("/api/v1/models/gate/predict", #"{"inputs": 7}"#, [:]),
                ("/api/v1/models/gate/predict", tooMany, [:]),
                ("/api/v1/models/gate/predict", nested, [:]),
                ("/api/v1/models/gate/predict", #"{"inputs": [[1e999]]}"#, [:]),
                (
                    "/v2/models/gate/infer",
                    #"{"inputs": [{"name": "X", "shape": [0, 1099511627776, 1099511627776], "datatype": "FP32", "data": []}]}"#,
                    [:]
                ),
                ("/v2/models/gate/infer", #"{"inputs": [{"name": "X", "shape": [1, \#(width)], "datatype": "INT64", "data": [\#((0..<width).map { _ in "1" }.joined(separator: ","))]}]}"#, [:]),
                ("/v2/models/gate/infer", #"{"inputs": [{"name": "X", "shape": [2, 3], "datatype": "FP32", "data": [1, 2, 3, 4, 5, 6]}]}"#, [:]),
                ("/v2/models/gate/infer", #"{"inputs": [{"name": "X", "shape": [-1, 3], "datatype": "FP32", "data": [1, 2, 3]}]}"#, [:]),
                ("/v2/models/gate/infer", #"{"inputs": [{"name": "X", "shape": [100, \#(width)], "datatype": "FP32", "data": [1]}]}"#, [:]),
            ]
            var cases = hostile
            let huge = Self.binary(
                #"{"inputs": [{"name": "X", "shape": [4294967296, 4294967296], "datatype": "FP32", "parameters": {"binary_data_size": 16}}]}"#,
                bytes: 16)
            cases.append(("/v2/models/gate/infer", huge.0, huge.1))
            let beyond = Self.binary(
                #"{"inputs": [{"name": "X", "shape": [1, \#(width)], "datatype": "FP32", "parameters": {"binary_data_size": 100000}}]}"#,
                bytes: 8)
            cases.append(("/v2/models/gate/infer", beyond.0, beyond.1))
            let ragged = Self.binary(
                #"{"inputs": [{"name": "X", "shape": [1, \#(width)], "datatype": "FP32", "parameters": {"binary_data_size": 10}}]}"#,
                bytes: 10)
            cases.append(("/v2/models/gate/infer", ragged.0, ragged.1))
            cases.append(("/v2/models/gate/infer", "{}", ["Inference-Header-Content-Length": "999999"]))

            var statuses: [Int: Int] = [:]
            for index in 0..<1_000 {
                let (path, body, headers) = cases[index % cases.count]
                let response = try await client.call(.post, path, raw: body, headers: headers)
                statuses[response.status.code, default: 0] += 1
                #expect((400..<500).contains(response.status.code), "case \(index % cases.count): \(response.status) \(response.text.prefix(200))")
            }
            #expect(statuses.values.reduce(0, +) == 1_000)

            let pool = harness.pool
            let monitor = FallbackMonitor(pool: pool, registry: harness.registry, logger: Logger(label: "test"))
            #expect(try await monitor.check().isEmpty, "client mistakes rolled a version back")
            let performance = try S.json(
                try await client.call(.get, "/api/v1/models/gate/versions/\(second.version)/performance"))
            let counts = try #require(performance["performance"] as? [String: Any])
            #expect(counts["errors"] as? Int == 0 && counts["requests"] as? Int == 0, "\(performance)")
            #expect((counts["rejected"] as? Int ?? 0) > 0, "requests that reached the version are counted as rejected")
            let good = try await client.call(.post, "/api/v1/models/gate/predict", raw: try S.body(["inputs": [row]]))
            #expect(good.status == .ok)
            #expect(try S.json(good)["version"] as? String == second.version)
        }
    }
}
