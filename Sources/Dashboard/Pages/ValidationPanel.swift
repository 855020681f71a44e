import Foundation
import RegistryCore

/// A version's verdict: passed or failed, the score, the baseline it was compared with, and every check.
enum ValidationPanel {
    static func badge(_ report: ValidationReport) -> HTML {
        report.passed
            ? "<span class=\"badge ready\">passed \(ValidationReport.format(report.score))</span>"
            : "<span class=\"badge failed\">failed \(ValidationReport.format(report.score))</span>"
    }

    static func outcome(_ outcome: ValidationReport.Outcome) -> HTML {
        switch outcome {
        case .pass: "<span class=\"badge ready\">pass</span>"
        case .warning: "<span class=\"badge best\">warning</span>"
        case .error: "<span class=\"badge failed\">error</span>"
        case .skipped: "<span class=\"badge\">skipped</span>"
        }
    }

    /// The checks as a table, with what was measured and the threshold it was held to.
    static func render(_ report: ValidationReport, model: ModelName, context: PageContext) -> HTML {
        let against: HTML = report.baseline.map {
            "against <a href=\"\(Links.version(model, $0))\">\($0.description)</a>, which \(report.environment.rawValue) served"
        } ?? "with nothing serving in \(report.environment.rawValue) to compare with"
        let rows = report.checks.map { check -> HTML in
            """
            <tr><td>\(outcome(check.outcome))</td><th scope="row" class="mono">\(check.name)</th><td>\(check.message)</td>\
            <td class="num">\(check.observed.map(Format.metric) ?? "")</td><td class="num">\(check.threshold.map(Format.metric) ?? "")</td></tr>
            """
        }
        let table: HTML = report.checks.isEmpty
            ? "<p class=\"muted\">No rule of the policy applies to this version.</p>"
            : """
                <div class="table-wrap"><table><caption class="sr">Checks</caption><thead><tr><th scope="col">Outcome</th><th scope="col">Check</th><th scope="col">Why</th><th scope="col" class="num">Measured</th><th scope="col" class="num">Threshold</th></tr></thead>
                <tbody>\(rows)</tbody></table></div>
                """
        return """
            <p>\(badge(report)) under policy revision \(String(report.policyRevision)), \(against); judged \(Badges.time(report.validatedAt, now: context.now)) by \(report.validatedBy).</p>
            \(table)
            """
    }

    static func section(_ report: ValidationReport?, model: ModelName, version: SemanticVersion, context: PageContext) -> HTML {
        let body: HTML = report.map { render($0, model: model, context: context) }
            ?? "<p class=\"muted\">Not validated yet. <code>modelyard validate \(model.rawValue) \(version)</code> judges it under the <a href=\"\(Links.policy(model))\">policy</a>.</p>"
        return "<section aria-labelledby=\"validation-h\"><h2 id=\"validation-h\">Validation</h2>\(body)<p><a href=\"\(Links.policy(model))\">The model's policy</a></p></section>"
    }
}

/// `/imports`: every training-folder import attempt, newest first, with its outcome and verdict.
public struct ImportsPage: Sendable {
    public var imports: [ImportRecord]
    public var model: String
    public var outcome: String
    public var nextPage: String?

    public init(imports: [ImportRecord], model: String, outcome: String, nextPage: String?) {
        self.imports = imports
        self.model = model
        self.outcome = outcome
        self.nextPage = nextPage
    }

    public func render(_ context: PageContext) -> HTML {
        let rows = imports.map { record -> HTML in
            let version: HTML = record.model.flatMap { model in record.version.map { (model, $0) } }.map {
                "<a href=\"\(Links.version($0.0, $0.1))\">\($0.1.description)</a>"
            } ?? "—"
            let modelCell: HTML = record.model.map { "<a href=\"\(Links.model($0))\">\($0.rawValue)</a>" } ?? "—"
            let outcomeBadge: HTML = switch record.outcome {
            case .imported: "<span class=\"badge ready\">imported</span>"
            case .duplicate: "<span class=\"badge\">duplicate</span>"
            case .refused: "<span class=\"badge failed\">refused</span>"
            }
            let verdict: HTML = record.validation.map { ValidationPanel.badge($0) } ?? "—"
            let detail: String = record.outcome == .refused ? record.reason ?? "" : (record.promotion ?? record.reason ?? "")
            return """
                <tr><td class="num">\(String(record.id))</td><td>\(Badges.time(record.startedAt, now: context.now))</td><td>\(outcomeBadge)</td>\
                <td>\(modelCell)</td><td>\(version)</td><td>\(verdict)</td><td class="mono">\(record.source)</td><td>\(detail)</td>\
                <td class="num">\(String(record.files.count))</td><td>\(record.actor)</td></tr>
                """
        }
        let options = ["", "imported", "duplicate", "refused"].map { value -> HTML in
            "<option value=\"\(value)\"\(value == outcome ? " selected" : "")>\(value.isEmpty ? "any outcome" : value)</option>"
        }
        let more: HTML = nextPage.map { "<p><a class=\"button secondary\" href=\"\($0)\">Older imports</a></p>" } ?? .empty
        return PageLayout.render(
            title: "Imports", crumbs: [Crumb("Models", Links.models), Crumb("Imports")], context: context, live: "",
            main: """
                <h1>Imports</h1>
                <p>Training folders handed over by <code>modelyard import-training</code>, <code>POST /api/v1/imports</code> or a watched directory.</p>
                <form method="get" action="\(Links.imports)" class="toolbar" role="search">
                <label for="model">Model</label><input id="model" name="model" value="\(model)" maxlength="250">
                <label for="outcome">Outcome</label><select id="outcome" name="outcome">\(HTML.join(options))</select>
                <button type="submit">Filter</button></form>
                \(imports.isEmpty ? "<p class=\"muted\">No imports match.</p>" as HTML : """
                    <div class="table-wrap"><table><caption class="sr">Imports</caption><thead><tr><th scope="col" class="num">#</th><th scope="col">When</th><th scope="col">Outcome</th><th scope="col">Model</th><th scope="col">Version</th><th scope="col">Verdict</th><th scope="col">Source</th><th scope="col">Reason or promotion</th><th scope="col" class="num">Files</th><th scope="col">By</th></tr></thead>
                    <tbody>\(rows)</tbody></table></div>
                    """)
                \(more)
                """)
    }
}

/// `/models/{model}/policy`: the model's validation policy, and a form to replace it.
public struct PolicyPage: Sendable {
    public var model: RegisteredModel
    public var policy: PolicyRevision
    /// The JSON document in the form (the current policy, or what was typed when it was refused).
    public var document: String
    public var error: String?

    public init(model: RegisteredModel, policy: PolicyRevision, document: String, error: String? = nil) {
        self.model = model
        self.policy = policy
        self.document = document
        self.error = error
    }

    public func render(_ context: PageContext) -> HTML {
        let name = model.name
        let p = policy.policy
        let rules = p.metrics.map { rule -> HTML in
            let direction = rule.direction ?? model.direction(ofMetric: rule.metric)
            var change: [String] = []
            if let absolute = rule.minAbsoluteChange { change.append("≥ \(ValidationReport.format(absolute))") }
            if let relative = rule.minRelativeChange { change.append("≥ \(ValidationReport.format(relative * 100)) %") }
            return """
                <tr><th scope="row" class="mono">\(rule.metric)</th><td>\(direction == .maximize ? "higher is better" : "lower is better")</td>\
                <td class="num">\(rule.error.map(ValidationReport.format) ?? "—")</td><td class="num">\(rule.warning.map(ValidationReport.format) ?? "—")</td>\
                <td>\(rule.required ? "yes" : "no")</td><td>\(change.isEmpty ? "—" : change.joined(separator: ", "))</td></tr>
                """
        }
        let age = [
            p.monitorAfterDays.map { "warn after \($0) days (monitor for drift)" },
            p.retrainAfterDays.map { "warn after \($0) days (consider retraining)" },
            p.maxAgeDays.map { "fail after \($0) days" },
        ].compactMap { $0 }
        let revision: HTML = policy.revision == 0
            ? "The default policy (none was set)."
            : "Revision \(String(policy.revision)), set by \(policy.updatedBy ?? "?") \(policy.updatedAt.map { Badges.time($0, now: context.now) } ?? "")."
        let errorPanel: HTML = error.map { "<p class=\"form-error\" role=\"alert\"><strong>The server refused:</strong> \($0)</p>" } ?? .empty
        return PageLayout.render(
            title: "\(name.rawValue) policy",
            crumbs: [Crumb("Models", Links.models), Crumb(name.rawValue, Links.model(name)), Crumb("Policy")],
            context: context,
            main: """
                <h1>Validation policy of \(name.rawValue)</h1>
                <p>\(revision) A version deploys only when no check is an error and its score (1 − 0.2 × errors − 0.05 × warnings) reaches \(ValidationReport.format(p.minScore)).</p>
                <section class="panel" aria-labelledby="rules-h"><h2 id="rules-h">Rules</h2>
                \(rules.isEmpty ? "<p class=\"muted\">No metric rules.</p>" as HTML : """
                    <div class="table-wrap"><table><caption class="sr">Metric rules</caption><thead><tr><th scope="col">Metric</th><th scope="col">Direction</th><th scope="col" class="num">Error below/above</th><th scope="col" class="num">Warning below/above</th><th scope="col">Required</th><th scope="col">Change vs serving</th></tr></thead><tbody>\(HTML.join(rules))</tbody></table></div>
                    """)
                <ul><li>Required files: \(p.requiredFiles.isEmpty ? "none" : p.requiredFiles.joined(separator: ", "))</li>
                <li>Age: \(age.isEmpty ? "not checked" : age.joined(separator: "; "))</li>
                <li>Input features against the serving version: \(p.featureCompatibility.rawValue)</li>
                <li>Loadability: \(p.loadability ? "checked" : "not checked")</li>
                <li>Baseline environment: \(p.baselineEnvironment.rawValue)</li>
                <li>Promotion of passing imports: \(p.promote.map { "to \($0.environment.rawValue)" + ($0.canaryPercent.map { " as a \($0) % canary" } ?? "") } ?? "off")</li></ul>
                </section>
                \(errorPanel)
                \(context.may(.admin) ? .empty : PageLayout.needs(.admin, for: "Changing the policy", context))
                <form method="post" action="\(Links.policy(name))" class="panel"\(context.may(.admin) ? .empty : " hidden" as HTML)>
                <input type="hidden" name="csrf" value="\(context.csrfToken)">
                <div class="field"><label for="policy">Policy (JSON; saving makes a new revision and validates the versions again)</label>
                <textarea id="policy" name="policy" rows="16" class="mono" required maxlength="200000">\(document)</textarea></div>
                <div class="field"><label for="actor">Your name</label><input id="actor" name="actor" value="\(context.actor)" maxlength="250" autocomplete="username" placeholder="dashboard"></div>
                <p class="toolbar"><button type="submit">Save policy</button> <a class="button secondary" href="\(Links.model(name))">Cancel</a></p>
                </form>
                """)
    }
}
