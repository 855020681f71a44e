import Foundation
import FuzzSupport
import HTTPServer
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import RegistryCore
import Testing
import ModelyardAPI

/// Structure-aware fuzzing of every request surface through the real router: requests are built from what each
/// surface expects, with hostile dimensions, sizes, numbers, nesting, headers and paths. None may be answered with
/// a 5xx, and the server answers `/healthz` afterwards. `scripts/fuzz.sh` runs each surface for minutes.
@Suite struct RequestFuzzTests {
    typealias S = ServingAPITests

    /// JSON number and value texts that break naive code: beyond Int64 and Double, negative, NaN spelt out.
    static let hostileNumbers = [
        "0", "-1", "1", "20", "2147483648", "4294967296", "1099511627776", "9007199254740993", "9223372036854775807",
        "18446744073709551616", "-9223372036854775809", "1e308", "1e400", "-1e400", "1.5", "-0.0", "\"NaN\"",
        "\"Infinity\"", "\"x\"", "null", "true", "[]", "{}",
    ]

    /// A deployed 20-feature forest behind a live server on a loopback socket. Live, not the in-process router
    /// client: that client's memory grows by about 5 KB per request, which hid the server's own (flat) memory in
    /// long runs' peak RSS.
    static func withServer(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let harness = try APIHarness(serving: .init(maxRows: 64))
        try await harness.live { client in
            _ = try await client.call(.post, "/api/v1/models", json: CreateModelRequest(name: "m"))
            let version = try await S.register(client, model: "m", bytes: try S.fixture("random_forest"))
            _ = try await client.call(.post, "/api/v1/models/m/deployments", json: ["version": version.version])
            try await body(client)
            #expect(try await client.call(.get, "/healthz").status == .ok)
        }
    }

    static func send(
        _ client: any TestClientProtocol, _ run: inout FuzzRun, _ method: HTTPRequest.Method, _ path: String,
        _ body: [UInt8], headers: HTTPFields = [:]
    ) async throws -> Bool {
        guard run.next(Data(body)) else { return false }
        let response = try await client.execute(uri: path, method: method, headers: headers, body: ByteBuffer(bytes: body))
        #expect(response.status.code < 500, "\(method) \(path.prefix(120)): \(response.status) \(String(buffer: response.body).prefix(200))")
        return true
    }

    static func tensorJSON(_ r: inout SplitMix64, binarySize: Int? = nil) -> String {
        let dims = (0..<r.next(5)).map { _ in r.chance(3) ? r.pick(hostileNumbers) : String(r.pick([0, 1, 2, 3, 20, 64])) }
        let datatype = r.pick(["\"FP32\"", "\"FP64\"", "\"INT64\"", "\"INT32\"", "\"BOOL\"", "\"BYTES\"", "\"FP16\"", "\"\"", "7", "null"])
        var entry = "\"name\": \(r.pick(["\"X\"", "\"Y\"", "\"\"", "3"])), \"shape\": [\(dims.joined(separator: ", "))], \"datatype\": \(datatype)"
        if let binarySize {
            entry += ", \"parameters\": {\"binary_data_size\": \(binarySize)}"
        } else {
            let values = (0..<r.pick([0, 1, 19, 20, 40, 200])).map { _ in r.chance(4) ? r.pick(hostileNumbers) : "0.5" }
            var data = "[\(values.joined(separator: ", "))]"
            for _ in 0..<(r.chance(8) ? r.pick([2, 64, 600]) : 0) { data = "[\(data)]" }
            entry += ", \"data\": \(data)"
        }
        return "{\(entry)}"
    }

    @Test func openInferenceProtocolJSON() async throws {
        try await Self.withServer { client in
            var run = FuzzRun(surface: "oip-json", cases: 300)
            var r = SplitMix64(state: run.seed)
            while true {
                let tensors = (0..<r.pick([0, 1, 1, 1, 2])).map { _ in Self.tensorJSON(&r) }
                var body = "{\"inputs\": [\(tensors.joined(separator: ", "))]"
                if r.chance(5) { body += ", \"outputs\": [{\"name\": \(r.pick(["\"label\"", "\"nope\"", "5"])), \"parameters\": {\"binary_data\": \(r.pick(["true", "1", "\"x\""]))}}]" }
                body += r.chance(20) ? "" : "}"
                guard try await Self.send(client, &run, .post, r.pick(["/v2/models/m/infer", "/v2/models/m/versions/1/infer"]), Array(body.utf8)) else { break }
            }
            run.report()
        }
    }

    @Test func openInferenceProtocolBinary() async throws {
        try await Self.withServer { client in
            var run = FuzzRun(surface: "oip-binary", cases: 300)
            var r = SplitMix64(state: run.seed)
            while true {
                let size = r.pick([0, 1, 16, 80, 1600, -1, 1 << 40, 4096])
                let header = "{\"inputs\": [\(Self.tensorJSON(&r, binarySize: size))]}"
                let payload = (0..<r.pick([0, 3, 16, 80, 1600, 5000])).map { _ in UInt8(r.next(256)) }
                var headers = HTTPFields()
                headers[HTTPField.Name("Inference-Header-Content-Length")!] = r.pick([
                    "\(header.utf8.count)", "\(header.utf8.count)", "0", "-1", "x", "\(header.utf8.count + payload.count + 1)",
                    "99999999999999999999",
                ])
                guard try await Self.send(client, &run, .post, "/v2/models/m/infer", Array(header.utf8) + payload, headers: headers)
                else { break }
            }
            run.report()
        }
    }

    @Test func nativePredict() async throws {
        try await Self.withServer { client in
            var run = FuzzRun(surface: "native-predict", cases: 300)
            var r = SplitMix64(state: run.seed)
            while true {
                let rows = (0..<r.pick([0, 1, 2, 64, 65])).map { _ -> String in
                    if r.chance(6) {
                        return "{\"f\(r.next(30))\": \(r.pick(Self.hostileNumbers)), \"X\": [\(r.pick(Self.hostileNumbers))]}"
                    }
                    let width = r.chance(5) ? r.pick([0, 1, 19, 21, 400]) : 20
                    return "[" + (0..<width).map { _ in r.chance(10) ? r.pick(Self.hostileNumbers) : "1.25" }.joined(separator: ",") + "]"
                }
                var inputs = "[\(rows.joined(separator: ","))]"
                for _ in 0..<(r.chance(10) ? r.pick([3, 700]) : 0) { inputs = "[\(inputs)]" }
                let key = r.chance(4) ? ", \"key\": \(r.pick(Self.hostileNumbers))" : ""
                let body = r.chance(15) ? r.pick(["", "[]", "null", "{\"inputs\": {}}"]) : "{\"inputs\": \(inputs)\(key)}"
                let path = r.pick([
                    "/api/v1/models/m/predict", "/api/v1/models/m/predict?environment=\(r.pick(["staging", "%00", "a/b", "x"]))",
                    "/api/v1/models/m/versions/\(r.pick(["1.0.0", "1", "@production", "99.0.0", "-1"]))/predict",
                ])
                guard try await Self.send(client, &run, .post, path, Array(body.utf8)) else { break }
            }
            run.report()
        }
    }

    @Test func mlflowJSON() async throws {
        try await Self.withServer { client in
            var run = FuzzRun(surface: "mlflow-json", cases: 300)
            var r = SplitMix64(state: run.seed)
            let created = try await client.call(.post, "/api/2.0/mlflow/runs/create", raw: #"{"experiment_id": "0"}"#)
            let runID = (try? S.json(created)["run"] as? [String: Any])?["info"].flatMap { ($0 as? [String: Any])?["run_id"] as? String } ?? "none"
            while true {
                let n = { (r: inout SplitMix64) in r.pick(Self.hostileNumbers) }
                let orderBy = "[" + (0..<r.pick([0, 1, 3, 70, 2500])).map { i in "\"\(["metrics.m\(i)", "params.p\(i)", "attributes.start_time", "name"][i % 4]) \(i % 2 == 0 ? "DESC" : "ASC")\"" }.joined(separator: ",") + "]"
                let filter = r.pick([
                    "metrics.acc > 0.5", String(repeating: "metrics.a > 1 AND ", count: r.pick([1, 300, 1200])) + "metrics.b < 2",
                    "params.p IN (" + (0..<r.pick([1, 5000])).map { "'\($0)'" }.joined(separator: ",") + ")", "name LIKE '" + String(repeating: "%_", count: r.pick([1, 30000])) + "'",
                    "nonsense ((", "",
                ])
                let (path, body): (String, String) =
                    switch r.next(6) {
                    case 0:
                        (
                            "/api/2.0/mlflow/runs/log-batch",
                            "{\"run_id\": \"\(runID)\", \"metrics\": [" + (0..<r.pick([0, 1, 5, 1001])).map { i in "{\"key\": \"k\(i % 7)\", \"value\": \(n(&r)), \"timestamp\": \(n(&r)), \"step\": \(n(&r))}" }.joined(separator: ",") + "], \"params\": [{\"key\": \"\(String(repeating: "p", count: r.pick([1, 300])))\", \"value\": \(n(&r))}]}"
                        )
                    case 1: ("/api/2.0/mlflow/runs/search", "{\"experiment_ids\": [\"0\"], \"filter\": \"\(filter)\", \"order_by\": \(orderBy), \"max_results\": \(n(&r))}")
                    case 2: ("/api/2.0/mlflow/experiments/search", "{\"filter\": \"\(filter)\", \"order_by\": \(orderBy), \"max_results\": \(n(&r))}")
                    case 3: ("/api/2.0/mlflow/registered-models/create", "{\"name\": \(r.pick(["\"a\"", "\"\"", "\"a/b\"", "7", "null"])), \"tags\": [{\"key\": \(n(&r)), \"value\": \(n(&r))}]}")
                    case 4: ("/api/2.0/mlflow/runs/search", "{\"experiment_ids\": [" + (0..<r.pick([1, 300000])).map { "\"\($0)\"" }.joined(separator: ",") + "]}")
                    default: ("/api/2.0/mlflow/registered-models/get-latest-versions", "{\"name\": \"m\", \"stages\": [" + (0..<r.pick([1, 300000])).map { _ in "\"Production\"" }.joined(separator: ",") + "]}")
                    }
                guard try await Self.send(client, &run, .post, path, Array(body.utf8)) else { break }
                if r.chance(4) {
                    let query = (0..<r.pick([1, 70, 2500])).map { i in "order_by=name%20\(i % 2 == 0 ? "DESC" : "ASC")" }.joined(separator: "&")
                    guard try await Self.send(client, &run, .get, "/api/2.0/mlflow/model-versions/search?filter=name%3D%27m%27&\(query)", []) else { break }
                }
            }
            run.report()
        }
    }

    @Test func artifactUpload() async throws {
        try await Self.withServer { client in
            var run = FuzzRun(surface: "upload", cases: 200)
            var r = SplitMix64(state: run.seed)
            _ = try await client.call(.post, "/api/v1/models/m/versions", raw: "{}")
            while true {
                let path = r.pick([
                    "model.onnx", "a/b/c.bin", "..%2Fescape", "a/../../b", "%00", String(repeating: "x", count: 5000), "a//b", ".",
                    "%2e%2e/x", "dir/", "ok.txt",
                ])
                let version = r.pick(["1.1.0", "1.0.0", "9.9.9", "1.1.0"])
                let query = r.chance(3) ? "?sha256=\(r.pick(["abc", String(repeating: "0", count: 64), "%00"]))" : ""
                let body = (0..<r.pick([0, 1, 1000, 70000])).map { _ in UInt8(r.next(256)) }
                var headers = HTTPFields()
                if r.chance(4) { headers[.contentLength] = r.pick(["0", "-1", "999999999999", "x"]) }
                guard
                    try await Self.send(
                        client, &run, .put, "/api/v1/models/m/versions/\(version)/artifacts/\(path)\(query)", body, headers: headers)
                else { break }
            }
            run.report()
        }
    }
}
