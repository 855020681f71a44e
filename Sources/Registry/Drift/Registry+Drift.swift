public import DriftStatistics
public import Foundation
import NIOPosix
public import RegistryCore

extension Registry {
    /// Version files a reference is computed from when the model's drift settings name none, in this order after
    /// the file `metadata.json` names (`training_info.reference_dataset`, kept as the version tag `drift.reference`).
    public static let driftReferenceFiles = ["reference.csv", "reference.jsonl", "training_sample.csv", "training_sample.jsonl"]
    /// A reference or current dataset larger than this is refused before it is read.
    public static let maxDriftDatasetBytes = 256 * 1024 * 1024
    /// The version tag naming the reference file, from the training hand-off's metadata.
    public static let driftReferenceTag = "drift.reference"

    /// The model's drift settings (Evidently's defaults when none were set).
    public func driftSettings(_ model: ModelName) async throws -> DriftSettings {
        try await store.driftSettings(model) ?? DriftSettings()
    }

    /// Sets, or with nil resets, the model's drift settings; the monitors of its serving versions start over.
    public func setDriftSettings(_ model: ModelName, _ settings: DriftSettings?, audit: AuditContext) async throws -> DriftSettings {
        do {
            try settings?.validate()
        } catch {
            throw RegistryError.invalidArgument(error.description)
        }
        try await store.setDriftSettings(model, settings, audit: audit)
        await serving?.driftChanged(model)
        return settings ?? DriftSettings()
    }

    /// The version file its reference would be computed from: the settings' file, the metadata's, then the
    /// conventional names.
    func driftReferenceArtifact(_ version: ModelVersion, manifest: [ArtifactEntry], settings: DriftSettings) -> ArtifactEntry? {
        let names = [settings.reference, version.tags[Self.driftReferenceTag]].compactMap { $0 } + Self.driftReferenceFiles
        for name in names {
            if let entry = manifest.first(where: { $0.path.rawValue == name }) { return entry }
        }
        return nil
    }

    /// The version's stored reference; the first time, computed from its reference file (if it has one) and
    /// stored. Nil when there is neither.
    public func driftReference(_ model: ModelName, _ version: SemanticVersion, actor: String) async throws -> DriftReferenceRecord? {
        if let stored = try await store.driftReference(model, version) { return stored }
        let current = try await store.version(model, .version(version))
        let manifest = try await store.artifacts(model, version)
        guard let entry = driftReferenceArtifact(current, manifest: manifest, settings: try await driftSettings(model)) else {
            return nil
        }
        let data = try await readDriftDataset(entry)
        return try await storeDriftReference(
            current, data: data, source: entry.path.rawValue,
            audit: AuditContext(actor: actor, reason: "computed from \(entry.path.rawValue)"))
    }

    /// Sets the version's reference from a dataset (CSV or JSON Lines), replacing any before.
    public func setDriftReference(_ model: ModelName, _ version: SemanticVersion, data: Data, audit: AuditContext) async throws
        -> DriftReferenceRecord
    {
        let current = try await store.version(model, .version(version))
        return try await storeDriftReference(current, data: data, source: "upload", audit: audit)
    }

    func storeDriftReference(_ version: ModelVersion, data: Data, source: String, audit: AuditContext) async throws
        -> DriftReferenceRecord
    {
        let table = try await parseDriftDataset(data, name: source)
        let outputs = await serving?.driftOutputs(version, table: table) ?? []
        let known = Set(table.columns.map(\.name))
        let columns = table.columns + outputs.filter { !known.contains($0.name) }
        let profile = try await NIOThreadPool.singleton.runIfActive {
            ReferenceProfile(DriftTable(columns: columns, rows: table.rows))
        }
        let record = DriftReferenceRecord(
            model: version.model, version: version.version, source: source, rows: table.rows,
            columns: profile.columns.map(\.name), profile: Data(profile.encoded()), createdAt: clock(), createdBy: audit.actor)
        try await store.setDriftReference(record, audit: audit)
        await serving?.driftChanged(version.model)
        return record
    }

    /// Judges a dataset that did not go through serving against the version's reference: the same report the
    /// monitors give. Without output columns, the version's predictions for its rows are added (when the model
    /// can take them), so prediction drift is judged too.
    public func checkDrift(_ model: ModelName, _ version: SemanticVersion, data: Data, name: String, actor: String) async throws
        -> DriftReport
    {
        guard let reference = try await driftReference(model, version, actor: actor) else {
            throw RegistryError.failedPrecondition(Self.noReference(model, version))
        }
        let profile: ReferenceProfile
        do {
            profile = try ReferenceProfile(decoding: [UInt8](reference.profile))
        } catch {
            throw RegistryError.failedPrecondition("\(error.description); set the reference again")
        }
        let table = try await parseDriftDataset(data, name: name)
        var columns = Dictionary(table.columns.map { ($0.name, $0.values) }, uniquingKeysWith: { a, _ in a })
        if profile.columns.contains(where: { DriftOutputs.names.contains($0.name) && columns[$0.name] == nil }) {
            let current = try await store.version(model, .version(version))
            for output in await serving?.driftOutputs(current, table: table) ?? [] where columns[output.name] == nil {
                columns[output.name] = output.values
            }
        }
        let settings = try await driftSettings(model)
        return try await NIOThreadPool.singleton.runIfActive { [columns] in
            DriftReport(profile: profile, current: columns, currentRows: table.rows, settings: settings)
        }
    }

    /// Drift summaries of the version's served rows since `since`, oldest first.
    public func driftHistory(_ model: ModelName, _ version: SemanticVersion, since: Date) async throws -> [DriftSummary] {
        try await store.driftSummaries(model, version, since: since)
    }

    /// What to tell a caller whose version has no reference.
    public static func noReference(_ model: ModelName, _ version: SemanticVersion) -> String {
        "version \(version) of '\(model)' has no drift reference; add one with PUT /api/v1/models/\(model)/versions/\(version)/drift/reference "
            + "(a CSV or JSON Lines sample of its training data), `modelyard drift reference \(model) \(version) FILE`, or register "
            + "the version with a \(driftReferenceFiles[0]) among its files"
    }

    func parseDriftDataset(_ data: Data, name: String) async throws -> DriftTable {
        guard data.count <= Self.maxDriftDatasetBytes else {
            throw RegistryError.invalidArgument("\(name) is \(data.count) bytes; drift datasets are read up to \(Self.maxDriftDatasetBytes)")
        }
        do {
            let table = try await NIOThreadPool.singleton.runIfActive { try DriftTable(parsing: data, name: name) }
            guard table.rows > 0 else { throw DriftError(description: "\(name) has a header but no rows") }
            return table
        } catch let error as DriftError {
            throw RegistryError.invalidArgument(error.description)
        }
    }

    func readDriftDataset(_ entry: ArtifactEntry) async throws -> Data {
        guard entry.size <= Int64(Self.maxDriftDatasetBytes) else {
            throw RegistryError.invalidArgument(
                "\(entry.path.rawValue) is \(entry.size) bytes; drift references are read up to \(Self.maxDriftDatasetBytes)")
        }
        return try await readBlob(entry.sha256)
    }
}

/// The names prediction drift uses for a version's outputs: the predicted label, the score, and the positive
/// class's probability (the largest, with more than two classes).
public enum DriftOutputs {
    public static let label = "prediction"
    public static let score = "score"
    public static let probability = "probability"
    public static let names: Set<String> = [label, score, probability]
}
