import AsyncHTTPClient
import ArgumentParser
import Foundation
import HTTPServer
import ModelyardComposition
import Logging
import NIOCore
import NIOHTTP1
import Registry
import Serving

/// `/healthz` latency while clients send large prediction batches: predictions on the inference executor against
/// the baseline of the same server running them on the connection's event loop, in the same run.
struct ServingLoadBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serving-load",
        abstract: "GET /healthz p50/p99 while N clients send large batches: inference executor vs event-loop inline.")

    @Option(help: "Clients sending prediction batches at once.") var clients = 8
    @Option(help: "Rows per prediction batch.") var rows = 10_000
    @Option(help: "Seconds of load per configuration.") var seconds = 10.0
    @Option(help: "Milliseconds between two /healthz probes.") var probeInterval = 5
    @Option(help: "Seconds of batch-1 predictions per configuration (throughput, 4 clients).") var smallSeconds = 3.0

    struct Figures {
        var probes: [Double] = []
        var batchRows = 0
        var small = 0
    }

    func run() async throws {
        let model = try Data(contentsOf: URL(fileURLWithPath: "fixtures/onnx/random_forest.onnx"))
        let fixture = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: "fixtures/onnx/random_forest.json"))) as? [String: Any]
        guard let inputs = fixture?["inputs"] as? [[String: Any]], let flat = inputs.first?["data"] as? [Double] else {
            throw BenchError(message: "fixtures/onnx/random_forest.json has no inputs (run from the repository root)")
        }
        let width = 20
        let sample = stride(from: 0, to: flat.count, by: width).map { Array(flat[$0..<($0 + width)]) }
        let big = String(
            decoding: try JSONSerialization.data(withJSONObject: ["inputs": (0..<rows).map { sample[$0 % sample.count] }]),
            as: UTF8.self)
        let small = String(decoding: try JSONSerialization.data(withJSONObject: ["inputs": [sample[0]]]), as: UTF8.self)

        var lines = [
            "modelyard-bench serving-load (\(clients) clients x \(rows)-row batches of a 100-tree forest for \(seconds) s; "
                + "one client probes GET /healthz every \(probeInterval) ms)"
        ]
        var results: [(String, Figures)] = []
        for (name, offload) in [("event loop (baseline)", false), ("inference executor", true)] {
            results.append((name, try await measure(offload: offload, model: model, big: big, small: small)))
        }
        func percentile(_ values: [Double], _ p: Double) -> Double {
            values.isEmpty ? .nan : values[min(values.count - 1, Int(Double(values.count) * p))]
        }
        for (name, figures) in results {
            let probes = figures.probes.sorted()
            lines.append(
                name.padding(toLength: 24, withPad: " ", startingAt: 0)
                    + String(
                        format: "/healthz p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms (%d probes) | batches %8.0f rows/s | batch 1 %7.0f req/s",
                        percentile(probes, 0.5), percentile(probes, 0.99), probes.last ?? .nan, probes.count,
                        Double(figures.batchRows) / seconds, Double(figures.small) / smallSeconds))
        }
        let base = results[0].1.probes.sorted()
        let ours = results[1].1.probes.sorted()
        lines.append(
            String(
                format: "ratio (baseline / executor): /healthz p99 %.1fx; target: executor p99 under 50 ms (%@)",
                percentile(base, 0.99) / percentile(ours, 0.99), percentile(ours, 0.99) < 50 ? "met" : "NOT met"))
        print(lines.joined(separator: "\n"))
    }

    func measure(offload: Bool, model: Data, big: String, small: String) async throws -> Figures {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("modelyard-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        var logger = Logger(label: "bench")
        logger.logLevel = .critical
        let components = try Composition.open(
            dataDirectory: work, serving: .init(offloadInference: offload), logger: logger)
        let server = try await LiveServer.start(components, logger: logger)
        defer { server.stop() }
        let client = BenchClient(base: "http://127.0.0.1:\(server.port)")
        try await client.send(.POST, "/api/v1/models", #"{"name": "forest"}"#)
        try await client.send(.POST, "/api/v1/models/forest/versions", "{}")
        var upload = HTTPClientRequest(url: client.base + "/api/v1/models/forest/versions/1.0.0/artifacts/model.onnx")
        upload.method = .PUT
        upload.body = .bytes(ByteBuffer(data: model))
        let uploaded = try await HTTPClient.shared.execute(upload, timeout: .seconds(60))
        guard uploaded.status == .created else { throw BenchError(message: "upload answered \(uploaded.status)") }
        try await client.send(.PATCH, "/api/v1/models/forest/versions/1.0.0", #"{"status": "ready"}"#)
        try await client.send(.POST, "/api/v1/models/forest/deployments", #"{"version": "1.0.0"}"#)
        for _ in 0..<3 { try await client.send(.POST, "/api/v1/models/forest/predict", big) }

        var figures = Figures()
        let deadline = ContinuousClock.now + .seconds(seconds)
        try await withThrowingTaskGroup(of: (rows: Int, probes: [Double]).self) { group in
            for _ in 0..<clients {
                group.addTask {
                    var sent = 0
                    while ContinuousClock.now < deadline {
                        try await client.send(.POST, "/api/v1/models/forest/predict", big)
                        sent += rows
                    }
                    return (sent, [])
                }
            }
            group.addTask {
                // A client of its own: the shared client's pool (8 connections per host) is busy with the batches,
                // and a probe waiting for one of its connections would time the pool, not the server.
                let prober = HTTPClient(eventLoopGroupProvider: .singleton)
                var probes: [Double] = []
                do {
                    while ContinuousClock.now < deadline {
                        let start = ContinuousClock.now
                        let response = try await prober.execute(
                            HTTPClientRequest(url: client.base + "/healthz"), timeout: .seconds(60))
                        _ = try await response.body.collect(upTo: 1 << 20)
                        probes.append((ContinuousClock.now - start).benchSeconds * 1_000)
                        try await Task.sleep(for: .milliseconds(probeInterval))
                    }
                } catch {
                    try await prober.shutdown()
                    throw error
                }
                try await prober.shutdown()
                return (0, probes)
            }
            for try await result in group {
                figures.batchRows += result.rows
                figures.probes += result.probes
            }
        }
        let smallDeadline = ContinuousClock.now + .seconds(smallSeconds)
        figures.small = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    var count = 0
                    while ContinuousClock.now < smallDeadline {
                        try await client.send(.POST, "/api/v1/models/forest/predict", small)
                        count += 1
                    }
                    return count
                }
            }
            return try await group.reduce(0, +)
        }
        return figures
    }
}
