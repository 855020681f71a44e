import Foundation

/// The two-sample statistics drift tests are built on, computed as SciPy computes them (Evidently calls SciPy), so
/// a verdict here is the verdict there. Pure functions over arrays; no I/O.
public enum KolmogorovSmirnov {
    /// SciPy's `ks_2samp(a, b)` two-sided: the largest distance between the two empirical CDFs and its exact
    /// p-value (the share of lattice paths that leave the band, as SciPy's `exact` method counts them) when both
    /// samples have at most 10,000 values; above that, Kolmogorov's limiting distribution for the effective size
    /// `mn / (m + n)` (SciPy uses the finite-n distribution there; the two differ by under 1e-3 at that size).
    /// Both samples must be non-empty and free of NaN.
    public static func twoSample(_ a: [Double], _ b: [Double]) -> (statistic: Double, pValue: Double) {
        twoSample(SortedSample(a), SortedSample(b))
    }

    /// The same over two sorted samples. With exact counts on both sides the statistic is integer arithmetic, as
    /// SciPy's is; a sketched side (quantile points carrying fractional mass) gives the statistic within the
    /// sketch's rank error, and is always large enough for the limiting distribution.
    public static func twoSample(_ x: SortedSample, _ y: SortedSample) -> (statistic: Double, pValue: Double) {
        guard x.total > 0, y.total > 0 else { return (0, 1) }
        if x.exact, y.exact {
            let n1 = Int(x.total)
            let n2 = Int(y.total)
            // Walk both distinct-value lists; at each value both CDFs count values <= it (SciPy's side='right').
            // Differences as integers: i*n2 - j*n1 (exact, no rounding in the statistic).
            var largest = 0
            x.walk(y) { i, j in largest = max(largest, abs(Int(i) * n2 - Int(j) * n1)) }
            let statistic = Double(largest) / Double(n1) / Double(n2)
            // SciPy rounds d * lcm to an integer h; with the integer difference that is |i*n2 - j*n1| / g.
            let h = largest / gcd(n1, n2)
            guard h > 0 else { return (statistic, 1) }
            if max(n1, n2) <= 10_000 {
                let p = n1 == n2 ? outsideSquare(n: n1, h: h) : outsideBand(n1, n2, bound: largest)
                return (statistic, min(max(p, 0), 1))
            }
            return (statistic, limit(statistic, n1: Double(n1), n2: Double(n2)))
        }
        var largest = 0.0
        x.walk(y) { i, j in largest = max(largest, abs(i / x.total - j / y.total)) }
        return (largest, limit(largest, n1: x.total, n2: y.total))
    }

    static func limit(_ statistic: Double, n1: Double, n2: Double) -> Double {
        let m = max(n1, n2)
        let n = min(n1, n2)
        let en = (m * n / (m + n)).rounded()
        return kolmogorovSurvival(statistic * en.squareRoot())
    }

    static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }

    /// Equal sizes: the probability that a random path leaves |x − y| < h, by the reflection sum.
    static func outsideSquare(n: Int, h: Int) -> Double {
        var total = 0.0
        var k = n / h
        while k >= 0 {
            var term = 1.0
            for j in 0..<h { term = Double(n - k * h - j) * term / Double(n + k * h + j + 1) }
            total = term * (1 - total)
            k -= 1
        }
        return 2 * total
    }

    /// Unequal sizes: the probability that a uniformly random monotone lattice path from (0,0) to (n1,n2) reaches
    /// |i·n2 − j·n1| ≥ `bound` somewhere, by dynamic programming over transition probabilities (each step taken
    /// with the chance a uniform path takes it, so no count overflows). The mass is summed where paths first leave
    /// the band rather than taken as 1 − (mass that stays), which would lose a small p-value to cancellation.
    static func outsideBand(_ n1: Int, _ n2: Int, bound: Int) -> Double {
        var row = [Double](repeating: 0, count: n2 + 1)
        var outside = 0.0
        for i in 0...n1 {
            for j in 0...n2 {
                if i == 0 && j == 0 {
                    row[j] = 1
                    continue
                }
                var p = 0.0
                if i > 0 {
                    // From (i-1, j): an i-step, with chance (n1-i+1) / (n1-i+1 + n2-j).
                    p += row[j] * Double(n1 - i + 1) / Double(n1 - i + 1 + n2 - j)
                }
                if j > 0 {
                    p += row[j - 1] * Double(n2 - j + 1) / Double(n1 - i + n2 - j + 1)
                }
                if abs(i * n2 - j * n1) >= bound {
                    outside += p
                    row[j] = 0
                } else {
                    row[j] = p
                }
            }
        }
        return outside
    }

    /// Kolmogorov's limiting survival function: 2 Σ (−1)^(k−1) e^(−2k²z²).
    static func kolmogorovSurvival(_ z: Double) -> Double {
        guard z > 1e-8 else { return 1 }
        if z < 0.3 { return 1 }
        var total = 0.0
        var k = 1.0
        var sign = 1.0
        while k < 200 {
            let term = exp(-2 * k * k * z * z)
            total += sign * term
            if term < 1e-17 { break }
            sign = -sign
            k += 1
        }
        return min(max(2 * total, 0), 1)
    }
}

/// SciPy's `wasserstein_distance(u, v)` for two unweighted samples: the area between their empirical CDFs.
public enum Wasserstein {
    public static func distance(_ u: [Double], _ v: [Double]) -> Double { distance(SortedSample(u), SortedSample(v)) }

    /// Over two sorted samples: Σ |U(x) − V(x)| · (next x − x) over the values of both, U and V the shares of
    /// mass at or below x.
    public static func distance(_ a: SortedSample, _ b: SortedSample) -> Double {
        guard a.total > 0, b.total > 0 else { return 0 }
        var total = 0.0
        var previous: (value: Double, difference: Double)?
        a.walk(b) { value, i, j in
            if let previous { total += previous.difference * (value - previous.value) }
            previous = (value, abs(i / a.total - j / b.total))
        }
        return total
    }
}

/// A sample sorted once: its distinct values ascending with how many times each occurs, or, for a sketch of a
/// larger sample, quantile points with the mass each stands for (`exact` false). Everything the tests need from a
/// sample — CDF walks, histograms, counts — reads it without the original rows.
public struct SortedSample: Sendable, Equatable {
    public private(set) var values: [Double]
    public private(set) var counts: [Double]
    /// Mass at or below each value (running sum of `counts`).
    public private(set) var cumulative: [Double]
    public private(set) var exact: Bool
    public var total: Double { cumulative.last ?? 0 }

    /// Sorts `values` (which must hold no NaN) and counts repeats.
    public init(_ values: [Double]) {
        var distinct: [Double] = []
        var counts: [Double] = []
        let sorted = Self.sort(values)
        distinct.reserveCapacity(sorted.count)
        counts.reserveCapacity(sorted.count)
        for value in sorted {
            if value == distinct.last { counts[counts.count - 1] += 1 } else {
                distinct.append(value)
                counts.append(1)
            }
        }
        self.init(values: distinct, counts: counts, exact: true)
    }

    /// Ascending order by a least-significant-digit radix sort over the doubles' bit patterns (8 passes of a byte,
    /// passes where every value shares the byte skipped): linear time, several times faster than a comparison
    /// sort on the window and reference sizes drift works with. No NaN.
    static func sort(_ values: [Double]) -> [Double] {
        let n = values.count
        guard n >= 512 else { return values.sorted() }
        // Order-preserving keys: flip every bit of negatives, only the sign bit of the rest.
        var keys = values.map { value -> UInt64 in
            let bits = value.bitPattern
            return bits & (1 << 63) != 0 ? ~bits : bits | (1 << 63)
        }
        var spare = [UInt64](repeating: 0, count: n)
        var histogram = [Int](repeating: 0, count: 256 * 8)
        for key in keys {
            for pass in 0..<8 { histogram[pass * 256 + Int((key >> (8 * UInt64(pass))) & 0xFF)] += 1 }
        }
        keys.withUnsafeMutableBufferPointer { source in
            spare.withUnsafeMutableBufferPointer { target in
                var from = source
                var to = target
                for pass in 0..<8 {
                    let base = pass * 256
                    // Every key has the same byte here: the pass would move nothing.
                    if histogram[base + Int((from[0] >> (8 * UInt64(pass))) & 0xFF)] == n { continue }
                    var offset = 0
                    var starts = [Int](repeating: 0, count: 256)
                    for byte in 0..<256 {
                        starts[byte] = offset
                        offset += histogram[base + byte]
                    }
                    for key in from {
                        let byte = Int((key >> (8 * UInt64(pass))) & 0xFF)
                        to[starts[byte]] = key
                        starts[byte] += 1
                    }
                    swap(&from, &to)
                }
                if from.baseAddress != source.baseAddress {
                    source.baseAddress!.update(from: from.baseAddress!, count: n)
                }
            }
        }
        return keys.map { key in Double(bitPattern: key & (1 << 63) != 0 ? key & ~(1 << 63) : ~key) }
    }

    /// `values` strictly ascending, `counts` positive, one per value (checked by the caller).
    public init(values: [Double], counts: [Double], exact: Bool) {
        self.values = values
        self.counts = counts
        self.exact = exact
        var running = 0.0
        cumulative = counts.map {
            running += $0
            return running
        }
    }

    /// At most `limit` points: the sample itself when it has no more distinct values, else the mean of each of
    /// `limit` equal slices of mass, each carrying its slice's mass. A slice's mean lies within the slice, so any
    /// CDF read from the sketch is within 1/`limit` of the sample's, and a Wasserstein distance within
    /// (max − min)/`limit`; with means the distance is exact wherever the other sample's quantiles do not cross
    /// the slice, which leaves it far inside that bound in practice.
    public func sketched(limit: Int) -> SortedSample {
        guard values.count > limit, limit > 0 else { return self }
        let slice = total / Double(limit)
        var means: [Double] = []
        means.reserveCapacity(limit)
        var index = 0
        var used = 0.0  // mass of values[index] already given to earlier slices
        for _ in 0..<limit {
            var need = slice
            var sum = 0.0
            while need > 0 && index < values.count {
                let take = min(counts[index] - used, need)
                sum += values[index] * take
                need -= take
                used += take
                if counts[index] - used <= slice * 1e-12 {
                    index += 1
                    used = 0
                }
            }
            let taken = slice - max(need, 0)
            let low = means.last ?? values[0]
            // A slice left empty by rounding at the very end repeats the last point; rounding can put a mean a
            // hair outside its slice's range (or overflow it): clamp it back.
            let mean = taken > 0 ? sum / taken : low
            means.append(mean.isNaN ? low : min(max(mean, low), values[values.count - 1]))
        }
        // Neighbouring slices of one repeated value share a mean: merge them so values stay strictly ascending.
        var merged: [Double] = []
        var mass: [Double] = []
        for point in means {
            if point == merged.last { mass[mass.count - 1] += slice } else {
                merged.append(point)
                mass.append(slice)
            }
        }
        return SortedSample(values: merged, counts: mass, exact: false)
    }

    /// Mass strictly below `edge` (or at or below it, `inclusive`).
    public func mass(below edge: Double, inclusive: Bool) -> Double {
        var low = 0
        var high = values.count
        while low < high {
            let mid = (low + high) / 2
            if inclusive ? values[mid] <= edge : values[mid] < edge { low = mid + 1 } else { high = mid }
        }
        return low == 0 ? 0 : cumulative[low - 1]
    }

    /// Visits every distinct value of both samples ascending with the mass of each at or below it.
    func walk(_ other: SortedSample, _ body: (_ value: Double, _ mine: Double, _ theirs: Double) -> Void) {
        var i = 0
        var j = 0
        while i < values.count || j < other.values.count {
            let value = j >= other.values.count || (i < values.count && values[i] <= other.values[j]) ? values[i] : other.values[j]
            if i < values.count && values[i] == value { i += 1 }
            if j < other.values.count && other.values[j] == value { j += 1 }
            body(value, i == 0 ? 0 : cumulative[i - 1], j == 0 ? 0 : other.cumulative[j - 1])
        }
    }

    func walk(_ other: SortedSample, _ body: (_ mine: Double, _ theirs: Double) -> Void) {
        walk(other) { _, mine, theirs in body(mine, theirs) }
    }
}

/// SciPy's `jensenshannon(p, q)` (natural log): the square root of the mean Kullback–Leibler divergence of each
/// distribution from their average, after normalising both to sum to 1.
public enum JensenShannon {
    public static func distance(_ p: [Double], _ q: [Double]) -> Double {
        let sp = p.reduce(0, +)
        let sq = q.reduce(0, +)
        guard p.count == q.count, sp > 0, sq > 0 else { return .nan }
        var total = 0.0
        for (a, b) in zip(p, q) {
            let x = a / sp
            let y = b / sq
            let m = (x + y) / 2
            if x > 0 { total += x * log(x / m) }
            if y > 0 { total += y * log(y / m) }
        }
        return (max(total, 0) / 2).squareRoot()
    }
}

/// Survival functions of the distributions the tests' p-values come from.
public enum Distributions {
    /// P(X > z) for a standard normal X.
    public static func normalSurvival(_ z: Double) -> Double { 0.5 * erfc(z / 2.0.squareRoot()) }

    /// P(X > x) for a chi-squared X with `degrees` degrees of freedom: the regularised upper incomplete gamma
    /// Q(k/2, x/2).
    public static func chiSquaredSurvival(_ x: Double, degrees: Double) -> Double {
        guard x > 0 else { return 1 }
        return upperRegularizedGamma(degrees / 2, x / 2)
    }

    /// Q(a, x), by the series for x < a + 1 and Lentz's continued fraction above (relative error about 1e-15).
    static func upperRegularizedGamma(_ a: Double, _ x: Double) -> Double {
        let logPrefix = a * log(x) - x - lgamma(a)
        if x < a + 1 {
            var sum = 1 / a
            var term = sum
            var n = a
            for _ in 0..<10_000 {
                n += 1
                term *= x / n
                sum += term
                if abs(term) < abs(sum) * 1e-17 { break }
            }
            return max(0, 1 - sum * exp(logPrefix))
        }
        let tiny = 1e-300
        var b = x + 1 - a
        var c = 1 / tiny
        var d = 1 / b
        var h = d
        for i in 1..<10_000 {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-16 { break }
        }
        return min(1, exp(logPrefix) * h)
    }
}
