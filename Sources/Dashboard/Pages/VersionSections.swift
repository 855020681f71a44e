import Foundation
import RegistryCore

/// The panels of the version page, and the tables it shares with the deployments page.
enum VersionSections {
    static func metadata(_ version: ModelVersion, context: PageContext) -> HTML {
        var rows: [(String, HTML)] = [
            ("Number", "\(version.number)"),
            ("Stage", "\(version.stage.rawValue)"),
            ("Created", "\(Badges.time(version.createdAt, now: context.now)) by \(version.createdBy)"),
        ]
        if let framework = version.framework { rows.append(("Framework", "\(framework)")) }
        if let base = version.baseModel { rows.append(("Base model", "\(base)")) }
        if let commit = version.gitCommit { rows.append(("Git commit", "<span class=\"mono\">\(commit)</span>")) }
        if let source = version.sourceURI { rows.append(("Source", "<span class=\"mono\">\(source)</span>")) }
        if let run = version.runID { rows.append(("Run", "<a class=\"mono\" href=\"\(Links.run(run))\">\(run)</a>")) }
        if let duration = version.durationSeconds { rows.append(("Training time", "\(Format.metric(duration)) s")) }
        if let cost = version.cost { rows.append(("Cost", "\(Format.metric(cost))")) }
        if let hardware = version.hardware { rows.append(("Hardware", "\(hardware)")) }
        if !version.tags.isEmpty { rows.append(("Tags", Badges.tags(version.tags))) }
        let items = rows.map { label, value -> HTML in "<dt>\(label)</dt><dd>\(value)</dd>" }
        return "<section class=\"panel\" aria-labelledby=\"meta-h\"><h2 id=\"meta-h\">Metadata</h2><dl class=\"facts\">\(items)</dl></section>"
    }

    static func scores(_ version: ModelVersion, model: RegisteredModel) -> HTML {
        guard !version.scores.isEmpty else {
            return "<section class=\"panel\" aria-labelledby=\"scores-h\"><h2 id=\"scores-h\">Evaluation scores</h2><p class=\"muted\">No scores recorded.</p></section>"
        }
        let rows = version.scores.sorted { $0.key < $1.key }.map { name, value -> HTML in
            let primary: HTML = name == model.primaryMetric ? " <span class=\"badge\">primary</span>" : .empty
            let direction = model.direction(ofMetric: name) == .maximize ? "↑ higher is better" : "↓ lower is better"
            return "<tr><th scope=\"row\">\(name)\(primary)</th><td class=\"num\">\(Format.metric(value))</td><td class=\"muted\">\(direction)</td></tr>"
        }
        return """
            <section class="panel" aria-labelledby="scores-h"><h2 id="scores-h">Evaluation scores</h2>
            <table><thead><tr><th scope="col">Metric</th><th scope="col" class="num">Value</th><th scope="col">Direction</th></tr></thead><tbody>\(rows)</tbody></table></section>
            """
    }

    static func params(_ version: ModelVersion) -> HTML {
        guard !version.params.isEmpty else { return .empty }
        let rows = version.params.sorted { $0.key < $1.key }.map { key, value -> HTML in
            "<tr><th scope=\"row\" class=\"mono\">\(key)</th><td class=\"mono\">\(Format.param(value))</td></tr>"
        }
        return """
            <section aria-labelledby="params-h"><h2 id="params-h">Parameters</h2>
            <div class="table-wrap"><table><thead><tr><th scope="col">Parameter</th><th scope="col">Value</th></tr></thead><tbody>\(rows)</tbody></table></div></section>
            """
    }

    static func artifacts(_ artifacts: [ArtifactEntry], model: ModelName, version: SemanticVersion) -> HTML {
        let body: HTML
        if artifacts.isEmpty {
            body = "<p class=\"muted\">No artifacts. Upload with <code>modelyard upload \(model.rawValue) \(version) FILE</code>.</p>"
        } else {
            let total = artifacts.reduce(Int64(0)) { $0 + $1.size }
            let rows = artifacts.sorted { $0.path < $1.path }.map { entry -> HTML in
                """
                <tr><th scope="row"><a href="\(Links.artifact(model, version, entry.path))" download>\(entry.path.rawValue)</a></th>\
                <td class="num">\(Format.bytes(entry.size))</td><td class="mono">\(entry.sha256.rawValue)</td></tr>
                """
            }
            body = """
                <div class="table-wrap"><table><caption class="sr">Artifacts</caption><thead><tr><th scope="col">Path</th><th scope="col" class="num">Size</th><th scope="col">sha256</th></tr></thead>
                <tbody>\(rows)</tbody><tfoot><tr><td>\(artifacts.count) files</td><td class="num">\(Format.bytes(total))</td><td></td></tr></tfoot></table></div>
                """
        }
        return "<section aria-labelledby=\"artifacts-h\"><h2 id=\"artifacts-h\">Artifacts</h2>\(body)</section>"
    }

    static func serving(_ version: ModelVersion, serving: VersionServing?, context: PageContext) -> HTML {
        var parts = HTML.empty
        if let info = version.serving {
            if info.servable {
                parts.append("<p><span class=\"badge ready\">servable</span> \(info.runtime) model <span class=\"mono\">\(info.artifact?.rawValue ?? "")</span></p>")
            } else {
                parts.append("<p class=\"form-error\"><strong>Cannot be served</strong> (\(info.reasonCode ?? "unknown")): \(info.reason ?? "")</p>")
            }
            if let signature = info.signature {
                parts.append("<details><summary>Signature</summary><pre class=\"mono\">\(signature.description)</pre></details>")
            }
        } else {
            parts.append("<p class=\"muted\">No ONNX model among the artifacts, so this version is not served.</p>")
        }
        if let serving {
            if serving.loaded, !serving.windows.isEmpty {
                let rows = serving.windows.map { window -> HTML in
                    let rate = window.requests == 0 ? "—" : Format.metric(Double(window.errors) / Double(window.requests) * 100) + " %"
                    return """
                        <tr><th scope="row">last \(window.seconds) s</th><td class="num">\(window.requests)</td><td class="num">\(rate)</td>\
                        <td class="num">\(Format.metric(window.requestsPerSecond))</td><td class="num">\(window.p50.map(Format.milliseconds) ?? "—")</td>\
                        <td class="num">\(window.p95.map(Format.milliseconds) ?? "—")</td><td class="num">\(window.p99.map(Format.milliseconds) ?? "—")</td></tr>
                        """
                }
                parts.append(
                    """
                    <h3>Live</h3><div class="table-wrap"><table><thead><tr><th scope="col">Window</th><th scope="col" class="num">Requests</th><th scope="col" class="num">Errors</th><th scope="col" class="num">Req/s</th><th scope="col" class="num">p50</th><th scope="col" class="num">p95</th><th scope="col" class="num">p99</th></tr></thead><tbody>\(rows)</tbody></table></div>
                    """)
            } else {
                parts.append("<p class=\"muted\">Not loaded on this server right now.</p>")
            }
            parts.append(historyCharts(serving.history))
            parts.append(benchmarks(serving.benchmarks, context: context))
        }
        return "<section aria-labelledby=\"serving-h\"><h2 id=\"serving-h\">Serving</h2><div class=\"panel\">\(parts)</div></section>"
    }

    static func historyCharts(_ history: [InferenceSummary]) -> HTML {
        guard !history.isEmpty else { return "<p class=\"muted\">No inference recorded in the last 24 hours.</p>" }
        let sorted = history.sorted { $0.periodStart < $1.periodStart }
        let xs = sorted.map { $0.periodStart.timeIntervalSince1970 }
        func series(_ label: String, _ value: (InferenceSummary) -> Double?) -> ChartSeries {
            ChartSeries(label: label, points: zip(xs, sorted).compactMap { x, s in value(s).map { (x, $0) } })
        }
        let clock: @Sendable (Double) -> String = { seconds in
            String(Format.timestamp(Date(timeIntervalSince1970: seconds)).dropFirst(11).prefix(5))
        }
        var latency = LineChart(
            title: "Latency (ms)", series: [series("p50", \.p50Milliseconds), series("p95", \.p95Milliseconds), series("p99", \.p99Milliseconds)],
            xLabel: "time (UTC)")
        latency.xFormat = clock
        var errors = LineChart(
            title: "Error rate (%)",
            series: [series("errors %") { $0.requests == 0 ? nil : Double($0.errors) / Double($0.requests) * 100 }],
            xLabel: "time (UTC)")
        errors.xFormat = clock
        var traffic = LineChart(title: "Requests per minute", series: [series("requests") { Double($0.requests) * 60 / Double(max(1, $0.periodSeconds)) }], xLabel: "time (UTC)")
        traffic.xFormat = clock
        return """
            <h3>Last 24 hours</h3><div class="grid charts">
            <figure><figcaption>Latency</figcaption>\(latency.render())</figure>
            <figure><figcaption>Errors</figcaption>\(errors.render())</figure>
            <figure><figcaption>Traffic</figcaption>\(traffic.render())</figure></div>
            """
    }

    static func benchmarks(_ reports: [BenchmarkReport], context: PageContext) -> HTML {
        guard !reports.isEmpty else {
            return "<p class=\"muted\">No benchmark yet. Run <code>modelyard benchmark MODEL VERSION</code>.</p>"
        }
        let rows = reports.prefix(10).flatMap { report in
            report.measurements.map { m -> HTML in
                """
                <tr><td>\(Badges.time(report.runAt, now: context.now))</td><td class="num">\(m.batch)</td><td class="num">\(Format.milliseconds(m.p50Milliseconds))</td>\
                <td class="num">\(Format.milliseconds(m.p99Milliseconds))</td><td class="num">\(Format.metric(m.rowsPerSecond.rounded()))</td><td>\(report.runBy)</td></tr>
                """
            }
        }
        return """
            <h3>Benchmarks</h3><div class="table-wrap"><table><thead><tr><th scope="col">Run</th><th scope="col" class="num">Batch</th><th scope="col" class="num">p50</th><th scope="col" class="num">p99</th><th scope="col" class="num">Rows/s</th><th scope="col">By</th></tr></thead><tbody>\(rows)</tbody></table></div>
            """
    }

    static func deployments(_ records: [Deployment], model: ModelName, context: PageContext, title: String = "Deployment history") -> HTML {
        let body: HTML
        if records.isEmpty {
            body = "<p class=\"muted\">No deployments yet.</p>"
        } else {
            let rows = records.map { record -> HTML in
                func link(_ version: SemanticVersion?) -> HTML {
                    version.map { "<a href=\"\(Links.version(model, $0))\">\($0)</a>" } ?? "—"
                }
                return """
                    <tr><td>\(Badges.time(record.createdAt, now: context.now))</td><td><span class="badge env">\(record.environment.rawValue)</span></td>\
                    <td>\(record.action.rawValue)</td><td>\(link(record.fromVersion)) → \(link(record.toVersion))</td><td>\(record.actor)</td><td>\(record.reason)</td></tr>
                    """
            }
            body = """
                <div class="table-wrap"><table><thead><tr><th scope="col">When</th><th scope="col">Environment</th><th scope="col">Action</th><th scope="col">Change</th><th scope="col">Actor</th><th scope="col">Reason</th></tr></thead><tbody>\(rows)</tbody></table></div>
                """
        }
        return "<section aria-labelledby=\"deployments-h\"><h2 id=\"deployments-h\">\(title)</h2>\(body)</section>"
    }

    static func audit(_ entries: [AuditEntry], context: PageContext) -> HTML {
        let body: HTML
        if entries.isEmpty {
            body = "<p class=\"muted\">No audit entries.</p>"
        } else {
            let rows = entries.map { entry -> HTML in
                let details = entry.details.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
                return """
                    <tr><td>\(Badges.time(entry.createdAt, now: context.now))</td><td>\(entry.action)</td><td>\(entry.version?.description ?? "—")</td>\
                    <td>\(entry.actor)</td><td>\(entry.reason)</td><td class="mono">\(details)</td></tr>
                    """
            }
            body = """
                <div class="table-wrap"><table><thead><tr><th scope="col">When</th><th scope="col">Action</th><th scope="col">Version</th><th scope="col">Actor</th><th scope="col">Reason</th><th scope="col">Details</th></tr></thead><tbody>\(rows)</tbody></table></div>
                """
        }
        return "<section aria-labelledby=\"audit-h\"><h2 id=\"audit-h\">Audit log</h2>\(body)</section>"
    }
}
