import RegistryCore

/// One line of a chart: points in x order.
public struct ChartSeries: Sendable {
    public var label: String
    public var xs: [Double]
    public var ys: [Double]

    public init(label: String, xs: [Double], ys: [Double]) {
        precondition(xs.count == ys.count, "a series needs one y per x")
        self.label = label
        self.xs = xs
        self.ys = ys
    }

    /// Drops non-finite values (a NaN metric cannot be drawn).
    public init(label: String, points: [(x: Double, y: Double)]) {
        var xs: [Double] = []
        var ys: [Double] = []
        xs.reserveCapacity(points.count)
        ys.reserveCapacity(points.count)
        for point in points where point.x.isFinite && point.y.isFinite {
            xs.append(point.x)
            ys.append(point.y)
        }
        self.init(label: label, xs: xs, ys: ys)
    }

    /// A metric's finite points, steps on x; labelled with the metric's name unless told otherwise.
    public init(_ metric: MetricSeries, label: String? = nil) {
        var xs: [Double] = []
        var ys: [Double] = []
        xs.reserveCapacity(metric.count)
        ys.reserveCapacity(metric.count)
        for index in 0..<metric.count where metric.values[index].isFinite {
            xs.append(Double(metric.steps[index]))
            ys.append(metric.values[index])
        }
        self.init(label: label ?? metric.name, xs: xs, ys: ys)
    }

    public var isEmpty: Bool { xs.isEmpty }
}

/// Reducing a long series to what a few hundred pixels can show.
public enum Downsample {
    /// Splits the series into `buckets` runs of consecutive points and keeps each run's minimum and maximum in
    /// the order they occur, so spikes survive (a mean would hide a divergence). At most `2 × buckets` indices.
    public static func minMax(_ ys: [Double], buckets: Int) -> [Int] {
        let count = ys.count
        guard count > buckets * 2, buckets > 0 else { return Array(0..<count) }
        var indices: [Int] = []
        indices.reserveCapacity(buckets * 2 + 2)
        for bucket in 0..<buckets {
            let start = bucket * count / buckets
            let end = (bucket + 1) * count / buckets
            guard start < end else { continue }
            var low = start
            var high = start
            for index in start..<end {
                if ys[index] < ys[low] { low = index }
                if ys[index] > ys[high] { high = index }
            }
            if low == high {
                indices.append(low)
            } else {
                indices.append(min(low, high))
                indices.append(max(low, high))
            }
        }
        if indices.last != count - 1 { indices.append(count - 1) }
        return indices
    }

    /// Every `count / targets`-th index, ending on the last: where hover labels go.
    public static func evenly(count: Int, targets: Int) -> [Int] {
        guard count > targets, targets > 1 else { return Array(0..<count) }
        return (0..<targets).map { ($0 + 1) * count / targets - 1 }
    }
}
