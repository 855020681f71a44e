import Foundation
import HTTPServer
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import RegistryCore
import Testing
import ModelyardAPI

@Suite struct DashboardRoutesTests {
    static let token = String(repeating: "5", count: 64)
    static let cookie = HTTPField.Name("Cookie")!

    /// A model with two scored versions (1.0.0 ready and deployed, 1.1.0 ready with history), through the API.
    static func seed(_ client: any TestClientProtocol) async throws {
        _ = try await client.call(
            .post, "/api/v1/models",
            json: CreateModelRequest(name: "fraud", description: "<script>alert(1)</script>", primaryMetric: "f1"))
        for (index, f1) in [0.8, 0.86].enumerated() {
            var body = RegisterVersionRequest()
            body.scores = ["f1": f1, "loss": 0.5 - Double(index) / 10]
            body.params = ["lr": .number(index == 0 ? 0.1 : 0.05)]
            body.status = "ready"
            if index == 1 { body.parents = [ParentReference(model: nil, version: "1.0.0")] }
            _ = try await client.call(.post, "/api/v1/models/fraud/versions", json: body)
        }
        let points = (0..<5_000).map { MetricPointInput(metric: "loss", step: Int64($0), value: 1 / Double($0 + 1)) }
        _ = try await client.call(.post, "/api/v1/models/fraud/versions/1.1.0/history", json: AppendHistoryRequest(points: points))
        _ = try await client.call(.post, "/api/v1/models/fraud/deployments", json: DeployRequest(version: "1.0.0", reason: "baseline"))
    }

    static func post(_ client: any TestClientProtocol, _ uri: String, form: [(String, String)], cookie: Bool = true,
        headers extra: HTTPFields = [:]) async throws -> TestResponse
    {
        var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
        if cookie { headers[Self.cookie] = "modelyard_csrf=\(token)" }
        headers.append(contentsOf: extra)
        let body = form.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&")
        return try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    @Test func everyPageRendersFromTheRegistryAndSetsTheFormToken() async throws {
        try await APIHarness().run { client in
            let empty = try await client.call(.get, "/")
            #expect(empty.status == .ok && empty.headers[.contentType] == "text/html; charset=utf-8")
            #expect(empty.text.contains("No models yet"))
            #expect(empty.headers[.setCookie]?.hasPrefix("modelyard_csrf=") == true)
            #expect(empty.headers[.setCookie]?.contains("SameSite=Strict") == true)

            try await Self.seed(client)
            let models = try await client.call(.get, "/")
            #expect(models.text.contains("<a href=\"/models/fraud\">fraud</a>"))
            let versions = try await client.call(.get, "/models/fraud?sort=metric:f1&order=desc")
            #expect(versions.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !versions.text.contains("<script>alert"))
            let rows = try #require(versions.text.components(separatedBy: "<tbody>").last)
            #expect(rows.range(of: ">1.1.0</a>")!.lowerBound < rows.range(of: ">1.0.0</a>")!.lowerBound)
            let version = try await client.call(.get, "/models/fraud/versions/1.1.0")
            #expect(version.text.contains("5000 points"))
            #expect(version.text.contains("<svg class=\"chart\""))
            #expect(version.text.contains("href=\"/models/fraud/versions/1.0.0\""))  // lineage parent
            let compare = try await client.call(.get, "/models/fraud/compare?v=1.0.0&v=1.1.0")
            #expect(compare.status == .ok && compare.text.contains("better") && compare.text.contains("changed"))
            let deployments = try await client.call(.get, "/models/fraud/deployments")
            #expect(deployments.text.contains("baseline"))
            let confirm = try await client.call(.get, "/models/fraud/deployments/confirm?action=deploy&version=1.1.0&environment=production")
            #expect(confirm.text.contains("will serve <strong>1.1.0</strong> instead of <strong>1.0.0</strong>"))
            let register = try await client.call(.get, "/register?model=fraud")
            #expect(register.text.contains("<option value=\"fraud\" selected>"))
            let cssStart = try #require(models.text.range(of: "href=\"/static/")).upperBound
            let cssPath = "/static/" + models.text[cssStart...].prefix { $0 != "\"" }
            let asset = try await client.call(.get, cssPath)
            #expect(asset.status == .ok && asset.headers[.cacheControl]?.contains("immutable") == true)
        }
    }

    @Test func failuresArePagesWithTheServersMessage() async throws {
        try await APIHarness().run { client in
            try await Self.seed(client)
            let missing = try await client.call(.get, "/models/nope")
            #expect(missing.status == .notFound && missing.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(missing.text.contains("nope"))
            let one = try await client.call(.get, "/models/fraud/compare?v=1.0.0")
            #expect(one.status == .badRequest && one.text.contains("select at least two versions"))
            let badTag = try await client.call(.get, "/?tag=")
            #expect(badTag.status == .ok)
        }
    }

    @Test func deployAndRollbackGoThroughTheRegistryWithReasonAndActor() async throws {
        try await APIHarness().run { client in
            try await Self.seed(client)
            let deploy = try await Self.post(
                client, "/models/fraud/deployments",
                form: [("csrf", Self.token), ("action", "deploy"), ("version", "1.1.0"), ("environment", "production"),
                    ("reason", "f1 +0.06"), ("actor", "ann")])
            #expect(deploy.status == .seeOther)
            let location = try #require(deploy.headers[.location])
            #expect(location.hasPrefix("/models/fraud/deployments?done=deployment-"))
            #expect(deploy.headers[.setCookie]?.contains("modelyard_actor=ann") == true)
            let aliases = try await client.call(.get, "/api/v1/models/fraud/aliases").decode(AliasListResponse.self)
            #expect(aliases.aliases.first?.version.description == "1.1.0")
            let audit = try await client.call(.get, "/api/v1/models/fraud/audit").decode(AuditListResponse.self)
            #expect(audit.entries.first { $0.action == "deploy" }.map { ($0.actor, $0.reason) } ?? ("", "") == ("ann", "f1 +0.06"))
            let after = try await client.call(.get, location)
            #expect(after.text.contains("Deployed 1.1.0 to production."))

            let rollback = try await Self.post(
                client, "/models/fraud/deployments",
                form: [("csrf", Self.token), ("action", "rollback"), ("environment", "production"), ("reason", "latency")])
            #expect(rollback.status == .seeOther)
            let back = try await client.call(.get, "/api/v1/models/fraud/aliases").decode(AliasListResponse.self)
            #expect(back.aliases.first?.version.description == "1.0.0")

            // Undeploy empties the environment, through its own confirmation.
            let confirmUndeploy = try await client.call(.get, "/models/fraud/deployments/confirm?action=undeploy&environment=production")
            #expect(confirmUndeploy.text.contains("will serve nothing instead of <strong>1.0.0</strong>"))
            #expect(try await client.call(.get, "/models/fraud/deployments").text.contains("action=undeploy"))
            let undeploy = try await Self.post(
                client, "/models/fraud/deployments",
                form: [("csrf", Self.token), ("action", "undeploy"), ("environment", "production"), ("reason", "retired")])
            #expect(undeploy.status == .seeOther)
            #expect(try await client.call(.get, "/api/v1/models/fraud/aliases").decode(AliasListResponse.self).aliases.isEmpty)
            #expect(try await client.call(.get, undeploy.headers[.location] ?? "/").text.contains("Undeployed production."))
            let nothing = try await client.call(.get, "/models/fraud/deployments/confirm?action=undeploy&environment=production")
            #expect(nothing.status == .conflict && nothing.text.contains("nothing to undeploy"))
        }
    }

    @Test func theGateShowsItsVerdictBeforeADeployAndRefusesUnlessOverridden() async throws {
        try await APIHarness().run { client in
            try await Self.seed(client)
            var failing = RegisterVersionRequest()
            failing.status = "ready"
            failing.scores = ["f1_score": 0.45]
            _ = try await client.call(.post, "/api/v1/models/fraud/versions", json: failing)
            _ = try await client.call(.post, "/api/v1/models/fraud/versions/1.2.0/validate", raw: "{}")

            // The version page shows its stored verdict, check by check.
            let page = try await client.call(.get, "/models/fraud/versions/1.2.0")
            #expect(page.text.contains("id=\"validation-h\">Validation</h2>") && page.text.contains("failed 0.8"))
            #expect(page.text.contains("metric:f1_score") && page.text.contains("f1_score 0.45 is below the error threshold 0.5"))

            // The confirmation says the deploy will be refused, and offers the audited override.
            let confirm = try await client.call(.get, "/models/fraud/deployments/confirm?action=deploy&version=1.2.0&environment=production")
            #expect(confirm.text.contains("the version fails and the deploy will be refused") && confirm.text.contains("name=\"force\""))
            let fine = try await client.call(.get, "/models/fraud/deployments/confirm?action=deploy&version=1.1.0&environment=production")
            #expect(fine.text.contains("Validation: the version passes") && !fine.text.contains("name=\"force\""))

            let form: [(String, String)] = [
                ("csrf", Self.token), ("action", "deploy"), ("version", "1.2.0"), ("environment", "production"), ("reason", "hotfix"),
            ]
            let refused = try await Self.post(client, "/models/fraud/deployments", form: form)
            #expect(refused.status == .conflict && refused.text.contains("The server refused") && refused.text.contains("metric:f1_score"))
            #expect(try await client.call(.get, "/api/v1/models/fraud/aliases").decode(AliasListResponse.self).aliases.first?.version.description == "1.0.0")
            let forced = try await Self.post(client, "/models/fraud/deployments", form: form + [("force", "1")])
            #expect(forced.status == .seeOther)
            let audit = try await client.call(.get, "/api/v1/models/fraud/audit?limit=1").decode(AuditListResponse.self)
            #expect(audit.entries.first?.details["override"] == "true" && audit.entries.first?.reason == "hotfix")
        }
    }

    @Test func thePolicyIsEditableWithTheAPIsChecksAndImportsAreListed() async throws {
        try await APIHarness().run { client in
            try await Self.seed(client)
            let policy = try await client.call(.get, "/models/fraud/policy")
            #expect(policy.status == .ok && policy.text.contains("The default policy") && policy.text.contains("roc_auc"))
            let typo = try await Self.post(
                client, "/models/fraud/policy", form: [("csrf", Self.token), ("policy", #"{"min_scroe": 1}"#)])
            #expect(typo.status == .badRequest && typo.text.contains("min_scroe") && typo.text.contains("The server refused"))
            let saved = try await Self.post(
                client, "/models/fraud/policy",
                form: [("csrf", Self.token), ("policy", #"{"metrics": [{"metric": "f1", "error": 0.5}], "min_score": 0.7}"#), ("actor", "ann")])
            #expect(saved.status == .seeOther && saved.headers[.location] == "/models/fraud/policy?saved=1")
            let revised = try await client.call(.get, "/api/v1/models/fraud/policy").decode(PolicyRevision.self)
            #expect(revised.revision == 1 && revised.updatedBy == "ann" && revised.policy.minScore == 0.7)
            #expect(try await client.call(.get, "/models/fraud/policy?saved=1").text.contains("Revision 1, set by ann"))
            let noToken = try await Self.post(client, "/models/fraud/policy", form: [("policy", "{}")], cookie: false)
            #expect(noToken.status == .forbidden)

            let refused = try await client.call(
                .post, "/api/v1/imports",
                raw: #"{"files": [{"path": "model.onnx", "size": 0, "sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}]}"#)
            #expect(refused.status == .badRequest)
            _ = try await client.upload("/api/v1/blobs/e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", bytes: [])
            _ = try await client.call(
                .post, "/api/v1/imports", raw: #"{"source": "night-run", "files": [{"path": "model.onnx", "size": 0, "sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}]}"#)
            let imports = try await client.call(.get, "/imports")
            #expect(imports.status == .ok && imports.text.contains("night-run") && imports.text.contains("metadata.json is missing"))
            #expect(try await client.call(.get, "/imports?outcome=imported").text.contains("No imports match"))
            #expect(try await client.call(.get, "/imports?outcome=sideways").status == .badRequest)
        }
    }

    @Test func actionsWithoutTheTokenOrFromAnotherSiteChangeNothing() async throws {
        try await APIHarness().run { client in
            try await Self.seed(client)
            let form = [("action", "deploy"), ("version", "1.1.0"), ("environment", "production"), ("reason", "x")]
            let noCookie = try await Self.post(client, "/models/fraud/deployments", form: [("csrf", Self.token)] + form, cookie: false)
            #expect(noCookie.status == .forbidden && noCookie.text.contains("reload the page"))
            let wrongToken = try await Self.post(
                client, "/models/fraud/deployments", form: [("csrf", String(repeating: "6", count: 64))] + form)
            #expect(wrongToken.status == .forbidden)
            let foreign = try await Self.post(
                client, "/models/fraud/deployments", form: [("csrf", Self.token)] + form,
                headers: [.origin: "http://evil.example"])
            #expect(foreign.status == .forbidden)
            let aliases = try await client.call(.get, "/api/v1/models/fraud/aliases").decode(AliasListResponse.self)
            #expect(aliases.aliases.first?.version.description == "1.0.0")
        }
    }

    @Test func refusedActionsShowTheConfirmationAgainWithTheReason() async throws {
        try await APIHarness().run { client in
            try await Self.seed(client)
            _ = try await client.call(.post, "/api/v1/models/fraud/versions", json: RegisterVersionRequest())  // 1.2.0, draft
            let draft = try await Self.post(
                client, "/models/fraud/deployments",
                form: [("csrf", Self.token), ("action", "deploy"), ("version", "1.2.0"), ("environment", "production"),
                    ("reason", "try it")])
            #expect(draft.status == .conflict)
            #expect(draft.text.contains("The server refused:") && draft.text.contains(">try it</textarea>"))
            let noReason = try await Self.post(
                client, "/models/fraud/deployments",
                form: [("csrf", Self.token), ("action", "deploy"), ("version", "1.1.0"), ("environment", "production"), ("reason", " ")])
            #expect(noReason.status == .badRequest && noReason.text.contains("give a reason"))
            let aliases = try await client.call(.get, "/api/v1/models/fraud/aliases").decode(AliasListResponse.self)
            #expect(aliases.aliases.first?.version.description == "1.0.0")
        }
    }

    @Test func registerCreatesAModelAndAVersionWhoseFilesFollowThroughTheAPI() async throws {
        try await APIHarness().run { client in
            let created = try await Self.post(
                client, "/register/model",
                form: [("csrf", Self.token), ("name", "churn"), ("primary_metric", "auc"), ("direction", "max"),
                    ("tags", "team=growth"), ("actor", "bo")])
            #expect(created.status == .seeOther && created.headers[.location] == "/register?model=churn&created=1")
            let bad = try await Self.post(
                client, "/register/version",
                form: [("csrf", Self.token), ("model", "churn"), ("scores", "auc=high"), ("params", "depth=3")])
            #expect(bad.status == .badRequest && bad.text.contains("must be a number") && bad.text.contains("depth=3</textarea>"))

            var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded", .accept: "application/json"]
            headers[Self.cookie] = "modelyard_csrf=\(Self.token)"
            let body = "csrf=\(Self.token)&model=churn&scores=auc%3D0.91&params=depth%3D3&status=ready&uploading=true"
            let registered = try await client.execute(uri: "/register/version", method: .post, headers: headers, body: ByteBuffer(string: body))
            #expect(registered.status == .created)
            let links = try registered.decode([String: String].self)
            #expect(links["page"] == "/models/churn/versions/1.0.0")
            let draft = try await client.call(.get, "/api/v1/models/churn/versions/1.0.0").decode(ModelVersion.self)
            #expect(draft.status == .draft && draft.scores == ["auc": 0.91] && draft.params == ["depth": .number(3)])
            let upload = try await client.upload(try #require(links["artifacts"]) + "notes.txt", bytes: Array("hello".utf8))
            #expect(upload.status == .created)
            let finish = try await client.execute(
                uri: try #require(links["finish"]), method: .post, headers: headers, body: ByteBuffer(string: "csrf=\(Self.token)"))
            #expect(finish.status == .ok)
            let ready = try await client.call(.get, "/api/v1/models/churn/versions/1.0.0").decode(ModelVersion.self)
            #expect(ready.status == .ready)
            let page = try await client.call(.get, "/models/churn/versions/1.0.0")
            #expect(page.text.contains("notes.txt") && page.text.contains("5 B"))
        }
    }
}
