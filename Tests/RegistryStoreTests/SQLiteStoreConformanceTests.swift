import Foundation
import RegistryStore
import Testing

@Suite struct SQLiteStoreConformanceTests {
    @Test(arguments: StoreConformance.names)
    func conformance(name: String) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("modelyard-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteRegistryStore(path: directory.appendingPathComponent("registry.sqlite").path)
        try await StoreConformance.cases[name]!(store)
    }

    @Test func reopeningKeepsEverything() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("modelyard-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("registry.sqlite").path
        do {
            let store = try SQLiteRegistryStore(path: path)
            try await StoreConformance.makeModel(store, "kept")
            _ = try await StoreConformance.register(store, "kept")
        }
        let reopened = try SQLiteRegistryStore(path: path)
        #expect(try await reopened.listVersions(.init(rawValue: "kept"), filter: .init(), page: .all).items.count == 1)
    }
}
