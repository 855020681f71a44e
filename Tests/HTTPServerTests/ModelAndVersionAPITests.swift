import Foundation
import HTTPServer
import HummingbirdTesting
import RegistryCore
import Testing
import ModelyardAPI

@Suite struct ModelAndVersionAPITests {
    @Test func modelLifecycleOverTheAPI() async throws {
        try await APIHarness().run { client in
            let created = try await client.call(
                .post, "/api/v1/models",
                json: CreateModelRequest(name: "fraud", task: "classification", tags: ["team": "risk"], primaryMetric: "f1"),
                actor: "alice")
            #expect(created.status == .created)
            #expect(try created.decode(RegisteredModel.self).primaryMetric == "f1")
            #expect(try await client.call(.post, "/api/v1/models", json: CreateModelRequest(name: "fraud")).error?.code == "already_exists")

            let list = try await client.call(.get, "/api/v1/models?tag=team%3Drisk&name=fra").decode(ModelListResponse.self)
            #expect(list.models.map(\.name.rawValue) == ["fraud"])

            let v1 = try await client.call(.post, "/api/v1/models/fraud/versions", json: ["scores": ["f1": 0.8]])
            #expect(v1.status == .created)
            #expect(try v1.decode(VersionResponse.self).version.version.description == "1.0.0")
            var body = RegisterVersionRequest()
            body.bump = "major"
            body.scores = ["f1": 0.9]
            body.status = "ready"
            let v2 = try await client.call(.post, "/api/v1/models/fraud/versions", json: body).decode(VersionResponse.self)
            #expect(v2.version.version.description == "2.0.0" && v2.version.createdBy == "anonymous")

            let details = try await client.call(.get, "/api/v1/models/fraud").decode(ModelDetailsResponse.self)
            #expect(details.latestVersion?.version.description == "2.0.0")
            #expect(details.best?.version.description == "2.0.0" && details.best?.rule == .primaryMetric)

            let patched = try await client.call(.patch, "/api/v1/models/fraud", raw: #"{"owner": "bob", "primary_metric": null}"#)
            #expect(try patched.decode(RegisteredModel.self).primaryMetric == nil)
            #expect(try patched.decode(RegisteredModel.self).owner == "bob")
            // A misspelt field is refused by name, and nothing of the body is applied.
            let typo = try await client.call(.patch, "/api/v1/models/fraud", raw: #"{"owner": "eve", "primry_metric": "f1"}"#)
            #expect(typo.status == .badRequest && typo.text.contains("'primry_metric'") && typo.text.contains("invalid_argument"))
            let versionTypo = try await client.call(.patch, "/api/v1/models/fraud/versions/1.0.0", raw: #"{"stauts": "ready"}"#)
            #expect(versionTypo.status == .badRequest && versionTypo.text.contains("'stauts'"))
            #expect(try await client.call(.get, "/api/v1/models/fraud").text.contains(#""owner":"bob""#))

            let shown = try await client.call(.get, "/api/v1/models/fraud/versions/v2.0.0").decode(VersionResponse.self)
            #expect(shown.version.scores == ["f1": 0.9] && shown.artifacts == [])

            let update = try await client.call(
                .patch, "/api/v1/models/fraud/versions/1.0.0", json: UpdateVersionRequest(status: "deprecated"))
            #expect(update.status == .conflict && update.error?.code == "failed_precondition")
            #expect(update.error?.message.contains("draft") == true)

            #expect(try await client.call(.delete, "/api/v1/models/fraud/versions/1.0.0").status == .noContent)
            #expect(try await client.call(.get, "/api/v1/models/fraud/versions/1.0.0").status == .notFound)
            #expect(try await client.call(.delete, "/api/v1/models/fraud").status == .noContent)
            #expect(try await client.call(.get, "/api/v1/models/fraud").error?.code == "not_found")
        }
    }

    @Test func badInputGetsClearFourHundreds() async throws {
        try await APIHarness().run { client in
            let malformed = try await client.call(.post, "/api/v1/models", raw: "{\"name\": ")
            #expect(malformed.status == .badRequest && malformed.error?.code == "invalid_argument")
            #expect(malformed.error?.message.contains("JSON") == true)

            let wrongType = try await client.call(.post, "/api/v1/models", raw: #"{"name": 42}"#)
            #expect(wrongType.status == .badRequest && wrongType.error?.message.contains("name") == true)

            let missing = try await client.call(.post, "/api/v1/models", raw: #"{"description": "x"}"#)
            #expect(missing.status == .badRequest && missing.error?.message.contains("'name' is required") == true)

            let badName = try await client.call(.post, "/api/v1/models", json: CreateModelRequest(name: "a/b"))
            #expect(badName.status == .badRequest)

            let badDirection = try await client.call(.post, "/api/v1/models", json: CreateModelRequest(name: "m", metricDirection: "up"))
            #expect(badDirection.status == .badRequest && badDirection.error?.message.contains("max, min") == true)

            #expect(try await client.call(.get, "/api/v1/models/nope").status == .notFound)
            #expect(try await client.call(.get, "/api/v1/models/nope/versions/1.0.0").status == .notFound)
            #expect(try await client.call(.get, "/api/v1/models?limit=abc").status == .badRequest)
            #expect(try await client.call(.get, "/api/v1/models?limit=100000").status == .badRequest)
            #expect(try await client.call(.get, "/api/v1/models?page_token=zz").status == .badRequest)
            #expect(try await client.call(.get, "/api/v1/no-such-thing").error?.code == "not_found")

            _ = try await client.call(.post, "/api/v1/models", json: CreateModelRequest(name: "m"))
            let badVersion = try await client.call(.get, "/api/v1/models/m/versions/1.2")
            #expect(badVersion.status == .badRequest && badVersion.error?.message.contains("MAJOR.MINOR.PATCH") == true)
            let badScore = try await client.call(.post, "/api/v1/models/m/versions", raw: #"{"scores": {"f1": "high"}}"#)
            #expect(badScore.status == .badRequest && badScore.error?.message.contains("scores") == true)
            let both = try await client.call(.post, "/api/v1/models/m/versions", raw: #"{"bump": "minor", "version": "3.0.0"}"#)
            #expect(both.status == .badRequest)
            let huge = String(repeating: "x", count: 17 * 1024 * 1024)
            let oversize = try await client.call(.post, "/api/v1/models", raw: #"{"name": "big", "description": ""# + huge + "\"}")
            #expect(oversize.status == .contentTooLarge && oversize.error?.code == "payload_too_large")
            #expect(try await client.call(.get, "/api/v1/models/big").status == .notFound, "nothing half-written")
        }
    }

    @Test func concurrentRegistrationsOverHTTPAreDistinctAndConsecutive() async throws {
        try await APIHarness().live { client in
            _ = try await client.call(.post, "/api/v1/models", json: CreateModelRequest(name: "busy", defaultBump: "patch"))
            let versions = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<32 {
                    group.addTask {
                        let response = try await client.call(.post, "/api/v1/models/busy/versions", raw: "{}")
                        return try response.decode(VersionResponse.self).version.version.description
                    }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(Set(versions) == Set((0..<32).map { "1.0.\($0)" }))
        }
    }
}
