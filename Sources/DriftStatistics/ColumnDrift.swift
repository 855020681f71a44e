import Foundation

/// One column's values in a reference or current sample: numbers (NaN and ±infinity are missing) or categories
/// (`nil` is missing).
public enum DriftColumn: Sendable {
    case numbers([Double])
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
        let ref = Values(reference)
        let cur = Values(current)
        guard ref.numerical == cur.numerical else {
            throw DriftError(description: "the reference holds \(ref.numerical ? "numbers" : "categories") and the current sample does not")
        }
        guard !ref.keys.isEmpty else { throw DriftError(description: "the reference has no values that are not missing") }
        guard !cur.keys.isEmpty else { throw DriftError(description: "the current sample has no values that are not missing") }
        let distinct = Set(ref.keys).union(cur.keys).count
        let chosen = method ?? defaultMethod(numerical: ref.numerical, referenceRows: ref.keys.count, distinctValues: distinct)
        guard ref.numerical || !(chosen == .ks || chosen == .wasserstein) else {
            throw DriftError(description: "\(chosen.rawValue) compares numbers; this column holds categories")
        }
        let limit = threshold ?? chosen.defaultThreshold
        let statistic: Double
        switch chosen {
        case .ks: statistic = KolmogorovSmirnov.twoSample(ref.numbers, cur.numbers).pValue
        case .wasserstein:
            let values = ref.numbers
            let mean = values.reduce(0, +) / Double(values.count)
            let std = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)).squareRoot()
            statistic = Wasserstein.distance(values, cur.numbers) / max(std, 0.001)
        case .chisquare: statistic = chiSquare(ref, cur)
        case .z: statistic = zTest(ref, cur)
        case .jensenshannon:
            let (r, c) = binned(ref, cur, fillEmpty: false)
            statistic = JensenShannon.distance(r, c)
        case .psi:
            let (r, c) = binned(ref, cur, fillEmpty: true)
            statistic = zip(r, c).reduce(0) { $0 + ($1.0 - $1.1) * log($1.0 / $1.1) }
        }
        let drifted: Bool =
            switch chosen {
            case .ks: statistic <= limit
            case .chisquare, .z: statistic < limit
            case .wasserstein, .jensenshannon, .psi: statistic >= limit
            }
        return ColumnDrift(
            method: chosen, statistic: statistic, threshold: limit, drifted: drifted, referenceRows: ref.keys.count,
            currentRows: cur.keys.count, referenceMissing: ref.missing, currentMissing: cur.missing)
    }

    /// Dataset drift: at least `share` of the columns drifted (Evidently's `drift_share`, 0.5 by default).
    public static func datasetDrifted(_ columns: [ColumnDrift], share: Double = 0.5) -> Bool {
        guard !columns.isEmpty else { return false }
        return Double(columns.filter(\.drifted).count) >= share * Double(columns.count)
    }

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

    /// A column with its missing values left out.
    struct Values {
        var numerical: Bool
        var keys: [Key]
        var numbers: [Double]
        var missing: Int

        init(_ column: DriftColumn) {
            switch column {
            case .numbers(let values):
                numerical = true
                numbers = values.filter(\.isFinite)
                keys = numbers.map { .number($0) }
                missing = values.count - numbers.count
            case .categories(let values):
                numerical = false
                numbers = []
                keys = values.compactMap { $0.map(Key.string) }
                missing = values.count - keys.count
            }
        }

        func counts() -> [Key: Int] { keys.reduce(into: [:]) { $0[$1, default: 0] += 1 } }
    }

    /// SciPy's `chisquare(current counts, reference counts × n_current / n_reference)` over every value of both.
    static func chiSquare(_ ref: Values, _ cur: Values) -> Double {
        let refCounts = ref.counts()
        let curCounts = cur.counts()
        let keys = Array(Set(refCounts.keys).union(curCounts.keys))
        let scale = Double(cur.keys.count) / Double(ref.keys.count)
        var statistic = 0.0
        for key in keys {
            let expected = Double(refCounts[key] ?? 0) * scale
            let observed = Double(curCounts[key] ?? 0)
            statistic += (observed - expected) * (observed - expected) / expected
        }
        guard keys.count > 1 else { return .nan }
        if statistic.isInfinite { return 0 }
        return Distributions.chiSquaredSurvival(statistic, degrees: Double(keys.count - 1))
    }

    /// Evidently's two-proportion Z-test: the share of rows other than the smallest value, pooled.
    static func zTest(_ ref: Values, _ cur: Values) -> Double {
        let refDistinct = Set(ref.keys)
        let curDistinct = Set(cur.keys)
        if refDistinct.count == 1, curDistinct.count == 1, refDistinct == curDistinct { return 1 }
        guard let first = refDistinct.union(curDistinct).min() else { return 1 }
        let n1 = Double(ref.keys.count)
        let n2 = Double(cur.keys.count)
        let p1 = Double(ref.keys.filter { $0 != first }.count) / n1
        let p2 = Double(cur.keys.filter { $0 != first }.count) / n2
        let pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
        let z = (p1 - p2) / (pooled * (1 - pooled) * (1 / n1 + 1 / n2)).squareRoot()
        // 2 · (1 − Φ(|z|)), computed as Evidently computes it (so a p-value rounds to 0 where Evidently's does).
        return 2 * (1 - 0.5 * erfc(-abs(z) / 2.0.squareRoot()))
    }

    /// Evidently's `get_binned_data`: numbers with more than 20 distinct reference values in Sturges bins over both
    /// samples (NumPy's edges and counting), other columns as the share of each value; with `fillEmpty`, empty bins
    /// take 1e-4, or the smallest non-empty share ÷ 10⁶ when that is at most 1e-4 (PSI).
    static func binned(_ ref: Values, _ cur: Values, fillEmpty: Bool) -> (reference: [Double], current: [Double]) {
        var r: [Double]
        var c: [Double]
        if ref.numerical, Set(ref.numbers).count > 20 {
            let edges = sturgesEdges(ref.numbers + cur.numbers)
            r = histogram(ref.numbers, edges).map { Double($0) / Double(ref.numbers.count) }
            c = histogram(cur.numbers, edges).map { Double($0) / Double(cur.numbers.count) }
        } else {
            let refCounts = ref.counts()
            let curCounts = cur.counts()
            let keys = Array(Set(refCounts.keys).union(curCounts.keys)).sorted()
            r = keys.map { Double(refCounts[$0] ?? 0) / Double(ref.keys.count) }
            c = keys.map { Double(curCounts[$0] ?? 0) / Double(cur.keys.count) }
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

    /// `numpy.histogram_bin_edges(values, bins="sturges")`.
    static func sturgesEdges(_ values: [Double]) -> [Double] {
        var first = values.min() ?? 0
        var last = values.max() ?? 0
        if first == last {
            first -= 0.5
            last += 0.5
        }
        let width = (values.max()! - values.min()!) / (log2(Double(values.count)) + 1)
        let bins = width > 0 ? Int(((last - first) / width).rounded(.up)) : 1
        let step = (last - first) / Double(bins)
        var edges = (0...bins).map { Double($0) * step + first }
        edges[bins] = last
        return edges
    }

    /// `numpy.histogram(values, edges)[0]`: half-open bins, the last one closed; values outside are not counted.
    static func histogram(_ values: [Double], _ edges: [Double]) -> [Int] {
        let sorted = values.sorted()
        func below(_ edge: Double, inclusive: Bool) -> Int {
            var low = 0
            var high = sorted.count
            while low < high {
                let mid = (low + high) / 2
                if inclusive ? sorted[mid] <= edge : sorted[mid] < edge { low = mid + 1 } else { high = mid }
            }
            return low
        }
        var cumulative = edges.dropLast().map { below($0, inclusive: false) }
        cumulative.append(below(edges[edges.count - 1], inclusive: true))
        return (1..<cumulative.count).map { cumulative[$0] - cumulative[$0 - 1] }
    }
}
