import Foundation

/// What the drift tests need from a numeric column, without its rows: the sorted sample (exact, or a sketch of
/// quantile points above a size), and the range, moments and distinct count taken from every value.
public struct NumericReference: Sendable, Equatable {
    public var sample: SortedSample
    /// Distinct values of the whole column (exact even when the sample is a sketch).
    public var distinct: Int
    public var minimum: Double
    public var maximum: Double
    public var mean: Double
    /// NumPy's `std` (population, ddof 0), which Evidently norms the Wasserstein distance by.
    public var standardDeviation: Double
    /// Read as integers (an int64 column in pandas).
    public var integral: Bool

    public init(
        sample: SortedSample, distinct: Int, minimum: Double, maximum: Double, mean: Double, standardDeviation: Double,
        integral: Bool
    ) {
        self.sample = sample
        self.distinct = distinct
        self.minimum = minimum
        self.maximum = maximum
        self.mean = mean
        self.standardDeviation = standardDeviation
        self.integral = integral
    }
}

/// One column of a reference (or current) sample reduced to what the tests read: a numeric summary or the count
/// of each category, and how many values were missing (NaN, ±infinity or absent), which are counted and left out.
public struct ReferenceColumn: Sendable, Equatable {
    public enum Values: Sendable, Equatable {
        case numbers(NumericReference)
        case categories([String: Int])
    }

    public var values: Values
    public var missing: Int

    public init(values: Values, missing: Int) {
        self.values = values
        self.missing = missing
    }

    /// Summarises a column; numbers with more than `sketchLimit` distinct values keep a sketch of that many
    /// quantile points (CDF error at most 1/`sketchLimit`).
    public init(_ column: DriftColumn, sketchLimit: Int = .max) {
        switch column {
        case .numbers(let all, let integral):
            let numbers = all.filter(\.isFinite)
            missing = all.count - numbers.count
            let exact = SortedSample(numbers)
            let (mean, deviation) = Self.moments(numbers, minimum: exact.values.first ?? 0, maximum: exact.values.last ?? 0)
            values = .numbers(
                NumericReference(
                    sample: exact.sketched(limit: sketchLimit), distinct: exact.values.count,
                    minimum: exact.values.first ?? 0, maximum: exact.values.last ?? 0, mean: mean,
                    standardDeviation: deviation, integral: integral))
        case .categories(let all):
            var counts: [String: Int] = [:]
            var missing = 0
            for value in all {
                if let value { counts[value, default: 0] += 1 } else { missing += 1 }
            }
            values = .categories(counts)
            self.missing = missing
        }
    }

    /// NumPy's mean and population standard deviation; values near the largest doubles are scaled down first so
    /// the sums cannot overflow into infinity minus infinity (never NaN).
    static func moments(_ numbers: [Double], minimum: Double, maximum: Double) -> (mean: Double, deviation: Double) {
        guard !numbers.isEmpty else { return (0, 0) }
        let n = Double(numbers.count)
        let magnitude = max(abs(minimum), abs(maximum))
        guard magnitude > 1e150 else {
            let mean = numbers.reduce(0, +) / n
            return (mean, (numbers.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n).squareRoot())
        }
        let scaled = numbers.map { $0 / magnitude }
        let mean = scaled.reduce(0, +) / n
        let variance = scaled.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
        return (mean * magnitude, variance.squareRoot() * magnitude)
    }

    /// How far a statistic judged against this column can be from the one its exact rows would give: 0 for an
    /// exact column; for a sketch, (max − min) × slice ÷ rows, normed as the method norms it, for the normed
    /// Wasserstein distance (each point stands within its slice of the rows), and nil where no simple bound holds.
    public func sketchErrorBound(_ method: DriftMethod) -> Double? {
        guard case .numbers(let summary) = values, !summary.sample.exact else { return 0 }
        guard method == .wasserstein, let slice = summary.sample.counts.min(), summary.sample.total > 0 else { return nil }
        return (summary.maximum - summary.minimum) * slice / summary.sample.total / max(summary.standardDeviation, 0.001)
    }

    public var numerical: Bool {
        if case .numbers = values { return true }
        return false
    }

    /// Values that are not missing.
    public var rows: Int {
        switch values {
        case .numbers(let summary): Int(summary.sample.total.rounded())
        case .categories(let counts): counts.values.reduce(0, +)
        }
    }

    /// Each value's count as the tests key them.
    func counts() -> [DriftTests.Key: Double] {
        switch values {
        case .numbers(let summary):
            Dictionary(uniqueKeysWithValues: zip(summary.sample.values.map { .number($0) }, summary.sample.counts))
        case .categories(let counts):
            Dictionary(uniqueKeysWithValues: counts.map { (.string($0.key), Double($0.value)) })
        }
    }

    /// Distinct values of this column and `other` together (Evidently's `n_unique` over reference ∪ current); a
    /// sketched column has more distinct values than any rule asks about, so its own count stands.
    func distinct(with other: ReferenceColumn) -> Int {
        switch (values, other.values) {
        case (.numbers(let a), .numbers(let b)):
            guard a.sample.exact, b.sample.exact else { return max(a.distinct, b.distinct) }
            return Set(a.sample.values).union(b.sample.values).count
        case (.categories(let a), .categories(let b)): return Set(a.keys).union(b.keys).count
        default: return 0
        }
    }
}

extension DriftTests {
    /// A value as a hashable key, ordered as Python orders them (numbers numerically, strings by code point).
    enum Key: Hashable, Comparable {
        case number(Double)
        case string(String)

        static func < (a: Key, b: Key) -> Bool {
            switch (a, b) {
            case (.number(let x), .number(let y)): x < y
            case (.string(let x), .string(let y)): x.unicodeScalars.lexicographicallyPrecedes(y.unicodeScalars)
            case (.number, .string): true
            case (.string, .number): false
            }
        }
    }
}

/// A column's reference and current shares side by side, binned as the tests bin them (Sturges bins over both
/// samples for numbers with more than 20 distinct reference values, one bar per value otherwise): what a chart
/// of the column shows.
public struct ColumnDistribution: Sendable, Equatable {
    /// Bin ranges ("0.5–1") for binned numbers, else the values.
    public var labels: [String]
    /// The bins' outer edges when the bars are bins of numbers.
    public var range: [String]?
    public var reference: [Double]
    public var current: [Double]

    /// At most this many bars; the rest of the categories are summed into "other".
    public static let maxBars = 20

    public init(labels: [String], reference: [Double], current: [Double], range: [String]? = nil) {
        self.range = range
        self.labels = labels
        self.reference = reference
        self.current = current
    }

    public init?(reference: ReferenceColumn, current: DriftColumn) {
        let summary = ReferenceColumn(current)
        guard reference.numerical == summary.numerical, reference.rows > 0, summary.rows > 0 else { return nil }
        if case .numbers(let a) = reference.values, case .numbers(let b) = summary.values, a.distinct > 20 {
            let edges = DriftTests.sturgesEdges(
                first: min(a.minimum, b.minimum), last: max(a.maximum, b.maximum), count: a.sample.total + b.sample.total,
                integral: a.integral && b.integral)
            let (r, c) = DriftTests.binned(reference, summary, fillEmpty: false)
            labels = (0..<(edges.count - 1)).map { Self.number(edges[$0]) + "–" + Self.number(edges[$0 + 1]) }
            range = [Self.number(edges[0]), Self.number(edges[edges.count - 1])]
            self.reference = r
            self.current = c
        } else {
            range = nil
            let refCounts = reference.counts()
            let curCounts = summary.counts()
            let n1 = Double(reference.rows)
            let n2 = Double(summary.rows)
            var keys = Array(Set(refCounts.keys).union(curCounts.keys))
            func weight(_ key: DriftTests.Key) -> Double { (refCounts[key] ?? 0) / n1 + (curCounts[key] ?? 0) / n2 }
            keys.sort { weight($0) != weight($1) ? weight($0) > weight($1) : $0 < $1 }
            let shown = keys.count > Self.maxBars ? Array(keys.prefix(Self.maxBars - 1)) : keys
            let ordered = reference.numerical ? shown.sorted() : shown
            labels = ordered.map {
                switch $0 {
                case .number(let value): Self.number(value)
                case .string(let text): text
                }
            }
            self.reference = ordered.map { (refCounts[$0] ?? 0) / n1 }
            self.current = ordered.map { (curCounts[$0] ?? 0) / n2 }
            if shown.count < keys.count {
                labels.append("other")
                self.reference.append(max(0, 1 - self.reference.reduce(0, +)))
                self.current.append(max(0, 1 - self.current.reduce(0, +)))
            }
        }
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(format: "%.4g", value)
    }
}
