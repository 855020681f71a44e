import Foundation
import RegistryCore

/// Benchmarks of versions side by side: a `BenchmarkTable` as HTML, each change against the first version coloured
/// by the column's direction. The compare page and the benchmarks page both show it.
enum BenchmarkPanel {
    static func table(_ table: BenchmarkTable, model: ModelName, caption: String) -> HTML {
        let heads = HTML.join(table.columns.map { column -> HTML in
            "<th scope=\"col\" class=\"num\" title=\"\(column.higherIsBetter ? "higher is better" : "lower is better")\">\(column.name) \(column.higherIsBetter ? "↑" : "↓")</th>"
        })
        let rows = HTML.join(table.rows.map { row -> HTML in
            let cells = HTML.join(zip(row.values, row.changes).enumerated().map { column, pair -> HTML in
                guard let value = pair.0 else { return "<td class=\"num muted\">—</td>" }
                guard let change = pair.1 else { return "<td class=\"num\">\(BenchmarkTable.format(value))</td>" }
                let verdict = change == 0 ? nil : table.improves(column: column, change: change) ? "better" : "worse"
                let cls: HTML = verdict.map { " \($0)" } ?? .empty
                let label: HTML = verdict.map { "<span class=\"sr\"> (\($0))</span>" } ?? .empty
                return "<td class=\"num\(cls)\">\(BenchmarkTable.format(value)) <small>(\(BenchmarkTable.formatChange(change)))</small>\(label)</td>"
            })
            return "<tr><th scope=\"row\"><a href=\"\(Links.version(model, row.version))\">\(row.version)</a></th>\(cells)</tr>"
        })
        return """
            <div class="table-wrap"><table><caption class="sr">\(caption)</caption><thead><tr><th scope="col">Version</th>\(heads)</tr></thead><tbody>\(rows)</tbody></table></div>
            """
    }

    /// The compare page's section: the latest latency benchmark and every suite some compared version ran.
    static func compareSection(_ tables: [BenchmarkTable], model: ModelName, base: SemanticVersion) -> HTML {
        let shown = tables.filter { !$0.rows.isEmpty }
        guard !shown.isEmpty else {
            return """
                <p class="muted">None of these versions has a stored benchmark. Run <code>modelyard benchmark \(model.rawValue) VERSION...</code>
                (add <code>--suite NAME</code> for an embedding model's quality).</p>
                """
        }
        return HTML.join(shown.map { table -> HTML in
            let title = table.suite.map { "Suite \($0.rawValue)" } ?? "Latency and throughput"
            let missing = table.rows.first?.version == base ? "" : " The base version has none, so changes are against \(table.rows[0].version)."
            return """
                <h3>\(title) <a class="muted" href="\(Links.benchmarks(model, suite: table.suite))">history →</a></h3>
                <p class="muted">The latest run of each version.\(missing)</p>
                \(self.table(table, model: model, caption: "\(title) of the compared versions"))
                """
        })
    }
}

/// `/models/{model}/benchmarks?suite=NAME`: every version's latest result on one suite (or the latency benchmarks),
/// charted over the versions in order, tabled with changes against the oldest, and exported as CSV or Markdown.
public struct BenchmarksPage: Sendable {
    public var model: RegisteredModel
    /// Every stored benchmark of the model, by version then time.
    public var reports: [BenchmarkReport]
    /// The suite shown; `nil` for the latency benchmarks.
    public var suite: SuiteName?

    public init(model: RegisteredModel, reports: [BenchmarkReport], suite: SuiteName?) {
        self.model = model
        self.reports = reports
        self.suite = suite
    }

    public func render(_ context: PageContext) -> HTML {
        let name = model.name
        var suites: [SuiteName] = []
        for report in reports { if let suite = report.suite?.suite, !suites.contains(suite) { suites.append(suite) } }
        var versions: [SemanticVersion] = []
        for report in reports where report.suite?.suite == suite && !versions.contains(report.version) { versions.append(report.version) }
        let table = BenchmarkTable(BenchmarkTable.latest(reports, versions: versions, suite: suite))
        let tabs = HTML.join(([nil] + suites.map(Optional.some)).enumerated().map { index, option -> HTML in
            let label = option?.rawValue ?? "Latency and throughput"
            let separator = index == 0 ? "" : " · "
            return option == suite
                ? "\(separator)<strong aria-current=\"page\">\(label)</strong>"
                : "\(separator)<a href=\"\(Links.benchmarks(name, suite: option))\">\(label)</a>"
        })
        let title = suite.map { "Suite \($0.rawValue)" } ?? "Latency and throughput"
        let body: HTML
        if table.rows.isEmpty {
            body = """
                <p class="muted">No version of \(name.rawValue) has \(suite == nil ? "a latency benchmark" : "run this suite") yet. Run
                <code>modelyard benchmark \(name.rawValue) VERSION\(suite.map { " --suite \($0.rawValue)" } ?? "")</code>.</p>
                """
        } else {
            body = """
                <div class="grid charts">\(charts(table))</div>
                <p><a href="\(Links.benchmarkExport(name, suite: suite, format: "csv"))" download>Export CSV</a> ·
                <a href="\(Links.benchmarkExport(name, suite: suite, format: "markdown"))">Export Markdown</a>
                <span class="muted">· changes are against \(table.rows[0].version), the oldest version that ran</span></p>
                \(BenchmarkPanel.table(table, model: name, caption: "\(title) of every version"))
                """
        }
        return PageLayout.render(
            title: "Benchmarks of \(name.rawValue)",
            crumbs: [Crumb("Models", Links.models), Crumb(name.rawValue, Links.model(name)), Crumb("Benchmarks")],
            context: context, live: name.rawValue,
            main: """
                <h1>Benchmarks of \(name.rawValue)</h1>
                <p>\(tabs)</p>
                <section aria-labelledby="bench-h"><h2 id="bench-h">\(title)</h2>\(body)</section>
                """)
    }

    /// Quality per version (a suite), and latency and throughput per batch size, over the versions in order.
    func charts(_ table: BenchmarkTable) -> HTML {
        let labels = table.rows.map(\.version.description)
        func chart(_ title: String, _ columns: [Int]) -> HTML {
            var chart = LineChart(
                title: title,
                series: columns.map { column in
                    ChartSeries(
                        label: table.columns[column].name,
                        points: table.rows.enumerated().compactMap { index, row in row.values[column].map { (Double(index), $0) } })
                },
                xLabel: "version")
            chart.xFormat = { x in
                let index = Int(x.rounded())
                return abs(x - Double(index)) < 1e-9 && labels.indices.contains(index) ? labels[index] : ""
            }
            return "<figure><figcaption>\(title)</figcaption>\(chart.render())</figure>"
        }
        let names = table.columns.map(\.name)
        var figures: [HTML] = []
        if let suite = table.suite, let kind = reports.lazy.compactMap(\.suite).first(where: { $0.suite == suite })?.kind {
            figures.append(chart("Quality", kind.metrics.compactMap { names.firstIndex(of: $0) }))
        }
        figures.append(chart("p50 latency (ms)", names.indices.filter { names[$0].hasPrefix("p50 ms") }))
        figures.append(chart("Throughput (rows/s)", names.indices.filter { names[$0].hasPrefix("rows/s") }))
        return HTML.join(figures)
    }
}
