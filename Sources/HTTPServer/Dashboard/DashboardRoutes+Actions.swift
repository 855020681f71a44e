import Dashboard
import Foundation
import Hummingbird
import Registry
import RegistryCore
import ModelyardAPI

/// The dashboard's state changes. Each one checks the CSRF token, then calls the same registry use case the API
/// calls, so validation and the audit log are the API's own.
extension DashboardRoutes {
    func confirmPage(_ request: Request, _ context: ModelyardRequestContext, _ name: ModelName) async throws -> Response {
        let session = DashboardSession(request: request, context: context)
        let action = try DashboardAction(
            action: request.query("action"), version: request.query("version"), environment: request.query("environment"))
        let page = try await actionPage(name, action)
        return DashboardResponse.html(page.render(session.context(now: registry.now())), session: session)
    }

    /// What the confirmation shows: the environment's current version and the action's target.
    func actionPage(_ name: ModelName, _ action: DashboardAction, error: String? = nil, reason: String = "") async throws
        -> ActionPage
    {
        let details = try await registry.modelDetails(name)
        func current(_ environment: EnvironmentName) async throws -> ModelVersion? {
            guard let pointer = details.deployed.first(where: { $0.environment == environment }) else { return nil }
            return try await registry.version(name, .version(pointer.version))
        }
        switch action {
        case .deploy(let version, let environment):
            return ActionPage(
                model: details.model, action: action, current: try await current(environment),
                target: try await registry.version(name, .version(version)), error: error, reason: reason,
                verdict: try await registry.previewValidation(name, .version(version), environment: environment))
        case .rollback(let environment, let version):
            let now = try await current(environment)
            guard now != nil else {
                throw RegistryError.failedPrecondition("\(environment) serves nothing, so there is nothing to roll back")
            }
            var target: ModelVersion?
            if let version {
                target = try await registry.version(name, .version(version))
            } else if let previous = try await registry.deployments(name, environment: environment, page: try PageRequest(limit: 1))
                .items.first?.fromVersion
            {
                target = try? await registry.version(name, .version(previous))
            }
            return ActionPage(model: details.model, action: action, current: now, target: target, error: error, reason: reason)
        case .undeploy(let environment):
            guard let now = try await current(environment) else {
                throw RegistryError.failedPrecondition("\(environment) serves nothing, so there is nothing to undeploy")
            }
            return ActionPage(model: details.model, action: action, current: now, target: nil, error: error, reason: reason)
        case .markBest(let version):
            var best: ModelVersion?
            if let pinned = details.best { best = try await registry.version(name, .version(pinned.version)) }
            return ActionPage(
                model: details.model, action: action, current: best,
                target: try await registry.version(name, .version(version)), error: error, reason: reason)
        }
    }

    func performAction(_ request: Request, _ context: ModelyardRequestContext, _ name: ModelName) async throws -> Response {
        let session = DashboardSession(request: request, context: context)
        let form = try await DashboardResponse.form(request)
        try DashboardSession.verify(request, form: form)
        let action = try DashboardAction(action: form["action"], version: form["version"], environment: form["environment"])
        let reason = (form["reason"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let actor = (form["actor"] ?? "").trimmingCharacters(in: .whitespaces)
        do {
            guard !reason.isEmpty else {
                throw RegistryError.invalidArgument("give a reason; it is recorded with the change in the audit log")
            }
            let audit = AuditContext(actor: actor.isEmpty ? "dashboard" : actor, reason: reason)
            let done: String
            switch action {
            case .deploy(let version, let environment):
                let record = try await registry.deploy(
                    name, .version(version), environment: environment, force: form["force"] == "1",
                    allowIncompatible: form["allow_incompatible"] == "1", audit: audit)
                done = "deployment-\(record.id)"
            case .rollback(let environment, let version):
                let record = try await registry.rollback(
                    name, environment: environment, to: version.map(VersionSelector.version),
                    allowIncompatible: form["allow_incompatible"] == "1", audit: audit)
                done = "deployment-\(record.id)"
            case .markBest(let version):
                _ = try await registry.markBest(name, .version(version), audit: audit)
                done = "best"
            case .undeploy(let environment):
                guard let record = try await registry.undeploy(name, environment: environment, audit: audit) else {
                    throw RegistryError.failedPrecondition("\(environment) serves nothing, so there is nothing to undeploy")
                }
                done = "deployment-\(record.id)"
            }
            return DashboardResponse.redirect(
                Links.deployments(name) + Links.query([("done", done)]), session: session, actor: actor)
        } catch let error as RegistryError where error.code != .internal {
            // The confirmation again, with the server's message and what was typed.
            let page = try await actionPage(name, action, error: error.message, reason: reason)
            return DashboardResponse.html(
                page.render(session.context(now: registry.now())), status: error.httpStatus, session: session, actor: actor)
        }
    }

    func savePolicy(_ request: Request, _ context: ModelyardRequestContext, _ name: ModelName) async throws -> Response {
        let session = DashboardSession(request: request, context: context)
        let form = try await DashboardResponse.form(request)
        try DashboardSession.verify(request, form: form)
        let actor = (form["actor"] ?? "").trimmingCharacters(in: .whitespaces)
        let document = form["policy"] ?? ""
        do {
            // The API's own decoding and checks: the same document is accepted or refused with the same message.
            let policy: ValidationPolicy
            do {
                policy = try APIJSON.decoder.decode(ValidationPolicy.self, from: Data(document.utf8))
            } catch let error as DecodingError {
                throw RegistryError.invalidArgument(APIJSON.describe(error))
            }
            let saved = try await registry.setValidationPolicy(
                name, policy, audit: AuditContext(actor: actor.isEmpty ? "dashboard" : actor, reason: "edited on the dashboard"))
            return DashboardResponse.redirect(
                Links.policy(name) + Links.query([("saved", String(saved.revision))]), session: session, actor: actor)
        } catch let error as RegistryError where error.code != .internal {
            let html = PolicyPage(
                model: try await registry.modelDetails(name).model, policy: try await registry.validationPolicy(name),
                document: document, error: error.message
            ).render(session.context(now: registry.now()))
            return DashboardResponse.html(html, status: error.httpStatus, session: session, actor: actor)
        }
    }

    func createModel(_ request: Request, _ context: ModelyardRequestContext) async throws -> Response {
        let session = DashboardSession(request: request, context: context)
        let form = try await DashboardResponse.form(request)
        try DashboardSession.verify(request, form: form)
        let actor = form["actor"] ?? ""
        do {
            let model = try RegisterForms.model(
                name: form["name"] ?? "", description: form["model_description"] ?? "", owner: form["owner"] ?? "",
                task: form["task"] ?? "", primaryMetric: (form["primary_metric"] ?? "").trimmingCharacters(in: .whitespaces),
                direction: form["direction"] ?? "max", tags: form["tags"] ?? "")
            let created = try await registry.createModel(model, audit: AuditContext(actor: actor.isEmpty ? "dashboard" : actor))
            return DashboardResponse.redirect(
                Links.register + Links.query([("model", created.name.rawValue), ("created", "1")]), session: session, actor: actor)
        } catch let error as RegistryError where error.code != .internal {
            return try await registerFailure(request, session: session, form: "model", error: error, values: form)
        }
    }

    func registerVersion(_ request: Request, _ context: ModelyardRequestContext) async throws -> Response {
        let session = DashboardSession(request: request, context: context)
        let form = try await DashboardResponse.form(request)
        try DashboardSession.verify(request, form: form)
        let actor = form["actor"] ?? ""
        do {
            let name = try ModelName(validating: form["model"] ?? "")
            // Files follow through the artifact API, which accepts them only while the version is a draft.
            let uploading = form["uploading"] == "true"
            let status = try Self.status(form["status"])
            let version = try RegisterForms.version(
                model: name, bump: form["bump"] ?? "", description: form["description"] ?? "",
                framework: form["framework"] ?? "", params: form["params"] ?? "", scores: form["scores"] ?? "",
                parents: form["parents"] ?? "", gitCommit: form["git_commit"] ?? "", status: uploading ? .draft : status)
            let created = try await registry.registerVersion(
                name, version, audit: AuditContext(actor: actor.isEmpty ? "dashboard" : actor, reason: "registered from the dashboard"))
            let page = Links.version(name, created.version)
            if DashboardResponse.wantsJSON(request) {
                return try DashboardResponse.json(
                    [
                        "page": page, "version": created.version.description,
                        "artifacts": "/api/v1/models/\(Links.segment(name.rawValue))/versions/\(created.version)/artifacts/",
                        "finish": page + "/finish" + Links.query([("status", status.rawValue)]),
                    ], status: .created, session: session)
            }
            return DashboardResponse.redirect(page, session: session, actor: actor)
        } catch let error as RegistryError where error.code != .internal {
            if DashboardResponse.wantsJSON(request) {
                var response = try JSONBody.response(
                    APIErrorBody(code: error.code.rawValue, message: error.message), status: error.httpStatus)
                session.apply(to: &response)
                return response
            }
            return try await registerFailure(request, session: session, form: "version", error: error, values: form)
        }
    }

    /// After the register page's files are uploaded: the version takes the status the form asked for.
    func finishVersion(_ request: Request, _ context: ModelyardRequestContext, _ name: ModelName, _ selector: VersionSelector) async throws -> Response {
        let session = DashboardSession(request: request, context: context)
        let form = try await DashboardResponse.form(request)
        try DashboardSession.verify(request, form: form)
        let status = try Self.status(request.query("status"))
        var version = try await registry.version(name, selector)
        if status != version.status {
            version = try await registry.updateVersion(
                name, .version(version.version), patch: VersionPatch(status: status),
                audit: AuditContext(actor: session.actor.isEmpty ? "dashboard" : session.actor, reason: "files uploaded from the dashboard"))
        }
        return try DashboardResponse.json(["page": Links.version(name, version.version), "status": version.status.rawValue], session: session)
    }

    static func status(_ text: String?) throws -> VersionStatus {
        switch text ?? "ready" {
        case "ready": return .ready
        case "draft": return .draft
        default: throw RegistryError.invalidArgument("status must be ready or draft")
        }
    }

    func registerFailure(
        _ request: Request, session: DashboardSession, form: String, error: RegistryError, values: [String: String]
    ) async throws -> Response {
        let models = try await registry.listModels(filter: .init(), page: .all).items.map(\.name)
        var kept = values
        kept["csrf"] = nil
        let html = RegisterPage(
            models: models, selected: try? ModelName(validating: values["model"] ?? ""), error: (form, error.message), values: kept
        ).render(session.context(now: registry.now()))
        return DashboardResponse.html(html, status: error.httpStatus, session: session)
    }
}
