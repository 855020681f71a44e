/// Component schemas of the OpenAPI document (the main request and response bodies).
enum OpenAPISchemas {
    private static func object(_ properties: [String: Any], required: [String] = []) -> [String: Any] {
        var schema: [String: Any] = ["type": "object", "properties": properties]
        if !required.isEmpty { schema["required"] = required }
        return schema
    }

    private static var string: [String: Any] { ["type": "string"] }
    private static var number: [String: Any] { ["type": "number"] }
    private static var integer: [String: Any] { ["type": "integer"] }
    private static var boolean: [String: Any] { ["type": "boolean"] }
    private static var tags: [String: Any] { ["type": "object", "additionalProperties": ["type": "string"]] }
    private static var scores: [String: Any] { ["type": "object", "additionalProperties": ["type": "number"]] }
    private static var time: [String: Any] { ["type": "string", "format": "date-time"] }
    private static var directions: [String: Any] {
        ["type": "object", "additionalProperties": ["type": "string", "enum": ["max", "min", "maximize", "minimize"]]]
    }
    private static var severity: [String: Any] { ["type": "string", "enum": ["error", "warning", "off"]] }
    private static var semver: [String: Any] { ["type": "string", "pattern": "^v?\\d+\\.\\d+\\.\\d+$"] }
    private static func ref(_ name: String) -> [String: Any] { ["$ref": "#/components/schemas/\(name)"] }
    private static func array(_ items: [String: Any]) -> [String: Any] { ["type": "array", "items": items] }

    static var all: [String: Any] {
        [
        "Error": object(["error": object(["code": string, "message": string], required: ["code", "message"])]),
        "CreateToken": object(
            [
                "name": ["type": "string", "pattern": "^[A-Za-z0-9._-]{1,64}$"],
                "scopes": array(["type": "string", "enum": ["read", "write", "deploy", "admin", "predict"]]),
                "models": array(string), "model_prefixes": array(string),
                "expires_in": ["type": "string", "pattern": "^[0-9]+[smhdwy]$"],
            ], required: ["name", "scopes"]),
        "Token": object(
            [
                "name": string, "scopes": array(string), "models": array(string), "model_prefixes": array(string),
                "hint": string, "state": ["type": "string", "enum": ["active", "expired", "revoked"]],
                "created_at": time, "created_by": string, "expires_at": time, "revoked_at": time, "revoked_by": string,
                "last_used_at": time,
            ], required: ["name", "scopes", "hint", "state", "created_at", "created_by"]),
        "CreatedToken": object(["secret": string, "token": ref("Token")], required: ["secret", "token"]),
        "TokenList": object(["tokens": array(ref("Token"))], required: ["tokens"]),
        "WhoAmI": object(["authentication": boolean, "token": ref("Token")], required: ["authentication"]),
        "CreateModel": object(
            [
                "name": string, "description": string, "owner": string, "task": string, "tags": tags,
                "primary_metric": string, "metric_direction": ["type": "string", "enum": ["max", "min"]],
                "default_bump": ["type": "string", "enum": ["major", "minor", "patch"]], "deprecate_on_replace": boolean,
                "metric_directions": directions,
            ], required: ["name"]),
        "UpdateModel": object([
            "description": string, "owner": string, "task": string, "tags": tags, "primary_metric": string,
            "metric_direction": string, "default_bump": string, "deprecate_on_replace": boolean,
            "metric_directions": directions,
        ]),
        "Model": object([
            "name": string, "description": string, "owner": string, "task": string, "tags": tags,
            "primary_metric": string, "metric_direction": string, "default_bump": string,
            "deprecate_on_replace": boolean, "pinned_best": semver, "metric_directions": directions, "created_at": time,
            "updated_at": time,
        ]),
        "ModelDetails": ["allOf": [ref("Model"), object([
            "latest_version": ["anyOf": [ref("Version"), ["type": "null"]]], "best": ["type": ["object", "null"]], "deployed": tags,
        ])]],
        "ModelList": object(["models": array(ref("Model")), "next_page_token": string]),
        "Dataset": object(["name": string, "uri": string, "sha256": string, "rows": integer, "role": string], required: ["name", "uri"]),
        "Parent": object(["model": string, "version": semver], required: ["version"]),
        "RegisterVersion": object([
            "version": semver, "bump": ["type": "string", "enum": ["major", "minor", "patch"]],
            "status": ["type": "string", "enum": ["draft", "training", "ready"]], "description": string, "tags": tags,
            "framework": string, "base_model": string, "source_uri": string, "git_commit": string,
            "params": ["type": "object"], "scores": scores, "datasets": array(ref("Dataset")),
            "duration_seconds": number, "cost": number, "hardware": string, "signature": ["type": "object"],
            "parents": array(ref("Parent")), "run_id": string, "trained_at": time,
        ]),
        "UpdateVersion": object([
            "description": string, "tags": tags, "reason": string,
            "status": ["type": "string", "enum": ["draft", "training", "ready", "deprecated", "archived"]],
        ]),
        "Version": object([
            "model": string, "version": semver, "status": string, "description": string, "tags": tags,
            "framework": string, "base_model": string, "source_uri": string, "git_commit": string,
            "params": ["type": "object"], "scores": scores, "datasets": array(ref("Dataset")),
            "duration_seconds": number, "cost": number, "hardware": string, "signature": ["type": "object"],
            "parents": array(ref("Parent")), "run_id": string, "created_by": string, "created_at": time,
            "updated_at": time, "trained_at": time, "environments": array(string),
            "artifacts": array(object(["path": string, "size": integer, "sha256": string, "created_at": time])),
        ]),
        "VersionList": object(["versions": array(ref("Version")), "next_page_token": string]),
        "AppendHistory": object(
            [
                "points": array(
                    object(
                        ["metric": string, "step": integer, "value": number, "timestamp": integer],
                        required: ["metric", "step", "value"]))
            ], required: ["points"]),
        "Scores": object(
            ["scores": scores, "mode": ["type": "string", "enum": ["merge", "replace"]], "reason": string],
            required: ["scores"]),
        "Deploy": object(
            ["version": string, "environment": string, "reason": string, "force": boolean, "allow_incompatible": boolean],
            required: ["version"]),
        "MetricRule": object(
            [
                "metric": string, "direction": ["type": "string", "enum": ["maximize", "minimize"]], "error": number,
                "warning": number, "required": boolean, "min_absolute_change": number, "min_relative_change": number,
                "change_severity": severity,
            ], required: ["metric"]),
        "Policy": object([
            "required_files": array(string), "metrics": array(ref("MetricRule")), "monitor_after_days": integer,
            "retrain_after_days": integer, "max_age_days": integer, "feature_compatibility": severity,
            "loadability": boolean, "min_score": number, "baseline_environment": string,
            "promote": object(["environment": string, "canary_percent": integer], required: ["environment"]),
        ]),
        "PolicyRevision": object(["revision": integer, "policy": ref("Policy"), "updated_at": time, "updated_by": string]),
        "Validate": object(["environment": string]),
        "TrainingImport": object([
            "model": string, "path": string, "source": string,
            "files": array(object(["path": string, "size": integer, "sha256": string], required: ["path", "size", "sha256"])),
        ]),
        "Validation": object([
            "model": string, "version": semver, "policy_revision": integer, "environment": string, "baseline": semver,
            "passed": boolean, "score": number, "validated_at": time, "validated_by": string,
            "checks": array(object([
                "name": string, "kind": ["type": "string", "enum": ["file", "metric", "change", "age", "features", "loadability"]],
                "outcome": ["type": "string", "enum": ["pass", "warning", "error", "skipped"]], "observed": number,
                "threshold": number, "message": string,
            ])),
        ]),
        "Rollback": object(["environment": string, "version": string, "reason": string, "allow_incompatible": boolean]),
        "Undeploy": object(["environment": string, "reason": string]),
        "Traffic": object([
            "environment": string, "shares": ["type": "array", "items": object(["version": string, "percent": ["type": "integer"]])],
            "shadow": string, "reason": string, "force": boolean, "allow_incompatible": boolean,
        ]),
        "ServingLimits": object([
            "max_error_rate": number, "max_p99_ms": number, "window_seconds": ["type": "integer"],
            "min_requests": ["type": "integer"], "reset": ["type": "boolean"], "reason": string,
        ]),
        "Predict": object(["inputs": ["type": "array", "items": [:]], "key": string]),
        "Benchmark": object([
            "batches": ["type": "array", "items": ["type": "integer", "minimum": 1, "maximum": 10_000], "minItems": 1, "maxItems": 5],
            "suite": string,
        ]),
        "Embed": object(
            [
                "inputs": ["oneOf": [string, array(string)]], "environment": string, "version": string, "prompt_name": string,
                "truncate": ["type": "boolean"],
            ], required: ["inputs"]),
        "Webhook": object(
            [
                "url": ["type": "string", "format": "uri"],
                "events": array([
                    "type": "string", "enum": ["deploy", "rollback", "automatic_rollback", "limit_breach", "undeploy", "drift", "validation"],
                ]),
                "secret": ["type": "string", "minLength": 16, "maxLength": 200],
            ], required: ["url"]),
        "DriftSettings": object([
            "columns": [
                "type": "object",
                "additionalProperties": object([
                    "method": ["type": "string", "enum": ["ks", "chisquare", "z", "wasserstein", "jensenshannon", "psi"]],
                    "threshold": ["type": "number", "exclusiveMinimum": 0],
                ]),
            ],
            "ignore": array(string), "drift_share": ["type": "number", "exclusiveMinimum": 0, "maximum": 1],
            "drift_threshold": ["type": "number", "exclusiveMinimum": 0], "reference": string,
            "action": ["type": "string", "enum": ["notify", "rollback"]],
        ]),
    ]    }
}
