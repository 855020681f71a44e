/// The shape of one metric series: its last value, range, and where it was best.
public struct MetricSummary: Sendable, Equatable {
    public var name: String
    public var count: Int
    public var firstStep: Int64
    public var lastStep: Int64
    /// The value at the highest step (latest timestamp on ties).
    public var last: Double
    public var min: Double
    public var max: Double
    public var direction: MetricDirection
    public var best: Double
    /// The step where the best value was first reached.
    public var bestStep: Int64

    public init(
        name: String, count: Int, firstStep: Int64, lastStep: Int64, last: Double, min: Double, max: Double,
        direction: MetricDirection, best: Double, bestStep: Int64
    ) {
        self.name = name
        self.count = count
        self.firstStep = firstStep
        self.lastStep = lastStep
        self.last = last
        self.min = min
        self.max = max
        self.direction = direction
        self.best = best
        self.bestStep = bestStep
    }

    /// Summarises each named series in `points`; `direction(name)` says which way is better for a metric.
    public static func summarize(
        _ points: [MetricPoint], direction: (String) -> MetricDirection = MetricDirection.inferred(forMetric:)
    ) -> [MetricSummary] {
        var byName: [String: MetricSummary] = [:]
        var lastTimestamp: [String: Int64] = [:]
        for point in points {
            guard var summary = byName[point.name] else {
                byName[point.name] = MetricSummary(
                    name: point.name, count: 1, firstStep: point.step, lastStep: point.step, last: point.value,
                    min: point.value, max: point.value, direction: direction(point.name), best: point.value,
                    bestStep: point.step)
                lastTimestamp[point.name] = point.timestamp
                continue
            }
            summary.count += 1
            summary.firstStep = Swift.min(summary.firstStep, point.step)
            if point.step > summary.lastStep
                || (point.step == summary.lastStep && point.timestamp >= lastTimestamp[point.name, default: 0])
            {
                summary.lastStep = point.step
                summary.last = point.value
                lastTimestamp[point.name] = point.timestamp
            }
            summary.min = Swift.min(summary.min, point.value)
            summary.max = Swift.max(summary.max, point.value)
            if summary.direction.isBetter(point.value, than: summary.best)
                || (point.value == summary.best && point.step < summary.bestStep)
            {
                summary.best = point.value
                summary.bestStep = point.step
            }
            byName[point.name] = summary
        }
        return byName.values.sorted { $0.name < $1.name }
    }
}
