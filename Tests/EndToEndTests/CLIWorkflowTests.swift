import Foundation
import Testing

/// The README's walkthrough, run through the real binary against a real server.
@Suite(.serialized) struct CLIWorkflowTests {
    @discardableResult
    func ok(_ arguments: [String], _ server: ServerProcess, in directory: URL? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let result = try runCLI(arguments, server: server, directory: directory)
        #expect(result.status == 0, "modelyard \(arguments.joined(separator: " ")) failed: \(result.stderr)", sourceLocation: sourceLocation)
        return result.stdout
    }

    @Test func walkthrough() throws {
        let work = try temporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(at: work) }
        let server = try ServerProcess(dataDirectory: work.appendingPathComponent("data"))
        defer { server.kill(SIGKILL) }

        try ok(["models", "create", "fraud", "--task", "classification", "--primary-metric", "f1", "--tag", "team=risk"], server)
        #expect(try ok(["models", "list"], server).contains("fraud"))
        #expect(
            try ok(
                [
                    "versions", "register", "fraud", "--param", "lr=0.1", "--score", "f1=0.80", "--git-commit", "abc123",
                    "--base-model", "fraud-base", "--duration", "41.5", "--cost", "3.25", "--hardware", "2x A100",
                ], server
            ).contains("registered fraud 1.0.0"))
        let shown = try ok(["versions", "show", "fraud", "1.0.0"], server)
        for line in ["base model:  fraud-base", "duration:    41.5 s", "cost:        3.25", "hardware:    2x A100"] {
            #expect(shown.contains(line), "versions show lacks '\(line)':\n\(shown)")
        }
        #expect(try ok(["versions", "register", "fraud", "--param", "lr=0.05", "--score", "f1=0.86", "--parent", "1.0.0", "--dataset", "train=s3://b/train.parquet"], server)
            .contains("1.1.0"))

        let model = work.appendingPathComponent("weights.bin")
        try Data((0..<2_000_000).map { UInt8(truncatingIfNeeded: $0) }).write(to: model)
        #expect(try ok(["upload", "fraud", "1.1.0", model.path, "--verify"], server).contains("uploaded weights.bin (2000000 bytes"))
        #expect(try ok(["artifacts", "fraud", "1.1.0"], server).contains("weights.bin"))

        let csv = work.appendingPathComponent("history.csv")
        try ("metric,step,value\n" + (0..<500).map { "loss,\($0),\(1.0 / Double($0 + 1))" }.joined(separator: "\n")).write(to: csv, atomically: true, encoding: .utf8)
        #expect(try ok(["log-history", "fraud", "1.1.0", "--file", csv.path, "--batch", "200"], server).contains("appended 500 points"))
        let history = try ok(["history", "fraud", "1.1.0"], server)
        #expect(history.contains("loss") && history.contains("500"))
        try ok(["score", "fraud", "1.0.0", "auc=0.7"], server)

        let comparison = try ok(["compare", "fraud", "1.0.0", "1.1.0"], server)
        #expect(comparison.contains("| f1 (max) | 0.8 | 0.86 (+0.06") && comparison.contains("| lr | changed | 0.1 | 0.05 |"))
        #expect(try ok(["best", "fraud"], server).hasPrefix("1.1.0"))
        try ok(["mark-best", "fraud", "1.0.0", "--reason", "holdout"], server)
        #expect(try ok(["best", "fraud"], server).contains("pinned"))

        try ok(["versions", "update", "fraud", "1.0.0", "--status", "ready"], server)
        try ok(["versions", "update", "fraud", "1.1.0", "--status", "ready"], server)
        #expect(try ok(["deploy", "fraud", "1.0.0", "--reason", "first"], server).contains("none → 1.0.0"))
        #expect(try ok(["deploy", "fraud", "1.1.0", "--reason", "better"], server).contains("1.0.0 → 1.1.0"))
        #expect(try ok(["versions", "show", "fraud", "@production"], server).contains("version:     1.1.0"))
        #expect(try ok(["rollback", "fraud", "--reason", "regression"], server).contains("1.1.0 → 1.0.0"))
        let deployments = try ok(["deployments", "fraud"], server)
        #expect(deployments.contains("production: 1.0.0") && deployments.contains("rollback"))
        #expect(try ok(["lineage", "fraud", "1.0.0"], server).contains("children:    fraud 1.1.0"))
        #expect(try ok(["tree", "fraud"], server).contains("└─ 1.1.0"))
        #expect(try ok(["report", "fraud", "1.1.0"], server).contains("## Training history"))
        let audit = try ok(["audit", "fraud"], server)
        #expect(audit.contains("cli-tester") && audit.contains("rollback") && audit.contains("regression"))

        let downloaded = work.appendingPathComponent("back.bin")
        try ok(["download", "fraud", "1.1.0", "weights.bin", "--output", downloaded.path], server)
        #expect(try Data(contentsOf: downloaded) == Data(contentsOf: model))

        let json = try ok(["versions", "list", "fraud", "--json"], server)
        let parsed = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        #expect((parsed?["versions"] as? [Any])?.count == 2)

        // Backup to a folder and restore into a second, empty server.
        let backup = work.appendingPathComponent("backup")
        #expect(try ok(["export", backup.path], server).contains("exported 1 models, 2 versions, 1 blobs"))
        let second = try ServerProcess(dataDirectory: work.appendingPathComponent("data2"))
        defer { second.kill(SIGKILL) }
        #expect(try ok(["import", backup.path], second).contains("imported 1 models"))
        #expect(try ok(["versions", "show", "fraud", "@production"], second).contains("1.0.0"))
        try ok(["download", "fraud", "1.1.0", "weights.bin", "--output", downloaded.path], second)
        #expect(try Data(contentsOf: downloaded) == Data(contentsOf: model))
        let reimport = try runCLI(["import", backup.path], server: second)
        #expect(reimport.status != 0 && reimport.stderr.contains("exists already"))
    }

    @Test func failuresAreOneLineOnStderrWithNonZeroExit() throws {
        let work = try temporaryDirectory("cli-errors")
        defer { try? FileManager.default.removeItem(at: work) }
        let server = try ServerProcess(dataDirectory: work)
        defer { server.kill(SIGKILL) }
        let missing = try runCLI(["models", "show", "ghost"], server: server)
        #expect(missing.status != 0 && missing.stdout.isEmpty)
        #expect(missing.stderr.contains("model 'ghost' does not exist") && missing.stderr.contains("not_found"))
        #expect(missing.stderr.split(separator: "\n").count == 1)
        let badScore = try runCLI(["score", "ghost", "1.0.0", "f1=high"], server: server)
        #expect(badScore.status != 0 && badScore.stderr.contains("must be a number"))
        let unreachable = try runCLI(["models", "list", "--url", "http://127.0.0.1:1"], server: nil)
        #expect(unreachable.status != 0 && unreachable.stderr.contains("cannot reach"))
    }

    @Test func deployAndPredictFromTheCLI() throws {
        let work = try temporaryDirectory("cli-serving")
        defer { try? FileManager.default.removeItem(at: work) }
        let server = try ServerProcess(dataDirectory: work.appendingPathComponent("data"))
        defer { server.kill(SIGKILL) }
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("fixtures/onnx")
        let model = work.appendingPathComponent("model.onnx")
        try FileManager.default.copyItem(at: fixtures.appendingPathComponent("random_forest.onnx"), to: model)

        try ok(["models", "create", "forest", "--task", "classification"], server)
        try ok(["versions", "register", "forest"], server)
        try ok(["upload", "forest", "1.0.0", model.path], server)
        try ok(["versions", "update", "forest", "1.0.0", "--status", "ready"], server)
        #expect(try ok(["serving", "status"], server).contains("Nothing is served"))
        try ok(["deploy", "forest", "1.0.0"], server)

        let row = (0..<20).map { "\(Double($0) / 10)" }.joined(separator: ",")
        let single = try ok(["predict", "forest", "--row", row], server)
        #expect(single.contains("forest 1.0.0 (production)") && single.contains("p(2)"))
        let rows = work.appendingPathComponent("rows.json")
        try Data("[[\(row)], [\(row)]]".utf8).write(to: rows)
        let json = try ok(["predict", "forest", "--input", rows.path, "--json"], server)
        let parsed = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        #expect((parsed?["labels"] as? [Int])?.count == 2 && parsed?["version"] as? String == "1.0.0")
        let status = try ok(["serving", "status"], server)
        #expect(status.contains("forest") && status.contains("production") && status.contains("serving"))
        #expect(try ok(["serving", "performance", "forest", "1.0.0"], server).contains("2 requests, 3 rows"))

        let short = try runCLI(["predict", "forest", "--row", "1,2,3"], server: server)
        #expect(short.status != 0 && short.stderr.contains("takes 20 values per row") && short.stderr.contains("invalid_argument"))

        // A version whose model file cannot be served is refused at deploy, with the reason.
        try Data("not a model".utf8).write(to: model)
        try ok(["versions", "register", "forest"], server)
        try ok(["upload", "forest", "1.1.0", model.path], server)
        try ok(["versions", "update", "forest", "1.1.0", "--status", "ready"], server)
        let refused = try runCLI(["deploy", "forest", "1.1.0"], server: server)
        #expect(refused.status != 0 && refused.stderr.contains("cannot be served") && refused.stderr.contains("still serves 1.0.0"))
        #expect(try ok(["predict", "forest", "--row", row], server).contains("forest 1.0.0 (production)"))

        #expect(try ok(["traffic", "show", "forest"], server).contains("No shares"))
        let shadowRefused = try runCLI(["traffic", "set", "forest", "--shadow", "1.1.0"], server: server)
        #expect(shadowRefused.status != 0 && shadowRefused.stderr.contains("cannot take traffic"))
        let badShare = try runCLI(["traffic", "set", "forest", "--share", "1.1.0"], server: server)
        #expect(badShare.status != 0 && badShare.stderr.contains("VERSION=PERCENT"))
        try FileManager.default.removeItem(at: model)
        try FileManager.default.copyItem(at: fixtures.appendingPathComponent("gbr.onnx"), to: model)
        try ok(["versions", "register", "forest"], server)
        try ok(["upload", "forest", "1.2.0", model.path], server)
        try ok(["versions", "update", "forest", "1.2.0", "--status", "ready"], server)
        #expect(try ok(["traffic", "set", "forest", "--share", "1.2.0=25", "--reason", "canary"], server)
            .contains("1.2.0 25%, deployed version 75%"))
        #expect(try ok(["traffic", "show", "forest"], server).contains("production: 1.2.0 25%"))
        #expect(try ok(["serving", "status"], server).contains("forest"))
        try ok(["traffic", "set", "forest", "--clear"], server)
        #expect(try ok(["serving", "limits", "forest"], server).contains("error rate above 50 % over 60 s"))
        #expect(try ok(["serving", "limits", "forest", "--max-p99-ms", "40", "--window", "120"], server).contains("error rate above 50 % or p99 above 40 ms over 120 s"))
        let benchmark = try ok(["benchmark", "forest", "1.0.0", "1.2.0", "--batch", "1", "--batch", "4"], server)
        #expect(benchmark.contains("rows/s") && benchmark.contains("1.0.0") && benchmark.contains("1.2.0"))
        #expect(try ok(["benchmark", "forest", "1.0.0", "--stored"], server).contains("1.0.0"))
        let badLimit = try runCLI(["serving", "limits", "forest", "--window", "5"], server: server)
        #expect(badLimit.status != 0 && badLimit.stderr.contains("give 10 to 300"))
        #expect(try ok(["traffic", "show", "forest"], server).contains("No shares"))
    }

    @Test func aSecondServerOnTheSameDataSwapsWhenTheFirstDeploys() throws {
        let work = try temporaryDirectory("cli-replicas")
        defer { try? FileManager.default.removeItem(at: work) }
        let data = work.appendingPathComponent("data")
        let first = try ServerProcess(dataDirectory: data)
        defer { first.kill(SIGKILL) }
        let second = try ServerProcess(dataDirectory: data)
        defer { second.kill(SIGKILL) }
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("fixtures/onnx")
        try ok(["models", "create", "shared", "--task", "regression"], first)
        for (version, fixture) in [("1.0.0", "gbr"), ("1.1.0", "random_forest")] {
            let model = work.appendingPathComponent("model.onnx")
            try? FileManager.default.removeItem(at: model)
            try FileManager.default.copyItem(at: fixtures.appendingPathComponent("\(fixture).onnx"), to: model)
            try ok(["versions", "register", "shared"], first)
            try ok(["upload", "shared", version, model.path], first)
            try ok(["versions", "update", "shared", version, "--status", "ready"], first)
        }
        let row = (0..<20).map { "\(Double($0) / 10)" }.joined(separator: ",")
        try ok(["deploy", "shared", "1.0.0"], first)
        #expect(try ok(["predict", "shared", "--row", row], second).contains("shared 1.0.0 (production)"))
        try ok(["deploy", "shared", "1.1.0"], first)
        // The second server learns of the deploy by polling the store (every second); wait for it, bounded.
        var answer = ""
        for _ in 0..<300 {
            answer = try ok(["predict", "shared", "--row", row], second)
            if answer.contains("shared 1.1.0") { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect(answer.contains("shared 1.1.0 (production)"))
        #expect(try ok(["serving", "status"], second).contains("1.1.0"))
    }

    @Test func policyValidateAndTheGateFromTheCLI() throws {
        let work = try temporaryDirectory("cli-policy")
        defer { try? FileManager.default.removeItem(at: work) }
        let server = try ServerProcess(dataDirectory: work.appendingPathComponent("data"))
        defer { server.kill(SIGKILL) }

        try ok(["models", "create", "fraud"], server)
        #expect(try ok(["policy", "show", "fraud"], server).contains("Policy: the default"))
        try ok(["versions", "register", "fraud", "--score", "f1_score=0.45", "--status", "ready", "--trained-at", "2026-11-01T10:22:05Z"], server)
        #expect(try ok(["versions", "show", "fraud", "1.0.0"], server).contains("trained:"))
        let failed = try runCLI(["validate", "fraud", "1.0.0"], server: server)
        #expect(failed.status == 1 && failed.stdout.contains("FAILED") && failed.stdout.contains("FAIL metric:f1_score"))
        let refused = try runCLI(["deploy", "fraud", "1.0.0"], server: server)
        #expect(refused.status != 0 && refused.stderr.contains("validation_failed") && refused.stderr.contains("f1_score"))
        let noReason = try runCLI(["deploy", "fraud", "1.0.0", "--force"], server: server)
        #expect(noReason.status != 0 && noReason.stderr.contains("--force needs --reason"))
        #expect(try ok(["deploy", "fraud", "1.0.0", "--force", "--reason", "accepted by risk"], server).contains("none → 1.0.0"))
        #expect(try ok(["audit", "fraud"], server).contains("override=true"))

        let file = work.appendingPathComponent("policy.json")
        try Data(#"{"metrics": [{"metric": "f1_score", "error": 0.4}], "min_score": 0.5}"#.utf8).write(to: file)
        #expect(try ok(["policy", "set", "fraud", "--file", file.path], server).contains("policy revision 1 set"))
        let shown = try ok(["policy", "show", "fraud"], server)
        #expect(shown.contains("Policy revision 1") && shown.contains("f1_score") && shown.contains("Minimum score: 0.5"))
        #expect(try ok(["validate", "fraud", "1.0.0"], server).contains("PASSED"))
        // What `policy show --json` prints is accepted back as it is.
        let exported = work.appendingPathComponent("exported.json")
        try Data(try ok(["policy", "show", "fraud", "--json"], server).utf8).write(to: exported)
        #expect(try ok(["policy", "set", "fraud", "--file", exported.path], server).contains("policy revision 2 set"))
        let typo = work.appendingPathComponent("typo.json")
        try Data(#"{"min_scroe": 1}"#.utf8).write(to: typo)
        let bad = try runCLI(["policy", "set", "fraud", "--file", typo.path], server: server)
        #expect(bad.status != 0 && bad.stderr.contains("min_scroe"))
    }

    @Test func trainingFoldersImportScanAndHistoryFromTheCLI() throws {
        let work = try temporaryDirectory("cli-import")
        defer { try? FileManager.default.removeItem(at: work) }
        let server = try ServerProcess(dataDirectory: work.appendingPathComponent("data"))
        defer { server.kill(SIGKILL) }
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("fixtures/onnx")
        let root = work.appendingPathComponent("training")
        func folder(_ name: String, f1: Double, modified: Date) throws -> URL {
            let url = root.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: fixtures.appendingPathComponent("isolation_forest.onnx"), to: url.appendingPathComponent("model.onnx"))
            let metadata = #"{"model_info": {"name": "fraud", "created_at": "2026-12-01T10:22:05Z"}, "evaluation_info": {"basic_metrics": {"f1_score": \#(f1)}}}"#
            try Data(metadata.utf8).write(to: url.appendingPathComponent("metadata.json"))
            try FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: url.path)
            return url
        }
        let first = try folder("fraud-2026-12-01", f1: 0.83, modified: Date(timeIntervalSinceNow: -7200))
        _ = try folder("fraud-2026-12-02", f1: 0.45, modified: Date(timeIntervalSinceNow: -60))
        let invalid = root.appendingPathComponent("fraud-broken")
        try FileManager.default.createDirectory(at: invalid, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: invalid.appendingPathComponent("model.joblib"))
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -86_400)], ofItemAtPath: invalid.path)

        let scanned = try ok(["imports", "scan", root.path], server)
        #expect(scanned.contains("fraud-2026-12-01") && scanned.contains("new") && scanned.contains("invalid: metadata.json is missing"))
        let imported = try ok(["import-training", first.path], server)
        #expect(imported.contains("imported fraud 1.0.0") && imported.contains("validation passed"))
        #expect(try ok(["imports", "scan", root.path], server).contains("duplicate of fraud 1.0.0"))
        #expect(try ok(["import-training", first.path], server).contains("already imported as fraud 1.0.0"))

        // --latest imports the newest folder only: f1 0.45, stored with a failed verdict.
        let latest = try ok(["imports", "scan", root.path, "--latest"], server)
        #expect(latest.contains("imported fraud 1.1.0") && latest.contains("validation FAILED"))
        let refused = try runCLI(["import-training", invalid.path], server: server)
        #expect(refused.status != 0 && refused.stderr.contains("refused") && refused.stderr.contains("metadata.json is missing"))

        let history = try ok(["imports"], server)
        #expect(history.contains("imported") && history.contains("duplicate") && history.contains("refused"))
        #expect(try ok(["imports", "list", "--outcome", "refused"], server).contains("metadata.json is missing"))
        let shown = try ok(["imports", "show", "1"], server)
        #expect(shown.contains("model.onnx") && shown.contains("PASSED"))
    }

    @Test func serveWatchesADirectoryForTrainingFolders() async throws {
        let work = try temporaryDirectory("cli-watch")
        defer { try? FileManager.default.removeItem(at: work) }
        let watched = work.appendingPathComponent("incoming")
        try FileManager.default.createDirectory(at: watched, withIntermediateDirectories: true)
        let server = try ServerProcess(
            dataDirectory: work.appendingPathComponent("data"), extraArguments: ["--watch-dir", watched.path])
        defer { server.kill(SIGKILL) }
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("fixtures/onnx")
        // Written in a scratch place and moved in whole, with its marker: the watcher takes it on its next look.
        let scratch = work.appendingPathComponent("scratch")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: fixtures.appendingPathComponent("isolation_forest.onnx"), to: scratch.appendingPathComponent("model.onnx"))
        try Data(#"{"model_info": {"name": "watched"}}"#.utf8).write(to: scratch.appendingPathComponent("metadata.json"))
        try Data().write(to: scratch.appendingPathComponent("_SUCCESS"))
        try FileManager.default.moveItem(at: scratch, to: watched.appendingPathComponent("watched-1"))
        var listed = ""
        for _ in 0..<300 where !listed.contains("imported") {
            listed = try ok(["imports", "list", "--model", "watched"], server)
            if !listed.contains("imported") { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(listed.contains("imported") && listed.contains("/watched-1"), "the watcher imported the folder:\n\(listed)")
        #expect(try ok(["versions", "show", "watched", "1.0.0"], server).contains("ready"))
        let shown = try ok(["imports", "show", "1"], server)
        #expect(shown.contains("by watcher") && shown.contains("model.onnx"))
    }

    @Test func everyCommandHasHelpWithExamples() throws {
        let commands = [
            ["serve"], ["models", "create"], ["models", "list"], ["versions", "register"], ["versions", "update"], ["upload"],
            ["download"], ["artifacts"], ["log-history"], ["history"], ["score"], ["compare"], ["best"], ["mark-best"],
            ["deploy"], ["undeploy"], ["rollback"], ["deployments"], ["lineage"], ["tree"], ["report"], ["export"], ["import"], ["audit"],
            ["gc"], ["onnx"], ["onnx", "inspect"], ["onnx", "run"], ["predict"], ["serving"], ["serving", "status"],
            ["serving", "performance"], ["traffic"], ["traffic", "set"], ["traffic", "show"], ["serving", "limits"], ["benchmark"],
            ["policy"], ["policy", "show"], ["policy", "set"], ["validate"], ["import-training"], ["imports"],
            ["imports", "list"], ["imports", "show"], ["imports", "scan"], ["inspect"], ["drift"], ["drift", "show"],
            ["drift", "check"], ["drift", "reference"], ["drift", "settings"], ["webhooks"], ["webhooks", "add"],
            ["webhooks", "list"], ["webhooks", "remove"], ["webhooks", "deliveries"], ["embed"],
            ["suite", "add"], ["suite", "list"], ["suite", "show"], ["suite", "delete"],
        ]
        for command in commands {
            let result = try runCLI(command + ["--help"], server: nil)
            #expect(result.status == 0, "\(command) --help")
            #expect(result.stdout.contains("Example"), "\(command) --help shows examples")
        }
    }

    /// `modelyard inspect` on joblib files: what was read (steps, inputs, outputs, classes) for a model and its
    /// scaler; a file naming a forbidden class exits 1 naming it on stderr, and an ONNX file gets the ONNX report.
    @Test func inspectShowsWhatAJoblibFileHolds() throws {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("fixtures")
        let pipeline = fixtures.appendingPathComponent("sklearn/1.9.1/pipeline.joblib").path
        let shown = try runCLI(["inspect", pipeline], server: nil)
        #expect(shown.status == 0, "\(shown.stderr)")
        for part in ["producer:  scikit-learn 1.9.1", "SimpleImputer", "LogisticRegression: 5 features, 3 classes", "X  float64 [N, 5]",
                     "probabilities  float64 [N, 3]", "classes:   0, 1, 2", "status:    supported"] {
            #expect(shown.stdout.contains(part), "\(part) in \(shown.stdout)")
        }
        let forest = fixtures.appendingPathComponent("sklearn/1.9.1/random_forest_classifier.z3.joblib").path
        let scaler = fixtures.appendingPathComponent("sklearn/1.9.1/standard_scaler.joblib").path
        let json = try runCLI(["inspect", forest, "--preprocessing", scaler, "--json"], server: nil)
        #expect(json.status == 0, "\(json.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect((report?["steps"] as? [String])?.count == 2 && report?["supported"] as? Bool == true)

        let folder = try temporaryDirectory("inspect")
        defer { try? FileManager.default.removeItem(at: folder) }
        let hostile = folder.appendingPathComponent("model.joblib")
        try Data([0x80, 0x02, 0x63] + Array("posix\nsystem\n".utf8) + [0x58, 4, 0, 0, 0] + Array("true".utf8) + [0x85, 0x52, 0x2E])
            .write(to: hostile)
        let refused = try runCLI(["inspect", hostile.path], server: nil)
        #expect(refused.status == 1 && refused.stderr.contains("unsafe_model") && refused.stderr.contains("posix.system"))
        let onnx = try runCLI(["inspect", fixtures.appendingPathComponent("onnx/random_forest.onnx").path], server: nil)
        #expect(onnx.status == 0 && onnx.stdout.contains("opsets"))
    }

    /// `modelyard drift`: a reference set from a CSV, a batch check that drifts (and fails with --fail-on-drift),
    /// settings, and the served rows' windows after predictions through the CLI.
    /// A sentence-transformers folder from the CLI: inspected offline, uploaded as a directory, deployed, embedded
    /// (a named prompt, a file of texts, JSON), and a too-long text refused with --no-truncate.
    @Test func embeddingModelFromTheCLI() throws {
        let work = try temporaryDirectory("cli-embed")
        defer { try? FileManager.default.removeItem(at: work) }
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("fixtures/embeddings/tiny-bert")
        let folder = work.appendingPathComponent("minibert")
        try FileManager.default.copyItem(at: fixtures, to: folder)
        try FileManager.default.removeItem(at: folder.appendingPathComponent("model_opset13.onnx"))
        let inspected = try runCLI(["inspect", folder.path], server: nil)
        #expect(inspected.status == 0 && inspected.stdout.contains("text embedding, 32 dimensions"), "\(inspected.stdout)")
        #expect(inspected.stdout.contains("at most 48 per input") && inspected.stdout.contains("query = \"query: \""))
        let empty = work.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let none = try runCLI(["inspect", empty.path], server: nil)
        #expect(none.status == 1 && none.stderr.contains("holds no embedding model"))

        let server = try ServerProcess(dataDirectory: work.appendingPathComponent("data"))
        defer { server.kill(SIGKILL) }
        try ok(["models", "create", "minibert"], server)
        try ok(["versions", "register", "minibert"], server)
        let uploaded = try ok(["upload", "minibert", "1.0.0", folder.path], server)
        #expect(uploaded.contains("uploaded 1_Pooling/config.json") && uploaded.contains("uploaded model.safetensors"), "\(uploaded)")
        try ok(["versions", "update", "minibert", "1.0.0", "--status", "ready"], server)
        try ok(["deploy", "minibert", "1.0.0"], server)

        let one = try ok(["embed", "minibert", "A man is eating food."], server)
        #expect(one.contains("minibert 1.0.0: 1 vector(s) of 32 dimensions") && one.contains("14 tokens") && one.contains("norm 1.0000"), "\(one)")
        let texts = work.appendingPathComponent("texts.txt")
        try Data("first text\nsecond text\n".utf8).write(to: texts)
        let json = try ok(["embed", "minibert", "--input", texts.path, "--prompt", "query", "--json"], server)
        let parsed = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        #expect((parsed?["embeddings"] as? [[Double]])?.map(\.count) == [32, 32])
        #expect(parsed?["prompt_name"] as? String == "query")
        let long = String(repeating: "one two three four ", count: 20)
        let refused = try runCLI(["embed", "minibert", long, "--no-truncate"], server: server)
        #expect(refused.status != 0 && refused.stderr.contains("more than the model's maximum of 48"), "\(refused.stderr)")
        let cut = try ok(["embed", "minibert", long], server)
        #expect(cut.contains("48 tokens (truncated)"))
        let unknown = try runCLI(["embed", "minibert", "x", "--prompt", "document"], server: server)
        #expect(unknown.status != 0 && unknown.stderr.contains("unknown prompt 'document'"))

        // A suite, run on two versions and compared.
        let suites = fixtures.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("suites")
        let added = try ok(["suite", "add", "mini", suites.appendingPathComponent("modelyard-mini-retrieval.jsonl").path, "--description", "everyday"], server)
        #expect(added.contains("registered suite 'mini': retrieval: 20 queries, 40 documents, 27 judgements"), "\(added)")
        #expect(try ok(["suite", "list"], server).contains("everyday"))
        // A BEIR folder: the query without a relevant judgement is left out, titles join their texts.
        let beir = work.appendingPathComponent("beir")
        try FileManager.default.createDirectory(at: beir.appendingPathComponent("qrels"), withIntermediateDirectories: true)
        let corpus = [
            #"{"_id": "d1", "title": "Eggs", "text": "Boil for nine minutes."}"#, #"{"_id": "d2", "title": "", "text": "Mars is red."}"#,
            #"{"_id": 3, "text": "Cats scratch."}"#,
        ]
        try Data(corpus.joined(separator: "\n").utf8).write(to: beir.appendingPathComponent("corpus.jsonl"))
        let queries = [#"{"_id": "q1", "text": "how long to boil an egg"}"#, #"{"_id": "q2", "text": "unjudged"}"#]
        try Data(queries.joined(separator: "\n").utf8).write(to: beir.appendingPathComponent("queries.jsonl"))
        try Data("query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\t3\t0\nq2\td2\t0\n".utf8).write(to: beir.appendingPathComponent("qrels/test.tsv"))
        let fromBEIR = try ok(["suite", "add", "beir-mini", beir.path], server)
        #expect(fromBEIR.contains("retrieval: 1 queries, 3 documents, 2 judgements"), "\(fromBEIR)")
        try FileManager.default.removeItem(at: beir.appendingPathComponent("qrels/test.tsv"))
        let noQrels = try runCLI(["suite", "add", "beir-bad", beir.path], server: server)
        #expect(noQrels.status != 0 && noQrels.stderr.contains("neither qrels/test.tsv nor qrels.tsv"), "\(noQrels.stderr)")
        let broken = work.appendingPathComponent("broken.jsonl")
        try Data(#"{"type": "query", "id": "q1", "text": "x"}"#.utf8).write(to: broken)
        let refusedSuite = try runCLI(["suite", "add", "broken", broken.path], server: server)
        #expect(refusedSuite.status != 0 && refusedSuite.stderr.contains("has no documents"), "\(refusedSuite.stderr)")
        #expect(try runCLI(["suite", "add", "nothing", work.appendingPathComponent("nope.jsonl").path], server: server).status != 0)
        try ok(["versions", "register", "minibert"], server)
        try ok(["upload", "minibert", "1.1.0", folder.path], server)
        try ok(["versions", "update", "minibert", "1.1.0", "--status", "ready"], server)
        let compared = try ok(["benchmark", "minibert", "1.0.0", "1.1.0", "--suite", "mini"], server)
        #expect(compared.contains("ndcg@10") && compared.contains("mrr@10") && compared.contains("recall@10"), "\(compared)")
        #expect(compared.contains("1.1.0") && compared.contains("(+0.0%)"), "the same weights score the same: \(compared)")
        let markdown = try ok(["benchmark", "minibert", "1.0.0", "1.1.0", "--suite", "mini", "--stored", "--format", "markdown"], server)
        #expect(markdown.hasPrefix("| version | ndcg@10 |") && markdown.contains("| 1.1.0 |"), "\(markdown)")
        let csv = try ok(["benchmark", "minibert", "1.0.0", "--suite", "mini", "--stored", "--format", "csv"], server)
        #expect(csv.hasPrefix("version,run_at,ndcg@10"))
        let noRun = try runCLI(["benchmark", "minibert", "1.0.0", "--suite", "other", "--stored"], server: server)
        #expect(noRun.status != 0 && noRun.stderr.contains("have a stored benchmark of suite 'other'"), "\(noRun.stderr)")
        #expect(try runCLI(["benchmark", "minibert", "1.0.0", "--suite", "mini", "--batch", "4"], server: server).status != 0)
        try ok(["suite", "delete", "mini"], server)
        #expect(try runCLI(["suite", "show", "mini"], server: server).stderr.contains("no benchmark suite is named 'mini'"))
    }

    @Test func driftFromTheCLI() throws {
        let work = try temporaryDirectory("cli-drift")
        defer { try? FileManager.default.removeItem(at: work) }
        let server = try ServerProcess(dataDirectory: work.appendingPathComponent("data"))
        defer { server.kill(SIGKILL) }
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("fixtures")
        let model = work.appendingPathComponent("model.onnx")
        try FileManager.default.copyItem(at: fixtures.appendingPathComponent("onnx/random_forest.onnx"), to: model)
        try ok(["models", "create", "forest", "--task", "classification"], server)
        try ok(["versions", "register", "forest"], server)
        try ok(["upload", "forest", "1.0.0", model.path], server)
        try ok(["versions", "update", "forest", "1.0.0", "--status", "ready"], server)
        try ok(["deploy", "forest", "1.0.0"], server)

        let none = try ok(["drift", "forest"], server)
        #expect(none.contains("no drift reference") && none.contains("modelyard drift reference forest 1.0.0"))
        func csv(_ rows: Int, shift: Double) -> String {
            var lines: [String] = [(0..<20).map { "f\($0)" }.joined(separator: ",")]
            for r in 0..<rows {
                let cells: [String] = (0..<20).map { (j: Int) -> String in String(Double((r * 7 + j * 3) % 50) / 10 + shift) }
                lines.append(cells.joined(separator: ","))
            }
            return lines.joined(separator: "\n") + "\n"
        }
        let reference = work.appendingPathComponent("reference.csv")
        try Data(csv(300, shift: 0).utf8).write(to: reference)
        #expect(try ok(["drift", "reference", "forest", "1.0.0", reference.path], server).contains("from 300 rows, 22 columns"))
        let shifted = work.appendingPathComponent("shifted.csv")
        try Data(csv(200, shift: 2).utf8).write(to: shifted)
        let checked = try ok(["drift", "check", "forest", "1.0.0", shifted.path], server)
        #expect(checked.contains("Dataset drift: YES") && checked.contains("ks") && checked.contains("f0"), "\(checked)")
        let failing = try runCLI(["drift", "check", "forest", "@production", shifted.path, "--fail-on-drift"], server: server)
        #expect(failing.status == 1 && failing.stdout.contains("Dataset drift: YES"))
        #expect(try runCLI(["drift", "check", "forest", "1.0.0", reference.path, "--fail-on-drift"], server: server).status == 0)
        let missing = try runCLI(["drift", "check", "forest", "1.0.0", work.appendingPathComponent("nope.csv").path], server: server)
        #expect(missing.status != 0 && missing.stderr.contains("cannot read"))

        let settings = work.appendingPathComponent("drift.json")
        try Data(#"{"columns": {"f0": {"method": "psi"}}, "drift_share": 0.3}"#.utf8).write(to: settings)
        #expect(try ok(["drift", "settings", "forest", "--file", settings.path], server).contains("\"drift_share\" : 0.3"))
        let bad = try runCLI(["drift", "settings", "forest", "--file", reference.path], server: server)
        #expect(bad.status != 0 && bad.stderr.contains("invalid_argument"))

        let row = (0..<20).map { "\(Double($0) / 10)" }.joined(separator: ",")
        for _ in 0..<3 { try ok(["predict", "forest", "--row", row], server) }
        let shown = try ok(["drift", "forest", "1.0.0"], server)
        #expect(shown.contains("Served rows judged: 3") && shown.contains("Last 1000 rows (3 so far)") && shown.contains("psi"), "\(shown)")
        let json = try JSONSerialization.jsonObject(with: Data(try ok(["drift", "forest", "--json"], server).utf8)) as? [String: Any]
        #expect(json?["rows_seen"] as? Int == 3 && (json?["reference"] as? [String: Any])?["rows"] as? Int == 300)

        // Webhooks from the CLI: added (the secret shown once), listed (as a hint), deliveries, removed.
        let added = try ok(["webhooks", "add", "forest", "http://127.0.0.1:9/hook", "--event", "drift", "--secret", "0123456789abcdef-cli"], server)
        #expect(added.contains("posts drift to http://127.0.0.1:9/hook") && added.contains("0123456789abcdef-cli"))
        let listed = try ok(["webhooks", "list", "forest"], server)
        #expect(listed.contains("http://127.0.0.1:9/hook") && listed.contains("…-cli") && !listed.contains("0123456789abcdef-cli"))
        #expect(try ok(["webhooks", "deliveries", "forest", "1"], server).contains("no deliveries yet"))
        let unknown = try runCLI(["webhooks", "add", "forest", "http://x/y", "--event", "deploys"], server: server)
        #expect(unknown.status != 0 && unknown.stderr.contains("unknown event 'deploys'"))
        #expect(try ok(["webhooks", "remove", "forest", "1"], server).contains("removed"))
        let gone = try runCLI(["webhooks", "remove", "forest", "1"], server: server)
        #expect(gone.status != 0 && gone.stderr.contains("not_found"))
    }
}
