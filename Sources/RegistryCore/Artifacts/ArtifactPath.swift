import Foundation

/// A relative path of a file inside a version's artifacts (`model.onnx`, `config/params.json`).
///
/// Paths are checked so no artifact can name a location outside its version: no `..` or `.` segments,
/// no absolute paths, no backslashes, no NUL or other control characters, no empty segments.
public struct ArtifactPath: ValidatedName, Comparable {
    public let rawValue: String

    public init(validating text: String) throws {
        func refuse(_ why: String) -> RegistryError {
            .invalidArgument("artifact path '\(String(text.unicodeScalars.filter { $0.value >= 0x20 }).prefix(80))' \(why)")
        }
        guard !text.isEmpty else { throw RegistryError.invalidArgument("artifact path is empty") }
        guard text.utf8.count <= 1024 else { throw refuse("is longer than 1024 bytes") }
        guard !text.unicodeScalars.contains(where: { $0.value == 0 }) else { throw refuse("contains a NUL byte") }
        guard NameRules.isPrintable(text) else { throw refuse("contains a control character") }
        guard !text.contains("\\") else { throw refuse("contains a backslash; use '/' between folders") }
        guard !text.hasPrefix("/") else { throw refuse("is absolute; give a path relative to the version") }
        let segments = text.split(separator: "/", omittingEmptySubsequences: false)
        for segment in segments {
            if segment.isEmpty { throw refuse("has an empty segment ('//' or a trailing '/')") }
            if segment == "." || segment == ".." { throw refuse("contains '.' or '..' segments") }
        }
        self.rawValue = text
    }

    public init(rawValue: String) { self.rawValue = rawValue }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// One file in a version's manifest.
public struct ArtifactEntry: Sendable, Hashable {
    public var path: ArtifactPath
    public var size: Int64
    public var sha256: BlobDigest
    public var createdAt: Date

    public init(path: ArtifactPath, size: Int64, sha256: BlobDigest, createdAt: Date) {
        self.path = path
        self.size = size
        self.sha256 = sha256
        self.createdAt = createdAt
    }
}

