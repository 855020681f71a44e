import Foundation
import RegistryCore

/// The OpenAPI 3.1 description of the native API, served at `/openapi.json`. A test checks that it lists exactly
/// the routes the router serves.
public enum OpenAPIDocument {
    struct Operation {
        var method: String
        var path: String
        var id: String
        var summary: String
        var query: [String] = []
        var body: String?
        var response: String = "object"
        var status: String = "200"
    }

    private static let model = "/api/v1/models/{model}"
    private static let version = "/api/v1/models/{model}/versions/{version}"

    static let operations: [Operation] = [
        .init(method: "get", path: "/healthz", id: "health", summary: "The process is up"),
        .init(method: "get", path: "/readyz", id: "ready", summary: "The store answers"),
        .init(method: "get", path: "/openapi.json", id: "openapi", summary: "This document"),
        .init(
            method: "get", path: "/api/v1/models", id: "listModels", summary: "List models",
            query: ["name", "tag", "limit", "page_token"], response: "ModelList"),
        .init(
            method: "post", path: "/api/v1/models", id: "createModel", summary: "Create a model", body: "CreateModel",
            response: "Model", status: "201"),
        .init(method: "get", path: model, id: "getModel", summary: "A model with latest, best and deployed versions", response: "ModelDetails"),
        .init(method: "patch", path: model, id: "updateModel", summary: "Update a model", body: "UpdateModel", response: "Model"),
        .init(method: "delete", path: model, id: "deleteModel", summary: "Delete a model (refused while deployed)", status: "204"),
        .init(method: "get", path: model + "/best", id: "getBest", summary: "The best version and the rule that chose it"),
        .init(method: "delete", path: model + "/best", id: "unpinBest", summary: "Clear a mark-best pin", status: "204"),
        .init(method: "get", path: model + "/tree", id: "getTree", summary: "The model's version tree"),
        .init(
            method: "get", path: model + "/compare", id: "compareVersions",
            summary: "Compare versions (JSON or ?format=markdown)", query: ["versions", "format"]),
        .init(
            method: "get", path: model + "/versions", id: "listVersions", summary: "List versions, highest first",
            query: ["status", "tag", "limit", "page_token"], response: "VersionList"),
        .init(
            method: "post", path: model + "/versions", id: "registerVersion",
            summary: "Register a version (number assigned atomically)", body: "RegisterVersion", response: "Version",
            status: "201"),
        .init(method: "get", path: version, id: "getVersion", summary: "A version (1.2.0, v1.2.0 or @alias)", response: "Version"),
        .init(method: "patch", path: version, id: "updateVersion", summary: "Update description, tags, status", body: "UpdateVersion", response: "Version"),
        .init(method: "delete", path: version, id: "deleteVersion", summary: "Delete a version (refused while deployed)", status: "204"),
        .init(method: "get", path: version + "/artifacts", id: "listArtifacts", summary: "The version's manifest"),
        .init(
            method: "put", path: version + "/artifacts/{path}", id: "uploadArtifact",
            summary: "Upload a file (streamed; optional ?sha256= or X-Modelyard-Expected-Sha256)", query: ["sha256"],
            body: "binary", status: "201"),
        .init(
            method: "get", path: version + "/artifacts/{path}", id: "downloadArtifact",
            summary: "Download a file (streamed, ETag = sha256)", response: "binary"),
        .init(
            method: "post", path: version + "/history", id: "appendHistory", summary: "Append metric points",
            body: "AppendHistory", status: "201"),
        .init(
            method: "get", path: version + "/history", id: "getHistory", summary: "Metric series and summaries",
            query: ["metric"]),
        .init(method: "get", path: version + "/history/summary", id: "getHistorySummary", summary: "Per-metric summaries", response: "array"),
        .init(method: "put", path: version + "/scores", id: "setScores", summary: "Set or merge evaluation scores", body: "Scores"),
        .init(method: "get", path: version + "/scores", id: "getScores", summary: "Scores and their change history"),
        .init(method: "get", path: version + "/lineage", id: "getLineage", summary: "Parents, children, ancestors, descendants, datasets"),
        .init(
            method: "get", path: version + "/report", id: "getReport", summary: "Version report (JSON or ?format=markdown)",
            query: ["format"]),
        .init(method: "post", path: version + "/mark-best", id: "markBest", summary: "Pin this version as best"),
        .init(
            method: "post", path: model + "/deployments", id: "deploy", summary: "Deploy a ready version to an environment",
            body: "Deploy", status: "201"),
        .init(
            method: "get", path: model + "/deployments", id: "listDeployments", summary: "Deployment history, newest first",
            query: ["environment", "limit", "page_token"]),
        .init(
            method: "post", path: model + "/rollback", id: "rollback", summary: "Roll an environment back", body: "Rollback",
            status: "201"),
        .init(method: "get", path: model + "/aliases", id: "listAliases", summary: "What each environment serves"),
        .init(
            method: "post", path: model + "/undeploy", id: "undeploy",
            summary: "Empty an environment (an undeploy record; the server unloads the version once drained)", body: "Undeploy",
            status: "201"),
        .init(method: "get", path: model + "/policy", id: "getPolicy", summary: "The model's validation policy and revision"),
        .init(
            method: "put", path: model + "/policy", id: "setPolicy",
            summary: "Set the validation policy (a new revision); re-validates the model's versions", body: "Policy"),
        .init(
            method: "post", path: version + "/validate", id: "validateVersion",
            summary: "Validate a version under the current policy against what an environment serves", body: "Validate"),
        .init(method: "get", path: version + "/validation", id: "getValidation", summary: "A version's newest verdict"),
        .init(
            method: "post", path: model + "/predict", id: "predict",
            summary: "Predict with the version an environment serves (rows or named-feature objects)", query: ["environment"],
            body: "Predict"),
        .init(
            method: "post", path: model + "/versions/{version}/predict", id: "predictVersion",
            summary: "Predict with one version", body: "Predict"),
        .init(
            method: "post", path: model + "/embed", id: "embed",
            summary: "Embed texts with a text-embedding model (the environment's version, or `version`); named prompts, truncation control",
            query: ["environment"], body: "Embed"),
        .init(
            method: "get", path: model + "/versions/{version}/performance", id: "versionPerformance",
            summary: "Inference counts, latency percentiles and throughput of a loaded version, and stored history",
            query: ["hours"]),
        .init(
            method: "post", path: model + "/versions/{version}/benchmark", id: "benchmarkVersion",
            summary: "Measure latency and throughput at batch sizes 1, 32, 1024 (or `batches`), or run a benchmark suite "
                + "on an embedding model (`suite`: quality, latency, throughput), and store the result",
            body: "Benchmark", status: "201"),
        .init(method: "get", path: model + "/versions/{version}/benchmarks", id: "listBenchmarks", summary: "Stored benchmarks of a version, newest first"),
        .init(
            method: "get", path: model + "/benchmarks", id: "benchmarkTable",
            summary: "Stored benchmarks of versions side by side (the latest per version; one suite's with `suite`), with the "
                + "change in percent against the first version; JSON, CSV or Markdown",
            query: ["suite", "versions", "format"]),
        .init(method: "get", path: "/api/v1/benchmark-suites", id: "listSuites", summary: "Registered benchmark suites"),
        .init(
            method: "put", path: "/api/v1/benchmark-suites/{suite}", id: "registerSuite",
            summary: "Register a benchmark suite from its JSON Lines file (queries, documents and judgements, or pairs); "
                + "suites never change", query: ["description"], body: "binary", status: "201"),
        .init(method: "get", path: "/api/v1/benchmark-suites/{suite}", id: "getSuite", summary: "A suite's counts and sha256"),
        .init(
            method: "get", path: "/api/v1/benchmark-suites/{suite}/file", id: "downloadSuite", summary: "A suite's JSON Lines file",
            response: "binary"),
        .init(
            method: "delete", path: "/api/v1/benchmark-suites/{suite}", id: "deleteSuite",
            summary: "Remove a suite (results that ran it stay with their versions)", status: "204"),
        .init(
            method: "get", path: model + "/versions/{version}/drift", id: "versionDrift",
            summary: "Drift of the served rows against the version's reference: live windows, verdicts per column, hourly history",
            query: ["hours"]),
        .init(
            method: "put", path: model + "/versions/{version}/drift/reference", id: "setDriftReference",
            summary: "Set the version's drift reference from a dataset (CSV with a header row, or JSON Lines)", body: "binary",
            status: "201"),
        .init(
            method: "post", path: model + "/versions/{version}/drift/check", id: "checkDrift",
            summary: "Judge a dataset (CSV or JSON Lines) against the version's reference: Evidently's DataDriftPreset rules",
            body: "binary"),
        .init(method: "get", path: model + "/drift/settings", id: "getDriftSettings", summary: "The model's drift settings"),
        .init(
            method: "post", path: model + "/webhooks", id: "createWebhook",
            summary: "Add a webhook (events: deploy, rollback, automatic_rollback, limit_breach, undeploy, drift, validation); the secret is answered once",
            body: "Webhook", status: "201"),
        .init(method: "get", path: model + "/webhooks", id: "listWebhooks", summary: "The model's webhooks (secrets as hints)"),
        .init(method: "delete", path: model + "/webhooks/{id}", id: "deleteWebhook", summary: "Delete a webhook and its deliveries", status: "204"),
        .init(
            method: "get", path: model + "/webhooks/{id}/deliveries", id: "listWebhookDeliveries",
            summary: "A webhook's deliveries, newest first, with every attempt", query: ["limit"]),
        .init(
            method: "put", path: model + "/drift/settings", id: "setDriftSettings",
            summary: "Set per-column methods and thresholds, ignored columns, drift_share, drift_threshold, reference file",
            body: "DriftSettings"),
        .init(method: "delete", path: model + "/drift/settings", id: "resetDriftSettings", summary: "Back to Evidently's defaults"),
        .init(method: "get", path: model + "/traffic", id: "getTraffic", summary: "Traffic policy per environment"),
        .init(
            method: "put", path: model + "/traffic", id: "setTraffic",
            summary: "Share an environment's traffic with canary versions; set or clear a shadow", body: "Traffic"),
        .init(method: "get", path: model + "/serving-limits", id: "getServingLimits", summary: "When the serving version is rolled back automatically"),
        .init(
            method: "put", path: model + "/serving-limits", id: "setServingLimits",
            summary: "Set the error-rate and p99 limits (or reset to the defaults)", body: "ServingLimits"),
        .init(method: "get", path: "/api/v1/serving", id: "servingStatus", summary: "What this server serves, per model and environment"),
        .init(method: "get", path: "/metrics", id: "metrics", summary: "Prometheus metrics", response: "text"),
        .init(method: "get", path: model + "/audit", id: "listAudit", summary: "Audit log, newest first", query: ["limit", "page_token"]),
        .init(
            method: "get", path: "/api/v1/experiments", id: "listExperiments", summary: "Experiments (groups of runs)",
            query: ["name", "view", "limit", "page_token"]),
        .init(method: "get", path: "/api/v1/experiments/{experiment}", id: "getExperiment", summary: "One experiment"),
        .init(
            method: "get", path: "/api/v1/runs", id: "listRuns", summary: "Runs of an experiment, newest first",
            query: ["experiment", "filter", "view", "limit", "page_token"]),
        .init(
            method: "get", path: "/api/v1/runs/{run}", id: "getRun",
            summary: "A run: state, params, tags, latest metrics, datasets"),
        .init(
            method: "post", path: "/api/v1/imports", id: "importTraining",
            summary: "Import a training folder (its blobs, or a path under --import-root) as a validated ready version; 201 imported, 200 duplicate",
            body: "TrainingImport", status: "201"),
        .init(
            method: "get", path: "/api/v1/imports", id: "listImports", summary: "Import attempts, newest first",
            query: ["model", "outcome", "content_sha256", "limit", "page_token"]),
        .init(method: "get", path: "/api/v1/imports/{id}", id: "getImport", summary: "One import attempt with its files and verdict"),
        .init(method: "get", path: "/api/v1/export", id: "exportRegistry", summary: "Whole-registry snapshot (metadata)"),
        .init(method: "post", path: "/api/v1/import", id: "importRegistry", summary: "Restore a snapshot", status: "201"),
        .init(method: "put", path: "/api/v1/blobs/{sha256}", id: "putBlob", summary: "Upload a blob by digest", body: "binary", status: "201"),
        .init(method: "get", path: "/api/v1/blobs/{sha256}", id: "getBlob", summary: "Download a blob by digest", response: "binary"),
        .init(
            method: "post", path: "/api/v1/admin/gc", id: "collectGarbage", summary: "Collect unreferenced blobs",
            query: ["grace_seconds"]),
        .init(
            method: "post", path: "/api/v1/tokens", id: "createToken",
            summary: "Create an API token; the answer holds its secret, shown this once", body: "CreateToken",
            response: "CreatedToken", status: "201"),
        .init(method: "get", path: "/api/v1/tokens", id: "listTokens", summary: "Every token (never a secret)", response: "TokenList"),
        .init(
            method: "delete", path: "/api/v1/tokens/{name}", id: "revokeToken",
            summary: "Revoke a token; the next request with it is refused", response: "Token"),
        .init(method: "get", path: "/api/v1/whoami", id: "whoAmI", summary: "The token this request presents", response: "WhoAmI"),
    ]

    /// The document as JSON text.
    public static let json: String = {
        var paths: [String: [String: Any]] = [:]
        for operation in operations {
            var entry: [String: Any] = [
                "operationId": operation.id, "summary": operation.summary,
                "responses": [
                    // A 204 has no body, so no media type.
                    operation.status: operation.status == "204"
                        ? ["description": "Success"] as [String: Any]
                        : ["description": "Success", "content": content(operation.response)],
                    "default": ["description": "Error", "content": content("Error")],
                ],
            ]
            var parameters: [[String: Any]] = pathParameters(operation.path).map {
                ["name": $0, "in": "path", "required": true, "schema": ["type": "string"]]
            }
            parameters += operation.query.map { ["name": $0, "in": "query", "required": false, "schema": ["type": "string"]] }
            parameters.append([
                "name": "X-Modelyard-Actor", "in": "header", "required": false, "schema": ["type": "string"],
                "description": "Who is acting (recorded in the audit log)",
            ])
            entry["parameters"] = parameters
            // Who may call it: the scope its route needs (see RouteAccess); open routes need no token.
            let access = RouteAccess.table["\(operation.method.uppercased()) \(operation.path.replacingOccurrences(of: "{path}", with: "**"))"]
            entry["x-modelyard-scope"] = access?.requirement.rawValue ?? "admin"
            if access?.requirement == AccessRequirement.none { entry["security"] = [[String: Any]]() }
            if let body = operation.body {
                entry["requestBody"] = ["required": true, "content": content(body)]
            }
            paths[operation.path, default: [:]][operation.method] = entry
        }
        let document: [String: Any] = [
            "openapi": "3.1.0",
            "info": [
                "title": "Modelyard API", "version": "1.0.0",
                "description": "Model registry and model server. Errors are {\"error\": {\"code\", \"message\"}}. "
                    + "When the server requires tokens (always on a non-loopback address), send `Authorization: Bearer <token>`; "
                    + "each operation's `x-modelyard-scope` names the scope it needs (read, write, deploy, admin, predict).",
            ],
            "paths": paths,
            // A token is needed when authentication is on; a loopback server without --auth takes requests without one.
            "security": [["bearerAuth": [String]()], [String: Any]()],
            "components": [
                "schemas": OpenAPISchemas.all,
                "securitySchemes": ["bearerAuth": ["type": "http", "scheme": "bearer", "description": "A Modelyard API token (myd_…)"]],
            ],
        ]
        let data = (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .prettyPrinted])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }()

    private static func content(_ schema: String) -> [String: Any] {
        switch schema {
        case "binary": return ["application/octet-stream": ["schema": ["type": "string", "format": "binary"]]]
        case "object": return ["application/json": ["schema": ["type": "object"]]]
        case "array": return ["application/json": ["schema": ["type": "array"]]]
        case "text": return ["text/plain": ["schema": ["type": "string"]]]
        default: return ["application/json": ["schema": ["$ref": "#/components/schemas/\(schema)"]]]
        }
    }

    private static func pathParameters(_ path: String) -> [String] {
        path.split(separator: "/").filter { $0.hasPrefix("{") }.map { String($0.dropFirst().dropLast()) }
    }
}
