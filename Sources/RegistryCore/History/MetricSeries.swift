/// One metric of a run as columns, in (step, timestamp, value) order — points logged at the same step and time
/// rank by value, as a run's latest metric does: what charts draw, without a `MetricPoint` per point.
public struct MetricSeries: Sendable, Equatable {
    public var name: String
    public var steps: [Int64]
    /// NaN where the logged value was NaN.
    public var values: [Double]

    public init(name: String, steps: [Int64] = [], values: [Double] = []) {
        precondition(steps.count == values.count, "a series has one value per step")
        self.name = name
        self.steps = steps
        self.values = values
    }

    public var count: Int { steps.count }

    /// The series' summary, as `MetricSummary.summarize` gives for its points (they arrive in order, so the last
    /// point is the latest).
    public func summary(direction: MetricDirection) -> MetricSummary? {
        guard !steps.isEmpty else { return nil }
        var summary = MetricSummary(
            name: name, count: 1, firstStep: steps[0], lastStep: steps[0], last: values[0], min: values[0],
            max: values[0], direction: direction, best: values[0], bestStep: steps[0])
        for index in 1..<steps.count {
            let step = steps[index]
            let value = values[index]
            summary.count += 1
            summary.firstStep = Swift.min(summary.firstStep, step)
            if step >= summary.lastStep {
                summary.lastStep = step
                summary.last = value
            }
            summary.min = Swift.min(summary.min, value)
            summary.max = Swift.max(summary.max, value)
            if direction.isBetter(value, than: summary.best) || (value == summary.best && step < summary.bestStep) {
                summary.best = value
                summary.bestStep = step
            }
        }
        return summary
    }
}
