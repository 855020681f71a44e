import Foundation
import GRDB
public import RegistryCore
import RegistryWire

extension SQLiteRegistryStore {
    public func addImportRecord(_ record: ImportRecord) async throws -> ImportRecord {
        try await write { db in
            try Self.insertImport(db, record)
            var stored = record
            stored.id = db.lastInsertedRowID
            return stored
        }
    }

    /// The row's id is the record's (the JSON's own `id` is not trusted: a record imported from an export gets a new
    /// row).
    static func record(_ row: Row) throws -> ImportRecord? {
        guard var record = try SQLiteRows.decodeJSON(ImportRecord.self, row[1] as String?) else { return nil }
        record.id = row[0]
        return record
    }

    static func insertImport(_ db: Database, _ record: ImportRecord) throws {
        try db.cachedStatement(sql: """
                INSERT INTO imports (model, version, source, content_sha256, outcome, record, started_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [
                record.model?.rawValue, record.version?.description, record.source, record.contentSHA256,
                record.outcome.rawValue, try SQLiteRows.json(record), SQLiteRows.millis(record.startedAt),
            ])
    }

    public func importRecords(_ filter: ImportFilter, page: PageRequest) async throws -> Page<ImportRecord> {
        let before = try page.token.map { token -> Int64 in
            guard let id = Int64(try PageToken.decode(token)) else {
                throw RegistryError.invalidArgument("page_token is not valid for the import history")
            }
            return id
        }
        return try await read { db in
            var clauses: [String] = []
            var arguments: StatementArguments = []
            if let model = filter.model {
                clauses.append("model = ?")
                arguments += [model.rawValue]
            }
            if let outcome = filter.outcome {
                clauses.append("outcome = ?")
                arguments += [outcome.rawValue]
            }
            if let content = filter.contentSHA256 {
                clauses.append("content_sha256 = ?")
                arguments += [content]
            }
            if let source = filter.source {
                clauses.append("source = ?")
                arguments += [source]
            }
            if let before {
                clauses.append("id < ?")
                arguments += [before]
            }
            let condition = clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ")
            let rows = try Row.fetchAll(
                db.makeStatement(sql: "SELECT id, record FROM imports\(condition) ORDER BY id DESC LIMIT ?"),
                arguments: arguments + [page.limit + 1])
            let records = try rows.prefix(page.limit).compactMap(Self.record)
            let next = rows.count > page.limit ? records.last.map { PageToken.encode(String($0.id)) } : nil
            return Page(items: records, nextPageToken: next)
        }
    }

    public func importRecord(id: Int64) async throws -> ImportRecord {
        try await read { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT id, record FROM imports WHERE id = ?"), arguments: [id]),
                let record = try Self.record(row)
            else {
                throw RegistryError.notFound("import \(id) does not exist")
            }
            return record
        }
    }
}
