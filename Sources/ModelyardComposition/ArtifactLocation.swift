public import Foundation
import Logging
public import ObjectStorage
import RegistryStore

/// Where a server keeps artifacts: the `artifacts/` folder of its data directory (the default), or an S3-compatible
/// bucket (`--artifacts s3://bucket/prefix` with the standard AWS variables).
public enum ArtifactLocation: Sendable, Equatable {
    case dataDirectory
    case s3(S3Configuration)

    /// Reads a location as given to `--artifacts`: nil or empty for the data directory, `s3://…` for a bucket.
    public static func parse(_ text: String?, environment: [String: String]) throws -> ArtifactLocation {
        guard let text, !text.isEmpty else { return .dataDirectory }
        return .s3(try S3Configuration.resolve(url: text, environment: environment))
    }

    /// How the server names the location in its startup line.
    public func describe(dataDirectory: URL) -> String {
        switch self {
        case .dataDirectory: dataDirectory.appendingPathComponent("artifacts").path
        case .s3(let configuration): configuration.description
        }
    }

    /// Fails with a message that says what to fix when the bucket is missing or the credentials may not use it, so
    /// a misconfigured server stops at start, not at its first upload.
    public func checkReachable(logger: Logger) async throws {
        guard case .s3(let configuration) = self else { return }
        try await S3Client(configuration: configuration, logger: logger).checkBucket()
    }
}
