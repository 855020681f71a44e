import Foundation
import ModelRuntime

/// Times `ModelRuntime` against onnxruntime (one thread) on every ONNX fixture at batch 1 and batch 1000, in the
/// same run and on the same input tensors, and prints the ratios: against onnxruntime's Python API, and against its
/// C API called in-process (`scripts/onnx/ort_harness.c`), which pays none of Python's ~3-4 µs per call.
public enum ONNXBenchmark {
    /// One fixture's timings in seconds (median of a round, best of three rounds).
    public struct Row: Sendable {
        public var name: String
        public var swiftB1: Double
        public var swiftB1000: Double
        public var ortB1: Double
        public var ortB1000: Double
        /// onnxruntime through its C API in-process (NaN when the harness was not built or the fixture has string
        /// inputs, which it does not take).
        public var ortCB1: Double
        public var ortCB1000: Double
    }

    /// Runs the benchmark and prints a table.
    /// - Parameters:
    ///   - fixtures: the `fixtures/onnx` directory.
    ///   - python: a Python with onnxruntime (normally `.venv-onnx/bin/python`).
    ///   - only: fixture names to restrict to (all when empty).
    ///   - passes: how many times to alternate the two sides; each figure is the best over the passes.
    ///   - batchRows: batch 1,000's rows, `mixed` or `cyclic` (see `scripts/onnx/bench_ort.py`).
    public static func run(
        fixtures: URL, python: String, only: [String] = [], passes: Int = 2, batchRows: String = "mixed",
        harness: String? = nil
    ) async throws {
        let script = fixtures.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/onnx/bench_ort.py")
        let inputsDir = FileManager.default.temporaryDirectory.appendingPathComponent("onnx-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: inputsDir) }
        var arguments = [script.path, "--fixtures", fixtures.path, "--inputs-out", inputsDir.path, "--rows", batchRows]
        if !only.isEmpty { arguments += ["--only"] + only }
        if let harness { arguments += ["--in-process", harness] }
        // On this shared 2-core machine throughput drifts by up to 2x over minutes, so one onnxruntime pass
        // followed by one ModelRuntime pass can compare a fast minute with a slow one. The sides alternate,
        // `passes` times, and each keeps its best figure.
        var ort: [String: [String: Double]] = [:]
        var version = "?"
        var swift: [String: (b1: Double, b1000: Double)] = [:]
        for pass in 1...max(passes, 1) {
            let baseline = try runPython(python, arguments)
            guard let root = try JSONSerialization.jsonObject(with: baseline) as? [String: Any],
                let figures = root["fixtures"] as? [String: [String: Double]]
            else { throw BenchmarkError("bench_ort.py printed no JSON") }
            version = root["onnxruntime"] as? String ?? version
            for (name, f) in figures {
                ort[name, default: [:]].merge(f) { min($0, $1) }
            }
            for name in figures.keys.sorted() {
                let session = try ONNXSession(contentsOf: fixtures.appendingPathComponent("\(name).onnx"))
                let b1 = try loadInputs(inputsDir.appendingPathComponent("\(name).b1.json"))
                let b1000 = try loadInputs(inputsDir.appendingPathComponent("\(name).b1000.json"))
                let t1 = try time(session, b1, runs: 2000)
                let t1000 = try time(session, b1000, runs: 60)
                let old = swift[name] ?? (.infinity, .infinity)
                swift[name] = (min(old.b1, t1), min(old.b1000, t1000))
            }
            FileHandle.standardError.write(Data("pass \(pass) of \(max(passes, 1)) done\n".utf8))
        }
        let rows = ort.keys.sorted().map { name in
            Row(
                name: name, swiftB1: swift[name]?.b1 ?? .nan, swiftB1000: swift[name]?.b1000 ?? .nan,
                ortB1: ort[name]?["b1"] ?? .nan, ortB1000: ort[name]?["b1000"] ?? .nan,
                ortCB1: ort[name]?["c_b1"] ?? .nan, ortCB1000: ort[name]?["c_b1000"] ?? .nan)
        }
        print(table(rows, version: version, batchRows: batchRows))
    }

    static func loadInputs(_ url: URL) throws -> [String: Tensor] {
        let named = try InferenceProtocolJSON.decode(try Data(contentsOf: url), key: "inputs")
        return Dictionary(named.map { ($0.name, $0.tensor) }, uniquingKeysWith: { a, _ in a })
    }

    /// Median seconds per call over `runs` calls, best of three rounds, after a warm-up.
    static func time(_ session: ONNXSession, _ inputs: [String: Tensor], runs: Int) throws -> Double {
        for _ in 0..<min(runs, 20) { _ = try session.run(inputs) }
        var best = Double.infinity
        let clock = ContinuousClock()
        for _ in 0..<3 {
            var samples: [Double] = []
            samples.reserveCapacity(runs)
            for _ in 0..<runs {
                let start = clock.now
                _ = try session.run(inputs)
                let elapsed = clock.now - start
                samples.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
            }
            samples.sort()
            best = min(best, samples[samples.count / 2])
        }
        return best
    }

    static func format(_ seconds: Double) -> String {
        if seconds.isNaN { return "-" }
        if seconds < 1e-3 { return String(format: "%.1f us", seconds * 1e6) }
        return String(format: "%.2f ms", seconds * 1e3)
    }

    static func table(_ rows: [Row], version: String, batchRows: String) -> String {
        var lines = [
            "ModelRuntime vs onnxruntime \(version) (1 thread) through its Python API (ORT) and its C API in-process (ORT C);"
                + " median per call, best of 3 rounds in each of the alternating passes; speed-up = onnxruntime time / ModelRuntime time",
            "ZipMap models: ORT builds a Python dict per row, ORT C and ModelRuntime do not (their b1000 compare on equal terms)",
            "ModelRuntime: one thread per call; OPENBLAS_NUM_THREADS=\(ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"] ?? "unset")",
            batchRows == "cyclic"
                ? "batch 1000: the fixture's rows repeated" : "batch 1000: 1000 different rows, mixed from the fixture's values",
            "",
        ]
        let header = [
            "fixture", "MR b1", "ORT b1", "speed-up", "ORT C b1", "speed-up", "MR b1000", "ORT b1000", "speed-up",
            "ORT C b1000", "speed-up",
        ]
        func ratio(_ a: Double, _ b: Double) -> String { a.isNaN ? "–" : String(format: "%.1fx", a / b) }
        var cells = [header]
        for r in rows {
            cells.append([
                r.name, format(r.swiftB1), format(r.ortB1), ratio(r.ortB1, r.swiftB1), format(r.ortCB1),
                ratio(r.ortCB1, r.swiftB1), format(r.swiftB1000), format(r.ortB1000), ratio(r.ortB1000, r.swiftB1000),
                format(r.ortCB1000), ratio(r.ortCB1000, r.swiftB1000),
            ])
        }
        let widths = (0..<header.count).map { c in cells.map { $0[c].count }.max() ?? 0 }
        for (i, row) in cells.enumerated() {
            let padded = row.enumerated().map { c, text in
                c == 0 ? text.padding(toLength: widths[c], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[c] - text.count) + text
            }
            lines.append("| " + padded.joined(separator: " | ") + " |")
            if i == 0 { lines.append("|" + widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "|") + "|") }
        }
        let slower = rows.filter {
            $0.ortB1 / $0.swiftB1 < 1 || $0.ortB1000 / $0.swiftB1000 < 1 || $0.ortCB1 / $0.swiftB1 < 1
                || $0.ortCB1000 / $0.swiftB1000 < 1
        }.map(\.name)
        lines.append("")
        lines.append(slower.isEmpty ? "ModelRuntime is faster on every fixture at both batch sizes." : "slower than onnxruntime on: \(slower.joined(separator: ", "))")
        return lines.joined(separator: "\n")
    }

    static func runPython(_ python: String, _ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchmarkError("bench_ort.py exited with status \(process.terminationStatus)")
        }
        return data
    }
}

/// A benchmark setup failure.
struct BenchmarkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
