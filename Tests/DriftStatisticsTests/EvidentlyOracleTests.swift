import DriftStatistics
import Foundation
import Testing

/// Evidently 0.7.23's `DataDriftPreset` as the oracle (scripts/drift/generate_oracle.py wrote the CSVs and its
/// verdicts): unshifted, mean shift, variance change, a new category, a share change, binary columns, missing
/// values, a constant column, references of 25 to 1,500 rows and 1 to 100 columns. Per column the same method, the
/// same statistic (1e-6 relative; p-values below 1e-12 within 1e-12) and the same verdict; the same dataset count,
/// share and drift.
@Suite struct EvidentlyOracleTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fixtures/drift")

    static let scenarios: [String] = {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }()

    @Test func everyScenarioIsThere() throws {
        #expect(Self.scenarios.count >= 14)
        // One reference has more distinct values than are kept exactly: the sketch is exercised against Evidently.
        let table = try DriftTable(parsing: Data(contentsOf: Self.directory.appendingPathComponent("sketched_reference.reference.csv")), name: "r")
        let column = try #require(ReferenceProfile(table).column(named: "amount"))
        guard case .numbers(let summary) = column.values else { Issue.record("not numbers"); return }
        #expect(!summary.sample.exact && summary.distinct > ReferenceProfile.exactLimit)
        #expect(try #require(column.sketchErrorBound(.wasserstein)) > 0 && column.sketchErrorBound(.wasserstein)! < 1e-3)
    }

    /// The whole batch path: both CSVs read as pandas reads them, the reference reduced to its stored profile and
    /// read back, and the report over every column.
    @Test(arguments: scenarios) func sameVerdictsAsEvidently(_ name: String) throws {
        let reference = try DriftTable(parsing: Data(contentsOf: Self.directory.appendingPathComponent("\(name).reference.csv")), name: "reference")
        let current = try DriftTable(parsing: Data(contentsOf: Self.directory.appendingPathComponent("\(name).current.csv")), name: "current")
        let profile = try ReferenceProfile(decoding: ReferenceProfile(reference).encoded())
        let report = DriftReport(
            profile: profile, current: Dictionary(uniqueKeysWithValues: current.columns.map { ($0.name, $0.values) }),
            currentRows: current.rows)
        let oracle = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.directory.appendingPathComponent("\(name).json"))) as! [String: Any]
        let expected = oracle["columns"] as! [String: [String: Any]]
        let dataset = oracle["dataset"] as! [String: Double]
        for result in report.columns {
            let want = try #require(expected[result.name], "Evidently has no verdict for \(result.name)")
            let statistic = want["statistic"] as! Double
            let method = try #require(result.method, "\(result.name): \(result.problem ?? "")")
            let mine = try #require(result.statistic)
            #expect(method.rawValue == want["method"] as? String, "\(result.name)")
            // Above the exact size the reference is a sketch: within its documented bound.
            let bound = try #require(profile.column(named: result.name)?.sketchErrorBound(method))
            let close = mine == statistic || abs(mine - statistic) <= max(1e-6 * abs(statistic), bound)
                || (method.isPValue && statistic < 1e-12 && mine < 1e-12)
            #expect(close, "\(result.name): \(mine), Evidently \(statistic)")
            #expect(result.drifted == want["drifted"] as? Bool, "\(result.name)")
        }
        #expect(report.columns.count == expected.count && report.comparedColumns == expected.count)
        #expect(Double(report.driftedColumns) == dataset["count"])
        #expect(abs(report.share - dataset["share"]!) < 1e-12)
        #expect(report.datasetDrift == (dataset["share"]! >= dataset["drift_share"]!))
    }
}
