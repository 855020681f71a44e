public import Foundation
public import NIOCore
public import RegistryCore
import RegistryStore

/// Training runs and what tracking clients (MLflow) record around them. Runs are the registry's own: a version
/// registered from a run has the run's metric series as its training history.
extension Registry {
    /// Creates a run; without a name it gets a generated one (`brave-otter-417`).
    public func createRun(_ new: NewRun) async throws -> Run {
        var new = new
        if new.name?.isEmpty ?? true, new.tags["mlflow.runName"] == nil { new.name = RunNames.generate() }
        return try await store.createRun(new, id: RunInfo.newID())
    }

    public func createLoggedModel(_ new: NewLoggedModel) async throws -> LoggedModel {
        try await store.createLoggedModel(new, id: LoggedModel.newID())
    }

    /// Streams a file into the blob store and records it at `path` of the artifact proxy.
    public func uploadTrackedFile<Bytes: AsyncSequence>(path: String, bytes: Bytes) async throws -> TrackedFile
    where Bytes.Element == ByteBuffer {
        let path = try TrackedPath.validate(path)
        if try RegistryArtifactPath.parse(path) != nil {
            throw RegistryError.failedPrecondition(
                "a registered version's artifacts are immutable; upload into a run or logged model instead")
        }
        return try await asUpload {
            let blob = try await artifacts.put(bytes, maxSize: limits.maxArtifactSize, expected: nil)
            let file = TrackedFile(path: path, size: blob.size, sha256: blob.digest)
            try await store.putTrackedFile(file)
            return file
        }
    }

    /// A file of the artifact proxy and a stream of its bytes. Under `_registry/<model>/<number>/` the files are a
    /// registered version's manifest.
    public func downloadTrackedFile(path: String) async throws -> (file: TrackedFile, contents: BlobContents) {
        let path = try TrackedPath.validate(path)
        let file: TrackedFile?
        if let registered = try RegistryArtifactPath.parse(path) {
            let version = try await store.version(registered.model, .number(registered.number))
            file = try await store.artifacts(registered.model, version.version).first { $0.path.rawValue == registered.file }
                .map { TrackedFile(path: path, size: $0.size, sha256: $0.sha256) }
        } else {
            file = try await store.trackedFile(path: path)
        }
        guard let file else { throw RegistryError.notFound("artifact '\(path.prefix(200))' does not exist") }
        return (file, try await artifacts.open(file.sha256))
    }

    /// The immediate children of a directory of the artifact proxy (`""` is the root); empty for a file or a
    /// missing directory.
    public func listTrackedDirectory(_ path: String) async throws -> [TrackedListing] {
        let path = path.split(separator: "/").joined(separator: "/")
        guard !path.isEmpty else { return try await store.listTrackedDirectory("") }
        let validated = try TrackedPath.validate(path)
        guard let registered = try RegistryArtifactPath.parse(validated) else {
            return try await store.listTrackedDirectory(validated)
        }
        let version = try await store.version(registered.model, .number(registered.number))
        let prefix = registered.file.isEmpty ? "" : registered.file + "/"
        let manifest = try await store.artifacts(registered.model, version.version)
        return TrackedListing.children(of: prefix, among: manifest.map { (path: $0.path.rawValue, size: $0.size) })
    }

    /// Deletes a file or directory of the artifact proxy; registered versions' files are immutable.
    public func deleteTracked(path: String) async throws {
        let path = try TrackedPath.validate(path)
        if try RegistryArtifactPath.parse(path) != nil {
            throw RegistryError.failedPrecondition("a registered version's artifacts are immutable; '\(path.prefix(200))' was not deleted")
        }
        _ = try await store.deleteTracked(path: path)
    }

    // MARK: Registering from tracked sources

    /// Registers a version from what a tracking client names as its source, as one transaction:
    /// - `models:/m-<id>` — a logged model: its files become the version's manifest, its run the version's run;
    /// - `runs:/<run>/<path>` and `mlflow-artifacts:/<path>` — the files under that path;
    /// - `models:/<name>/<version>` — a copy of another version's manifest;
    /// - anything else with a scheme (`s3://`, `gs://`, `https://`) — recorded as the source, no files.
    /// The version is `ready` with the model's default bump; the run's params, git commit and datasets are copied
    /// onto it so versions compare side by side.
    public func registerFromSource(
        _ model: ModelName, source: String, runID: String?, loggedModelID: String?, description: String,
        tags: [String: String], audit: AuditContext
    ) async throws -> ModelVersion {
        var runID = runID.flatMap { $0.isEmpty ? nil : $0 }
        var loggedModelID = loggedModelID.flatMap { $0.isEmpty ? nil : $0 }
        var files: [TrackedFile] = []
        let location = try TrackedSource(parsing: source)
        switch location {
        case .loggedModel(let id):
            if let loggedModelID, loggedModelID != id {
                throw RegistryError.invalidArgument("model_id '\(loggedModelID)' does not match the source '\(source)'")
            }
            let logged = try await store.loggedModel(id: id)
            loggedModelID = id
            if runID == nil { runID = logged.sourceRunID }
            files = try await store.trackedFiles(under: logged.artifactRoot)
        case .run(let id, let path):
            if let runID, runID != id {
                throw RegistryError.invalidArgument("run_id '\(runID)' does not match the run of the source '\(source)'")
            }
            let root = try await store.run(id: id).info.artifactRoot
            runID = id
            files = try await store.trackedFiles(under: path.isEmpty ? root : root + "/" + path)
        case .proxied(let path):
            files = try await store.trackedFiles(under: path)
            if files.isEmpty, let file = try await store.trackedFile(path: path) {
                files = [TrackedFile(path: String(path.split(separator: "/").last ?? ""), size: file.size, sha256: file.sha256)]
            }
        case .registered(let name, let selector):
            let from = try await resolve(name, selector)
            files = try await store.artifacts(name, from).map {
                TrackedFile(path: $0.path.rawValue, size: $0.size, sha256: $0.sha256)
            }
        case .external:
            break
        }
        var new = NewVersion(
            status: .ready, description: description, tags: tags, sourceURI: source, runID: runID,
            loggedModelID: loggedModelID)
        let now = clock()
        new.artifacts = try files.map {
            ArtifactEntry(path: try ArtifactPath(validating: $0.path), size: $0.size, sha256: $0.sha256, createdAt: now)
        }
        new.inheritsRun = runID != nil
        return try await registerVersion(model, new, audit: audit)
    }
}

/// Where a tracking client says a version's files are.
enum TrackedSource {
    case loggedModel(String)
    case run(String, path: String)
    case proxied(String)
    case registered(ModelName, VersionSelector)
    case external

    init(parsing source: String) throws {
        guard !source.isEmpty else { throw RegistryError.invalidArgument("source is required, e.g. runs:/<run_id>/model") }
        func clean(_ path: Substring) throws -> String {
            let trimmed = path.split(separator: "/", omittingEmptySubsequences: true).joined(separator: "/")
            return trimmed.isEmpty ? "" : try TrackedPath.validate(trimmed)
        }
        if source.hasPrefix("models:/") {
            let rest = source.dropFirst("models:/".count)
            if rest.hasPrefix("m-"), !rest.contains("/") {
                self = .loggedModel(String(rest))
                return
            }
            let parts = rest.split(separator: "/", maxSplits: 1)
            guard parts.count == 2 else {
                throw RegistryError.invalidArgument("source '\(source.prefix(200))' must be models:/m-<id> or models:/<name>/<version>")
            }
            self = .registered(try ModelName(validating: String(parts[0])), try VersionSelector(parsing: String(parts[1])))
        } else if source.hasPrefix("runs:/") {
            let rest = source.dropFirst("runs:/".count)
            let parts = rest.split(separator: "/", maxSplits: 1)
            guard let run = parts.first, !run.isEmpty else {
                throw RegistryError.invalidArgument("source '\(source.prefix(200))' must be runs:/<run_id>/<path>")
            }
            self = .run(String(run), path: try clean(parts.count > 1 ? parts[1] : ""))
        } else if source.hasPrefix("mlflow-artifacts:") {
            var rest = source.dropFirst("mlflow-artifacts:".count)
            // `mlflow-artifacts://host:port/path` carries an authority before the path.
            if rest.hasPrefix("//") {
                rest = rest.dropFirst(2)
                rest = rest.firstIndex(of: "/").map { rest[$0...] } ?? ""
            }
            let path = try clean(rest)
            guard !path.isEmpty else { throw RegistryError.invalidArgument("source '\(source.prefix(200))' names no path") }
            self = .proxied(path)
        } else if let colon = source.firstIndex(of: ":"), source[..<colon].count > 1,
            source[..<colon].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." }),
            !source.contains("/../"), !source.hasSuffix("/..")
        {
            self = .external
        } else {
            throw RegistryError.invalidArgument(
                "source '\(source.prefix(200))' is not allowed: use runs:/, models:/, mlflow-artifacts:/ or a remote URI such as s3://")
        }
    }
}

/// Generated run names, `adjective-animal-NNN`, as tracking clients expect for unnamed runs.
public enum RunNames {
    static let adjectives = [
        "brave", "calm", "clever", "eager", "fast", "gentle", "happy", "keen", "lucky", "merry", "nimble", "proud",
        "quiet", "rare", "sharp", "swift", "tidy", "vivid", "wise", "bold",
    ]
    static let animals = [
        "otter", "falcon", "lynx", "heron", "panda", "koala", "badger", "gecko", "owl", "wolf", "whale", "fox",
        "crane", "bison", "mole", "seal", "hare", "yak", "ibis", "newt",
    ]

    public static func generate() -> String {
        "\(adjectives.randomElement()!)-\(animals.randomElement()!)-\(Int.random(in: 100...999))"
    }
}
