/// One point of a training metric series: `loss` at step 120 was 0.31.
public struct MetricPoint: Sendable, Hashable {
    public var name: String
    /// The step or epoch.
    public var step: Int64
    public var value: Double
    /// Milliseconds since the Unix epoch (the MLflow convention).
    public var timestamp: Int64

    public init(name: String, step: Int64, value: Double, timestamp: Int64) {
        self.name = name
        self.step = step
        self.value = value
        self.timestamp = timestamp
    }

    /// The largest batch one append may carry.
    public static let maxBatch = 100_000

    public func validate() throws {
        try FieldLimits.checkMetricName(name)
        guard value.isFinite else {
            throw RegistryError.invalidArgument("metric '\(name)' at step \(step) has a non-finite value")
        }
    }
}
