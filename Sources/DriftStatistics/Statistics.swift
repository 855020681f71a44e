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
        let x = a.sorted()
        let y = b.sorted()
        let n1 = x.count
        let n2 = y.count
        guard n1 > 0, n2 > 0 else { return (0, 1) }
        // Walk both sorted samples; at each distinct value both CDFs count values <= it (SciPy's side='right').
        var i = 0
        var j = 0
        var largest = 0
        // Differences as integers: i*n2 - j*n1 (exact, no rounding in the statistic).
        while i < n1 || j < n2 {
            let value = j >= n2 || (i < n1 && x[i] <= y[j]) ? x[i] : y[j]
            while i < n1 && x[i] <= value { i += 1 }
            while j < n2 && y[j] <= value { j += 1 }
            largest = max(largest, abs(i * n2 - j * n1))
        }
        let statistic = Double(largest) / Double(n1) / Double(n2)
        let g = gcd(n1, n2)
        // SciPy rounds d * lcm to an integer h; with the integer difference that is |i*n2 - j*n1| / g.
        let h = largest / g
        guard h > 0 else { return (statistic, 1) }
        if max(n1, n2) <= 10_000 {
            let p = n1 == n2 ? outsideSquare(n: n1, h: h) : outsideBand(n1, n2, bound: largest)
            return (statistic, min(max(p, 0), 1))
        }
        let m = Double(max(n1, n2))
        let n = Double(min(n1, n2))
        let en = (m * n / (m + n)).rounded()
        return (statistic, kolmogorovSurvival(statistic * en.squareRoot()))
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
    public static func distance(_ u: [Double], _ v: [Double]) -> Double {
        let a = u.sorted()
        let b = v.sorted()
        guard !a.isEmpty, !b.isEmpty else { return 0 }
        let all = (a + b).sorted()
        var total = 0.0
        var i = 0
        var j = 0
        for k in 0..<(all.count - 1) {
            while i < a.count && a[i] <= all[k] { i += 1 }
            while j < b.count && b[j] <= all[k] { j += 1 }
            total += abs(Double(i) / Double(a.count) - Double(j) / Double(b.count)) * (all[k + 1] - all[k])
        }
        return total
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
