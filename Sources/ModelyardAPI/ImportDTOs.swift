import Foundation
public import RegistryCore
import RegistryWire

/// Body of `POST /api/v1/imports`: either `path`, a folder under the server's `--import-root`, or `files`, the
/// folder's files already PUT to `/api/v1/blobs/{sha256}` (paths relative to the folder).
public struct TrainingImportRequest: Codable, Sendable, KnownFields {
    public var model: String?
    public var path: String?
    public var files: [ImportRecord.File]?
    /// What the client calls the folder (recorded as the import's source).
    public var source: String?

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case model, path, files, source
    }

    public init(model: String? = nil, path: String? = nil, files: [ImportRecord.File]? = nil, source: String? = nil) {
        self.model = model
        self.path = path
        self.files = files
        self.source = source
    }
}

public struct ImportListResponse: Codable, Sendable {
    public var imports: [ImportRecord]
    public var nextPageToken: String?

    enum CodingKeys: String, CodingKey {
        case imports
        case nextPageToken = "next_page_token"
    }

    package init(imports: [ImportRecord], nextPageToken: String?) {
        self.imports = imports
        self.nextPageToken = nextPageToken
    }
}
