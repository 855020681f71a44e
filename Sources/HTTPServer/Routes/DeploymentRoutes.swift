import Hummingbird
import Registry
import RegistryCore
import ModelyardAPI

/// Deploy, roll back, and read deployment history, aliases and the audit log.
struct DeploymentRoutes {
    let registry: Registry

    func register(on api: RouterGroup<ModelyardRequestContext>) {
        api.post("models/{model}/deployments") { request, context in
            let body = try await JSONBody.decode(DeployRequest.self, from: request)
            let record = try await registry.deploy(
                try context.modelName(), try VersionSelector(parsing: body.version),
                environment: try environment(body.environment), force: body.force ?? false,
                allowIncompatible: body.allowIncompatible ?? false, audit: request.audit(reason: body.reason))
            return try JSONBody.response(record, status: .created)
        }
        api.get("models/{model}/deployments") { request, context in
            let page = try await registry.deployments(
                try context.modelName(), environment: try request.query("environment").map(EnvironmentName.init(validating:)),
                page: try request.pageRequest())
            return try JSONBody.response(DeploymentListResponse(deployments: page.items, nextPageToken: page.nextPageToken))
        }
        api.post("models/{model}/rollback") { request, context in
            let body = try await JSONBody.decode(RollbackRequest.self, from: request)
            let record = try await registry.rollback(
                try context.modelName(), environment: try environment(body.environment),
                to: try body.version.map(VersionSelector.init(parsing:)), allowIncompatible: body.allowIncompatible ?? false,
                audit: request.audit(reason: body.reason))
            return try JSONBody.response(record, status: .created)
        }
        api.post("models/{model}/undeploy") { request, context in
            let body = try await JSONBody.decode(UndeployRequest.self, from: request)
            let model = try context.modelName()
            let target = try environment(body.environment)
            guard let record = try await registry.undeploy(model, environment: target, audit: request.audit(reason: body.reason)) else {
                throw RegistryError.notFound("nothing is deployed to '\(target)' of '\(model)'")
            }
            return try JSONBody.response(record, status: .created)
        }
        api.get("models/{model}/policy") { _, context in
            try JSONBody.response(try await registry.validationPolicy(try context.modelName()))
        }
        api.put("models/{model}/policy") { request, context in
            let policy = try await JSONBody.decode(ValidationPolicy.self, from: request)
            return try JSONBody.response(
                try await registry.setValidationPolicy(try context.modelName(), policy, audit: request.audit()))
        }
        api.post("models/{model}/versions/{version}/validate") { request, context in
            let body = try await JSONBody.decode(ValidateRequest.self, from: request)
            return try JSONBody.response(
                try await registry.validate(
                    try context.modelName(), try context.versionSelector(),
                    environment: try body.environment.map(EnvironmentName.init(validating:)), actor: request.audit().actor))
        }
        api.get("models/{model}/versions/{version}/validation") { _, context in
            let model = try context.modelName()
            let selector = try context.versionSelector()
            guard let report = try await registry.validationReport(model, selector) else {
                throw RegistryError.notFound(
                    "version \(selector) of '\(model)' was never validated; POST .../validate to validate it now")
            }
            return try JSONBody.response(report)
        }
        api.get("models/{model}/aliases") { _, context in
            try JSONBody.response(AliasListResponse(aliases: try await registry.aliases(try context.modelName())))
        }
        api.get("models/{model}/audit") { request, context in
            let page = try await registry.audit(try context.modelName(), page: try request.pageRequest())
            return try JSONBody.response(AuditListResponse(entries: page.items, nextPageToken: page.nextPageToken))
        }
    }
}
