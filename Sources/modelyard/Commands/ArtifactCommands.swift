import ArgumentParser
import Crypto
import Foundation
import RegistryCore
import ModelyardAPI

/// `modelyard upload MODEL VERSION FILE...`: stream files into a version's artifacts.
struct UploadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upload",
        abstract: "Upload files to a version (before it is marked ready).",
        discussion: """
            Each file is streamed; the server computes its sha256 while receiving it. With --verify the client
            hashes the file first and the server refuses it if the bytes differ. A directory uploads every file
            under it at its path relative to the directory (hidden files skipped): a sentence-transformers folder
            becomes an embedding model this way.

            Examples:
              modelyard upload fraud 1.2.0 model.onnx
              modelyard upload minilm 1.0.0 ./all-MiniLM-L6-v2/
              modelyard upload fraud 1.2.0 config.json --path config/params.json --verify
            """)
    @OptionGroup var options: ClientOptions
    @Argument(help: "Model name.") var model: String
    @Argument(help: "Version or @alias.") var version: String
    @Argument(help: "Files to upload.") var files: [String]
    @Option(help: "Artifact path inside the version (default: the file name; only with one file).") var path: String?
    @Flag(help: "Hash locally and have the server check the sha256.") var verify = false

    func validate() throws {
        if files.isEmpty { throw ValidationError("name at least one file to upload") }
        if path != nil && (files.count > 1 || Self.isDirectory(files[0])) {
            throw ValidationError("--path works with one file only")
        }
    }

    static func isDirectory(_ path: String) -> Bool {
        var directory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &directory) && directory.boolValue
    }

    /// Each named file with its artifact path; a directory's files (recursively, hidden ones skipped) at their
    /// paths relative to it.
    func expanded() throws -> [(url: URL, target: String)] {
        var result: [(URL, String)] = []
        for file in files {
            let url = URL(fileURLWithPath: file)
            guard Self.isDirectory(file) else {
                result.append((url, path ?? url.lastPathComponent))
                continue
            }
            let root = url.standardizedFileURL.path
            guard let walker = FileManager.default.enumerator(atPath: root) else { throw CLIError("cannot read the directory '\(file)'") }
            var found: [String] = []
            while let relative = walker.nextObject() as? String {
                let name = (relative as NSString).lastPathComponent
                if name.hasPrefix(".") {
                    if Self.isDirectory(root + "/" + relative) { walker.skipDescendants() }
                    continue
                }
                if !Self.isDirectory(root + "/" + relative) { found.append(relative) }
            }
            if found.isEmpty { throw CLIError("the directory '\(file)' holds no files") }
            result += found.sorted().map { (URL(fileURLWithPath: root + "/" + $0), $0) }
        }
        return result
    }

    func run() async throws {
        for (url, target) in try expanded() {
            var apiPath = APIPath.artifact(model, version, target)
            if verify { apiPath += APIPath.query([("sha256", try FileHash.sha256(of: url))]) }
            let data = try await options.client.upload(file: url, to: apiPath, showProgress: !options.json)
            if options.json {
                Output.printJSON(data)
            } else {
                let entry = try APIJSON.decoder.decode(ArtifactEntry.self, from: data)
                Output.print("uploaded \(entry.path) (\(entry.size) bytes, sha256 \(entry.sha256))")
            }
        }
    }
}

/// `modelyard download MODEL VERSION PATH`: stream one artifact to a file and check its sha256.
struct DownloadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "download",
        abstract: "Download an artifact of a version; its sha256 is checked.",
        discussion: """
            Examples:
              modelyard download fraud 1.2.0 model.onnx
              modelyard download fraud @production model.onnx --output /tmp/prod.onnx
            """)
    @OptionGroup var options: ClientOptions
    @Argument(help: "Model name.") var model: String
    @Argument(help: "Version or @alias.") var version: String
    @Argument(help: "Artifact path.") var path: String
    @Option(name: .shortAndLong, help: "Where to write (default: the artifact's file name).") var output: String?

    func run() async throws {
        let destination = URL(fileURLWithPath: output ?? (path as NSString).lastPathComponent)
        let (size, expected) = try await options.client.download(
            from: APIPath.artifact(model, version, path), to: destination, showProgress: !options.json)
        let actual = try FileHash.sha256(of: destination)
        if let expected, expected != actual {
            try? FileManager.default.removeItem(at: destination)
            throw CLIError("downloaded bytes have sha256 \(actual), expected \(expected); the file was removed")
        }
        Output.print(
            options.json
                ? "{\"path\": \"\(destination.path)\", \"size\": \(size), \"sha256\": \"\(actual)\"}"
                : "downloaded \(path) to \(destination.path) (\(size) bytes, sha256 \(actual))")
    }
}

/// `modelyard artifacts MODEL VERSION`: the version's manifest.
struct ArtifactsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "artifacts",
        abstract: "List a version's artifacts with size and sha256.",
        discussion: "Example:\n  modelyard artifacts fraud 1.2.0")
    @OptionGroup var options: ClientOptions
    @Argument(help: "Model name.") var model: String
    @Argument(help: "Version or @alias.") var version: String

    func run() async throws {
        let data = try await options.client.send(.GET, APIPath.version(model, version) + "/artifacts")
        if options.json { return Output.printJSON(data) }
        let list = try APIJSON.decoder.decode(ArtifactListResponse.self, from: data)
        var table = Table("PATH", "SIZE", "SHA256")
        for entry in list.artifacts { table.add(entry.path.rawValue, String(entry.size), entry.sha256.rawValue) }
        Output.print(list.artifacts.isEmpty ? "No artifacts." : table.rendered)
    }
}

/// Streaming sha256 of a local file.
enum FileHash {
    static func sha256(of url: URL) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: url.path) else { throw CLIError("cannot read \(url.path)") }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let data = try handle.read(upToCount: 1024 * 1024), !data.isEmpty { hasher.update(data: data) }
        return BlobDigest(bytes: hasher.finalize()).rawValue
    }
}
