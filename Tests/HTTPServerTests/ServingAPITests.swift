import Foundation
import HTTPServer
import ModelyardComposition
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

/// Real ONNX exports from fixtures/onnx served through the real router: registration records servability,
/// deploys load before they switch, predictions validate their input, and swaps never fail a request.
@Suite struct ServingAPITests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fixtures/onnx")

    static func fixture(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: fixtures.appendingPathComponent("\(name).onnx")))
    }

    /// The fixture's recorded inputs and onnxruntime's outputs.
    static func expectations(_ name: String) throws -> [String: [[String: Any]]] {
        let data = try Data(contentsOf: fixtures.appendingPathComponent("\(name).json"))
        let object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        return ["inputs": object["inputs"] as! [[String: Any]], "outputs": object["outputs"] as! [[String: Any]]]
    }

    /// Rows of a single `[N, F]` input.
    static func rows(_ name: String) throws -> [[Any]] {
        let input = try expectations(name)["inputs"]![0]
        let shape = input["shape"] as! [Int]
        let data = input["data"] as! [Any]
        return (0..<shape[0]).map { Array(data[($0 * shape[1])..<(($0 + 1) * shape[1])]) }
    }

    struct VersionShape: Decodable {
        var version: String
        var number: Int64
        var serving: ServingShape?
    }

    struct ServingShape: Decodable {
        var servable: Bool
        var artifact: String?
        var reason_code: String?
        var reason: String?
        var signature: JSONValue?
    }

    /// Creates a version holding `bytes` as `model.onnx` and returns it as the API reports it.
    static func register(_ client: any TestClientProtocol, model: String, bytes: [UInt8]) async throws -> VersionShape {
        let created = try await client.call(.post, "/api/v1/models/\(model)/versions", raw: "{}").decode(VersionShape.self)
        let upload = try await client.upload("/api/v1/models/\(model)/versions/\(created.version)/artifacts/model.onnx", bytes: bytes)
        #expect(upload.status == .created)
        let ready = try await client.call(.patch, "/api/v1/models/\(model)/versions/\(created.version)", raw: #"{"status": "ready"}"#)
        #expect(ready.status == .ok)
        return try await client.call(.get, "/api/v1/models/\(model)/versions/\(created.version)").decode(VersionShape.self)
    }

    static func json(_ response: TestResponse) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as! [String: Any]
    }

    static func body(_ object: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    @Test func registrationRecordsServabilityAndDeployedVersionsPredictLikeOnnxruntime() async throws {
        try await APIHarness().run { client in
            _ = try await client.call(.post, "/api/v1/models", json: CreateModelRequest(name: "forest"))
            let version = try await Self.register(client, model: "forest", bytes: try Self.fixture("random_forest"))
            let serving = try #require(version.serving)
            #expect(serving.servable && serving.artifact == "model.onnx")
            guard case .object(let signature) = serving.signature, case .array(let inputs) = signature["inputs"] else {
                Issue.record("no signature recorded: \(String(describing: serving.signature))")
                return
            }
            #expect(inputs == [.object(["name": .string("X"), "datatype": .string("FP32"), "shape": .array([.number(-1), .number(20)])])])
            #expect(signature["classes"] == .array([.number(0), .number(1), .number(2)]))

            // Nothing deployed yet: a clear 404.
            let none = try await client.call(.post, "/api/v1/models/forest/predict", raw: #"{"inputs": [[1]]}"#)
            #expect(none.status == .notFound && none.error?.message.contains("deploy") == true)

            let deploy = try await client.call(
                .post, "/api/v1/models/forest/deployments", json: ["version": version.version, "environment": "production"])
            #expect(deploy.status == .created)

            let rows = try Self.rows("random_forest")
            let response = try await client.call(.post, "/api/v1/models/forest/predict", raw: try Self.body(["inputs": rows]))
            #expect(response.status == .ok)
            let result = try Self.json(response)
            let expected = try Self.expectations("random_forest")["outputs"]!
            let labels = expected.first { $0["name"] as? String == "label" }!["data"] as! [Int]
            #expect((result["labels"] as? [Int]) == labels)
            let probabilities = try #require(result["probabilities"] as? [[Double]])
            let expectedProbabilities = expected.first { $0["name"] as? String == "probabilities" }!["data"] as! [Double]
            #expect(probabilities.count == rows.count && probabilities.allSatisfy { $0.count == 3 })
            for (i, p) in probabilities.flatMap({ $0 }).enumerated() { #expect(abs(p - expectedProbabilities[i]) < 1e-5) }
            #expect(result["version"] as? String == version.version && result["environment"] as? String == "production")
            #expect(result["classes"] as? [Int] == [0, 1, 2] && result["rows"] as? Int == rows.count)
            #expect(response.headers[HTTPField.Name("X-Modelyard-Version")!] == version.version)

            // The same version by number, without going through an alias.
            let direct = try await client.call(
                .post, "/api/v1/models/forest/versions/\(version.number)/predict", raw: try Self.body(["inputs": [rows[0]]]))
            #expect(try (try Self.json(direct)["labels"] as? [Int]) == [labels[0]])

            // Performance and Prometheus metrics count what was served.
            let performance = try Self.json(
                try await client.call(.get, "/api/v1/models/forest/versions/\(version.version)/performance"))
            let counts = try #require(performance["performance"] as? [String: Any])
            #expect(counts["requests"] as? Int == 2 && counts["rows"] as? Int == rows.count + 1)
            let metrics = try await client.call(.get, "/metrics").text
            #expect(metrics.contains(#"modelyard_inference_requests_total{model="forest",version="\#(version.version)",outcome="ok"} 2"#))
            #expect(metrics.contains("modelyard_inference_duration_seconds_bucket"))

            let status = try Self.json(try await client.call(.get, "/api/v1/serving"))
            let routes = try #require(status["routes"] as? [[String: Any]])
            #expect(routes.count == 1 && routes[0]["state"] as? String == "serving" && routes[0]["serving_version"] as? String == version.version)
        }
    }

    @Test func badInputIsRefusedWithTheFeatureAtFault() async throws {
        try await APIHarness().run { client in
            _ = try await client.call(.post, "/api/v1/models", json: CreateModelRequest(name: "pipe"))
            let version = try await Self.register(client, model: "pipe", bytes: try Self.fixture("categorical_pipeline"))
            #expect(version.serving?.servable == true)
            let deployed = try await client.call(.post, "/api/v1/models/pipe/deployments", json: ["version": version.version, "environment": "production"])
            #expect(deployed.status == .created, "\(deployed.text)")

            let good: [String: Any] = ["n0": 0.1, "n1": -1.0, "n2": 2.0, "n3": 0.5, "color": "red", "size": "S"]
            let named = try await client.call(.post, "/api/v1/models/pipe/predict", raw: try Self.body(["inputs": [good, good]]))
            #expect(named.status == .ok)
            #expect(try (try Self.json(named)["labels"] as? [Int])?.count == 2)
            // Rows as arrays in input order give the same answer.
            let positional = try await client.call(
                .post, "/api/v1/models/pipe/predict", raw: try Self.body(["inputs": [[0.1, -1.0, 2.0, 0.5, "red", "S"]]]))
            #expect(try (try Self.json(positional)["labels"] as? [Int])?.first == (try Self.json(named)["labels"] as? [Int])?.first)
            // null is a missing value, which the pipeline imputes.
            var missing = good
            missing["n1"] = NSNull()
            #expect(try await client.call(.post, "/api/v1/models/pipe/predict", raw: try Self.body(["inputs": [missing]])).status == .ok)

            var wrongType = good
            wrongType["color"] = 3
            let cases: [(String, String)] = [
                (try Self.body(["inputs": [wrongType]]), "feature 'color': expected a string"),
                (try Self.body(["inputs": [good.filter { $0.key != "size" }]]), "no feature 'size'"),
                (try Self.body(["inputs": [good.merging(["colour": "red"]) { a, _ in a }]]), "unknown feature 'colour'"),
                (try Self.body(["inputs": [[1, 2, 3]]]), "takes 6 features"),
                (try Self.body(["inputs": []]), "at least one row"),
                ("not json", "not valid JSON"),
                (#"{"rows": []}"#, "'inputs' is missing"),
            ]
            for (body, message) in cases {
                let response = try await client.call(.post, "/api/v1/models/pipe/predict", raw: body)
                #expect(response.status == .badRequest, "\(body)")
                #expect(response.error?.code == "invalid_argument")
                #expect(response.error?.message.contains(message) == true, "\(response.error?.message ?? "") lacks \(message)")
            }
            let forestModel = "wide"
            _ = try await client.call(.post, "/api/v1/models", json: CreateModelRequest(name: forestModel))
            let wide = try await Self.register(client, model: forestModel, bytes: try Self.fixture("random_forest"))
            let short = try await client.call(
                .post, "/api/v1/models/wide/versions/\(wide.version)/predict", raw: try Self.body(["inputs": [[1, 2, 3]]]))
            #expect(short.status == .badRequest && short.error?.message.contains("takes 20 values per row") == true)
            // Rejected requests are not errors of the version.
            let performance = try Self.json(try await client.call(.get, "/api/v1/models/pipe/versions/\(version.version)/performance"))
            let counts = try #require(performance["performance"] as? [String: Any])
            #expect(counts["errors"] as? Int == 0 && (counts["rejected"] as? Int ?? 0) >= 1)
        }
    }

    @Test func versionsThatCannotServeAreRefusedAtDeployAndThePreviousVersionKeepsServing() async throws {
        let harness = try APIHarness()
        try await harness.run(keep: true) { client in
            _ = try await client.call(.post, "/api/v1/models", json: CreateModelRequest(name: "m"))
            let good = try await Self.register(client, model: "m", bytes: try Self.fixture("mlp"))
            #expect(good.serving?.servable == true)
            _ = try await client.call(.post, "/api/v1/models/m/deployments", json: ["version": good.version, "environment": "production"])
            let row = try Self.rows("mlp")[0]

            // An operator the runtime lacks: known at registration, refused at deploy.
            var bytes = try Self.fixture("mlp")
            let relu = Array("Relu".utf8)
            for i in 0..<(bytes.count - 3) where Array(bytes[i..<(i + 4)]) == relu { bytes[i + 3] = UInt8(ascii: "x") }
            let unsupported = try await Self.register(client, model: "m", bytes: bytes)
            #expect(unsupported.serving?.servable == false)
            #expect(unsupported.serving?.reason_code == "unsupported_operator")
            #expect(unsupported.serving?.reason?.contains("Relx") == true)
            let refused = try await client.call(
                .post, "/api/v1/models/m/deployments", json: ["version": unsupported.version, "environment": "production"])
            #expect(refused.status == .conflict)
            #expect(refused.error?.message.contains("Relx") == true)
            #expect(refused.error?.message.contains("still serves \(good.version)") == true)

            // A file whose bytes no longer match its sha256.
            let corrupt = try await Self.register(client, model: "m", bytes: try Self.fixture("mlp_binary"))
            #expect(corrupt.serving?.servable == true)
            let artifacts = try Self.json(try await client.call(.get, "/api/v1/models/m/versions/\(corrupt.version)/artifacts"))
            let sha = try #require(((artifacts["artifacts"] as? [[String: Any]])?.first)?["sha256"] as? String)
            let blob = harness.directory.appendingPathComponent("artifacts/blobs/sha256/\(sha.prefix(2))/\(sha)")
            var stored = try Data(contentsOf: blob)
            stored[stored.count / 2] ^= 0xFF
            try stored.write(to: blob)
            let corruptDeploy = try await client.call(
                .post, "/api/v1/models/m/deployments", json: ["version": corrupt.version, "environment": "production"])
            #expect(corruptDeploy.status == .conflict)
            #expect(corruptDeploy.error?.message.contains("corrupt") == true)
            let recorded = try await client.call(.get, "/api/v1/models/m/versions/\(corrupt.version)").decode(VersionShape.self)
            #expect(recorded.serving?.servable == false && recorded.serving?.reason_code == "corrupt_artifact")

            // A version without a model file deploys (a registry pointer) but does not serve.
            let aliases = try Self.json(try await client.call(.get, "/api/v1/models/m/aliases"))
            #expect((aliases["aliases"] as? [[String: Any]])?.first?["version"] as? String == good.version)
            let predicted = try await client.call(.post, "/api/v1/models/m/predict", raw: try Self.body(["inputs": [row]]))
            #expect(try predicted.status == .ok && (try Self.json(predicted)["version"] as? String) == good.version)
        }
        harness.cleanup()
    }

    @Test func theModelPoolRefusesToLoadPastItsMemoryBound() async throws {
        let forest = try Self.fixture("random_forest")
        let harness = try APIHarness(serving: .init(maxLoadedBytes: Int64(forest.count) + 10, maxOnDemand: 0))
        try await harness.run { client in
            for name in ["a", "b"] {
                _ = try await client.call(.post, "/api/v1/models", json: CreateModelRequest(name: name))
                let version = try await Self.register(client, model: name, bytes: forest)
                let deploy = try await client.call(
                    .post, "/api/v1/models/\(name)/deployments", json: ["version": version.version, "environment": "production"])
                if name == "a" {
                    #expect(deploy.status == .created)
                } else {
                    // a's version is routed and cannot be evicted: b is refused and nothing moves.
                    #expect(deploy.status == .conflict)
                    #expect(deploy.error?.message.contains("--max-loaded-bytes") == true)
                    let aliases = try Self.json(try await client.call(.get, "/api/v1/models/b/aliases"))
                    #expect((aliases["aliases"] as? [Any])?.isEmpty == true)
                }
            }
            let row = try Self.rows("random_forest")[0]
            let answer = try await client.call(.post, "/api/v1/models/a/predict", raw: try Self.body(["inputs": [row]]))
            #expect(answer.status == .ok)
        }
    }

    @Test func trafficSplitsLandWithinBoundsStickToKeysAndTheShadowNeverAnswers() async throws {
        try await APIHarness().run { client in
            _ = try await client.call(.post, "/api/v1/models", json: CreateModelRequest(name: "split", deprecateOnReplace: false))
            let primary = try await Self.register(client, model: "split", bytes: try Self.fixture("random_forest"))
            let canary = try await Self.register(client, model: "split", bytes: try Self.fixture("gbr"))
            let shadow = try await Self.register(client, model: "split", bytes: try Self.fixture("scaler_logreg"))
            let noModel = try await client.call(.post, "/api/v1/models/split/versions", raw: #"{"status": "ready"}"#).decode(VersionShape.self)

            // Shares need something deployed, valid percentages and servable versions.
            let early = try await client.call(.put, "/api/v1/models/split/traffic", raw: try Self.body(["shares": [["version": canary.version, "percent": 10]]]))
            #expect(early.status == .conflict && early.error?.message.contains("deploy a version") == true)
            _ = try await client.call(.post, "/api/v1/models/split/deployments", json: ["version": primary.version, "environment": "production"])
            let refusals: [([String: Any], String)] = [
                (["shares": [["version": canary.version, "percent": 100]]], "1 to 99"),
                (["shares": [["version": canary.version, "percent": 60], ["version": shadow.version, "percent": 60]]], "at most 99"),
                (["shares": [["version": "9.9.9", "percent": 5]]], "has no version 9.9.9"),
                (["shares": [["version": noModel.version, "percent": 5]]], "has no model file"),
            ]
            for (body, message) in refusals {
                let refused = try await client.call(.put, "/api/v1/models/split/traffic", raw: try Self.body(body))
                #expect(refused.status.code >= 400 && refused.status.code < 500, "\(body)")
                #expect(refused.error?.message.contains(message) == true, "\(refused.text) lacks \(message)")
            }

            let set = try await client.call(
                .put, "/api/v1/models/split/traffic",
                raw: try Self.body(["shares": [["version": canary.version, "percent": 10]], "shadow": shadow.version, "reason": "canary"]))
            #expect(set.status == .ok, "\(set.text)")
            let audit = try Self.json(try await client.call(.get, "/api/v1/models/split/audit"))
            #expect((audit["entries"] as? [[String: Any]])?.contains { $0["action"] as? String == "traffic.set" && $0["reason"] as? String == "canary" } == true)

            let body = try Self.body(["inputs": [try Self.rows("random_forest")[0]]])
            var counts: [String: Int] = [:]
            let total = 10_000
            for _ in 0..<total {
                let response = try await client.call(.post, "/api/v1/models/split/predict", raw: body)
                let version = try Self.json(response)["version"] as? String ?? "failed \(response.status)"
                counts[version, default: 0] += 1
            }
            // 10 % of 10,000: mean 1,000, standard deviation 30; five deviations either way.
            #expect(Set(counts.keys) == [primary.version, canary.version], "the shadow never answers: \(counts)")
            #expect((850...1150).contains(counts[canary.version] ?? 0), "\(counts)")

            // A key always lands on the same version, through the body or the header.
            var byKey: [String: Set<String>] = [:]
            for round in 0..<3 {
                for user in 0..<200 {
                    let keyed = round == 1
                        ? try await client.call(.post, "/api/v1/models/split/predict", json: KeyedBody(key: nil, rows: try Self.rows("random_forest").prefix(1).map { $0.map { $0 as! Double } }), headers: ["X-Modelyard-Key": "user-\(user)"])
                        : try await client.call(.post, "/api/v1/models/split/predict", raw: try Self.body(["inputs": [try Self.rows("random_forest")[0]], "key": "user-\(user)"]))
                    byKey["user-\(user)", default: []].insert(try Self.json(keyed)["version"] as? String ?? "?")
                }
            }
            #expect(byKey.values.allSatisfy { $0.count == 1 })
            #expect(Set(byKey.values.flatMap { $0 }) == [primary.version, canary.version])

            // The shadow saw the traffic: its answers are recorded on the route.
            var recorded: [String: Any] = [:]
            for _ in 0..<200 {
                let routes = try Self.json(try await client.call(.get, "/api/v1/serving"))["routes"] as? [[String: Any]] ?? []
                recorded = routes.first?["shadow"] as? [String: Any] ?? [:]
                if (recorded["requests"] as? Int ?? 0) + (recorded["skipped"] as? Int ?? 0) >= total { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(recorded["version"] as? String == shadow.version)
            #expect((recorded["requests"] as? Int ?? 0) > 0 && recorded["errors"] as? Int == 0)
            #expect((recorded["compared_rows"] as? Int ?? 0) > 0 && !((recorded["recent"] as? [Any]) ?? []).isEmpty)

            // Promoting the canary (deploying it) folds its share into the whole; clearing removes the policy.
            _ = try await client.call(.post, "/api/v1/models/split/deployments", json: ["version": canary.version, "environment": "production"])
            for _ in 0..<50 {
                #expect(try Self.json(try await client.call(.post, "/api/v1/models/split/predict", raw: body))["version"] as? String == canary.version)
            }
            let cleared = try await client.call(.put, "/api/v1/models/split/traffic", raw: #"{"shares": []}"#)
            #expect(cleared.status == .ok)
            let shown = try Self.json(try await client.call(.get, "/api/v1/models/split/traffic"))
            #expect((shown["environments"] as? [String: Any])?.isEmpty == true)
        }
    }

    /// A float32 value of the given dimensions (`nil`: a free dimension `N`).
    static func value(_ name: String, _ dims: [Int64?]) -> Onnx_ValueInfoProto {
        var info = Onnx_ValueInfoProto()
        info.name = name
        var tensor = Onnx_TypeProto.Tensor()
        tensor.elemType = Int32(ElementType.float32.onnxCode)
        var shape = Onnx_TensorShapeProto()
        shape.dim = dims.map { d in
            var dim = Onnx_TensorShapeProto.Dimension()
            if let d { dim.dimValue = d } else { dim.dimParam = "N" }
            return dim
        }
        tensor.shape = shape
        info.type.tensorType = tensor
        return info
    }

    /// `graph` as a model at opset 17, serialized.
    static func model(_ graph: Onnx_GraphProto) throws -> [UInt8] {
        var model = Onnx_ModelProto()
        model.irVersion = 8
        var opset = Onnx_OperatorSetIdProto()
        opset.version = 17
        model.opsetImport = [opset]
        model.graph = graph
        return Array(try model.serializedBytes() as Data)
    }

    /// A regressor exported with its batch size fixed at 1 (a classic export mistake): it loads, warms up (with one
    /// row) and serves single rows, but fails every request with more rows.
    static func batchOfOneRegressor() throws -> [UInt8] {
        var target = Onnx_TensorProto()
        target.name = "one_row"
        target.dataType = Int32(ElementType.int64.onnxCode)
        target.dims = [2]
        target.int64Data = [1, 20]
        var reshape = Onnx_NodeProto()
        reshape.opType = "Reshape"
        reshape.name = "fixed_batch"
        reshape.input = ["X", "one_row"]
        reshape.output = ["flat"]
        var sum = Onnx_NodeProto()
        sum.opType = "ReduceSum"
        sum.name = "total"
        sum.input = ["flat"]
        sum.output = ["variable"]
        var keep = Onnx_AttributeProto()
        keep.name = "keepdims"
        keep.type = .int
        keep.i = 1
        var axes = Onnx_TensorProto()
        axes.name = "axes"
        axes.dataType = Int32(ElementType.int64.onnxCode)
        axes.dims = [1]
        axes.int64Data = [1]
        sum.input.append("axes")
        sum.attribute = [keep]
        var graph = Onnx_GraphProto()
        graph.name = "batch_of_one"
        graph.node = [reshape, sum]
        graph.initializer = [target, axes]
        graph.input = [value("X", [nil, 20])]
        graph.output = [value("variable", [nil, 1])]
        return try model(graph)
    }

    @Test func aVersionThatStartsFailingIsRolledBackAutomaticallyWithTheReasonRecorded() async throws {
        let harness = try APIHarness()
        try await harness.run { client in
            _ = try await client.call(.post, "/api/v1/models", json: CreateModelRequest(name: "fb"))
            let good = try await Self.register(client, model: "fb", bytes: try Self.fixture("gbr"))
            let broken = try await Self.register(client, model: "fb", bytes: try Self.batchOfOneRegressor())
            #expect(broken.serving?.servable == true)  // one row works: nothing to see at registration
            _ = try await client.call(.post, "/api/v1/models/fb/deployments", json: ["version": good.version, "environment": "production"])
            let deployed = try await client.call(.post, "/api/v1/models/fb/deployments", json: ["version": broken.version, "environment": "production"])
            #expect(deployed.status == .created)

            let limits = try await client.call(
                .put, "/api/v1/models/fb/serving-limits",
                raw: #"{"max_error_rate": 0.2, "window_seconds": 30, "min_requests": 5, "reason": "strict"}"#)
            #expect(limits.status == .ok)
            let invalid = try await client.call(.put, "/api/v1/models/fb/serving-limits", raw: #"{"max_error_rate": 2}"#)
            #expect(invalid.status == .badRequest && invalid.error?.message.contains("between 0 and 1") == true)

            let pool = harness.pool
            let monitor = FallbackMonitor(pool: pool, registry: harness.registry, logger: Logger(label: "test"))
            let rows = Array(try Self.rows("gbr").prefix(2))
            let one = try await client.call(.post, "/api/v1/models/fb/predict", raw: try Self.body(["inputs": [rows[0]]]))
            #expect(try one.status == .ok && (try Self.json(one)["version"] as? String) == broken.version)
            // Below min_requests nothing happens.
            #expect(try await monitor.check().isEmpty)
            for _ in 0..<6 {
                let failed = try await client.call(.post, "/api/v1/models/fb/predict", raw: try Self.body(["inputs": rows]))
                #expect(failed.status == .serviceUnavailable && failed.error?.code == "unavailable")
                #expect(failed.error?.message.contains("failed on this input") == true)
            }
            let records = try await monitor.check()
            #expect(records.count == 1)
            #expect(records.first?.action == .rollback && records.first?.toVersion?.description == good.version)
            #expect(records.first?.actor == FallbackMonitor.actor && records.first?.reason.contains("error rate") == true)

            let recovered = try await client.call(.post, "/api/v1/models/fb/predict", raw: try Self.body(["inputs": rows]))
            #expect(try recovered.status == .ok && (try Self.json(recovered)["version"] as? String) == good.version)
            #expect(try await monitor.check().isEmpty)  // the good version is healthy: nothing more moves

            let history = try Self.json(try await client.call(.get, "/api/v1/models/fb/deployments"))
            let latest = try #require((history["deployments"] as? [[String: Any]])?.first)
            #expect(latest["action"] as? String == "rollback" && latest["actor"] as? String == FallbackMonitor.actor)
            #expect((latest["reason"] as? String)?.contains("automatic rollback of \(broken.version)") == true)
            let audit = try Self.json(try await client.call(.get, "/api/v1/models/fb/audit"))
            #expect((audit["entries"] as? [[String: Any]])?.contains { $0["actor"] as? String == FallbackMonitor.actor } == true)
        }
    }

    @Test func aFailingCanaryLosesItsShareAutomatically() async throws {
        let harness = try APIHarness()
        try await harness.run { client in
            _ = try await client.call(.post, "/api/v1/models", json: CreateModelRequest(name: "can"))
            let good = try await Self.register(client, model: "can", bytes: try Self.fixture("gbr"))
            let broken = try await Self.register(client, model: "can", bytes: try Self.batchOfOneRegressor())
            _ = try await client.call(.post, "/api/v1/models/can/deployments", json: ["version": good.version, "environment": "production"])
            let set = try await client.call(
                .put, "/api/v1/models/can/traffic", raw: try Self.body(["shares": [["version": broken.version, "percent": 50]]]))
            #expect(set.status == .ok)
            _ = try await client.call(.put, "/api/v1/models/can/serving-limits", raw: #"{"max_error_rate": 0.2, "min_requests": 5}"#)
            let rows = Array(try Self.rows("gbr").prefix(2))
            var failures = 0
            for user in 0..<60 {
                let response = try await client.call(
                    .post, "/api/v1/models/can/predict", raw: try Self.body(["inputs": rows, "key": "user-\(user)"]))
                if response.status != .ok { failures += 1 }
            }
            #expect(failures >= 5)
            let pool = harness.pool
            let monitor = FallbackMonitor(pool: pool, registry: harness.registry, logger: Logger(label: "test"))
            #expect(try await monitor.check().isEmpty)  // production's own version is healthy: no rollback
            let traffic = try Self.json(try await client.call(.get, "/api/v1/models/can/traffic"))
            #expect((traffic["environments"] as? [String: Any])?.isEmpty == true)
            for user in 0..<20 {
                let response = try await client.call(
                    .post, "/api/v1/models/can/predict", raw: try Self.body(["inputs": rows, "key": "user-\(user)"]))
                #expect(try response.status == .ok && (try Self.json(response)["version"] as? String) == good.version)
            }
            let audit = try Self.json(try await client.call(.get, "/api/v1/models/can/audit"))
            #expect((audit["entries"] as? [[String: Any]])?.contains {
                $0["actor"] as? String == FallbackMonitor.actor && ($0["reason"] as? String)?.contains("withdrawn") == true
            } == true)
        }
    }

    @Test func benchmarksAreStoredWithTheVersionAndInferenceSummariesSurviveARestart() async throws {
        let harness = try APIHarness()
        defer { harness.cleanup() }
        try await harness.run(keep: true) { client in
            _ = try await client.call(.post, "/api/v1/models", json: CreateModelRequest(name: "bench"))
            let version = try await Self.register(client, model: "bench", bytes: try Self.fixture("random_forest"))
            let ran = try await client.call(.post, "/api/v1/models/bench/versions/\(version.version)/benchmark", raw: #"{"batches": [1, 8]}"#)
            #expect(ran.status == .created, "\(ran.text)")
            let report = try Self.json(ran)
            let measurements = try #require(report["measurements"] as? [[String: Any]])
            #expect(measurements.map { $0["batch"] as? Int } == [1, 8])
            for m in measurements {
                #expect((m["iterations"] as? Int ?? 0) >= 5 && (m["rows_per_second"] as? Double ?? 0) > 0)
                #expect((m["p99_ms"] as? Double ?? 0) >= (m["p50_ms"] as? Double ?? 1))
            }
            let bad = try await client.call(.post, "/api/v1/models/bench/versions/\(version.version)/benchmark", raw: #"{"batches": [0]}"#)
            #expect(bad.status == .badRequest)
            let stored = try Self.json(try await client.call(.get, "/api/v1/models/bench/versions/\(version.number)/benchmarks"))
            #expect((stored["benchmarks"] as? [[String: Any]])?.count == 1)

            _ = try await client.call(.post, "/api/v1/models/bench/deployments", json: ["version": version.version, "environment": "production"])
            let body = try Self.body(["inputs": Array(try Self.rows("random_forest").prefix(2))])
            for _ in 0..<3 { _ = try await client.call(.post, "/api/v1/models/bench/predict", raw: body) }
            _ = try await client.call(.post, "/api/v1/models/bench/predict", raw: #"{"inputs": [[1]]}"#)
            let pool = harness.pool
            try await InferenceSummaryService(pool: pool, logger: Logger(label: "test")).flush()
            let performance = try Self.json(try await client.call(.get, "/api/v1/models/bench/versions/\(version.version)/performance"))
            #expect((performance["history"] as? [[String: Any]])?.first?["requests"] as? Int == 3)
        }
        // A fresh process on the same data sees the summary.
        let restarted = try Composition.open(dataDirectory: harness.directory, logger: Logger(label: "restarted"))
        let history = try await restarted.registry.inferenceHistory(
            ModelName(rawValue: "bench"), .number(1), since: Date().addingTimeInterval(-3600))
        #expect(history.count == 1)
        #expect(history.first?.requests == 3 && history.first?.rows == 6 && history.first?.rejected == 1)
        #expect(history.first?.p50Milliseconds != nil)
        // Retention: kept while younger than 30 days, deleted after.
        let pool = restarted.pool
        let service = InferenceSummaryService(pool: pool, logger: Logger(label: "retention"))
        #expect(try await service.prune(now: Date().addingTimeInterval(29 * 86_400)) == 0)
        #expect(try await service.prune(now: Date().addingTimeInterval(31 * 86_400)) == 1)
        #expect(
            try await restarted.registry.inferenceHistory(ModelName(rawValue: "bench"), .number(1), since: .distantPast).isEmpty)
    }

    @Test func hundredSwapsUnderLoadFailNoRequest() async throws {
        try await APIHarness().live { client in
            // Swapped-out versions stay ready so the swap can repeat.
            _ = try await client.call(.post, "/api/v1/models", json: CreateModelRequest(name: "swap", deprecateOnReplace: false))
            let classifier = try await Self.register(client, model: "swap", bytes: try Self.fixture("random_forest"))
            let regressor = try await Self.register(client, model: "swap", bytes: try Self.fixture("gbr"))
            _ = try await client.call(.post, "/api/v1/models/swap/deployments", json: ["version": classifier.version, "environment": "production"])
            let body = try Self.body(["inputs": Array(try Self.rows("random_forest").prefix(4))])

            // Deploy the regressor, roll back to the classifier, 50 times each.
            let tallies = try await swapUnderLoad(
                swaps: 100,
                request: {
                    let response = try await client.call(.post, "/api/v1/models/swap/predict", raw: body)
                    guard response.status == .ok else { throw SwapFailure(description: "\(response.status): \(response.text)") }
                    let result = try Self.json(response)
                    let version = result["version"] as? String ?? "?"
                    // The content must come from the version the response names.
                    let fromClassifier = result["probabilities"] != nil && result["labels"] != nil
                    let fromRegressor = result["scores"] != nil && result["labels"] == nil
                    guard (version == classifier.version && fromClassifier) || (version == regressor.version && fromRegressor) else {
                        throw SwapFailure(description: "response names \(version) but carries \(result.keys.sorted())")
                    }
                    return version
                },
                swap: { swap in
                    let moved = swap % 2 == 0
                        ? try await client.call(
                            .post, "/api/v1/models/swap/deployments", json: ["version": regressor.version, "environment": "production"])
                        : try await client.call(.post, "/api/v1/models/swap/rollback", json: ["environment": "production"])
                    #expect(moved.status == .created, "\(moved.text)")
                })
            let failures = tallies.flatMap(\.failures)
            #expect(failures.isEmpty, "\(failures.prefix(5))")
            #expect(tallies.map(\.ok).reduce(0, +) > 100)
            #expect(Set(tallies.flatMap(\.seen)) == [classifier.version, regressor.version])
            let history = try Self.json(try await client.call(.get, "/api/v1/models/swap/deployments?limit=200"))
            #expect((history["deployments"] as? [Any])?.count == 101)
        }
    }

    @Test func aReplicaSharingTheStoreSwapsWhenItPolls() async throws {
        let harness = try APIHarness()
        defer { harness.cleanup() }
        let replica = try Composition.open(dataDirectory: harness.directory, logger: Logger(label: "replica"))
        let replicaPool = replica.pool
        try await harness.run(keep: true) { client in
            _ = try await client.call(.post, "/api/v1/models", json: CreateModelRequest(name: "r"))
            let one = try await Self.register(client, model: "r", bytes: try Self.fixture("random_forest"))
            let two = try await Self.register(client, model: "r", bytes: try Self.fixture("gbr"))
            _ = try await client.call(.post, "/api/v1/models/r/deployments", json: ["version": one.version, "environment": "production"])
            try await replicaPool.syncAll()
            #expect(try await replicaPool.route(ModelName(rawValue: "r"), environment: EnvironmentName(rawValue: "production")).key.version.description == one.version)
            _ = try await client.call(.post, "/api/v1/models/r/deployments", json: ["version": two.version, "environment": "production"])
            try await replicaPool.syncAll()
            #expect(try await replicaPool.route(ModelName(rawValue: "r"), environment: EnvironmentName(rawValue: "production")).key.version.description == two.version)
            _ = try await client.call(.post, "/api/v1/models/r/rollback", json: ["environment": "production"])
            try await replicaPool.syncAll()
            #expect(try await replicaPool.route(ModelName(rawValue: "r"), environment: EnvironmentName(rawValue: "production")).key.version.description == one.version)
        }
    }

    @Test func openInferenceProtocolJSON() async throws {
        try await APIHarness().run { client in
            #expect(try await client.call(.get, "/v2/health/live").status == .ok)
            #expect(try await client.call(.get, "/v2/health/ready").status == .ok)
            let server = try Self.json(try await client.call(.get, "/v2"))
            #expect(server["name"] as? String == "modelyard" && (server["extensions"] as? [String])?.contains("binary_tensor_data") == true)
            _ = try await client.call(.post, "/api/v1/models", json: CreateModelRequest(name: "oip"))
            let version = try await Self.register(client, model: "oip", bytes: try Self.fixture("random_forest"))
            let notReady = try await client.call(.get, "/v2/models/oip/ready")
            #expect(try notReady.status == .notFound && (try Self.json(notReady)["error"] as? String)?.contains("production") == true)
            _ = try await client.call(.post, "/api/v1/models/oip/deployments", json: ["version": version.version, "environment": "production"])
            #expect(try await client.call(.get, "/v2/models/oip/ready").status == .ok)
            let metadata = try Self.json(try await client.call(.get, "/v2/models/oip"))
            #expect(metadata["platform"] as? String == "onnx" && metadata["versions"] as? [String] == [version.version])
            #expect((metadata["inputs"] as? [[String: Any]])?.first?["shape"] as? [Int] == [-1, 20])

            let input = try Self.expectations("random_forest")["inputs"]![0]
            let infer = try await client.call(
                .post, "/v2/models/oip/versions/\(version.number)/infer",
                raw: try Self.body(["id": "req-1", "inputs": [input], "outputs": [["name": "label"]]]))
            #expect(infer.status == .ok)
            let result = try Self.json(infer)
            #expect(result["id"] as? String == "req-1" && result["model_version"] as? String == version.version)
            let outputs = try #require(result["outputs"] as? [[String: Any]])
            let labels = try Self.expectations("random_forest")["outputs"]!.first { $0["name"] as? String == "label" }!["data"] as! [Int]
            #expect(outputs.count == 1 && outputs[0]["data"] as? [Int] == labels)

            let bad = try await client.call(.post, "/v2/models/oip/infer", raw: #"{"inputs": [{"name": "X", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}]}"#)
            #expect(try bad.status == .badRequest && (try Self.json(bad)["error"] as? String) != nil)
            let unknown = try await client.call(.get, "/v2/models/nope")
            #expect(unknown.status == .notFound)
        }
    }
}

struct KeyedBody: Encodable {
    var key: String?
    var rows: [[Double]]
    enum CodingKeys: String, CodingKey {
        case key
        case rows = "inputs"
    }
}

/// A flag one task sets and others poll.
final class ManagedAtomicFlag: Sendable {
    private let value = Mutex(false)
    var isSet: Bool { value.withLock { $0 } }
    func set() { value.withLock { $0 = true } }
}

/// What clients calling all along saw while versions were swapped.
struct SwapTally: Sendable {
    var ok = 0
    var failures: [String] = []
    var seen: Set<String> = []
}

/// Runs `clients` tasks that call `request` until every `swap(i)` of `swaps` has run, and returns their tallies.
/// `request` answers the version a good response names, or throws `SwapFailure` describing a bad one.
func swapUnderLoad(
    clients: Int = 4, swaps: Int, request: @escaping @Sendable () async throws -> String,
    swap: (Int) async throws -> Void
) async throws -> [SwapTally] {
    let done = ManagedAtomicFlag()
    return try await withThrowingTaskGroup(of: SwapTally.self) { group in
        for _ in 0..<clients {
            group.addTask {
                var tally = SwapTally()
                while !done.isSet {
                    do {
                        tally.seen.insert(try await request())
                        tally.ok += 1
                    } catch let failure as SwapFailure {
                        tally.failures.append(failure.description)
                    }
                }
                return tally
            }
        }
        for i in 0..<swaps { try await swap(i) }
        done.set()
        var all: [SwapTally] = []
        for try await tally in group { all.append(tally) }
        return all
    }
}

struct SwapFailure: Error, CustomStringConvertible {
    var description: String
}

import Synchronization
