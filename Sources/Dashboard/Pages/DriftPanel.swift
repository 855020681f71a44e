import DriftStatistics
import Foundation
import RegistryCore

/// What the drift panel of a version page shows: the reference, the smallest window's report with each column's
/// distributions, and the stored hourly history.
public struct VersionDrift: Sendable {
    public var referenceRows: Int?
    public var referenceSource: String?
    /// Without a reference: how to add one.
    public var hint: String?
    public var monitoring: Bool
    public var rowsSeen: Int
    public var drifting: Bool?
    public var windowSize: Int?
    public var report: DriftReport?
    public var distributions: [String: ColumnDistribution]
    public var history: [DriftSummary]

    public init(
        referenceRows: Int?, referenceSource: String?, hint: String?, monitoring: Bool, rowsSeen: Int, drifting: Bool?,
        windowSize: Int?, report: DriftReport?, distributions: [String: ColumnDistribution], history: [DriftSummary]
    ) {
        self.referenceRows = referenceRows
        self.referenceSource = referenceSource
        self.hint = hint
        self.monitoring = monitoring
        self.rowsSeen = rowsSeen
        self.drifting = drifting
        self.windowSize = windowSize
        self.report = report
        self.distributions = distributions
        self.history = history
    }
}

enum DriftPanel {
    /// Columns drawn with their distributions; the rest are listed in the table only.
    static let chartedColumns = 30

    static func state(_ drifting: Bool?) -> HTML {
        switch drifting {
        case true?: "<span class=\"badge failed\">drifting</span>"
        case false?: "<span class=\"badge ready\">not drifting</span>"
        case nil: "<span class=\"badge\">collecting rows</span>"
        }
    }

    static func section(_ drift: VersionDrift?, model: ModelName, version: SemanticVersion, context: PageContext) -> HTML {
        guard let drift else { return .empty }
        var parts = HTML.empty
        guard let rows = drift.referenceRows else {
            parts.append("<p class=\"muted\">\(drift.hint ?? "No drift reference.")</p>")
            return wrap(parts)
        }
        parts.append("<p>Reference: \(rows) rows from <span class=\"mono\">\(drift.referenceSource ?? "")</span>.</p>")
        if let report = drift.report, let size = drift.windowSize {
            parts.append(
                """
                <p id="drift-state">\(state(drift.drifting)) over the last \(String(size)) served rows (\(String(report.currentRows)) so far): \
                \(String(report.driftedColumns)) of \(String(report.comparedColumns)) columns drift (share \(Format.metric(report.share)), \
                dataset drift at \(Format.metric(report.driftShare))). Score summary: \(String(report.columnsAboveThreshold)) columns above \
                \(Format.metric(report.driftThreshold)), largest \(Format.metric(report.maxScore)).</p>
                """)
            parts.append(table(report))
            parts.append(charts(report, drift.distributions))
        } else if drift.monitoring {
            parts.append("<p class=\"muted\">No rows served since this server loaded the version.</p>")
        } else {
            parts.append("<p class=\"muted\">Not served on this server right now: no live window. <code>modelyard drift check \(model.rawValue) \(version) FILE</code> judges a dataset.</p>")
        }
        parts.append(history(drift.history))
        return wrap(parts)
    }

    static func wrap(_ parts: HTML) -> HTML {
        "<section aria-labelledby=\"drift-h\"><h2 id=\"drift-h\">Drift</h2><div class=\"panel\">\(parts)</div></section>"
    }

    static func table(_ report: DriftReport) -> HTML {
        let rows = report.columns.map { column -> HTML in
            let verdict: HTML = column.problem != nil
                ? "<span class=\"badge\">n/a</span>" : column.drifted ? "<span class=\"badge failed\">drift</span>" : "<span class=\"badge ready\">ok</span>"
            return """
                <tr class="\(column.drifted ? "drifted" : "")"><th scope="row" class="mono">\(column.name)</th><td>\(column.kind)</td><td>\(column.method?.rawValue ?? "—")</td>\
                <td class="num">\(column.statistic.map(Format.metric) ?? "—")</td><td class="num">\(column.threshold.map(Format.metric) ?? "—")</td>\
                <td>\(verdict)</td><td class="num">\(column.score.map(Format.metric) ?? "—")</td>\
                <td class="num">\(String(column.referenceMissing))/\(String(column.currentMissing))</td><td>\(column.problem ?? "")</td></tr>
                """
        }
        return """
            <div class="table-wrap"><table id="drift-columns"><caption class="sr">Columns, drifted first</caption><thead><tr><th scope="col">Column</th><th scope="col">Kind</th>\
            <th scope="col">Method</th><th scope="col" class="num">Statistic</th><th scope="col" class="num">Threshold</th><th scope="col">Verdict</th>\
            <th scope="col" class="num">Score</th><th scope="col" class="num">Missing (ref/cur)</th><th scope="col">Note</th></tr></thead><tbody>\(rows)</tbody></table></div>
            """
    }

    /// One bar chart per column (drifted first): reference shares beside current shares.
    static func charts(_ report: DriftReport, _ distributions: [String: ColumnDistribution]) -> HTML {
        let figures = report.columns.prefix(chartedColumns).compactMap { column -> HTML? in
            guard let distribution = distributions[column.name] else { return nil }
            return "<figure class=\"panel drift-chart\"><figcaption><h3 class=\"mono\">\(column.name)</h3></figcaption>\(bars(column.name, distribution))</figure>"
        }
        guard !figures.isEmpty else { return .empty }
        return "<h3>Reference (grey) and current (blue) distributions</h3><div class=\"grid drift-charts\">\(figures)</div>"
    }

    static func bars(_ name: String, _ distribution: ColumnDistribution) -> HTML {
        let width = 320.0
        let height = 140.0
        let bottom = 28.0
        let count = max(distribution.labels.count, 1)
        let slot = width / Double(count)
        let top = max(distribution.reference.max() ?? 0, distribution.current.max() ?? 0, 1e-9)
        var shapes = ""
        for index in 0..<distribution.labels.count {
            let x = Double(index) * slot
            let r = distribution.reference[index] / top * (height - bottom - 4)
            let c = distribution.current[index] / top * (height - bottom - 4)
            let bar = max(1, slot / 2 - 1)
            shapes += String(
                format: "<rect class=\"ref\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"></rect><rect class=\"cur\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"></rect>",
                x + 1, height - bottom - r, bar, r, x + 1 + bar, height - bottom - c, bar, c)
        }
        var labels = HTML.empty
        func label(_ text: String, at x: Double, anchor: String) {
            labels.append(
                "<text x=\"\(String(format: "%.1f", x))\" y=\"\(String(format: "%.1f", height - 10))\" class=\"tick\" text-anchor=\"\(anchor)\">\(String(text.prefix(12)))</text>")
        }
        if let range = distribution.range, range.count == 2 {
            label(range[0], at: 1, anchor: "start")
            label(range[1], at: width - 1, anchor: "end")
        } else if count <= 8 {
            for (index, text) in distribution.labels.enumerated() { label(text, at: (Double(index) + 0.5) * slot, anchor: "middle") }
        }
        var titles = HTML.empty
        for (index, label) in distribution.labels.enumerated() {
            titles.append(
                "<rect class=\"hover\" x=\"\(String(format: "%.1f", Double(index) * slot))\" y=\"0\" width=\"\(String(format: "%.1f", slot))\" height=\"\(String(format: "%.1f", height - bottom))\"><title>\(label): reference \(Format.metric(distribution.reference[index] * 100)) %, current \(Format.metric(distribution.current[index] * 100)) %</title></rect>")
        }
        return """
            <svg class="bars" viewBox="0 0 \(String(Int(width))) \(String(Int(height)))" role="img" aria-label="\(name): reference and current shares">\(HTML(trusted: shapes))\(labels)\(titles)</svg>
            """
    }

    static func history(_ summaries: [DriftSummary]) -> HTML {
        guard !summaries.isEmpty else { return "<p class=\"muted\">No hourly drift history yet.</p>" }
        let sorted = summaries.sorted { $0.periodStart < $1.periodStart }
        let xs = sorted.map { $0.periodStart.timeIntervalSince1970 }
        var chart = LineChart(
            title: "Drift over time",
            series: [
                ChartSeries(label: "drifted share", points: zip(xs, sorted).map { ($0, $1.share) }),
                ChartSeries(label: "largest score", points: zip(xs, sorted).map { ($0, $1.maxScore) }),
            ],
            xLabel: "hour (UTC)")
        chart.xFormat = { seconds in String(Format.timestamp(Date(timeIntervalSince1970: seconds)).dropFirst(5).prefix(11)) }
        return "<h3>Hourly history</h3><figure id=\"drift-history\">\(chart.render())</figure>"
    }
}
