import DriftStatistics
import Testing

/// Evidently 0.7.23's own stattests (legacy `_get_default_stattest`, `_ks_stat_test`, `_chi_stat_test`,
/// `_z_stat_test`, `_wasserstein_distance_norm`, `_jensenshannon`, `_psi`) on columns both sides generate from the
/// same formulas: the method Evidently picks, its statistic to 1e-9 and its verdict.
@Suite struct ColumnDriftTests {
    static func numbers(_ n: Int, _ a: Int, _ m: Int, _ scale: Double, _ shift: Double) -> DriftColumn {
        .numbers((0..<n).map { Double(($0 * a) % m) / scale + shift })
    }

    static func categories(_ n: Int, _ words: [String], _ a: Int) -> DriftColumn {
        .categories((0..<n).map { i in (i * a) % 7 != 0 ? words[(i * a) % words.count] : words[0] })
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var reference: DriftColumn
        var current: DriftColumn
        var forced: DriftMethod?
        var method: DriftMethod
        var statistic: Double
        var drifted: Bool
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "numericSmall", reference: numbers(200, 37, 101, 10, 0), current: numbers(150, 53, 89, 10, 0.5), method: .ks, statistic: 0.7718368103789188, drifted: false),
        Case(name: "numericLarge", reference: numbers(1500, 37, 1009, 10, 0), current: numbers(1200, 53, 997, 10, 3), method: .wasserstein, statistic: 0.07829719483090421, drifted: false),
        Case(name: "categorical", reference: categories(300, ["a", "b", "c"], 5), current: categories(200, ["a", "b", "c", "c"], 3), method: .chisquare, statistic: 3.8605748218611547e-05, drifted: true),
        Case(name: "binary", reference: categories(400, ["no", "yes"], 3), current: categories(300, ["no", "yes", "yes"], 2), method: .z, statistic: 0.00013368068647801046, drifted: true),
        Case(name: "categoricalLarge", reference: categories(2000, ["x", "y", "z", "w"], 3), current: categories(900, ["x", "y", "z", "new"], 5), method: .jensenshannon, statistic: 0.3855657818372085, drifted: true),
        Case(name: "jsNumeric", reference: numbers(1500, 37, 1009, 10, 0), current: numbers(1200, 53, 997, 10, 3), forced: .jensenshannon, method: .jensenshannon, statistic: 0.04857325217665418, drifted: false),
        Case(name: "psiNumeric", reference: numbers(800, 37, 1009, 10, 0), current: numbers(700, 53, 997, 10, 30), forced: .psi, method: .psi, statistic: 3.2526505226377362, drifted: true),
        Case(name: "psiCategorical", reference: categories(300, ["a", "b", "c"], 5), current: categories(200, ["a", "b", "d"], 3), forced: .psi, method: .psi, statistic: 5.050998064099061, drifted: true),
        Case(name: "fewNumbers", reference: numbers(500, 3, 4, 1, 0), current: numbers(400, 5, 4, 1, 0), method: .chisquare, statistic: 1.0, drifted: false),
    ]

    @Test(arguments: cases) func matchesEvidently(_ c: Case) throws {
        let result = try DriftTests.column(reference: c.reference, current: c.current, method: c.forced)
        #expect(result.method == c.method)
        #expect(abs(result.statistic - c.statistic) <= 1e-12 + 1e-9 * abs(c.statistic), "\(result.statistic) vs Evidently \(c.statistic)")
        #expect(result.drifted == c.drifted)
    }

    @Test func missingValuesAreCountedAndLeftOut() throws {
        let result = try DriftTests.column(
            reference: .numbers([1, 2, 3, .nan, 4, 5, 6, 7]), current: .numbers([1, .infinity, 2, 3, -.infinity, .nan, 4, 5, 6, 7]))
        #expect(result.referenceMissing == 1 && result.currentMissing == 3)
        #expect(result.referenceRows == 7 && result.currentRows == 7 && result.method == .ks && result.statistic == 1)
        #expect(throws: DriftError.self) { try DriftTests.column(reference: .numbers([.nan]), current: .numbers([1])) }
        #expect(throws: DriftError.self) { try DriftTests.column(reference: .numbers([1]), current: .categories(["a"])) }
    }

    @Test func datasetDriftIsAShareOfColumns() {
        func column(_ drifted: Bool) -> ColumnDrift {
            ColumnDrift(method: .ks, statistic: 0, threshold: 0.05, drifted: drifted, referenceRows: 1, currentRows: 1, referenceMissing: 0, currentMissing: 0)
        }
        #expect(DriftTests.datasetDrifted([column(true), column(false)]))
        #expect(!DriftTests.datasetDrifted([column(true), column(false), column(false)]))
        #expect(!DriftTests.datasetDrifted([]))
    }
}
