import RegistryCore

/// `/models/{model}/compare?v=A&v=B...`: versions side by side against the first one: metric deltas coloured
/// by each metric's direction, a params diff, and training curves overlaid per metric.
public struct ComparePage: Sendable {
    public var model: RegisteredModel
    public var comparison: VersionComparison
    /// The compared versions, in the comparison's order.
    public var versions: [ModelVersion]
    /// Each version's training history, in the same order.
    public var histories: [[MetricSeries]]
    /// Every stored benchmark of the compared versions (latency runs and suite runs).
    public var benchmarks: [BenchmarkReport]

    public init(
        model: RegisteredModel, comparison: VersionComparison, versions: [ModelVersion], histories: [[MetricSeries]],
        benchmarks: [BenchmarkReport] = []
    ) {
        self.benchmarks = benchmarks
        self.model = model
        self.comparison = comparison
        self.versions = versions
        self.histories = histories
    }

    public func render(_ context: PageContext) -> HTML {
        let name = model.name
        let labels = comparison.versions.map(\.description)
        let heads = HTML.join(
            comparison.versions.enumerated().map { index, version -> HTML in
                "<th scope=\"col\" class=\"num\"><a href=\"\(Links.version(name, version))\">\(version)</a>\(index == 0 ? " <span class=\"muted\">(base)</span>" as HTML : .empty)</th>"
            })
        return PageLayout.render(
            title: "Compare \(labels.joined(separator: ", "))",
            crumbs: [Crumb("Models", Links.models), Crumb(name.rawValue, Links.model(name)), Crumb("Compare")],
            context: context, live: name.rawValue,
            main: """
                <h1>Compare \(name.rawValue) \(labels.joined(separator: " · "))</h1>
                <p class="muted">Deltas are against \(labels[0]). Green is better and red is worse, by each metric's direction.</p>
                <section aria-labelledby="metrics-h"><h2 id="metrics-h">Evaluation scores</h2>\(metricsTable(heads))</section>
                <section aria-labelledby="params-h"><h2 id="params-h">Parameters</h2>\(paramsTable(heads))</section>
                <section aria-labelledby="bench-h"><h2 id="bench-h">Benchmarks</h2>\(benchmarkTables)</section>
                <section aria-labelledby="curves-h"><h2 id="curves-h">Training curves</h2>\(curves)</section>
                """)
    }

    /// The latest latency benchmark of each version, then each suite some of them ran, side by side.
    var benchmarkTables: HTML {
        var suites: [SuiteName?] = [nil]
        for report in benchmarks { if let suite = report.suite?.suite, !suites.contains(suite) { suites.append(suite) } }
        let tables = suites.map { BenchmarkTable(BenchmarkTable.latest(benchmarks, versions: comparison.versions, suite: $0)) }
        return BenchmarkPanel.compareSection(tables, model: model.name, base: comparison.versions[0])
    }

    func metricsTable(_ heads: HTML) -> HTML {
        guard !comparison.metrics.isEmpty else { return "<p class=\"muted\">None of these versions has evaluation scores.</p>" }
        let rows = comparison.metrics.map { row -> HTML in
            let cells = HTML.join(
                row.values.enumerated().map { index, value -> HTML in
                    guard let value else { return "<td class=\"num muted\">—</td>" }
                    guard index > 0, let delta = row.deltas[index] else { return "<td class=\"num\">\(Format.metric(value))</td>" }
                    let verdict = delta.improved.map { $0 ? "better" : "worse" }
                    let relative = delta.relative.map { ", \(Format.percent($0))" } ?? ""
                    let cls: HTML = verdict.map { " \($0)" } ?? .empty
                    let label: HTML = verdict.map { "<span class=\"sr\"> (\($0))</span>" } ?? .empty
                    return "<td class=\"num\(cls)\">\(Format.metric(value)) <small>(\(Format.delta(delta.absolute))\(relative))</small>\(label)</td>"
                })
            let arrow = row.direction == .maximize ? "↑" : "↓"
            return "<tr><th scope=\"row\">\(row.name) <span class=\"muted\" title=\"\(row.direction == .maximize ? "higher is better" : "lower is better")\">\(arrow)</span></th>\(cells)</tr>"
        }
        return "<div class=\"table-wrap\"><table><thead><tr><th scope=\"col\">Metric</th>\(heads)</tr></thead><tbody>\(rows)</tbody></table></div>"
    }

    func paramsTable(_ heads: HTML) -> HTML {
        var keys = Set<String>()
        for version in versions { keys.formUnion(version.params.keys) }
        guard !keys.isEmpty else { return "<p class=\"muted\">None of these versions records parameters.</p>" }
        var kinds: [String: [String: String]] = [:]  // version → key → changed/added/removed
        for diff in comparison.params {
            var map: [String: String] = [:]
            for change in diff.changed { map[change.key] = "changed" }
            for change in diff.added { map[change.key] = "added" }
            for change in diff.removed { map[change.key] = "removed" }
            kinds[diff.version.description] = map
        }
        var differing: [HTML] = []
        var same: [HTML] = []
        for key in keys.sorted() {
            var differs = false
            let cells = HTML.join(
                versions.enumerated().map { index, version -> HTML in
                    let kind = index == 0 ? nil : kinds[version.version.description]?[key]
                    if kind != nil { differs = true }
                    let value = version.params[key]
                    let marker: HTML = kind.map { "<span class=\"sr\"> (\($0))</span>" } ?? .empty
                    let display = kind == "removed" ? Format.param(versions[0].params[key]) : Format.param(value)
                    return "<td class=\"mono\(kind.map { " " + $0 } ?? "")\">\(display)\(marker)</td>"
                })
            let row: HTML = "<tr><th scope=\"row\" class=\"mono\">\(key)</th>\(cells)</tr>"
            if differs { differing.append(row) } else { same.append(row) }
        }
        let legend: HTML = "<p class=\"muted\"><span class=\"changed\">changed</span> · <span class=\"added\">added</span> · <span class=\"removed\">removed</span> against the base.</p>"
        let unchanged: HTML =
            same.isEmpty
            ? .empty
            : "<details><summary>\(same.count) parameters identical in every version</summary><div class=\"table-wrap\"><table><tbody>\(same)</tbody></table></div></details>"
        let main: HTML =
            differing.isEmpty
            ? "<p>Every parameter is the same in all versions.</p>"
            : "<div class=\"table-wrap\"><table><thead><tr><th scope=\"col\">Parameter</th>\(heads)</tr></thead><tbody>\(differing)</tbody></table></div>"
        return legend + main + unchanged
    }

    var curves: HTML {
        let names = Set(histories.flatMap { $0.map(\.name) }).sorted()
        guard !names.isEmpty else { return "<p class=\"muted\">None of these versions has training history.</p>" }
        let charts = names.map { metric -> HTML in
            let series = zip(versions, histories).map { version, history in
                history.first { $0.name == metric }.map { ChartSeries($0, label: version.version.description) }
                    ?? ChartSeries(label: version.version.description, xs: [], ys: [])
            }
            return "<figure class=\"panel\"><figcaption><h3>\(metric)</h3></figcaption>\(LineChart(title: metric, series: series, xLabel: "step").render())</figure>"
        }
        return "<div class=\"grid charts\">\(charts)</div>"
    }
}
