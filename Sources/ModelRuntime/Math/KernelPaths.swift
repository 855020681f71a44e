import CModelKernels

/// Which of CModelKernels' code paths run: the best this CPU has (0 portable C and OpenBLAS, 1 AVX2/FMA, 2 the
/// AVX-512 GEMM tile), unless a caller caps it for the current task. Tests cap it to run every path the CPU
/// supports, so the portable and AVX2 paths stay tested on an AVX-512 machine; a task-local cap keeps tests that
/// run in parallel from changing each other's path.
public enum KernelPaths {
    /// The best level this CPU runs.
    public static let detected = Int(mk_vector_level_detected())

    /// A cap for the current task (`nil`: none). Set it with `KernelPaths.$cap.withValue(level) { ... }` around
    /// loading a model: kernels read the level once, when the model is planned, not on every call.
    @TaskLocal public static var cap: Int? = nil

    /// The level in force: the detected one, or the task's cap below it.
    static var level: Int32 { Int32(cap.map { Swift.min($0, detected) } ?? detected) }
}
