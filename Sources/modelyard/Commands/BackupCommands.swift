import ArgumentParser
import Foundation
import ModelyardAPI
import RegistryCore
import Registry
import RegistryStore

/// `modelyard export DIR`: the whole registry, metadata and blobs, into a folder.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export the whole registry (metadata and artifacts) to a directory.",
        discussion: """
            Writes DIR/snapshot.json and DIR/blobs/<sha256>. Blobs already present with the right hash are kept,
            so exporting again into the same folder only fetches what is new.

            Example:
              modelyard export ./backup-2026-11-23
            """)
    @OptionGroup var options: ClientOptions
    @Argument(help: "Target directory (created if missing).") var directory: String

    func run() async throws {
        let root = URL(fileURLWithPath: directory)
        let blobs = root.appendingPathComponent("blobs")
        try FileManager.default.createDirectory(at: blobs, withIntermediateDirectories: true)
        let client = options.client
        let data = try await client.send(.GET, "/api/v1/export")
        let snapshot = try APIJSON.decoder.decode(RegistrySnapshot.self, from: data)
        let digests = snapshot.digests.sorted { $0.rawValue < $1.rawValue }
        for (index, digest) in digests.enumerated() {
            let file = blobs.appendingPathComponent(digest.rawValue)
            if FileManager.default.fileExists(atPath: file.path), (try? FileHash.sha256(of: file)) == digest.rawValue {
                continue
            }
            Output.note("blob \(index + 1)/\(digests.count) \(digest.rawValue.prefix(12))")
            _ = try await client.download(from: "/api/v1/blobs/\(digest.rawValue)", to: file, showProgress: !options.json)
            guard try FileHash.sha256(of: file) == digest.rawValue else {
                throw CLIError("blob \(digest) arrived corrupted; run the export again")
            }
        }
        // The snapshot is written last and atomically: a folder with snapshot.json is a complete export.
        try data.write(to: root.appendingPathComponent("snapshot.json"), options: .atomic)
        let versions = snapshot.models.reduce(0) { $0 + $1.versions.count }
        Output.print(
            options.json
                ? "{\"models\": \(snapshot.models.count), \"versions\": \(versions), \"blobs\": \(digests.count)}"
                : "exported \(snapshot.models.count) models, \(versions) versions, \(digests.count) blobs to \(root.path)")
    }
}

/// `modelyard import DIR`: restore an export into a registry that lacks its models.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a directory written by `modelyard export`.",
        discussion: """
            Uploads the blobs (checked against their sha256), then restores all metadata in one transaction.
            Refused if any model of the export exists already.

            Example:
              modelyard import ./backup-2026-11-23 --url http://new-host:8080
            """)
    @OptionGroup var options: ClientOptions
    @Argument(help: "Directory written by export.") var directory: String

    func run() async throws {
        let root = URL(fileURLWithPath: directory)
        guard let data = FileManager.default.contents(atPath: root.appendingPathComponent("snapshot.json").path) else {
            throw CLIError("\(directory) has no snapshot.json; is it a modelyard export?")
        }
        let snapshot: RegistrySnapshot
        do {
            snapshot = try APIJSON.decoder.decode(RegistrySnapshot.self, from: data)
        } catch {
            throw CLIError("\(directory)/snapshot.json is not a valid export: \(error)")
        }
        let client = options.client
        let digests = snapshot.digests.sorted { $0.rawValue < $1.rawValue }
        for (index, digest) in digests.enumerated() {
            let file = root.appendingPathComponent("blobs").appendingPathComponent(digest.rawValue)
            guard FileManager.default.fileExists(atPath: file.path) else {
                throw CLIError("the export lacks blob \(digest); it is incomplete")
            }
            Output.note("blob \(index + 1)/\(digests.count) \(digest.rawValue.prefix(12))")
            _ = try await client.upload(file: file, to: "/api/v1/blobs/\(digest.rawValue)", showProgress: !options.json)
        }
        var request = client.makeRequest(.POST, "/api/v1/import")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(.init(data: data))
        let response = try await client.execute(request)
        let body = Data(buffer: try await response.body.collect(upTo: 1024 * 1024))
        try APIClient.check(response.status, body)
        if options.json { return Output.printJSON(body) }
        let versions = snapshot.models.reduce(0) { $0 + $1.versions.count }
        Output.print("imported \(snapshot.models.count) models, \(versions) versions, \(digests.count) blobs")
    }
}

/// `modelyard gc`: collect unreferenced blobs now.
struct GCCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Remove artifact blobs that no version references.",
        discussion: "Examples:\n  modelyard gc\n  modelyard gc --grace-seconds 0")
    @OptionGroup var options: ClientOptions
    @Option(help: "Keep unreferenced blobs younger than this (default: the server's grace period).") var graceSeconds: Int?

    func run() async throws {
        let data = try await options.client.send(
            .POST, "/api/v1/admin/gc" + APIPath.query([("grace_seconds", graceSeconds.map(String.init))]))
        if options.json { return Output.printJSON(data) }
        let report = try APIJSON.decoder.decode(GarbageReport.self, from: data)
        Output.print("deleted \(report.deletedBlobs) blobs (\(report.deletedBytes) bytes), kept \(report.keptBlobs)")
    }
}
