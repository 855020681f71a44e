public import Foundation
import Prometheus
import Synchronization

/// One version's inference counts and latencies: cumulative Prometheus series for scraping, plus sliding windows
/// (the last minute, the last five) for percentiles, throughput and the automatic-rollback check.
public final class InferenceMetrics: Sendable {
    /// Latency bucket bounds in seconds: log-spaced from 20 µs to ~80 s (ratio 1.25), so a percentile read from a
    /// bucket is within 25 % of the true value.
    static let bounds: [Double] = (0..<69).map { 20e-6 * pow(1.25, Double($0)) }
    static let slotSeconds = 5.0
    static let slotCount = 60  // five minutes

    struct Slot {
        var epoch: Int64 = -1
        var counts = [UInt32](repeating: 0, count: InferenceMetrics.bounds.count + 1)
        var requests = 0
        var errors = 0
        var rows = 0
    }

    struct State {
        var requests = 0
        var rows = 0
        var errors = 0
        var rejected = 0
        var slots = [Slot](repeating: Slot(), count: InferenceMetrics.slotCount)
        /// Since the last `drainPeriod`, for the summaries kept in the store.
        var period = Slot()
        var periodRejected = 0
        var periodStart: Date?
    }

    private let state = Mutex(State())
    private let clock: @Sendable () -> Date
    private let ok: Counter
    private let failed: Counter
    private let rejectedCounter: Counter
    private let rowCounter: Counter
    private let latency: DurationHistogram

    init(model: String, version: String, prometheus: PrometheusCollectorRegistry, clock: @escaping @Sendable () -> Date) {
        self.clock = clock
        let started = clock()
        state.withLock { $0.periodStart = started }
        let labels = [("model", model), ("version", version)]
        let requests = MetricNameDescriptor(
            namespace: "modelyard", subsystem: "inference", metricName: "requests", unitName: "total",
            helpText: "Prediction requests per version and outcome (ok, error: the model failed, rejected: bad input).")
        ok = prometheus.makeCounter(descriptor: requests, labels: labels + [("outcome", "ok")])
        failed = prometheus.makeCounter(descriptor: requests, labels: labels + [("outcome", "error")])
        rejectedCounter = prometheus.makeCounter(descriptor: requests, labels: labels + [("outcome", "rejected")])
        rowCounter = prometheus.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "modelyard", subsystem: "inference", metricName: "rows", unitName: "total",
                helpText: "Rows predicted per version."), labels: labels)
        latency = prometheus.makeDurationHistogram(
            descriptor: MetricNameDescriptor(
                namespace: "modelyard", subsystem: "inference", metricName: "duration", unitName: "seconds",
                helpText: "Model execution time per request."),
            labels: labels,
            buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
                .map { Duration.nanoseconds(Int64($0 * 1e9)) })
    }

    /// Records one executed request.
    func record(seconds: Double, rows: Int, failed isError: Bool) {
        let bucket = Self.bucket(seconds)
        let epoch = Int64((clock().timeIntervalSince1970 / Self.slotSeconds).rounded(.down))
        state.withLock { state in
            state.requests += 1
            state.rows += rows
            if isError { state.errors += 1 }
            let index = Int(epoch % Int64(Self.slotCount))
            if state.slots[index].epoch != epoch { state.slots[index] = Slot(epoch: epoch) }
            state.slots[index].counts[bucket] += 1
            state.slots[index].requests += 1
            state.slots[index].rows += rows
            if isError { state.slots[index].errors += 1 }
            state.period.counts[bucket] += 1
            state.period.requests += 1
            state.period.rows += rows
            if isError { state.period.errors += 1 }
        }
        (isError ? failed : ok).increment()
        rowCounter.increment(by: Int64(rows))
        latency.recordNanoseconds(Int64(seconds * 1e9))
    }

    /// Records a request refused for bad input (not the version's fault).
    public func recordRejected() {
        state.withLock { state in
            state.rejected += 1
            state.periodRejected += 1
        }
        rejectedCounter.increment()
    }

    static func bucket(_ seconds: Double) -> Int {
        var low = 0
        var high = bounds.count
        while low < high {
            let mid = (low + high) / 2
            if bounds[mid] < seconds { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// What happened since the previous call (or since load): counts and latency percentiles of the period, then
    /// starts a new period. `nil` when nothing happened.
    func drainPeriod(now: Date) -> (start: Date, requests: Int, rows: Int, errors: Int, rejected: Int, p50: Double?, p95: Double?, p99: Double?)? {
        let (period, rejected, start) = state.withLock { state in
            defer {
                state.period = Slot()
                state.periodRejected = 0
                state.periodStart = now
            }
            return (state.period, state.periodRejected, state.periodStart ?? now)
        }
        guard period.requests + rejected > 0 else { return nil }
        let counts = period.counts.map(UInt64.init)
        return (
            start, period.requests, period.rows, period.errors, rejected, Self.quantile(counts, 0.5), Self.quantile(counts, 0.95),
            Self.quantile(counts, 0.99)
        )
    }

    /// The upper bound (ms) of the bucket holding quantile `q`; nil without samples.
    static func quantile(_ counts: [UInt64], _ q: Double) -> Double? {
        let total = counts.reduce(0, +)
        guard total > 0 else { return nil }
        let rank = max(UInt64((Double(total) * q).rounded(.up)), 1)
        var seen: UInt64 = 0
        for (i, count) in counts.enumerated() {
            seen += count
            if seen >= rank { return (i < bounds.count ? bounds[i] : bounds.last! * 1.25) * 1000 }
        }
        return nil
    }

    /// Counts since load and statistics over the last `windows` seconds.
    public func snapshot(windows: [Int] = [60, 300]) -> PerformanceSnapshot {
        let now = clock().timeIntervalSince1970
        let epoch = Int64((now / Self.slotSeconds).rounded(.down))
        let state = state.withLock { $0 }
        let windowStats = windows.map { seconds -> PerformanceSnapshot.Window in
            let slots = min(Self.slotCount, max(1, Int((Double(seconds) / Self.slotSeconds).rounded(.up))))
            var counts = [UInt64](repeating: 0, count: Self.bounds.count + 1)
            var requests = 0
            var errors = 0
            var rows = 0
            for slot in state.slots where slot.epoch > epoch - Int64(slots) && slot.epoch <= epoch {
                for i in counts.indices { counts[i] += UInt64(slot.counts[i]) }
                requests += slot.requests
                errors += slot.errors
                rows += slot.rows
            }
            // The current slot is partly elapsed: divide by the time actually covered.
            let covered = Double(slots - 1) * Self.slotSeconds + (now - Double(epoch) * Self.slotSeconds)
            func quantile(_ q: Double) -> Double? { Self.quantile(counts, q) }
            return .init(
                seconds: seconds, requests: requests, errors: errors, rows: rows,
                errorRate: requests == 0 ? 0 : Double(errors) / Double(requests),
                requestsPerSecond: covered > 0 ? Double(requests) / covered : 0,
                rowsPerSecond: covered > 0 ? Double(rows) / covered : 0,
                p50Milliseconds: quantile(0.5), p95Milliseconds: quantile(0.95), p99Milliseconds: quantile(0.99))
        }
        return PerformanceSnapshot(
            requests: state.requests, rows: state.rows, errors: state.errors, rejected: state.rejected,
            windows: windowStats)
    }
}

/// Inference counts of one version since it was loaded, and statistics over recent windows.
public struct PerformanceSnapshot: Sendable, Codable, Equatable {
    public struct Window: Sendable, Codable, Equatable {
        public var seconds: Int
        public var requests: Int
        public var errors: Int
        public var rows: Int
        public var errorRate: Double
        public var requestsPerSecond: Double
        public var rowsPerSecond: Double
        /// Upper bounds of the latency buckets holding the percentile (within 25 %); nil without requests.
        public var p50Milliseconds: Double?
        public var p95Milliseconds: Double?
        public var p99Milliseconds: Double?

        enum CodingKeys: String, CodingKey {
            case seconds, requests, errors, rows
            case errorRate = "error_rate"
            case requestsPerSecond = "requests_per_second"
            case rowsPerSecond = "rows_per_second"
            case p50Milliseconds = "p50_ms"
            case p95Milliseconds = "p95_ms"
            case p99Milliseconds = "p99_ms"
        }
    }

    public var requests: Int
    public var rows: Int
    public var errors: Int
    public var rejected: Int
    public var windows: [Window]
}
