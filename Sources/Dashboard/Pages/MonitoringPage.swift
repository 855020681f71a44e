import Foundation
import RegistryCore

/// One serving version on the monitoring page.
public struct MonitoredVersion: Sendable {
    public var model: ModelName
    public var environment: String
    public var version: SemanticVersion
    /// Share of the environment's traffic (100 without canaries).
    public var percent: Int
    /// The last minute.
    public var requestsPerSecond: Double
    public var errorRate: Double?
    public var p99: Double?
    public var hasReference: Bool
    public var drifting: Bool?
    public var driftShare: Double?
    public var driftRows: Int

    public init(
        model: ModelName, environment: String, version: SemanticVersion, percent: Int, requestsPerSecond: Double,
        errorRate: Double?, p99: Double?, hasReference: Bool, drifting: Bool?, driftShare: Double?, driftRows: Int
    ) {
        self.model = model
        self.environment = environment
        self.version = version
        self.percent = percent
        self.requestsPerSecond = requestsPerSecond
        self.errorRate = errorRate
        self.p99 = p99
        self.hasReference = hasReference
        self.drifting = drifting
        self.driftShare = driftShare
        self.driftRows = driftRows
    }

    /// Worst first: drifting, then by error rate, then by p99.
    static func worseFirst(_ a: MonitoredVersion, _ b: MonitoredVersion) -> Bool {
        if (a.drifting == true) != (b.drifting == true) { return a.drifting == true }
        if (a.errorRate ?? 0) != (b.errorRate ?? 0) { return (a.errorRate ?? 0) > (b.errorRate ?? 0) }
        if (a.p99 ?? 0) != (b.p99 ?? 0) { return (a.p99 ?? 0) > (b.p99 ?? 0) }
        return (a.model.rawValue, a.environment) < (b.model.rawValue, b.environment)
    }
}

/// `/monitoring`: every version this server serves, with its live latency, error rate, traffic and drift state,
/// worst first.
public struct MonitoringPage: Sendable {
    public var versions: [MonitoredVersion]

    public init(versions: [MonitoredVersion]) { self.versions = versions.sorted(by: MonitoredVersion.worseFirst) }

    public func render(_ context: PageContext) -> HTML {
        let body: HTML
        if versions.isEmpty {
            body = "<div class=\"empty panel\"><p>Nothing is served on this server yet. Deploy a version to see it here.</p></div>"
        } else {
            let rows = versions.map { v -> HTML in
                let drift: HTML = v.hasReference
                    ? DriftPanel.state(v.drifting) + (v.driftShare.map { " <span class=\"muted\">share \(Format.metric($0)) of \(String(v.driftRows)) rows</span>" as HTML } ?? .empty)
                    : "<span class=\"muted\">no reference</span>"
                return """
                    <tr><th scope="row"><a href="\(Links.version(v.model, v.version))">\(v.model.rawValue) \(v.version.description)</a></th>\
                    <td>\(v.environment)\(v.percent < 100 ? " (\(String(v.percent)) %)" : "")</td><td class="num">\(Format.metric(v.requestsPerSecond))</td>\
                    <td class="num">\(v.errorRate.map { Format.metric($0 * 100) + " %" } ?? "—")</td><td class="num">\(v.p99.map(Format.milliseconds) ?? "—")</td><td>\(drift)</td></tr>
                    """
            }
            body = """
                <div class="table-wrap"><table id="monitoring"><caption class="sr">Serving versions, worst first</caption><thead><tr><th scope="col">Version</th>\
                <th scope="col">Environment</th><th scope="col" class="num">Req/s (1 min)</th><th scope="col" class="num">Errors</th>\
                <th scope="col" class="num">p99</th><th scope="col">Drift</th></tr></thead><tbody>\(rows)</tbody></table></div>
                """
        }
        return PageLayout.render(
            title: "Monitoring", crumbs: [Crumb("Models", Links.models), Crumb("Monitoring")], context: context, live: nil,
            main: """
                <h1>Monitoring</h1>
                <p class="muted">Every version this server serves: the last minute's traffic, errors and p99, and whether its served rows drift from its reference. Worst first.</p>
                \(body)
                """)
    }
}
