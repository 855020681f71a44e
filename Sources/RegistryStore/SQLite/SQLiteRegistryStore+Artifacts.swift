import GRDB
import RegistryCore

extension SQLiteRegistryStore {
    public func addArtifact(_ model: ModelName, _ version: SemanticVersion, entry: ArtifactEntry, audit: AuditContext)
        async throws
    {
        let now = self.now
        try await write { db in
            let ref = try SQLiteRows.versionRef(db, model, version)
            guard ref.status.acceptsArtifacts else {
                throw RegistryError.failedPrecondition(
                    "version \(version) is \(ref.status) and its artifacts are sealed; register a new version instead")
            }
            try Self.insertArtifact(db, versionID: ref.id, entry: entry)
            try SQLiteRows.audit(
                db, model: model, version: version, action: "artifact.upload", context: audit,
                details: ["path": entry.path.rawValue, "sha256": entry.sha256.rawValue, "size": String(entry.size)],
                at: now)
        }
    }

    static func insertArtifact(_ db: Database, versionID: Int64, entry: ArtifactEntry) throws {
        try db.cachedStatement(sql: """
                INSERT INTO artifacts (version_id, path, size, sha256, created_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (version_id, path) DO UPDATE SET size = excluded.size, sha256 = excluded.sha256,
                    created_at = excluded.created_at
                """).execute(arguments: [versionID, entry.path.rawValue, entry.size, entry.sha256.rawValue, SQLiteRows.millis(entry.createdAt)])
    }

    public func artifacts(_ model: ModelName, _ version: SemanticVersion) async throws -> [ArtifactEntry] {
        try await read { db in
            try Self.artifacts(db, versionID: SQLiteRows.versionRef(db, model, version).id)
        }
    }

    static func artifacts(_ db: Database, versionID: Int64) throws -> [ArtifactEntry] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT path, size, sha256, created_at FROM artifacts WHERE version_id = ? ORDER BY path"),
            arguments: [versionID]
        ).map(artifact)
    }

    static func artifact(_ row: Row) -> ArtifactEntry {
        ArtifactEntry(
            path: ArtifactPath(rawValue: row["path"]), size: row["size"], sha256: BlobDigest(rawValue: row["sha256"]),
            createdAt: SQLiteRows.date(row, "created_at"))
    }

    public func artifact(_ model: ModelName, _ version: SemanticVersion, path: ArtifactPath) async throws
        -> ArtifactEntry
    {
        try await read { db in
            let versionID = try SQLiteRows.versionRef(db, model, version).id
            guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT path, size, sha256, created_at FROM artifacts WHERE version_id = ? AND path = ?"),
                arguments: [versionID, path.rawValue])
            else {
                throw RegistryError.notFound("version \(version) of '\(model)' has no artifact '\(path)'")
            }
            return Self.artifact(row)
        }
    }

    public func referencedDigests() async throws -> Set<BlobDigest> {
        try await read { db in
            Set(try String.fetchAll(db.cachedStatement(sql: "SELECT sha256 FROM artifacts UNION SELECT sha256 FROM tracked_files UNION SELECT sha256 FROM benchmark_suites")).map(BlobDigest.init(rawValue:)))
        }
    }
}
