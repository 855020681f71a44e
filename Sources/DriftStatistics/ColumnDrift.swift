import Foundation

/// One column's values in a reference or current sample: numbers (NaN and ±infinity are missing) or categories
/// (`nil` is missing).
public enum DriftColumn: Sendable {
    /// `integral`: the values were read as integers (pandas reads such a column as int64, and NumPy then keeps
    /// histogram bins at least 1 wide).
    case numbers([Double], integral: Bool = false)
    case categories([String?])
}

/// The tests a column's drift is judged by, as Evidently names them.
public enum DriftMethod: String, Sendable, Codable, CaseIterable {
    /// Two-sample Kolmogorov–Smirnov p-value; drift at p ≤ threshold.
    case ks
    /// Chi-squared p-value of current counts against reference shares; drift at p < threshold.
    case chisquare
    /// Two-proportion Z-test p-value; drift at p < threshold.
    case z
    /// Wasserstein distance divided by the reference's standard deviation (at least 0.001); drift at ≥ threshold.
    case wasserstein
    /// Jensen–Shannon distance (natural log) of binned shares; drift at ≥ threshold.
    case jensenshannon
    /// Population stability index of binned shares (empty bins filled); drift at ≥ threshold.
    case psi

    /// Evidently's default threshold for the method.
    public var defaultThreshold: Double {
        switch self {
        case .ks, .chisquare, .z: 0.05
        case .wasserstein, .jensenshannon, .psi: 0.1
        }
    }

    /// Whether the statistic is a p-value (small means drift) rather than a distance (large means drift).
    public var isPValue: Bool { self == .ks || self == .chisquare || self == .z }
}

/// A column's verdict.
public struct ColumnDrift: Sendable, Equatable {
    public var method: DriftMethod
    /// The p-value or distance.
    public var statistic: Double
    public var threshold: Double
    public var drifted: Bool
    /// Rows compared (missing values left out) and missing values counted, per side.
    public var referenceRows: Int
    public var currentRows: Int
    public var referenceMissing: Int
    public var currentMissing: Int

    public init(
        method: DriftMethod, statistic: Double, threshold: Double, drifted: Bool, referenceRows: Int, currentRows: Int,
        referenceMissing: Int, currentMissing: Int
    ) {
        self.method = method
        self.statistic = statistic
        self.threshold = threshold
        self.drifted = drifted
        self.referenceRows = referenceRows
        self.currentRows = currentRows
        self.referenceMissing = referenceMissing
        self.currentMissing = currentMissing
    }
}

/// Why a column could not be compared.
public struct DriftError: Error, Equatable, Sendable, CustomStringConvertible {
    public let description: String
    public init(description: String) { self.description = description }
}

/// Evidently's `DataDriftPreset` rules for one column (legacy `get_one_column_drift`, `_get_default_stattest` and the
/// stattests, Evidently 0.7): missing values (and infinities) are left out first; the method is chosen by the
/// reference's size and the number of distinct values of both samples together unless one is given.
public enum DriftTests {
    /// Evidently's automatic choice: up to 1,000 reference rows, KS for numbers with more than 5 distinct values,
    /// chi-squared for 3 or more distinct values otherwise, the Z-test for 2 or fewer; above 1,000 rows, normed
    /// Wasserstein for numbers with more than 5 distinct values and Jensen–Shannon otherwise.
    public static func defaultMethod(numerical: Bool, referenceRows: Int, distinctValues: Int) -> DriftMethod {
        if referenceRows <= 1_000 {
            if numerical && distinctValues > 5 { return .ks }
            return distinctValues > 2 ? .chisquare : .z
        }
        return numerical && distinctValues > 5 ? .wasserstein : .jensenshannon
    }

    /// Compares one column: the default method and threshold unless given.
    public static func column(
        reference: DriftColumn, current: DriftColumn, method: DriftMethod? = nil, threshold: Double? = nil
    ) throws(DriftError) -> ColumnDrift {
        try column(reference: ReferenceColumn(reference), current: current, method: method, threshold: threshold)
    }

    /// Compares a current sample with a reference profile: the default method and threshold unless given.
    public static func column(
        reference ref: ReferenceColumn, current: DriftColumn, method: DriftMethod? = nil, threshold: Double? = nil
    ) throws(DriftError) -> ColumnDrift {
        try column(reference: ref, summary: ReferenceColumn(current), method: method, threshold: threshold)
    }

    /// The same with the current sample already summarised (sorted once for the test and the score).
    public static func column(
        reference ref: ReferenceColumn, summary cur: ReferenceColumn, method: DriftMethod? = nil, threshold: Double? = nil
    ) throws(DriftError) -> ColumnDrift {
        guard ref.numerical == cur.numerical else {
            throw DriftError(description: "the reference holds \(ref.numerical ? "numbers" : "categories") and the current sample does not")
        }
        guard ref.rows > 0 else { throw DriftError(description: "the reference has no values that are not missing") }
        guard cur.rows > 0 else { throw DriftError(description: "the current sample has no values that are not missing") }
        let chosen = method ?? defaultMethod(numerical: ref.numerical, referenceRows: ref.rows, distinctValues: ref.distinct(with: cur))
        guard ref.numerical || !(chosen == .ks || chosen == .wasserstein) else {
            throw DriftError(description: "\(chosen.rawValue) compares numbers; this column holds categories")
        }
        let limit = threshold ?? chosen.defaultThreshold
        let statistic: Double
        switch (chosen, ref.values, cur.values) {
        case (.ks, .numbers(let r), .numbers(let c)): statistic = KolmogorovSmirnov.twoSample(r.sample, c.sample).pValue
        case (.wasserstein, .numbers(let r), .numbers(let c)):
            statistic = Wasserstein.distance(r.sample, c.sample) / max(r.standardDeviation, 0.001)
        case (.chisquare, _, _): statistic = chiSquare(ref.counts(), cur.counts())
        case (.z, _, _): statistic = zTest(ref.counts(), cur.counts())
        case (.psi, _, _):
            let (r, c) = binned(ref, cur, fillEmpty: true)
            statistic = zip(r, c).reduce(0) { $0 + ($1.0 - $1.1) * log($1.0 / $1.1) }
        default:
            let (r, c) = binned(ref, cur, fillEmpty: false)
            statistic = JensenShannon.distance(r, c)
        }
        return ColumnDrift(
            method: chosen, statistic: statistic, threshold: limit, drifted: drifted(chosen, statistic, limit),
            referenceRows: ref.rows, currentRows: cur.rows, referenceMissing: ref.missing, currentMissing: cur.missing)
    }

    /// Evidently's verdict rule: KS drifts at p ≤ threshold, chi-squared and Z at p < threshold, distances at ≥.
    static func drifted(_ method: DriftMethod, _ statistic: Double, _ limit: Double) -> Bool {
        switch method {
        case .ks: statistic <= limit
        case .chisquare, .z: statistic < limit
        case .wasserstein, .jensenshannon, .psi: statistic >= limit
        }
    }

    /// The Jensen–Shannon distance of the column's binned shares (as Evidently bins them): the one score every
    /// column has on the same scale, whatever its test, for summaries and gauges.
    public static func score(reference: ReferenceColumn, current: DriftColumn) -> Double? {
        score(reference: reference, summary: ReferenceColumn(current))
    }

    public static func score(reference: ReferenceColumn, summary cur: ReferenceColumn) -> Double? {
        guard reference.numerical == cur.numerical, reference.rows > 0, cur.rows > 0 else { return nil }
        let (r, c) = binned(reference, cur, fillEmpty: false)
        return JensenShannon.distance(r, c)
    }

    /// Dataset drift: at least `share` of the columns drifted (Evidently's `drift_share`, 0.5 by default).
    public static func datasetDrifted(_ columns: [ColumnDrift], share: Double = 0.5) -> Bool {
        guard !columns.isEmpty else { return false }
        return Double(columns.filter(\.drifted).count) >= share * Double(columns.count)
    }

    /// SciPy's `chisquare(current counts, reference counts × n_current / n_reference)` over every value of both.
    static func chiSquare(_ refCounts: [Key: Double], _ curCounts: [Key: Double]) -> Double {
        let keys = Array(Set(refCounts.keys).union(curCounts.keys))
        let scale = curCounts.values.reduce(0, +) / refCounts.values.reduce(0, +)
        var statistic = 0.0
        for key in keys {
            let expected = (refCounts[key] ?? 0) * scale
            let observed = curCounts[key] ?? 0
            statistic += (observed - expected) * (observed - expected) / expected
        }
        guard keys.count > 1 else { return .nan }
        if statistic.isInfinite { return 0 }
        return Distributions.chiSquaredSurvival(statistic, degrees: Double(keys.count - 1))
    }

    /// Evidently's two-proportion Z-test: the share of rows other than the smallest value, pooled.
    static func zTest(_ refCounts: [Key: Double], _ curCounts: [Key: Double]) -> Double {
        if refCounts.count == 1, curCounts.count == 1, refCounts.keys.first == curCounts.keys.first { return 1 }
        guard let first = Set(refCounts.keys).union(curCounts.keys).min() else { return 1 }
        let n1 = refCounts.values.reduce(0, +)
        let n2 = curCounts.values.reduce(0, +)
        let p1 = (n1 - (refCounts[first] ?? 0)) / n1
        let p2 = (n2 - (curCounts[first] ?? 0)) / n2
        let pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
        let z = (p1 - p2) / (pooled * (1 - pooled) * (1 / n1 + 1 / n2)).squareRoot()
        // 2 · (1 − Φ(|z|)), computed as Evidently computes it (so a p-value rounds to 0 where Evidently's does).
        return 2 * (1 - 0.5 * erfc(-abs(z) / 2.0.squareRoot()))
    }

    /// Evidently's `get_binned_data`: numbers with more than 20 distinct reference values in Sturges bins over both
    /// samples (NumPy's edges and counting), other columns as the share of each value; with `fillEmpty`, empty bins
    /// take 1e-4, or the smallest non-empty share ÷ 10⁶ when that is at most 1e-4 (PSI).
    static func binned(_ ref: ReferenceColumn, _ cur: ReferenceColumn, fillEmpty: Bool) -> (reference: [Double], current: [Double]) {
        var r: [Double]
        var c: [Double]
        if case .numbers(let a) = ref.values, case .numbers(let b) = cur.values, a.distinct > 20 {
            let edges = sturgesEdges(
                first: min(a.minimum, b.minimum), last: max(a.maximum, b.maximum), count: a.sample.total + b.sample.total,
                integral: a.integral && b.integral)
            r = histogram(a.sample, edges).map { $0 / a.sample.total }
            c = histogram(b.sample, edges).map { $0 / b.sample.total }
        } else {
            let refCounts = ref.counts()
            let curCounts = cur.counts()
            let keys = Array(Set(refCounts.keys).union(curCounts.keys)).sorted()
            let n1 = Double(ref.rows)
            let n2 = Double(cur.rows)
            r = keys.map { (refCounts[$0] ?? 0) / n1 }
            c = keys.map { (curCounts[$0] ?? 0) / n2 }
        }
        if fillEmpty {
            for shares in [0, 1] {
                var values = shares == 0 ? r : c
                if let smallest = values.filter({ $0 != 0 }).min() {
                    let fill = smallest <= 0.0001 ? smallest / 1e6 : 0.0001
                    values = values.map { $0 == 0 ? fill : $0 }
                }
                if shares == 0 { r = values } else { c = values }
            }
        }
        return (r, c)
    }

    /// `numpy.histogram_bin_edges(values, bins="sturges")` from the values' range and count; integer arrays keep
    /// bins at least 1 wide, as NumPy does.
    static func sturgesEdges(first low: Double, last high: Double, count: Double, integral: Bool = false) -> [Double] {
        var first = low
        var last = high
        if first == last {
            first -= 0.5
            last += 0.5
        }
        var width = (high - low) / (log2(count) + 1)
        if integral && width > 0 && width < 1 { width = 1 }
        let bins = width > 0 ? Int(((last - first) / width).rounded(.up)) : 1
        let step = (last - first) / Double(bins)
        var edges = (0...bins).map { Double($0) * step + first }
        edges[bins] = last
        return edges
    }

    /// How many edges `sturgesEdges` gives (for tests of NumPy's integer rule).
    public static func sturgesEdgeCount(first: Double, last: Double, count: Double, integral: Bool) -> Int {
        sturgesEdges(first: first, last: last, count: count, integral: integral).count
    }

    /// `numpy.histogram(values, edges)[0]`: half-open bins, the last one closed; values outside are not counted.
    static func histogram(_ sample: SortedSample, _ edges: [Double]) -> [Double] {
        var cumulative = edges.dropLast().map { sample.mass(below: $0, inclusive: false) }
        cumulative.append(sample.mass(below: edges[edges.count - 1], inclusive: true))
        return (1..<cumulative.count).map { cumulative[$0] - cumulative[$0 - 1] }
    }
}
