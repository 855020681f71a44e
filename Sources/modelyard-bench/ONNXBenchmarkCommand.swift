import ArgumentParser
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `modelyard-bench onnx`: ModelRuntime against onnxruntime (Python, one thread) on every fixture.
struct ONNXBenchmarkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "onnx",
        abstract: "Time ModelRuntime and onnxruntime at batch 1 and 1,000 on the ONNX fixtures; print ratios.",
        discussion: """
            Needs the fixture venv (scripts/onnx/setup-venv.sh). Examples:
              swift run -c release modelyard-bench onnx
              swift run -c release modelyard-bench onnx isolation_forest mlp
            """)

    @Option(help: "Fixture directory.") var fixtures = "fixtures/onnx"
    @Option(help: "Python with onnxruntime installed.") var python = ".venv-onnx/bin/python"
    @Option(help: "Alternate onnxruntime and ModelRuntime this many times; each keeps its best figure.")
    var passes = 2
    @Option(
        help: """
            Batch 1,000's rows: 'mixed' (each column drawn from the fixture's values, so rows differ, as in real \
            traffic) or 'cyclic' (the fixture's rows repeated, which flatters branchy tree walks).
            """)
    var rows = "mixed"
    @Option(help: "onnxruntime's in-process C API harness (scripts/onnx/build-ort-harness.sh builds it; skipped when absent).")
    var ortHarness = ".build/ort-harness/ort_harness"
    @Argument(help: "Only these fixtures (default: all).") var names: [String] = []

    func run() async throws {
        // OpenBLAS reads OPENBLAS_NUM_THREADS once, when it loads; its idle worker threads otherwise compete for
        // the two cores and halve GEMM speed. Re-execute once with one BLAS thread (the recommended server setting).
        if getenv("OPENBLAS_NUM_THREADS") == nil {
            setenv("OPENBLAS_NUM_THREADS", "1", 1)
            var argv: [UnsafeMutablePointer<CChar>?] = CommandLine.arguments.map { strdup($0) }
            argv.append(nil)
            execv("/proc/self/exe", argv)
        }
        guard passes >= 1 else { throw ValidationError("--passes must be at least 1") }
        guard ["mixed", "cyclic"].contains(rows) else { throw ValidationError("--rows is 'mixed' or 'cyclic'") }
        try await ONNXBenchmark.run(
            fixtures: URL(fileURLWithPath: fixtures), python: python, only: names, passes: passes, batchRows: rows,
            harness: FileManager.default.isExecutableFile(atPath: ortHarness) ? ortHarness : nil)
    }
}
