import GRDB
import Testing

@testable import RegistryStore

/// Shipped migrations are frozen: databases in the field ran them as they were, so editing one makes a fresh
/// database differ from an upgraded one. Each migration's effect is pinned by a fingerprint of the schema it leaves
/// behind; a new migration is appended here with its fingerprint when it ships.
@Suite struct SchemaHistoryTests {
    /// Migration name and the FNV-1a 64 fingerprint of `sqlite_master` after it ran on a fresh database.
    static let shipped: [(String, String)] = [
        ("v1-registry", "564216627e079e1b"),
        ("v2-tracking", "4b0e1677d7b434ec"),
        ("v3-version-stage-index", "5e186b936bbaf194"),
        ("v4-version-serving", "863fd06890bd228d"),
        ("v5-traffic", "52add95d974e871b"),
        ("v6-serving-records", "248f3ebc8b232f8a"),
        ("v7-covering-metrics-index", "c2c0f8dc2ef258cd"),
        ("v8-versions-by-model-and-update", "514f5a0dd21de40e"),
        ("v9-metric-series", "fc5b30194b1b3751"),
        ("v10-serving-limits", "a63a7bb0a55f3399"),
        ("v11-highest-version", "89ca8b953bfcaea9"),
        ("v12-validation", "9d7767b5cb4b74ae"),
        ("v13-access-tokens", "490f4ad7e6023bbf"),
        ("v14-drift", "17011c64481ad022"),
        ("v15-webhooks", "b5832d784788c092"),
        ("v16-benchmark-suites", "e55b2b97a9980222"),
    ]

    @Test func everyShippedMigrationLeavesTheSchemaItShippedWith() throws {
        let migrator = SQLiteSchema.migrator
        #expect(
            Array(migrator.migrations.prefix(Self.shipped.count)) == Self.shipped.map(\.0),
            "migrations are only appended, never renamed, removed or reordered")
        #expect(
            migrator.migrations.count == Self.shipped.count,
            "a new migration needs its fingerprint here: \(migrator.migrations.dropFirst(Self.shipped.count))")
        for (name, expected) in Self.shipped {
            let queue = try DatabaseQueue()
            try migrator.migrate(queue, upTo: name)
            let actual = try queue.read(Self.fingerprint)
            #expect(actual == expected, "the schema after \(name) changed: a shipped migration was edited")
        }
    }

    /// A database created while `serving_limits` sat inside v5 (it was added there after v5 shipped) upgrades to
    /// the same schema as a fresh one.
    @Test func aDatabaseWhoseV5HadServingLimitsUpgradesToTheSameSchema() throws {
        let repaired = try DatabaseQueue()
        try SQLiteSchema.migrator.migrate(repaired, upTo: "v9-metric-series")
        try repaired.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE serving_limits (
                        model_id INTEGER PRIMARY KEY REFERENCES models(id) ON DELETE CASCADE,
                        limits TEXT NOT NULL,
                        updated_at INTEGER NOT NULL
                    );
                    INSERT INTO models (name, description, owner, task, metric_direction, default_bump,
                        deprecate_on_replace, created_at, updated_at) VALUES ('m', '', '', '', 'max', 'minor', 0, 0, 0);
                    INSERT INTO serving_limits (model_id, limits, updated_at) VALUES (1, '{}', 0);
                    """)
        }
        try SQLiteSchema.migrator.migrate(repaired)
        let fresh = try DatabaseQueue()
        try SQLiteSchema.migrator.migrate(fresh)
        #expect(try repaired.read(Self.fingerprint) == (try fresh.read(Self.fingerprint)))
        #expect(try repaired.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM serving_limits") } == 1)
    }

    static func fingerprint(_ db: Database) throws -> String {
        let rows = try Row.fetchAll(
            db, sql: "SELECT type, name, tbl_name, COALESCE(sql, '') AS sql FROM sqlite_master ORDER BY type, name")
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for row in rows {
            for column in ["type", "name", "tbl_name", "sql"] {
                let text: String = row[column]
                for byte in text.utf8 + [0] {
                    hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
                }
            }
        }
        return String(hash, radix: 16)
    }
}
