/// The PostgreSQL schema, as migrations that never change once shipped (new ones are appended), like SQLite's.
///
/// `v1-registry` is the SQLite schema after its sixteen migrations, in PostgreSQL's types: `BIGINT` for SQLite's
/// integers (ids are identity columns that also take explicit values, which import needs), `DOUBLE PRECISION` for
/// reals, `BYTEA` for blobs; JSON records stay `TEXT` in RegistryWire's format, so both stores read and write the
/// same documents. Tables come in dependency order (a table after those it references).
enum PostgresSchema {
    struct Migration: Sendable {
        var name: String
        /// One statement each: the extended query protocol takes one statement per query.
        var statements: [String]
    }

    static let migrations: [Migration] = [
        Migration(name: "v1-registry", statements: v1),
        // Registry events for replicas (PostgreSQL only: one SQLite file has one server). Ids only, never rows or
        // predictions: a replica re-reads what an event names.
        Migration(
            name: "v2-registry-events",
            statements: [
                """
                CREATE TABLE registry_events (
                    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    kind TEXT NOT NULL,
                    model TEXT NOT NULL,
                    environment TEXT,
                    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
                )
                """
            ]),
    ]
}
