import ArgumentParser
import Crypto
import Foundation
import ModelyardAPI
import RegistryCore

/// A training folder on this machine: its files (hidden ones and `_SUCCESS` skipped) with sizes and digests.
struct LocalTrainingFolder {
    let url: URL
    let files: [(path: String, url: URL, size: Int64)]

    init(_ path: String) throws {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CLIError("\(path) is not a folder")
        }
        guard let walker = FileManager.default.enumerator(
            at: url, includingPropertiesForKeys: [.isRegularFileKey, .fileSizeKey], options: [.skipsHiddenFiles])
        else { throw CLIError("cannot read \(path)") }
        var files: [(String, URL, Int64)] = []
        let prefix = url.path + "/"
        for case let file as URL in walker {
            let values = try file.resourceValues(forKeys: [.isRegularFileKey, .fileSizeKey])
            guard values.isRegularFile == true else { continue }
            let relative = String(file.standardizedFileURL.path.dropFirst(prefix.count))
            if relative == "_SUCCESS" { continue }
            files.append((relative, file, Int64(values.fileSize ?? 0)))
        }
        self.url = url
        self.files = files.sorted { $0.0 < $1.0 }
    }

    /// What a server needs to know before an import: each file's digest (read once, streamed).
    func manifest() throws -> [ImportRecord.File] {
        try files.map { ImportRecord.File(path: $0.path, size: $0.size, sha256: try BlobDigest(validating: FileHash.sha256(of: $0.url))) }
    }

    /// The folder's identity as the server computes it.
    static func contentDigest(_ manifest: [ImportRecord.File]) -> String {
        SHA256.hash(data: Data(ImportRecord.contentManifest(manifest).utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Why an import would be refused, checked here without the server; nil when it looks importable.
    func problem() -> String? {
        let paths = Set(files.map(\.path))
        guard let metadata = files.first(where: { $0.path == "metadata.json" }) else { return "metadata.json is missing" }
        guard paths.contains("model.onnx") || paths.contains("model.joblib") else { return "no model.onnx or model.joblib" }
        do {
            guard metadata.size <= Int64(TrainingMetadata.maxSize), let data = FileManager.default.contents(atPath: metadata.url.path)
            else { return "metadata.json is too large or unreadable" }
            _ = try TrainingMetadata(parsing: data)
        } catch let error as RegistryError {
            return error.message
        } catch {
            return "\(error)"
        }
        return nil
    }

    /// Uploads each file as a blob, then asks the server to import the folder. A refusal is an error naming why.
    func importInto(_ client: APIClient, model: String?, showProgress: Bool) async throws -> (Data, ImportRecord) {
        let manifest = try manifest()
        for (file, entry) in zip(files, manifest) {
            _ = try await client.upload(file: file.url, to: "/api/v1/blobs/\(entry.sha256.rawValue)", showProgress: showProgress)
        }
        let data = try await client.send(
            .POST, "/api/v1/imports", json: TrainingImportRequest(model: model, files: manifest, source: url.path))
        return (data, try APIJSON.decoder.decode(ImportRecord.self, from: data))
    }

    static func describe(_ record: ImportRecord) -> String {
        let what = "\(record.model?.rawValue ?? "?") \(record.version?.description ?? "")"
        let verdict = record.validation.map {
            "validation \($0.passed ? "passed" : "FAILED") (score \(ValidationReport.format($0.score)))"
                + ($0.passed ? "" : ": " + $0.failureSummary)
        } ?? "not validated"
        switch record.outcome {
        case .imported:
            return "imported \(what) from \(record.source) (import \(record.id)); \(verdict)"
                + (record.promotion.map { "; \($0)" } ?? "")
        case .duplicate: return "already imported as \(what) (import \(record.id)); \(verdict)"
        case .refused: return "refused (import \(record.id)): \(record.reason ?? "")"
        }
    }
}

/// `modelyard import-training DIR...`
struct ImportTrainingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-training",
        abstract: "Import training folders (model.onnx or model.joblib, metadata.json, ...) as ready versions, validated.",
        discussion: """
            Each folder's files are uploaded (sha256 checked) and registered as one new version, all or nothing: the
            metadata's basic_metrics become scores, parameters params, feature_names the input signature, created_at
            the training time. The version is validated under its model's policy; a failing one is stored but does
            not deploy. Importing the same content again reports the version it made. Exits non-zero if any folder
            was refused.

            Examples:
              modelyard import-training runs/fraud-2026-12-01T10-22-05
              modelyard import-training runs/* --model fraud
            """)
    @OptionGroup var options: ClientOptions
    @Argument(help: "Training folders.") var directories: [String]
    @Option(help: "Model to import into (default: model_info.name of the metadata).") var model: String?

    func run() async throws {
        var failed = 0
        for directory in directories {
            do {
                let folder = try LocalTrainingFolder(directory)
                let (data, record) = try await folder.importInto(options.client, model: model, showProgress: !options.json)
                if options.json { Output.printJSON(data) } else { Output.print(LocalTrainingFolder.describe(record)) }
            } catch {
                failed += 1
                Output.note("\(directory): \(error)")
            }
        }
        if failed > 0 { throw ExitCode(1) }
    }
}

/// `modelyard imports`
struct ImportsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "imports",
        abstract: "The history of training-folder imports, and a scan of a training root.",
        discussion: "Examples:\n  modelyard imports\n  modelyard imports list --model fraud --outcome refused\n  modelyard imports scan /data/training --latest",
        subcommands: [List.self, Show.self, Scan.self], defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import attempts, newest first: outcome, version made, verdict.",
            discussion: "Examples:\n  modelyard imports list\n  modelyard imports list --outcome refused --limit 20")
        @OptionGroup var options: ClientOptions
        @Option(help: "Only this model.") var model: String?
        @Option(help: "Only imported, duplicate or refused.") var outcome: String?
        @Option(help: "How many (1-1000).") var limit: Int = 50

        func run() async throws {
            let data = try await options.client.send(
                .GET, "/api/v1/imports" + APIPath.query([("model", model), ("outcome", outcome), ("limit", String(limit))]))
            if options.json { return Output.printJSON(data) }
            let list = try APIJSON.decoder.decode(ImportListResponse.self, from: data)
            var table = Table("ID", "TIME", "OUTCOME", "MODEL", "VERSION", "VERDICT", "SOURCE OR REASON")
            for record in list.imports {
                table.add(
                    String(record.id), Format.time(record.startedAt), record.outcome.rawValue, record.model?.rawValue ?? "–",
                    record.version?.description ?? "–",
                    record.validation.map { "\($0.passed ? "passed" : "failed") \(ValidationReport.format($0.score))" } ?? "–",
                    record.outcome == .refused ? record.reason ?? "" : record.source)
            }
            Output.print(list.imports.isEmpty ? "No imports." : table.rendered)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One import attempt with its files and verdict.", discussion: "Example:\n  modelyard imports show 12")
        @OptionGroup var options: ClientOptions
        @Argument(help: "Import id.") var id: Int64

        func run() async throws {
            let data = try await options.client.send(.GET, "/api/v1/imports/\(id)")
            if options.json { return Output.printJSON(data) }
            let record = try APIJSON.decoder.decode(ImportRecord.self, from: data)
            var lines = [
                LocalTrainingFolder.describe(record),
                "by \(record.actor) at \(Format.time(record.startedAt)), \(Format.number(record.durationSeconds)) s",
            ]
            for file in record.files { lines.append("  \(file.path)  \(file.size) bytes  \(file.sha256.rawValue)") }
            if let validation = record.validation { lines.append(ValidateCommand.describe(validation)) }
            Output.print(lines.joined(separator: "\n"))
        }
    }

    struct Scan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the training folders under ROOT with what an import would do: new, duplicate or invalid.",
            discussion: "Examples:\n  modelyard imports scan /data/training\n  modelyard imports scan /data/training --latest")
        @OptionGroup var options: ClientOptions
        @Argument(help: "A directory of training folders.") var root: String
        @Flag(help: "Import the newest folder, if it is new.") var latest = false
        @Option(help: "Model to import into (default: model_info.name of the metadata).") var model: String?

        func run() async throws {
            let base = URL(fileURLWithPath: root)
            let folders = try FileManager.default.contentsOfDirectory(
                at: base, includingPropertiesForKeys: [.isDirectoryKey, .contentModificationDateKey], options: [.skipsHiddenFiles]
            ).filter { (try? $0.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true }
            func modified(_ url: URL) -> Date {
                (try? url.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate) ?? .distantPast
            }
            let sorted = folders.sorted { (modified($0), $0.lastPathComponent) > (modified($1), $1.lastPathComponent) }
            var table = Table("FOLDER", "FILES", "WOULD")
            var newest: LocalTrainingFolder?
            for url in sorted {
                let folder = try LocalTrainingFolder(url.path)
                let would: String
                if let problem = folder.problem() {
                    would = "invalid: \(problem)"
                } else {
                    let digest = LocalTrainingFolder.contentDigest(try folder.manifest())
                    let earlier = try await options.client.get(
                        "/api/v1/imports" + APIPath.query([("content_sha256", digest), ("outcome", "imported")]),
                        as: ImportListResponse.self
                    ).imports.first
                    if let earlier {
                        would = "duplicate of \(earlier.model?.rawValue ?? "?") \(earlier.version?.description ?? "?")"
                    } else {
                        would = "new"
                        if newest == nil, url == sorted.first { newest = folder }
                    }
                }
                table.add(url.lastPathComponent, String(folder.files.count), would)
            }
            if !options.json { Output.print(sorted.isEmpty ? "No folders under \(root)." : table.rendered) }
            guard latest else { return }
            guard let newest else {
                return Output.note("the newest folder is not new (see above); nothing imported")
            }
            let (data, record) = try await newest.importInto(options.client, model: model, showProgress: !options.json)
            if options.json { Output.printJSON(data) } else { Output.print(LocalTrainingFolder.describe(record)) }
        }
    }
}
