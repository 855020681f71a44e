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

    /// pandas' view of our CSVs: a column whose every non-empty cell is a number is numerical (empty = NaN),
    /// anything else categorical (empty = missing). The files hold no quoted fields.
    static func read(_ url: URL) throws -> [(name: String, cells: [Substring])] {
        let text = try String(contentsOf: url, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false)
        var columns = header.map { (name: String($0), cells: [Substring]()) }
        for line in lines.dropFirst() {
            for (index, cell) in line.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
                columns[index].cells.append(cell)
            }
        }
        return columns
    }

    static func column(_ cells: [Substring], numerical: Bool) -> DriftColumn {
        numerical
            ? .numbers(cells.map { $0.isEmpty ? .nan : Double($0)! })
            : .categories(cells.map { $0.isEmpty ? nil : String($0) })
    }

    @Test func everyScenarioIsThere() { #expect(Self.scenarios.count >= 13) }

    @Test(arguments: scenarios) func sameVerdictsAsEvidently(_ name: String) throws {
        let reference = try Self.read(Self.directory.appendingPathComponent("\(name).reference.csv"))
        let current = try Self.read(Self.directory.appendingPathComponent("\(name).current.csv"))
        let oracle = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.directory.appendingPathComponent("\(name).json"))) as! [String: Any]
        let expected = oracle["columns"] as! [String: [String: Any]]
        let dataset = oracle["dataset"] as! [String: Double]
        var results: [ColumnDrift] = []
        for (ref, cur) in zip(reference, current) {
            let numerical = (ref.cells + cur.cells).allSatisfy { $0.isEmpty || Double($0) != nil }
            let result = try DriftTests.column(
                reference: Self.column(ref.cells, numerical: numerical), current: Self.column(cur.cells, numerical: numerical))
            results.append(result)
            let want = try #require(expected[ref.name], "Evidently has no verdict for \(ref.name)")
            let statistic = want["statistic"] as! Double
            #expect(result.method.rawValue == want["method"] as? String, "\(ref.name)")
            let close = result.statistic == statistic
                || abs(result.statistic - statistic) <= 1e-6 * abs(statistic)
                || (result.method.isPValue && statistic < 1e-12 && result.statistic < 1e-12)
            #expect(close, "\(ref.name): \(result.statistic), Evidently \(statistic)")
            #expect(result.drifted == want["drifted"] as? Bool, "\(ref.name)")
        }
        #expect(results.count == expected.count)
        #expect(Double(results.filter(\.drifted).count) == dataset["count"])
        #expect(DriftTests.datasetDrifted(results, share: dataset["drift_share"]!) == (dataset["share"]! >= dataset["drift_share"]!))
    }
}
