import RegistryCore

/// What the model pool says about one environment of a model on this server.
public struct EnvironmentServing: Sendable {
    public var environment: EnvironmentName
    /// `serving`, `loading`, `failed`, ...
    public var state: String
    public var problem: String?

    public init(environment: EnvironmentName, state: String, problem: String?) {
        self.environment = environment
        self.state = state
        self.problem = problem
    }
}

/// `/models/{model}/deployments`: per environment what serves now, its traffic split and history, and the
/// deploy, rollback and mark-best actions (each goes through a confirmation page).
public struct DeploymentsPage: Sendable {
    public var model: RegisteredModel
    public var aliases: [AliasPointer]
    public var best: BestVersion?
    /// Versions offered as deploy targets, newest first.
    public var versions: [ModelVersion]
    /// Recent deployments of every environment, newest first.
    public var deployments: [Deployment]
    public var traffic: [EnvironmentName: TrafficPolicy]
    public var serving: [EnvironmentServing]
    /// The version to preselect (from a version page's "Deploy" link).
    public var preselected: SemanticVersion?

    public init(
        model: RegisteredModel, aliases: [AliasPointer], best: BestVersion?, versions: [ModelVersion],
        deployments: [Deployment], traffic: [EnvironmentName: TrafficPolicy], serving: [EnvironmentServing],
        preselected: SemanticVersion? = nil
    ) {
        self.model = model
        self.aliases = aliases
        self.best = best
        self.versions = versions
        self.deployments = deployments
        self.traffic = traffic
        self.serving = serving
        self.preselected = preselected
    }

    public func render(_ context: PageContext) -> HTML {
        let name = model.name
        let environments = Set(aliases.map(\.environment)).union(deployments.map(\.environment)).sorted()
        let panels = environments.map { environment(in: $0, context) }
        return PageLayout.render(
            title: "\(name.rawValue) deployments",
            crumbs: [Crumb("Models", Links.models), Crumb(name.rawValue, Links.model(name)), Crumb("Deployments")],
            context: context, live: name.rawValue,
            main: """
                <h1>Deployments of \(name.rawValue)</h1>
                \(panels.isEmpty ? "<p class=\"panel muted\">Nothing has been deployed yet.</p>" as HTML : HTML.join(panels))
                \(context.may(.deploy) ? actions : PageLayout.needs(.deploy, for: "Deploying, rolling back and marking best", context))
                \(VersionSections.deployments(deployments, model: name, context: context, title: "History"))
                """)
    }

    func environment(in environment: EnvironmentName, _ context: PageContext) -> HTML {
        let name = model.name
        let current = aliases.first { $0.environment == environment }
        let history = deployments.filter { $0.environment == environment }
        let state = serving.first { $0.environment == environment }
        let now: HTML =
            current.map {
                "<a href=\"\(Links.version(name, $0.version))\">\($0.version)</a>\(best?.version == $0.version ? " " + Badges.best : .empty)"
            } ?? "<span class=\"muted\">nothing (undeployed)</span>"
        let stateText: HTML =
            state.map { s -> HTML in
                let cls = s.state == "serving" ? "ready" : (s.problem == nil ? "" : "failed")
                let problem: HTML = s.problem.map { " <span class=\"error-message\">\($0)</span>" } ?? .empty
                return "<span class=\"badge \(cls)\">\(s.state)</span>\(problem)"
            } ?? .empty
        let last: HTML = history.first.map { "\($0.action.rawValue) by \($0.actor) \(Badges.time($0.createdAt, now: context.now))\($0.reason.isEmpty ? "" : ": “\($0.reason)”")" } ?? .empty
        let rollback: HTML =
            current == nil
            ? .empty
            : """
                <a class="button secondary" href="\(Links.deployments(name))/confirm\(Links.query([("action", "rollback"), ("environment", environment.rawValue)]))">Roll back \(environment.rawValue)…</a>
                <a class="button secondary" href="\(Links.deployments(name))/confirm\(Links.query([("action", "undeploy"), ("environment", environment.rawValue)]))">Undeploy \(environment.rawValue)…</a>
                """
        return """
            <section class="panel" aria-labelledby="env-\(environment.rawValue)"><h2 id="env-\(environment.rawValue)"><span class="badge env">\(environment.rawValue)</span> serves \(now)</h2>
            <p>\(stateText) <span class="muted">\(last)</span></p>
            \(split(environment, current: current))
            <p>\(rollback)</p></section>
            """
    }

    /// The traffic split as a bar: canary and A/B shares, the deployed version taking the rest, and the shadow.
    func split(_ environment: EnvironmentName, current: AliasPointer?) -> HTML {
        guard let policy = traffic[environment], !policy.isEmpty, let current else { return .empty }
        let rest = 100 - policy.shares.reduce(0) { $0 + $1.percent }
        var segments: [(String, Int)] = [(current.version.description, rest)]
        segments += policy.shares.map { ($0.version.description, $0.percent) }
        let bar = HTML.join(
            segments.enumerated().map { index, segment -> HTML in
                "<span class=\"c\(index % 8 + 1)\" style=\"width:\(segment.1)%\" title=\"\(segment.0): \(segment.1) %\">\(segment.0) \(segment.1)%</span>"
            })
        let shadow: HTML = policy.shadow.map { "<p class=\"muted\">Shadow: \($0) receives a mirror of every request; its answers are recorded, never returned.</p>" } ?? .empty
        return "<div class=\"split\" role=\"img\" aria-label=\"Traffic split: \(segments.map { "\($0.0) \($0.1) percent" }.joined(separator: ", "))\">\(bar)</div>\(shadow)"
    }

    var actions: HTML {
        let name = model.name
        let deployable = versions.filter { $0.status.isDeployable }
        guard !deployable.isEmpty else {
            return "<section class=\"panel\"><h2>Deploy</h2><p class=\"muted\">No version is ready to deploy. A version must be <code>ready</code> (or <code>deprecated</code>) first.</p></section>"
        }
        let options = HTML.join(
            deployable.prefix(1_000).map { version -> HTML in
                let selected: HTML = version.version == preselected ? " selected" : .empty
                let score: HTML = model.primaryMetric.flatMap { metric in version.scores[metric].map { " · \(metric) \(Format.metric($0))" as HTML } } ?? .empty
                return "<option value=\"\(version.version)\"\(selected)>\(version.version) (\(version.status.rawValue))\(score)</option>"
            })
        let known = Set(aliases.map(\.environment.rawValue)).union(["production", "staging"]).sorted()
        let datalist = HTML.join(known.map { "<option value=\"\($0)\">" as HTML })
        return """
            <section class="panel" aria-labelledby="deploy-h"><h2 id="deploy-h">Deploy or mark best</h2>
            <form method="get" action="\(Links.deployments(name))/confirm" class="toolbar">
            <div><label for="deploy-version">Version</label><select id="deploy-version" name="version">\(options)</select></div>
            <div><label for="deploy-env">Environment</label><input id="deploy-env" name="environment" list="environments" value="production" required pattern="[A-Za-z0-9][A-Za-z0-9._\\-]{0,63}"></div>
            <datalist id="environments">\(datalist)</datalist>
            <button type="submit" name="action" value="deploy">Deploy…</button>
            <button type="submit" name="action" value="mark-best" class="secondary">Mark best…</button>
            </form><p class="muted">Each action shows what will change and asks for a reason before anything happens.</p></section>
            """
    }
}
