import Foundation
import RegistryCore

/// What the serving layer reports about a loaded version over one sliding window.
public struct LiveWindow: Sendable {
    public var seconds: Int
    public var requests: Int
    public var errors: Int
    public var requestsPerSecond: Double
    public var p50: Double?
    public var p95: Double?
    public var p99: Double?

    public init(
        seconds: Int, requests: Int, errors: Int, requestsPerSecond: Double, p50: Double?, p95: Double?, p99: Double?
    ) {
        self.seconds = seconds
        self.requests = requests
        self.errors = errors
        self.requestsPerSecond = requestsPerSecond
        self.p50 = p50
        self.p95 = p95
        self.p99 = p99
    }
}

/// How a version is doing in serving: live windows when loaded, stored per-minute summaries, benchmarks.
public struct VersionServing: Sendable {
    public var loaded: Bool
    public var windows: [LiveWindow]
    public var history: [InferenceSummary]
    public var benchmarks: [BenchmarkReport]

    public init(loaded: Bool, windows: [LiveWindow], history: [InferenceSummary], benchmarks: [BenchmarkReport]) {
        self.loaded = loaded
        self.windows = windows
        self.history = history
        self.benchmarks = benchmarks
    }
}

/// `/models/{model}/versions/{version}`: everything about one version on one page.
public struct VersionPage: Sendable {
    public var model: RegisteredModel
    public var version: ModelVersion
    public var aliases: [AliasPointer]
    public var best: BestVersion?
    /// The run's metrics, one series per name.
    public var history: [MetricSeries]
    public var lineage: Lineage
    public var artifacts: [ArtifactEntry]
    /// Deployments that moved an environment to or from this version, newest first.
    public var deployments: [Deployment]
    /// Audit entries about this version, newest first.
    public var audit: [AuditEntry]
    public var serving: VersionServing?
    /// The version's newest verdict under its model's policy.
    public var validation: ValidationReport?
    /// The drift panel's figures (nil: no panel).
    public var drift: VersionDrift?
    /// Most ancestors and descendants listed (the graph draws direct parents and children).
    public static let lineageShown = 50

    public init(
        model: RegisteredModel, version: ModelVersion, aliases: [AliasPointer], best: BestVersion?,
        history: [MetricSeries], lineage: Lineage, artifacts: [ArtifactEntry], deployments: [Deployment],
        audit: [AuditEntry], serving: VersionServing?, validation: ValidationReport? = nil, drift: VersionDrift? = nil
    ) {
        self.drift = drift
        self.model = model
        self.version = version
        self.aliases = aliases
        self.best = best
        self.history = history
        self.lineage = lineage
        self.artifacts = artifacts
        self.deployments = deployments
        self.audit = audit
        self.serving = serving
        self.validation = validation
    }

    public func render(_ context: PageContext) -> HTML {
        let name = model.name
        let v = version.version
        let environments = aliases.filter { $0.version == v }.map(\.environment)
        let title = "\(name.rawValue) \(v)"
        return PageLayout.render(
            title: title,
            crumbs: [Crumb("Models", Links.models), Crumb(name.rawValue, Links.model(name)), Crumb(v.description)],
            context: context, live: name.rawValue,
            main: """
                <h1>\(name.rawValue) <span class="mono">\(v)</span> \(Badges.status(version.status))\(best?.version == v ? " " + Badges.best : .empty) \(Badges.environments(environments))</h1>
                \(version.description.isEmpty ? .empty : "<p>\(version.description)</p>" as HTML)
                <p class="toolbar"><a class="button" href="\(Links.deployments(name) + Links.query([("version", v.description)]))">Deploy or roll back…</a>\(compareLink)</p>
                <div class="grid">
                \(VersionSections.metadata(version, context: context))
                \(VersionSections.scores(version, model: model))
                </div>
                \(VersionSections.params(version))
                \(ValidationPanel.section(validation, model: name, version: v, context: context))
                <section aria-labelledby="history-h"><h2 id="history-h">Training history</h2>\(historyCharts)</section>
                <section aria-labelledby="lineage-h"><h2 id="lineage-h">Lineage</h2>\(lineageSection)</section>
                \(VersionSections.artifacts(artifacts, model: name, version: v))
                \(VersionSections.serving(version, serving: serving, context: context))
                \(DriftPanel.section(drift, model: name, version: v, context: context))
                \(VersionSections.deployments(deployments, model: name, context: context))
                \(VersionSections.audit(audit, context: context))
                """)
    }

    var compareLink: HTML {
        guard let parent = version.parents.first(where: { $0.model == model.name }) else { return .empty }
        return " <a class=\"button secondary\" href=\"\(Links.compare(model.name, [parent.version, version.version]))\">Compare with parent \(parent.version)</a>"
    }

    /// One chart per metric, steps on x.
    var historyCharts: HTML {
        guard !history.isEmpty else {
            return "<p class=\"muted\">No training history. Log it with <code>modelyard log-history \(model.name.rawValue) \(version.version) --file history.csv</code> or from MLflow.</p>"
        }
        var charts = HTML.empty
        for metric in history {
            let series = ChartSeries(metric)
            let direction = model.direction(ofMetric: metric.name) == .maximize ? "higher is better" : "lower is better"
            charts.append(
                """
                <figure class="panel"><figcaption><h3>\(metric.name)</h3><span class="muted">\(metric.count) points · \(direction)</span></figcaption>
                \(LineChart(title: metric.name, series: [series], xLabel: "step").render())</figure>
                """)
        }
        return "<div class=\"grid charts\">\(charts)</div>"
    }

    var lineageSection: HTML {
        let further = lineage.ancestors.filter { $0.depth > 1 }
        let later = lineage.descendants.filter { $0.depth > 1 }
        func list(_ title: String, _ relatives: [Lineage.Relative]) -> HTML {
            guard !relatives.isEmpty else { return .empty }
            let items = relatives.prefix(Self.lineageShown).map { relative -> HTML in
                "<li><a href=\"\(Links.version(relative.model, relative.version))\">\(relative.model.rawValue) \(relative.version)</a> <span class=\"muted\">(\(relative.depth) generations)</span></li>"
            }
            let more: HTML = relatives.count >= Self.lineageShown ? "<li class=\"muted\">and possibly more; see <code>modelyard lineage</code></li>" : .empty
            return "<h3>\(title)</h3><ul>\(items)\(more)</ul>"
        }
        let datasets = lineage.datasets.map { dataset -> HTML in
            "<tr><th scope=\"row\">\(dataset.name)</th><td class=\"mono\">\(dataset.uri)</td><td class=\"mono\">\(dataset.sha256 ?? "—")</td><td class=\"num\">\(dataset.rows.map(String.init) ?? "—")</td></tr>"
        }
        let table: HTML =
            datasets.isEmpty
            ? .empty
            : "<div class=\"table-wrap\"><table><caption class=\"sr\">Datasets</caption><thead><tr><th scope=\"col\">Dataset</th><th scope=\"col\">URI</th><th scope=\"col\">sha256</th><th scope=\"col\" class=\"num\">Rows</th></tr></thead><tbody>\(datasets)</tbody></table></div>"
        return "<div class=\"panel\">\(LineageGraph.render(lineage))\(list("Earlier ancestors", further))\(list("Later descendants", later))\(table)</div>"
    }
}
