import Foundation
public import ModelRuntime
import NIOPosix
public import RegistryCore

/// Measures a loaded version's latency and throughput at several batch sizes on inputs built from its signature
/// (seeded pseudo-random numbers, empty strings), off the request path, one benchmark at a time.
public enum VersionBenchmark {
    public static let defaultBatches = [1, 32, 1024]
    /// One benchmark at a time on this server, so runs never measure each other.
    static let gate = AsyncSemaphore(permits: 1)

    /// Runs each batch size for about `seconds` (at least 5 and at most 2,000 iterations) after a short warm-up.
    /// A batch size the model cannot take is `invalid_argument` (a fixed batch dimension) or `payload_too_large`; a
    /// model that fails on a batch that fits its signature is `failed_precondition`, naming the batch.
    public static func run(_ model: LoadedModel, batches: [Int] = defaultBatches, seconds: Double = 0.5) async throws
        -> [BenchmarkReport.Measurement]
    {
        do {
            return try await measure(model, batches: batches, seconds: seconds)
        } catch let error as ModelRuntimeError {
            switch error.code {
            case .invalidInput:
                throw RegistryError.invalidArgument(
                    "version \(model.key.version) cannot be benchmarked at these batch sizes: \(error.message)")
            case .tooLarge: throw RegistryError.payloadTooLarge(error.message + "; benchmark smaller batches")
            default:
                throw RegistryError.failedPrecondition(
                    "version \(model.key.version) failed while being benchmarked: \(error.message)")
            }
        }
    }

    private static func measure(_ model: LoadedModel, batches: [Int], seconds: Double) async throws
        -> [BenchmarkReport.Measurement]
    {
        try await gate.withPermit {
            var results: [BenchmarkReport.Measurement] = []
            for batch in batches {
                let inputs = try SignatureInputs.make(model.session, batch: batch, seed: 42)
                results.append(
                    try await NIOThreadPool.singleton.runIfActive {
                        for _ in 0..<3 { _ = try model.session.run(inputs) }
                        var latencies: [Double] = []
                        let start = ContinuousClock.now
                        while latencies.count < 2000 && (latencies.count < 5 || (ContinuousClock.now - start).seconds < seconds) {
                            let t = ContinuousClock.now
                            _ = try model.session.run(inputs)
                            latencies.append((ContinuousClock.now - t).seconds)
                        }
                        return measurement(batch: batch, rows: batch * latencies.count, latencies: latencies)
                    })
            }
            return results
        }
    }

    /// Mean, p50 and p99 of calls that each took `latencies` seconds and together handled `rows` rows.
    static func measurement(batch: Int, rows: Int, latencies: [Double]) -> BenchmarkReport.Measurement {
        let sorted = latencies.sorted()
        let total = sorted.reduce(0, +)
        func percentile(_ q: Double) -> Double {
            sorted[min(sorted.count - 1, max(0, Int((Double(sorted.count) * q).rounded(.up)) - 1))] * 1000
        }
        return BenchmarkReport.Measurement(
            batch: batch, iterations: sorted.count, meanMilliseconds: total / Double(max(1, sorted.count)) * 1000,
            p50Milliseconds: percentile(0.5), p99Milliseconds: percentile(0.99), rowsPerSecond: total > 0 ? Double(rows) / total : 0)
    }
}

/// A small seeded generator so benchmark inputs are the same in every run.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func nextGaussian() -> Double {
        let u1 = max(Double(next() >> 11) / Double(1 << 53), 1e-12)
        let u2 = Double(next() >> 11) / Double(1 << 53)
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
}
