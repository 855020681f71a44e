import Foundation

/// Latency and throughput of one version measured by the server — at several batch sizes on inputs built from its
/// signature, or on a benchmark suite's texts with the quality reached — stored with the version so versions
/// compare side by side.
public struct BenchmarkReport: Sendable, Equatable {
    public struct Measurement: Sendable, Equatable {
        public var batch: Int
        public var iterations: Int
        public var meanMilliseconds: Double
        public var p50Milliseconds: Double
        public var p99Milliseconds: Double
        public var rowsPerSecond: Double

        public init(
            batch: Int, iterations: Int, meanMilliseconds: Double, p50Milliseconds: Double, p99Milliseconds: Double,
            rowsPerSecond: Double
        ) {
            self.batch = batch
            self.iterations = iterations
            self.meanMilliseconds = meanMilliseconds
            self.p50Milliseconds = p50Milliseconds
            self.p99Milliseconds = p99Milliseconds
            self.rowsPerSecond = rowsPerSecond
        }
    }

    public var model: ModelName
    public var version: SemanticVersion
    public var measurements: [Measurement]
    /// The suite run's quality, when the benchmark ran a suite.
    public var suite: SuiteResult?
    public var runBy: String
    public var runAt: Date

    public init(
        model: ModelName, version: SemanticVersion, measurements: [Measurement], suite: SuiteResult? = nil, runBy: String,
        runAt: Date
    ) {
        self.model = model
        self.version = version
        self.measurements = measurements
        self.suite = suite
        self.runBy = runBy
        self.runAt = runAt
    }
}

/// One minute of a version's inference on one server, kept in the store so the figures survive restarts.
public struct InferenceSummary: Sendable, Equatable {
    public var model: ModelName
    public var version: SemanticVersion
    /// Start of the period.
    public var periodStart: Date
    public var periodSeconds: Int
    public var requests: Int
    public var rows: Int
    public var errors: Int
    public var rejected: Int
    public var p50Milliseconds: Double?
    public var p95Milliseconds: Double?
    public var p99Milliseconds: Double?

    public init(
        model: ModelName, version: SemanticVersion, periodStart: Date, periodSeconds: Int, requests: Int, rows: Int,
        errors: Int, rejected: Int, p50Milliseconds: Double?, p95Milliseconds: Double?, p99Milliseconds: Double?
    ) {
        self.model = model
        self.version = version
        self.periodStart = periodStart
        self.periodSeconds = periodSeconds
        self.requests = requests
        self.rows = rows
        self.errors = errors
        self.rejected = rejected
        self.p50Milliseconds = p50Milliseconds
        self.p95Milliseconds = p95Milliseconds
        self.p99Milliseconds = p99Milliseconds
    }
}
