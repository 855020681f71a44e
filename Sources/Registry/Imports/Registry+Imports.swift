import Crypto
public import Foundation
public import NIOCore
import NIOPosix
public import RegistryCore

/// The training hand-off: a folder a training service wrote (`model.onnx` and/or `model.joblib`, `metadata.json`,
/// anything else) becomes a `ready` version, judged under its model's policy, with a record of the attempt.
extension Registry {
    /// At most this many files in one training folder.
    public static let maxImportFiles = 1_000

    /// Imports a training folder whose files are already in the blob store (`PUT /api/v1/blobs/{sha256}`).
    ///
    /// Atomic: the version and its whole manifest are one transaction, so a crash leaves either both or neither.
    /// Idempotent: the same content (paths and digests), by any path, yields the version it made the first time,
    /// recorded as a duplicate. Every attempt is recorded, a refused one with its reason; a refused import returns
    /// its record (outcome `refused`) rather than throwing, so the caller can name it.
    public func importTraining(
        files: [ImportRecord.File], model requested: ModelName?, source: String, audit: AuditContext
    ) async throws -> ImportRecord {
        guard (1...Self.maxImportFiles).contains(files.count) else {
            throw RegistryError.invalidArgument(
                "a training folder holds 1 to \(Self.maxImportFiles) files; this one lists \(files.count)")
        }
        var seen: Set<String> = []
        for file in files {
            _ = try ArtifactPath(validating: file.path)
            guard seen.insert(file.path).inserted else {
                throw RegistryError.invalidArgument("the folder lists \(file.path) twice")
            }
            guard file.size >= 0, try await artifacts.contains(file.sha256),
                try await artifacts.open(file.sha256).size == file.size
            else {
                throw RegistryError.invalidArgument(
                    "\(file.path) (\(file.sha256.rawValue.prefix(12))…, \(file.size) bytes) is not stored; "
                        + "PUT it to /api/v1/blobs/{sha256} before importing")
            }
        }
        return try await importLock.run {
            try await importStored(files: files, model: requested, source: String(source.prefix(1_000)), audit: audit)
        }
    }

    private func importStored(
        files: [ImportRecord.File], model requested: ModelName?, source: String, audit: AuditContext
    ) async throws -> ImportRecord {
        let started = clock()
        let content = SHA256.hash(data: Data(ImportRecord.contentManifest(files).utf8))
            .map { String(format: "%02x", $0) }.joined()
        var record = ImportRecord(
            source: source, model: requested, version: nil, files: files, contentSHA256: content, actor: audit.actor,
            startedAt: started, durationSeconds: 0, outcome: .refused, reason: nil, validation: nil)
        func finish(_ outcome: ImportRecord.Outcome, reason: String? = nil) async throws -> ImportRecord {
            record.outcome = outcome
            record.reason = reason
            record.durationSeconds = max(0, clock().timeIntervalSince(started))
            return try await store.addImportRecord(record)
        }

        let paths = Set(files.map(\.path))
        guard let metadataFile = files.first(where: { $0.path == "metadata.json" }) else {
            return try await finish(.refused, reason: "metadata.json is missing: a training folder holds model.onnx or model.joblib and metadata.json")
        }
        guard paths.contains("model.onnx") || paths.contains("model.joblib") else {
            return try await finish(.refused, reason: "no model file: a training folder holds model.onnx or model.joblib")
        }
        let metadata: TrainingMetadata
        do {
            guard metadataFile.size <= Int64(TrainingMetadata.maxSize) else {
                throw RegistryError.invalidArgument(
                    "metadata.json is \(metadataFile.size) bytes; at most \(TrainingMetadata.maxSize) are read")
            }
            metadata = try TrainingMetadata(parsing: try await readBlob(metadataFile.sha256))
        } catch let error as RegistryError where error.code == .invalidArgument {
            return try await finish(.refused, reason: error.message)
        }
        let name: ModelName
        do {
            guard let given = try requested ?? metadata.modelName.map(ModelName.init(validating:)) else {
                return try await finish(.refused, reason: "no model name: give one, or set model_info.name in metadata.json")
            }
            name = given
        } catch let error as RegistryError {
            return try await finish(.refused, reason: error.message)
        }
        record.model = name

        do {
            _ = try await store.model(named: name)
        } catch let error as RegistryError where error.code == .notFound {
            _ = try await store.createModel(
                NewModel(name: name, task: metadata.modelType.map { String($0.prefix(250)) } ?? ""),
                audit: audit.with(reason: "created by the import of \(source)"))
        }
        if let earlier = try await store.listVersions(
            name, filter: VersionFilter(tag: TagFilter(key: Self.importTag, value: content)), page: try PageRequest(limit: 1)
        ).items.first {
            record.version = earlier.version
            record.validation = try await store.validationReport(name, earlier.version)
            return try await finish(.duplicate, reason: "the same files were imported before as \(name) \(earlier.version)")
        }

        let now = clock()
        var history: [MetricPoint] = []
        if let file = files.first(where: { ["history.csv", "history.json"].contains($0.path) }) {
            do {
                guard file.size <= Int64(HistoryFile.maxSize) else {
                    throw RegistryError.invalidArgument("\(file.path) is \(file.size) bytes; history files are read up to \(HistoryFile.maxSize)")
                }
                history = try HistoryFile.parse(
                    try await readBlob(file.sha256), name: file.path,
                    timestamp: ISO8601.milliseconds(metadata.trainedAt ?? now))
                guard history.count <= MetricPoint.maxBatch else {
                    throw RegistryError.invalidArgument("\(file.path) holds \(history.count) points; at most \(MetricPoint.maxBatch)")
                }
            } catch let error as RegistryError where error.code == .invalidArgument {
                return try await finish(.refused, reason: error.message)
            }
        }
        var tags = [Self.importTag: content, "import.source": String(source.prefix(1_000))]
        if let reference = metadata.referenceDataset {
            guard paths.contains(reference) else {
                return try await finish(
                    .refused, reason: "metadata.json names the reference dataset '\(reference.prefix(200))', which is not among the folder's files")
            }
            tags[Self.driftReferenceTag] = reference
        }
        if let type = metadata.modelType { tags["model_type"] = String(type.prefix(1_000)) }
        if let label = metadata.label { tags["training.label"] = String(label.prefix(1_000)) }
        var params = metadata.parameters
        if let samples = metadata.samples { params["n_samples"] = .number(Double(samples)) }
        for (key, value) in metadata.thresholds { params[key] = .number(value) }
        if metadata.thresholds.isEmpty {
            // The policy's threshold, for folders whose metadata names none.
            let policy = try await validationPolicy(name).policy
            if let value = policy.anomalyThreshold { params["anomaly_threshold"] = .number(value) }
            if let value = policy.confidenceThreshold, policy.anomalyThreshold == nil { params["confidence_threshold"] = .number(value) }
        }
        if !metadata.extra.isEmpty { params["metadata"] = .object(metadata.extra) }
        var new = NewVersion(
            status: .ready, description: "Imported from \(source.prefix(500))", tags: tags,
            framework: paths.contains("model.onnx") ? "onnx" : "scikit-learn", sourceURI: String(source.prefix(1_000)),
            params: params, scores: metadata.metrics, durationSeconds: metadata.trainingSeconds,
            signature: metadata.signature,
            artifacts: try files.map {
                ArtifactEntry(path: try ArtifactPath(validating: $0.path), size: $0.size, sha256: $0.sha256, createdAt: now)
            },
            trainedAt: metadata.trainedAt)
        new.history = history
        let version: ModelVersion
        do {
            // Registration inspects an ONNX model file and judges the version under the policy.
            version = try await registerVersion(name, new, audit: audit.with(reason: "imported from \(source.prefix(500))"))
        } catch let error as RegistryError where error.code == .invalidArgument {
            return try await finish(.refused, reason: error.message)
        }
        record.version = version.version
        record.validation = try await store.validationReport(name, version.version)
        let policy = try await validationPolicy(name)
        if record.validation == nil {
            record.validation = try await judge(
                version, policy: policy, environment: policy.policy.baselineEnvironment, actor: audit.actor)
        }
        if let promote = policy.policy.promote {
            record.promotion = await promoteImported(
                version, to: promote, passed: record.validation?.passed == true,
                audit: audit.with(reason: "promoted by the model's policy after the import of \(source.prefix(500))"))
        }
        return try await finish(.imported)
    }

    /// Deploys a freshly imported version, or gives it a canary share, as the policy says; returns what happened.
    /// A failure here does not undo the import: the version stays, and the note says why it was not promoted.
    func promoteImported(
        _ version: ModelVersion, to promote: ValidationPolicy.Promotion, passed: Bool, audit: AuditContext
    ) async -> String {
        guard passed else { return "not promoted: the version failed validation" }
        let environment = promote.environment
        do {
            let serving = try await store.aliases(version.model).first { $0.environment == environment }
            guard let percent = promote.canaryPercent, serving != nil else {
                _ = try await deploy(version.model, .version(version.version), environment: environment, audit: audit)
                return "deployed to \(environment)"
            }
            var traffic = try await store.traffic(version.model)[environment] ?? TrafficPolicy()
            traffic.shares.removeAll { $0.version == version.version }
            traffic.shares.append(.init(version: version.version, percent: percent))
            _ = try await setTraffic(version.model, environment: environment, policy: traffic, audit: audit)
            return "canary \(percent) % of \(environment)"
        } catch let error as RegistryError {
            return "not promoted: \(error.message)"
        } catch {
            return "not promoted: \(error)"
        }
    }

    /// The version tag that holds the folder's content digest (how a repeated import finds its version).
    public static let importTag = "import.content_sha256"

    /// Imports a folder on the server's own disk, under `root` (the `--import-root` or `--watch-dir`): its files are
    /// streamed into the blob store, then imported as `importTraining` does. Hidden files and `_SUCCESS` are skipped.
    public func importTrainingFolder(
        _ path: String, root: URL, model: ModelName?, audit: AuditContext
    ) async throws -> ImportRecord {
        let folder = try Self.resolve(path, under: root)
        var files: [ImportRecord.File] = []
        for (relative, url) in try Self.folderFiles(folder) {
            let blob = try await artifacts.put(
                FileChunks(url: url), maxSize: limits.maxArtifactSize, expected: nil)
            files.append(ImportRecord.File(path: relative, size: blob.size, sha256: blob.digest))
        }
        guard !files.isEmpty else { throw RegistryError.invalidArgument("\(path.prefix(200)) holds no files") }
        return try await importTraining(files: files, model: model, source: "file://" + folder.path, audit: audit)
    }

    /// `path` inside `root`, symlinks resolved; anything that escapes the root is refused.
    static func resolve(_ path: String, under root: URL) throws -> URL {
        let base = root.resolvingSymlinksInPath().standardizedFileURL
        let candidate = (path.hasPrefix("/") ? URL(fileURLWithPath: path) : base.appendingPathComponent(path))
            .resolvingSymlinksInPath().standardizedFileURL
        guard candidate.path == base.path || candidate.path.hasPrefix(base.path + "/") else {
            throw RegistryError.invalidArgument("\(path.prefix(200)) is outside the import root; give a folder under it")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw RegistryError.notFound("\(path.prefix(200)) is not a folder under the import root")
        }
        return candidate
    }

    /// The regular files of a training folder (relative path and URL), sorted; hidden files and `_SUCCESS` skipped.
    static func folderFiles(_ folder: URL) throws -> [(String, URL)] {
        guard let walker = FileManager.default.enumerator(
            at: folder, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles])
        else { return [] }
        var files: [(String, URL)] = []
        let prefix = folder.path + "/"
        for case let url as URL in walker {
            guard try url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true else { continue }
            let path = url.standardizedFileURL.path
            guard path.hasPrefix(prefix) else { continue }
            let relative = String(path.dropFirst(prefix.count))
            if relative == "_SUCCESS" { continue }
            files.append((relative, url))
            if files.count > maxImportFiles {
                throw RegistryError.invalidArgument("the folder holds more than \(maxImportFiles) files")
            }
        }
        return files.sorted { $0.0 < $1.0 }
    }

    /// A small blob's bytes (metadata), read whole.
    func readBlob(_ digest: BlobDigest) async throws -> Data {
        var data = Data()
        for try await chunk in try await artifacts.open(digest).chunks { data.append(contentsOf: chunk.readableBytesView) }
        return data
    }
}

/// A file's bytes as a stream of 1 MiB buffers, read on NIO's blocking-I/O pool.
struct FileChunks: AsyncSequence {
    typealias Element = ByteBuffer
    let url: URL

    struct AsyncIterator: AsyncIteratorProtocol {
        let handle: FileHandle?
        let error: (any Error)?
        var done = false

        mutating func next() async throws -> ByteBuffer? {
            if let error { throw error }
            guard !done, let handle else { return nil }
            let data = try await NIOThreadPool.singleton.runIfActive { try handle.read(upToCount: 1 << 20) ?? Data() }
            if data.isEmpty {
                done = true
                try? handle.close()
                return nil
            }
            return ByteBuffer(bytes: data)
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        do {
            return AsyncIterator(handle: try FileHandle(forReadingFrom: url), error: nil)
        } catch {
            return AsyncIterator(handle: nil, error: RegistryError.invalidArgument("cannot read \(url.lastPathComponent): \(error.localizedDescription)"))
        }
    }
}

/// One import at a time in this process: the duplicate check and the registration must not interleave.
actor ImportLock {
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        if busy {
            await withCheckedContinuation { waiters.append($0) }
        }
        busy = true
        defer {
            if waiters.isEmpty { busy = false } else { waiters.removeFirst().resume() }
        }
        return try await body()
    }
}

extension Registry {
    /// Import attempts, newest first.
    public func importRecords(_ filter: ImportFilter, page: PageRequest) async throws -> Page<ImportRecord> {
        try await store.importRecords(filter, page: page)
    }

    public func importRecord(id: Int64) async throws -> ImportRecord {
        try await store.importRecord(id: id)
    }
}

extension Registry {
    /// Streams one file of a training folder (a multipart upload's part) into the blob store, its digest computed
    /// on the way, bounded by the artifact size limit; `importTraining` takes the result.
    public func storeImportFile<Bytes: AsyncSequence>(path: String, bytes: Bytes) async throws -> ImportRecord.File
    where Bytes.Element == ByteBuffer {
        let blob = try await asUpload {
            try await artifacts.put(bytes, maxSize: limits.maxArtifactSize, expected: nil)
        }
        return ImportRecord.File(path: path, size: blob.size, sha256: blob.digest)
    }
}
