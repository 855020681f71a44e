public import Foundation
public import Logging
public import Registry
import RegistryCore
import ServiceLifecycle
import Synchronization

/// Imports each new training folder that appears in a watched directory, once it is complete: it holds a
/// `_SUCCESS` marker, or its files (names, sizes, modification times) stayed the same for `settle` seconds.
/// A folder imported (or found a duplicate) before, in this run or an earlier one, is not imported again; a
/// refused one is tried again only when its files change.
public final class TrainingFolderWatcher: Service, Sendable {
    let registry: Registry
    let directory: URL
    let interval: Duration
    let settle: TimeInterval
    let clock: @Sendable () -> Date
    let logger: Logger
    private let state = Mutex(State())

    struct State {
        /// Per folder: its files' signature and when that signature was first seen.
        var seen: [String: (signature: [String], since: Date)] = [:]
        /// Folders handled in this run, with the signature they were handled at.
        var handled: [String: [String]] = [:]
    }

    public init(
        registry: Registry, directory: URL, interval: Duration = .seconds(2), settle: TimeInterval = 5,
        clock: @escaping @Sendable () -> Date = { Date() }, logger: Logger
    ) {
        self.registry = registry
        self.directory = directory
        self.interval = interval
        self.settle = settle
        self.clock = clock
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isCancelled {
            do {
                _ = try await scanOnce()
            } catch {
                logger.warning("watching \(directory.path) failed", metadata: ["error": "\(error)"])
            }
            do {
                try await cancelWhenGracefulShutdown { [interval] in try await Task.sleep(for: interval) }
            } catch {
                return
            }
        }
    }

    /// One look at the directory: imports every folder that is complete and new. Returns the records made.
    @discardableResult
    public func scanOnce() async throws -> [ImportRecord] {
        let folders = try FileManager.default.contentsOfDirectory(
            at: directory, includingPropertiesForKeys: [.isDirectoryKey], options: [.skipsHiddenFiles]
        ).filter { (try? $0.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        var records: [ImportRecord] = []
        let now = clock()
        for folder in folders {
            let name = folder.lastPathComponent
            let signature = Self.signature(of: folder)
            let ready: Bool = state.withLock { state in
                if state.handled[name] == signature { return false }
                if let seen = state.seen[name], seen.signature == signature {
                    return signature.contains("_SUCCESS") || now.timeIntervalSince(seen.since) >= settle
                }
                state.seen[name] = (signature, now)
                return signature.contains("_SUCCESS")
            }
            guard ready, !signature.isEmpty else { continue }
            let source = "file://" + folder.resolvingSymlinksInPath().standardizedFileURL.path
            let earlier = try await registry.importRecords(ImportFilter(source: source), page: try PageRequest(limit: 20)).items
            if earlier.contains(where: { $0.outcome != .refused }) {
                state.withLock { $0.handled[name] = signature }
                continue
            }
            do {
                let record = try await registry.importTrainingFolder(
                    name, root: directory, model: nil, audit: AuditContext(actor: "watcher", reason: "new folder in \(directory.path)"))
                records.append(record)
                logger.info(
                    "imported training folder", metadata: [
                        "folder": "\(name)", "outcome": "\(record.outcome.rawValue)",
                        "version": "\(record.version?.description ?? "-")", "reason": "\(record.reason ?? "")",
                    ])
            } catch {
                logger.warning("import of \(name) failed", metadata: ["error": "\(error)"])
            }
            state.withLock { $0.handled[name] = signature }
        }
        return records
    }

    /// The folder's files as `path size mtime` lines, sorted; `_SUCCESS` appears by name.
    static func signature(of folder: URL) -> [String] {
        guard let walker = FileManager.default.enumerator(
            at: folder, includingPropertiesForKeys: [.isRegularFileKey, .fileSizeKey, .contentModificationDateKey],
            options: [.skipsHiddenFiles])
        else { return [] }
        var lines: [String] = []
        let prefix = folder.standardizedFileURL.path + "/"
        for case let url as URL in walker {
            guard let values = try? url.resourceValues(forKeys: [.isRegularFileKey, .fileSizeKey, .contentModificationDateKey]),
                values.isRegularFile == true
            else { continue }
            let relative = String(url.standardizedFileURL.path.dropFirst(prefix.count))
            if relative == "_SUCCESS" {
                lines.append("_SUCCESS")
            } else {
                lines.append("\(relative) \(values.fileSize ?? -1) \(values.contentModificationDate?.timeIntervalSince1970 ?? 0)")
            }
        }
        return lines.sorted()
    }
}
