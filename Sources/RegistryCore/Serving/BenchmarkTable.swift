import Foundation

/// Benchmarks of several versions side by side: one row per version, a column per quality metric and per batch
/// size's latency and throughput, and each value's change in percent against the first row (the baseline). The API's
/// CSV and Markdown exports, the CLI and the dashboard all render this one table.
public struct BenchmarkTable: Sendable, Equatable {
    public struct Column: Sendable, Equatable {
        public var name: String
        /// Whether a larger value is an improvement (quality, throughput) or a regression (latency).
        public var higherIsBetter: Bool
    }

    public struct Row: Sendable, Equatable {
        public var version: SemanticVersion
        public var runAt: Date
        public var values: [Double?]
        /// Change in percent against the baseline's value, per column (`nil` for the baseline or a missing value).
        public var changes: [Double?]
    }

    public var suite: SuiteName?
    public var columns: [Column]
    public var rows: [Row]

    /// The table of `reports`, one per version, in the order given; the first is the baseline. Latency and
    /// throughput columns appear for every batch size some report measured.
    public init(_ reports: [BenchmarkReport]) {
        suite = reports.lazy.compactMap(\.suite).first?.suite
        var columns: [Column] = []
        var keys: [(BenchmarkReport) -> Double?] = []
        if let kind = reports.lazy.compactMap(\.suite).first?.kind {
            for metric in kind.metrics {
                columns.append(Column(name: metric, higherIsBetter: true))
                keys.append { $0.suite?.metrics[metric] }
            }
        }
        for batch in Set(reports.flatMap { $0.measurements.map(\.batch) }).sorted() {
            func measured(_ value: @escaping (BenchmarkReport.Measurement) -> Double) -> (BenchmarkReport) -> Double? {
                { report in report.measurements.first { $0.batch == batch }.map(value) }
            }
            columns += [
                Column(name: "p50 ms @\(batch)", higherIsBetter: false), Column(name: "p99 ms @\(batch)", higherIsBetter: false),
                Column(name: "rows/s @\(batch)", higherIsBetter: true),
            ]
            keys += [measured(\.p50Milliseconds), measured(\.p99Milliseconds), measured(\.rowsPerSecond)]
        }
        self.columns = columns
        let values = reports.map { report in keys.map { $0(report) } }
        rows = zip(reports, values).enumerated().map { index, pair in
            Row(
                version: pair.0.version, runAt: pair.0.runAt, values: pair.1,
                changes: zip(pair.1, values.first ?? []).map { value, base in
                    guard index > 0, let value, let base, base != 0 else { return nil }
                    return (value - base) / abs(base) * 100
                })
        }
    }

    /// The newest report per version (of one suite, when given), in the order of `versions`; versions without one
    /// are left out.
    public static func latest(_ reports: [BenchmarkReport], versions: [SemanticVersion], suite: SuiteName?) -> [BenchmarkReport] {
        versions.compactMap { version in
            reports.filter { $0.version == version && $0.suite?.suite == suite }.max { $0.runAt < $1.runAt }
        }
    }

    /// Whether a change is an improvement, given the column's direction.
    public func improves(column: Int, change: Double) -> Bool {
        columns[column].higherIsBetter ? change > 0 : change < 0
    }

    public static func format(_ value: Double) -> String {
        let magnitude = abs(value)
        if magnitude >= 100 { return String(format: "%.0f", value) }
        if magnitude >= 1 { return String(format: "%.2f", value) }
        return String(format: "%.4f", value)
    }

    public static func formatChange(_ change: Double) -> String {
        String(format: "%+.1f%%", change)
    }

    /// RFC 4180 CSV: `version`, `run_at`, then each column and its `… change %`.
    public func csv() -> String {
        func field(_ text: String) -> String {
            text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
        var lines = [(["version", "run_at"] + columns.flatMap { [$0.name, $0.name + " change %"] }).map(field).joined(separator: ",")]
        for row in rows {
            var fields = [row.version.description, ISO8601.format(row.runAt)]
            for (value, change) in zip(row.values, row.changes) {
                fields.append(value.map { String($0) } ?? "")
                fields.append(change.map { String(format: "%.2f", $0) } ?? "")
            }
            lines.append(fields.map(field).joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// A GitHub-flavoured Markdown table; each value is followed by its change against the baseline.
    public func markdown() -> String {
        let header = "| version | " + columns.map(\.name).joined(separator: " | ") + " |"
        let rule = "|---|" + columns.map { _ in "---:|" }.joined()
        let body = rows.map { row in
            let cells = zip(row.values, row.changes).map { value, change in
                guard let value else { return "—" }
                return Self.format(value) + (change.map { " (" + Self.formatChange($0) + ")" } ?? "")
            }
            return "| \(row.version) | " + cells.joined(separator: " | ") + " |"
        }
        return ([header, rule] + body).joined(separator: "\n") + "\n"
    }
}
