import Foundation
import RegistryCore

/// A deployment action the dashboard asks to confirm.
public enum DashboardAction: Sendable, Equatable {
    case deploy(SemanticVersion, EnvironmentName)
    /// Back to the previous deployment, or to a named version.
    case rollback(EnvironmentName, to: SemanticVersion?)
    case markBest(SemanticVersion)
    /// Empty the environment: nothing serves there afterwards.
    case undeploy(EnvironmentName)

    /// From the `action`, `version` and `environment` form fields.
    public init(action: String?, version: String?, environment: String?) throws {
        func parsedVersion() throws -> SemanticVersion {
            guard let version, !version.isEmpty else { throw RegistryError.invalidArgument("choose a version") }
            return try SemanticVersion(parsing: version)
        }
        func parsedEnvironment() throws -> EnvironmentName {
            try EnvironmentName(validating: (environment ?? "").trimmingCharacters(in: .whitespaces))
        }
        switch action {
        case "deploy": self = .deploy(try parsedVersion(), try parsedEnvironment())
        case "rollback":
            self = .rollback(try parsedEnvironment(), to: try version.flatMap { $0.isEmpty ? nil : try SemanticVersion(parsing: $0) })
        case "mark-best": self = .markBest(try parsedVersion())
        case "undeploy": self = .undeploy(try parsedEnvironment())
        default: throw RegistryError.invalidArgument("action must be deploy, rollback, undeploy or mark-best")
        }
    }

    public var fields: [(String, String)] {
        switch self {
        case .deploy(let version, let environment):
            return [("action", "deploy"), ("version", version.description), ("environment", environment.rawValue)]
        case .rollback(let environment, let version):
            return [("action", "rollback"), ("environment", environment.rawValue)] + (version.map { [("version", $0.description)] } ?? [])
        case .markBest(let version): return [("action", "mark-best"), ("version", version.description)]
        case .undeploy(let environment): return [("action", "undeploy"), ("environment", environment.rawValue)]
        }
    }

    /// What happened, for the notice after success.
    public func done(result: SemanticVersion?) -> String {
        switch self {
        case .deploy(let version, let environment): return "Deployed \(version) to \(environment)."
        case .rollback(let environment, _): return "Rolled \(environment) back" + (result.map { " to \($0)." } ?? ".")
        case .markBest(let version): return "Marked \(version) as the best version."
        case .undeploy(let environment): return "Undeployed \(environment): nothing serves there now."
        }
    }
}

/// The confirmation step: what will change (from → to, with score deltas), a reason, and one button.
public struct ActionPage: Sendable {
    public var model: RegisteredModel
    public var action: DashboardAction
    /// What the environment serves now (deploy and rollback).
    public var current: ModelVersion?
    /// The version the action makes current; nil for a rollback whose target the server picks.
    public var target: ModelVersion?
    /// The server's message when a previous attempt failed.
    public var error: String?
    public var reason: String
    /// The target's verdict against what the environment serves now (deploy): what would block the change.
    public var verdict: ValidationReport?

    public init(
        model: RegisteredModel, action: DashboardAction, current: ModelVersion?, target: ModelVersion?,
        error: String? = nil, reason: String = "", verdict: ValidationReport? = nil
    ) {
        self.model = model
        self.action = action
        self.current = current
        self.target = target
        self.error = error
        self.reason = reason
        self.verdict = verdict
    }

    public func render(_ context: PageContext) -> HTML {
        let name = model.name
        let title: String
        let summary: HTML
        switch action {
        case .deploy(let version, let environment):
            title = "Deploy \(version) to \(environment)"
            summary = "<p><span class=\"badge env\">\(environment.rawValue)</span> will serve <strong>\(version)</strong> instead of <strong>\(current?.version.description ?? "nothing")</strong>.</p>"
        case .rollback(let environment, let version):
            title = "Roll back \(environment)"
            let to: HTML = version.map { "<strong>\($0)</strong>" } ?? (target.map { "<strong>\($0.version)</strong>, the previous deployment" } ?? "the previous deployment")
            summary = "<p><span class=\"badge env\">\(environment.rawValue)</span> will move from <strong>\(current?.version.description ?? "nothing")</strong> back to \(to).</p>"
        case .undeploy(let environment):
            title = "Undeploy \(environment)"
            summary = "<p><span class=\"badge env\">\(environment.rawValue)</span> will serve nothing instead of <strong>\(current?.version.description ?? "nothing")</strong>; its traffic shares are cleared and the version is unloaded once its requests finish.</p>"
        case .markBest(let version):
            title = "Mark \(version) as best"
            summary = "<p><strong>\(version)</strong> will be pinned as the best version of \(name.rawValue), overriding the primary-metric rule.</p>"
        }
        let errorPanel: HTML = error.map { "<p class=\"form-error\" role=\"alert\"><strong>The server refused:</strong> \($0)</p>" } ?? .empty
        let hidden = HTML.join(action.fields.map { "<input type=\"hidden\" name=\"\($0.0)\" value=\"\($0.1)\">" as HTML })
        return PageLayout.render(
            title: title,
            crumbs: [Crumb("Models", Links.models), Crumb(name.rawValue, Links.model(name)), Crumb("Deployments", Links.deployments(name)), Crumb("Confirm")],
            context: context,
            main: """
                <h1>\(title)</h1>
                \(errorPanel)
                <section class="panel">\(summary)\(deltas)</section>
                \(verdictPanel(context))
                \(embeddingPanel)
                \(context.may(.deploy) ? .empty : PageLayout.needs(.deploy, for: "Confirming this", context))
                <form method="post" action="\(Links.deployments(name))" class="panel"\(context.may(.deploy) ? .empty : " hidden" as HTML)>
                <input type="hidden" name="csrf" value="\(context.csrfToken)">\(hidden)
                <div class="field"><label for="reason">Reason (recorded in the audit log)</label><textarea id="reason" name="reason" required maxlength="2000" placeholder="f1 +0.06 on the holdout set">\(reason)</textarea></div>
                <div class="field"><label for="actor">Your name</label><input id="actor" name="actor" value="\(context.actor)" maxlength="250" autocomplete="username" placeholder="dashboard"></div>
                \(overrideField)
                \(incompatibleField)
                <p class="toolbar"><button type="submit">Confirm: \(title)</button> <a class="button secondary" href="\(Links.deployments(name))">Cancel</a></p>
                </form>
                """)
    }

    /// The verdict a deploy would be judged by, with the checks that would refuse it.
    func verdictPanel(_ context: PageContext) -> HTML {
        guard let verdict else { return .empty }
        let heading: HTML = verdict.passed
            ? "Validation: the version passes"
            : "Validation: the version fails and the deploy will be refused unless you override it"
        return "<section class=\"panel\" aria-labelledby=\"verdict-h\"><h2 id=\"verdict-h\">\(heading)</h2>\(ValidationPanel.render(verdict, model: model.name, context: context))</section>"
    }

    /// Offered only when the verdict fails: deploying anyway is an audited override that needs the reason above.
    var overrideField: HTML {
        guard let verdict, !verdict.passed else { return .empty }
        return "<div class=\"field\"><label><input type=\"checkbox\" name=\"force\" value=\"1\"> Deploy anyway: override the failed validation (recorded in the audit log with the reason)</label></div>"
    }

    /// How the target's embeddings differ from those serving (deploy and rollback of embedding models).
    var embeddingChanges: [String] {
        guard let current, let target, current.version != target.version else { return [] }
        switch action {
        case .deploy, .rollback: return EmbeddingFacts.differences(serving: current, candidate: target)
        default: return []
        }
    }

    /// The differences, and why they block the change.
    var embeddingPanel: HTML {
        let changes = embeddingChanges
        guard !changes.isEmpty, let current, let target else { return .empty }
        let items = HTML.join(changes.map { "<li>\($0)</li>" as HTML })
        return """
            <section class="panel warning" aria-labelledby="embedding-h"><h2 id="embedding-h">Embeddings: \(target.version) is not compatible with \(current.version)</h2>
            <ul>\(items)</ul>
            <p>Vectors from \(target.version) cannot be compared with vectors from \(current.version): an index built with \(current.version) would silently stop matching. The change is refused unless you confirm the index has been rebuilt with \(target.version).</p></section>
            """
    }

    /// Offered only when the embeddings differ: an audited acknowledgement that needs the reason above.
    var incompatibleField: HTML {
        guard !embeddingChanges.isEmpty else { return .empty }
        return "<div class=\"field\"><label><input type=\"checkbox\" name=\"allow_incompatible\" value=\"1\"> The index has been rebuilt: switch to incompatible embeddings (recorded in the audit log with the reason)</label></div>"
    }

    /// Score changes from the current version to the target, coloured by direction.
    var deltas: HTML {
        guard let current, let target, current.version != target.version else { return .empty }
        let names = Set(current.scores.keys).union(target.scores.keys).sorted()
        guard !names.isEmpty else { return .empty }
        let rows = names.map { metric -> HTML in
            let from = current.scores[metric]
            let to = target.scores[metric]
            var cls = ""
            var delta = "—"
            if let from, let to, from != to {
                cls = model.direction(ofMetric: metric).isBetter(to, than: from) ? "better" : "worse"
                delta = Format.delta(to - from)
            }
            return "<tr><th scope=\"row\">\(metric)</th><td class=\"num\">\(from.map(Format.metric) ?? "—")</td><td class=\"num\">\(to.map(Format.metric) ?? "—")</td><td class=\"num \(cls)\">\(delta)</td></tr>"
        }
        return """
            <table><caption>Scores: \(current.version) → \(target.version)</caption><thead><tr><th scope="col">Metric</th><th scope="col" class="num">\(current.version)</th><th scope="col" class="num">\(target.version)</th><th scope="col" class="num">Change</th></tr></thead><tbody>\(rows)</tbody></table>
            """
    }
}
