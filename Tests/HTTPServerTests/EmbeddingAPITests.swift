import Foundation
import HummingbirdTesting
import ModelyardAPI
import RegistryCore
import Testing

/// A sentence-transformers folder registered over HTTP (the tiny random-weight BERT of fixtures/embeddings) served
/// through the native embed endpoint, the OpenAI-compatible /v1/embeddings and the Open Inference Protocol.
@Suite struct EmbeddingAPITests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fixtures/embeddings")

    struct Expected: Decodable {
        var sentences: [String]
        var token_counts: [Int]
        var sentence_embedding: [Float]
    }

    static func expected() throws -> Expected {
        try JSONDecoder().decode(Expected.self, from: Data(contentsOf: folder.appendingPathComponent("tiny-bert.expected.json")))
    }

    static let files = [
        "config.json", "config_sentence_transformers.json", "modules.json", "sentence_bert_config.json", "tokenizer.json",
        "vocab.txt", "1_Pooling/config.json",
    ]

    /// Registers the tiny BERT folder (with `weights`: model.onnx or model.safetensors) as a ready version.
    static func register(_ client: any TestClientProtocol, model: String, weights: String = "model.onnx") async throws
        -> ServingAPITests.VersionShape
    {
        let created = try await client.call(.post, "/api/v1/models/\(model)/versions", raw: "{}").decode(ServingAPITests.VersionShape.self)
        for file in files + [weights] {
            let bytes = [UInt8](try Data(contentsOf: folder.appendingPathComponent("tiny-bert/\(file)")))
            let upload = try await client.upload("/api/v1/models/\(model)/versions/\(created.version)/artifacts/\(file)", bytes: bytes)
            #expect(upload.status == .created, "\(file)")
        }
        let ready = try await client.call(.patch, "/api/v1/models/\(model)/versions/\(created.version)", raw: #"{"status": "ready"}"#)
        #expect(ready.status == .ok)
        return try await client.call(.get, "/api/v1/models/\(model)/versions/\(created.version)").decode(ServingAPITests.VersionShape.self)
    }

    static func close(_ a: [Float], _ b: ArraySlice<Float>) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) < 1e-5 }
    }

    @Test func aRegisteredFolderIsAnEmbeddingModelServedByEveryAPI() async throws {
        let expected = try Self.expected()
        try await APIHarness().run { client in
            _ = try await client.call(.post, "/api/v1/models", json: CreateModelRequest(name: "minibert"))
            let version = try await Self.register(client, model: "minibert")
            let serving = try #require(version.serving)
            #expect(serving.servable, "\(serving.reason ?? "")")
            #expect(serving.artifact == "model.onnx")
            guard case .object(let signature) = serving.signature, case .object(let facts) = signature["embedding"] else {
                Issue.record("no embedding facts in \(String(describing: serving.signature))")
                return
            }
            #expect(facts["dimension"] == .number(32))
            #expect(facts["pooling"] == .string("mean"))
            #expect(facts["normalized"] == .bool(true))
            #expect(facts["max_sequence_length"] == .number(48))
            #expect(facts["prompts"] == .array([.string("passage"), .string("query")]))
            #expect(signature["inputs"] == .array([.object(["name": .string("text"), "datatype": .string("BYTES"), "shape": .array([.number(-1)])])]))

            // A version can be asked directly before any deployment.
            let direct = try await client.call(
                .post, "/api/v1/models/minibert/embed", json: EmbedRequest(inputs: Array(expected.sentences[0..<3]), version: version.version))
            #expect(direct.status == .ok)
            let body = try direct.decode(EmbedResponse.self)
            #expect(body.dimension == 32 && body.version == version.version)
            #expect(body.tokenCounts == Array(expected.token_counts[0..<3]))
            for i in 0..<3 { #expect(Self.close(body.embeddings[i], expected.sentence_embedding[(i * 32)..<((i + 1) * 32)])) }

            _ = try await client.call(.post, "/api/v1/models/minibert/deployments", json: ["version": version.version, "environment": "production"])
            // Named prompt, served through production's traffic policy.
            let prompted = try await client.call(
                .post, "/api/v1/models/minibert/embed", raw: #"{"inputs": "what is the capital of france?", "prompt_name": "query"}"#)
            #expect(prompted.status == .ok)
            let vector = try prompted.decode(EmbedResponse.self).embeddings[0]
            #expect(Self.close(vector, expected.sentence_embedding[(6 * 32)..<(7 * 32)]))

            // OpenAI's wire format, floats and base64.
            let openai = try await client.call(.post, "/v1/embeddings", raw: #"{"model": "minibert", "input": ["A man is eating food.", ""]}"#)
            #expect(openai.status == .ok)
            let json = try ServingAPITests.json(openai)
            #expect(json["object"] as? String == "list")
            #expect(json["model"] as? String == "minibert")
            let data = try #require(json["data"] as? [[String: Any]])
            #expect(data.count == 2 && data[1]["index"] as? Int == 1 && data[0]["object"] as? String == "embedding")
            let first = try #require(data[0]["embedding"] as? [Double]).map(Float.init)
            #expect(Self.close(first, expected.sentence_embedding[0..<32]))
            let usage = try #require(json["usage"] as? [String: Any])
            #expect(usage["prompt_tokens"] as? Int == expected.token_counts[0] + 2)
            let base64 = try await client.call(
                .post, "/v1/embeddings", raw: #"{"model": "minibert@production", "input": "A man is eating food.", "encoding_format": "base64"}"#)
            let encoded = try #require((try ServingAPITests.json(base64)["data"] as? [[String: Any]])?.first?["embedding"] as? String)
            let bytes = try #require(Data(base64Encoded: encoded))
            let floats = bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
            #expect(floats == first)
            let byVersion = try await client.call(.post, "/v1/embeddings", raw: #"{"model": "minibert@\#(version.version)", "input": "x"}"#)
            #expect(byVersion.status == .ok)

            // The Open Inference Protocol: a BYTES tensor in, FP32 [n, 32] out.
            let infer = try await client.call(
                .post, "/v2/models/minibert/infer",
                raw: #"{"inputs": [{"name": "text", "shape": [2], "datatype": "BYTES", "data": ["A man is eating food.", "A man is eating a piece of bread."]}]}"#)
            #expect(infer.status == .ok)
            let outputs = try #require(try ServingAPITests.json(infer)["outputs"] as? [[String: Any]])
            #expect(outputs.first?["shape"] as? [Int] == [2, 32])
            let inferred = try #require(outputs.first?["data"] as? [Double]).map(Float.init)
            #expect(Self.close(Array(inferred[32..<64]), expected.sentence_embedding[32..<64]))
        }
    }

    @Test func theNativeSafetensorsBertServesTheSameVectors() async throws {
        let expected = try Self.expected()
        try await APIHarness().run { client in
            _ = try await client.call(.post, "/api/v1/models", json: CreateModelRequest(name: "native"))
            let version = try await Self.register(client, model: "native", weights: "model.safetensors")
            #expect(version.serving?.servable == true, "\(version.serving?.reason ?? "")")
            #expect(version.serving?.artifact == "model.safetensors")
            let response = try await client.call(
                .post, "/api/v1/models/native/embed", json: EmbedRequest(inputs: expected.sentences, version: version.version))
            let body = try response.decode(EmbedResponse.self)
            #expect(body.truncated == expected.sentences.indices.map { $0 == 5 })
            for i in expected.sentences.indices {
                #expect(Self.close(body.embeddings[i], expected.sentence_embedding[(i * 32)..<((i + 1) * 32)]), "sentence \(i)")
            }
        }
    }

    @Test func badEmbeddingRequestsAreRefusedWithTheReason() async throws {
        try await APIHarness().run { client in
            _ = try await client.call(.post, "/api/v1/models", json: CreateModelRequest(name: "minibert"))
            let version = try await Self.register(client, model: "minibert")
            _ = try await client.call(.post, "/api/v1/models/minibert/deployments", json: ["version": version.version, "environment": "production"])
            _ = try await client.call(.post, "/api/v1/models", json: CreateModelRequest(name: "forest"))
            let forest = try await ServingAPITests.register(client, model: "forest", bytes: try ServingAPITests.fixture("random_forest"))
            _ = try await client.call(.post, "/api/v1/models/forest/deployments", json: ["version": forest.version, "environment": "production"])
            let long = String(repeating: "one two three four five ", count: 20)
            let cases: [(String, String, Int, String)] = [
                ("/api/v1/models/minibert/embed", #"{"inputs": ["x"], "prompt_name": "document"}"#, 400, "unknown prompt 'document'"),
                ("/api/v1/models/minibert/embed", #"{"inputs": ["\#(long)"], "truncate": false}"#, 400, "more than the model's maximum of 48"),
                ("/api/v1/models/minibert/embed", #"{"inputs": [1, 2]}"#, 400, "inputs"),
                ("/api/v1/models/minibert/embed", #"{"inputs": ["x"], "colour": "red"}"#, 400, "unknown field 'colour'"),
                ("/api/v1/models/forest/embed", #"{"inputs": ["x"]}"#, 400, "not a text-embedding model"),
                ("/api/v1/models/nobody/embed", #"{"inputs": ["x"]}"#, 404, "nobody"),
                ("/v1/embeddings", #"{"model": "minibert", "input": [[101, 102]]}"#, 400, "token ids is not supported"),
                ("/v1/embeddings", #"{"model": "minibert", "input": []}"#, 400, "empty list"),
                ("/v1/embeddings", #"{"model": "minibert", "input": "x", "dimensions": 16}"#, 400, "dimensions 16 is not offered"),
                ("/v1/embeddings", #"{"model": "minibert", "input": "x", "encoding_format": "int8"}"#, 400, "encoding_format"),
                ("/v1/embeddings", #"{"input": "x"}"#, 400, "model is required"),
                ("/v1/embeddings", #"{"model": "minibert@", "input": "x"}"#, 400, "ends with @"),
                ("/v1/embeddings", #"{"model": "minibert@staging", "input": "x"}"#, 404, "staging"),
                ("/v1/embeddings", "[1", 400, "not valid JSON"),
            ]
            for (path, body, status, message) in cases {
                let response = try await client.call(.post, path, raw: body)
                #expect(response.status.code == status, "\(path) \(body): \(response.status)")
                let text = String(buffer: response.body)
                #expect(text.contains(message), "\(path) \(body): \(text)")
            }
        }
    }
}

/// Switching embedding versions: a version whose vectors differ from those serving (pooling, tokenizer, kind) is
/// refused on every path that points an environment at it (deploy, rollback, traffic shares, the dashboard's
/// confirmation, MLflow aliases) unless the re-indexing is acknowledged with a reason, which is audited.
@Suite struct EmbeddingSwitchTests {
    /// Registers the tiny BERT with `changes` applied to its files.
    static func register(_ client: any TestClientProtocol, changes: [String: String] = [:], drop: Set<String> = [])
        async throws -> ServingAPITests.VersionShape
    {
        let created = try await client.call(.post, "/api/v1/models/minibert/versions", raw: "{}").decode(ServingAPITests.VersionShape.self)
        for file in Set(EmbeddingAPITests.files + ["model.onnx"] + changes.keys).subtracting(drop).sorted() {
            let bytes: [UInt8]
            if let text = changes[file] {
                bytes = [UInt8](text.utf8)
            } else {
                bytes = [UInt8](try Data(contentsOf: EmbeddingAPITests.folder.appendingPathComponent("tiny-bert/\(file)")))
            }
            _ = try await client.upload("/api/v1/models/minibert/versions/\(created.version)/artifacts/\(file)", bytes: bytes)
        }
        _ = try await client.call(.patch, "/api/v1/models/minibert/versions/\(created.version)", raw: #"{"status": "ready"}"#)
        return try await client.call(.get, "/api/v1/models/minibert/versions/\(created.version)").decode(ServingAPITests.VersionShape.self)
    }

    static let clsPooling = #"{"word_embedding_dimension": 32, "pooling_mode_cls_token": true, "pooling_mode_mean_tokens": false}"#

    @Test func incompatibleEmbeddingsAreRefusedUnlessTheReindexIsAcknowledged() async throws {
        try await APIHarness().run { client in
            _ = try await client.call(.post, "/api/v1/models", json: CreateModelRequest(name: "minibert"))
            let v1 = try await Self.register(client)
            let v2 = try await Self.register(client, changes: ["1_Pooling/config.json": Self.clsPooling])
            // Cased: the tokenizer fingerprint differs (vocab.txt with do_lower_case false, tokenizer.json dropped).
            let v3 = try await Self.register(
                client, changes: ["tokenizer_config.json": #"{"do_lower_case": false}"#], drop: ["tokenizer.json"])
            let v4 = try await Self.register(client)  // the same files: compatible
            for v in [v1, v2, v3, v4] { #expect(v.serving?.servable == true, "\(v.version): \(v.serving?.reason ?? "")") }
            let deployed = try await client.call(.post, "/api/v1/models/minibert/deployments", json: DeployRequest(version: v1.version))
            #expect(deployed.status == .created)

            let refused = try await client.call(.post, "/api/v1/models/minibert/deployments", json: DeployRequest(version: v2.version))
            #expect(refused.status == .conflict)
            let message = String(buffer: refused.body)
            #expect(message.contains("incompatible_embedding") && message.contains("pooling: mean → cls"), "\(message)")
            #expect(message.contains("'production' was not changed"))
            let tokenizer = try await client.call(.post, "/api/v1/models/minibert/deployments", json: DeployRequest(version: v3.version))
            #expect(tokenizer.status == .conflict && String(buffer: tokenizer.body).contains("tokenizer: vocabulary"))
            let share = try await client.call(
                .put, "/api/v1/models/minibert/traffic", raw: #"{"shares": [{"version": "\#(v2.version)", "percent": 10}]}"#)
            #expect(share.status == .conflict)
            let noReason = try await client.call(
                .post, "/api/v1/models/minibert/deployments", json: DeployRequest(version: v2.version, allowIncompatible: true))
            #expect(noReason.status == .badRequest && String(buffer: noReason.body).contains("needs a reason"))
            var aliases = try await client.call(.get, "/api/v1/models/minibert/aliases").decode(AliasListResponse.self)
            #expect(aliases.aliases.first?.version.description == v1.version)

            // The dashboard's confirmation shows the difference and offers the acknowledgement.
            let confirm = try await client.call(
                .get, "/models/minibert/deployments/confirm?action=deploy&version=\(v2.version)&environment=production")
            #expect(confirm.text.contains("is not compatible with \(v1.version)") && confirm.text.contains("pooling: mean → cls"))
            #expect(confirm.text.contains("name=\"allow_incompatible\""))
            let compatible = try await client.call(
                .get, "/models/minibert/deployments/confirm?action=deploy&version=\(v4.version)&environment=production")
            #expect(!compatible.text.contains("allow_incompatible"))
            let fromDashboard = try await DashboardRoutesTests.post(
                client, "/models/minibert/deployments",
                form: [("csrf", DashboardRoutesTests.token), ("action", "deploy"), ("version", v2.version), ("environment", "production"), ("reason", "try")])
            #expect(fromDashboard.status == .conflict && fromDashboard.text.contains("pooling: mean → cls"))

            // MLflow's alias call has no way to acknowledge: refused the same way.
            let mlflow = try await client.call(
                .post, "/api/2.0/mlflow/registered-models/alias", raw: #"{"name": "minibert", "alias": "production", "version": "2"}"#)
            #expect(mlflow.status == .conflict)

            // Acknowledged with a reason: deployed, and the audit says what changed.
            let acknowledged = try await client.call(
                .post, "/api/v1/models/minibert/deployments",
                json: DeployRequest(version: v2.version, reason: "index rebuilt with CLS pooling", allowIncompatible: true))
            #expect(acknowledged.status == .created)
            let audit = try await client.call(.get, "/api/v1/models/minibert/audit").decode(AuditListResponse.self)
            let entry = try #require(audit.entries.first { $0.action == "deploy" && $0.version?.description == v2.version })
            #expect(entry.details["embedding_changes"] == "pooling: mean → cls" && entry.details["allow_incompatible"] == "true")
            #expect(entry.reason == "index rebuilt with CLS pooling")

            // Rolling back across the change is a switch too.
            let rollback = try await client.call(.post, "/api/v1/models/minibert/rollback", json: RollbackRequest())
            #expect(rollback.status == .conflict && String(buffer: rollback.body).contains("pooling: cls → mean"))
            let back = try await client.call(
                .post, "/api/v1/models/minibert/rollback", json: RollbackRequest(reason: "old index restored", allowIncompatible: true))
            #expect(back.status == .created)
            aliases = try await client.call(.get, "/api/v1/models/minibert/aliases").decode(AliasListResponse.self)
            #expect(aliases.aliases.first?.version.description == v1.version)
            // A compatible version needs no acknowledgement.
            let same = try await client.call(.post, "/api/v1/models/minibert/deployments", json: DeployRequest(version: v4.version))
            #expect(same.status == .created)
        }
    }
}

/// The switch between two compatible embedding versions is the hot swap: clients embedding all along never see a
/// failed request, and every answer's vectors are those of the version it names.
@Suite struct EmbeddingHotSwapTests {
    @Test func switchingCompatibleVersionsUnderLoadFailsNoRequest() async throws {
        let expected = try EmbeddingAPITests.expected()
        let texts = Array(expected.sentences[0..<2])
        try await APIHarness().live { client in
            _ = try await client.call(.post, "/api/v1/models", json: CreateModelRequest(name: "minibert", deprecateOnReplace: false))
            // The same weights from ONNX and from safetensors: compatible, and both must give the reference vectors.
            let onnx = try await EmbeddingAPITests.register(client, model: "minibert")
            let native = try await EmbeddingAPITests.register(client, model: "minibert", weights: "model.safetensors")
            _ = try await client.call(.post, "/api/v1/models/minibert/deployments", json: DeployRequest(version: onnx.version))

            let tallies = try await swapUnderLoad(
                swaps: 20,
                request: {
                    let response = try await client.call(.post, "/api/v1/models/minibert/embed", json: EmbedRequest(inputs: texts))
                    guard response.status == .ok, let body = try? response.decode(EmbedResponse.self) else {
                        throw SwapFailure(description: "\(response.status): \(response.text)")
                    }
                    let close = (0..<2).allSatisfy {
                        EmbeddingAPITests.close(body.embeddings[$0], expected.sentence_embedding[($0 * 32)..<(($0 + 1) * 32)])
                    }
                    guard close && [onnx.version, native.version].contains(body.version) else {
                        throw SwapFailure(description: "\(body.version): vectors \(close ? "match" : "differ")")
                    }
                    return body.version
                },
                swap: { swap in
                    let moved = swap % 2 == 0
                        ? try await client.call(.post, "/api/v1/models/minibert/deployments", json: DeployRequest(version: native.version))
                        : try await client.call(.post, "/api/v1/models/minibert/rollback", json: ["environment": "production"])
                    #expect(moved.status == .created, "\(moved.text)")
                })
            let failures = tallies.flatMap(\.failures)
            #expect(failures.isEmpty, "\(failures.prefix(5))")
            #expect(tallies.map(\.ok).reduce(0, +) > 20)
            #expect(Set(tallies.flatMap(\.seen)) == [onnx.version, native.version])
        }
    }
}
