public import AsyncHTTPClient
import Crypto
public import Foundation
import Logging
public import NIOCore
import NIOHTTP1
import RegistryCore

/// Where artifacts live in S3 and how to reach it: `s3://bucket/prefix` plus the standard AWS variables.
public struct S3Configuration: Sendable, Equatable {
    public var bucket: String
    /// Key prefix without leading or trailing slash; empty for the bucket's root.
    public var prefix: String
    public var region: String
    /// `AWS_ENDPOINT_URL_S3` or `AWS_ENDPOINT_URL` (MinIO, moto, Ceph…); nil for AWS itself.
    public var endpoint: URL?
    public var credentials: S3Credentials
    /// Path-style addressing (`endpoint/bucket/key`): used with a custom endpoint and for bucket names with dots;
    /// otherwise virtual-hosted (`bucket.s3.region.amazonaws.com/key`).
    public var pathStyle: Bool

    public init(
        bucket: String, prefix: String, region: String, endpoint: URL?, credentials: S3Credentials, pathStyle: Bool? = nil
    ) {
        self.bucket = bucket
        self.prefix = prefix
        self.region = region
        self.endpoint = endpoint
        self.credentials = credentials
        self.pathStyle = pathStyle ?? (endpoint != nil || bucket.contains("."))
    }

    /// Reads `s3://bucket/prefix` and the AWS variables; every mistake is named with what to set.
    public static func resolve(url text: String, environment env: [String: String]) throws -> S3Configuration {
        guard text.hasPrefix("s3://") else {
            throw RegistryError.invalidArgument("the artifact location '\(text)' must look like s3://bucket/prefix")
        }
        let rest = text.dropFirst("s3://".count)
        let bucket = String(rest.prefix { $0 != "/" })
        let prefix = rest.dropFirst(bucket.count).split(separator: "/").joined(separator: "/")
        let bucketCharacters = Set("abcdefghijklmnopqrstuvwxyz0123456789.-")
        guard (3...63).contains(bucket.count), bucket.allSatisfy(bucketCharacters.contains),
            bucket.first != "." && bucket.first != "-", bucket.last != "." && bucket.last != "-"
        else {
            throw RegistryError.invalidArgument(
                "'\(bucket)' is not an S3 bucket name: 3 to 63 lower-case letters, digits, dots and hyphens")
        }
        guard let key = env["AWS_ACCESS_KEY_ID"], !key.isEmpty, let secret = env["AWS_SECRET_ACCESS_KEY"], !secret.isEmpty
        else {
            throw RegistryError.invalidArgument(
                "artifacts on S3 need credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary ones)")
        }
        let token = env["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        let region = [env["AWS_REGION"], env["AWS_DEFAULT_REGION"]].compactMap { $0 }.first { !$0.isEmpty } ?? "us-east-1"
        var endpoint: URL?
        if let endpointText = [env["AWS_ENDPOINT_URL_S3"], env["AWS_ENDPOINT_URL"]].compactMap({ $0 }).first(where: { !$0.isEmpty }) {
            guard let url = URL(string: endpointText), let scheme = url.scheme, ["http", "https"].contains(scheme),
                url.host != nil, url.query == nil
            else {
                throw RegistryError.invalidArgument(
                    "AWS_ENDPOINT_URL '\(endpointText)' must be an http or https address such as http://127.0.0.1:9000")
            }
            endpoint = url
        }
        return S3Configuration(
            bucket: bucket, prefix: prefix, region: region, endpoint: endpoint,
            credentials: S3Credentials(accessKeyID: key, secretAccessKey: secret, sessionToken: token))
    }

    /// The scheme, host and port requests go to, and the path that precedes an object key.
    var base: (origin: String, host: String, keyPath: String) {
        if let endpoint {
            var host = endpoint.host ?? ""
            if let port = endpoint.port { host += ":\(port)" }
            let path = endpoint.path.hasSuffix("/") ? String(endpoint.path.dropLast()) : endpoint.path
            let origin = "\(endpoint.scheme ?? "https")://\(host)"
            return pathStyle ? (origin, host, "\(path)/\(bucket)") : (origin, "\(bucket).\(host)", path)
        }
        let regional = region == "us-east-1" ? "s3.amazonaws.com" : "s3.\(region).amazonaws.com"
        return pathStyle ? ("https://\(regional)", regional, "/\(bucket)") : ("https://\(bucket).\(regional)", "\(bucket).\(regional)", "")
    }

    public var description: String { "s3://\(bucket)/\(prefix)" }
}

/// An object's key, size and time as S3 reports them.
public struct S3Object: Sendable, Equatable {
    public var key: String
    public var size: Int64
    public var lastModified: Date
}

/// The few S3 calls the artifact store needs, signed with SigV4 and sent through AsyncHTTPClient.
///
/// Idempotent calls (all of them here: parts are re-sent whole) are retried on connection errors, 500, 503 and
/// throttling, three attempts with a short backoff. Failures surface as `unavailable` with S3's code and message.
public struct S3Client: Sendable {
    public let configuration: S3Configuration
    let http: HTTPClient
    let signer: SigV4Signer
    let logger: Logger
    /// Time a single request (one part, one range) may take.
    var timeout: TimeAmount = .minutes(5)

    public init(configuration: S3Configuration, http: HTTPClient = .shared, logger: Logger = Logger(label: "modelyard.s3")) {
        self.configuration = configuration
        self.http = http
        self.signer = SigV4Signer(credentials: configuration.credentials, region: configuration.region)
        self.logger = logger
    }

    // MARK: Calls

    /// Fails unless the bucket exists and the credentials may use it.
    public func checkBucket() async throws {
        let response = try await send("HEAD", key: nil, expecting: [200, 404, 403, 301])
        try await Self.discard(response)
        switch response.status.code {
        case 404: throw RegistryError.invalidArgument("the bucket \(configuration.bucket) does not exist; create it first")
        case 403:
            throw RegistryError.invalidArgument(
                "the credentials in AWS_ACCESS_KEY_ID may not use the bucket \(configuration.bucket) (403)")
        case 301:
            throw RegistryError.invalidArgument(
                "the bucket \(configuration.bucket) is in another region; set AWS_REGION to its region")
        default: return
        }
    }

    /// Creates the bucket (tests and first-time setup against S3-compatible servers).
    public func createBucket() async throws {
        try await Self.discard(send("PUT", key: nil))
    }

    public func putObject(key: String, body: ByteBuffer) async throws {
        try await Self.discard(send("PUT", key: key, body: body))
    }

    public func createMultipartUpload(key: String) async throws -> String {
        let response = try await send("POST", key: key, query: [("uploads", "")])
        guard let id = try await Self.xml(response, limit: 64 << 10)?.value("UploadId"), !id.isEmpty else {
            throw Self.protocolError("CreateMultipartUpload answered without an UploadId")
        }
        return id
    }

    /// Uploads one part; returns its ETag.
    public func uploadPart(key: String, uploadID: String, number: Int, body: ByteBuffer) async throws -> String {
        let response = try await send(
            "PUT", key: key, query: [("partNumber", String(number)), ("uploadId", uploadID)], body: body)
        try await Self.discard(response)
        return try Self.etag(response)
    }

    /// Copies a byte range of `source` (a key of this bucket) as one part; returns its ETag.
    public func uploadPartCopy(key: String, uploadID: String, number: Int, source: String, range: ClosedRange<Int64>)
        async throws -> String
    {
        let response = try await send(
            "PUT", key: key, query: [("partNumber", String(number)), ("uploadId", uploadID)],
            headers: [
                ("x-amz-copy-source", copySource(source)),
                ("x-amz-copy-source-range", "bytes=\(range.lowerBound)-\(range.upperBound)"),
            ])
        guard let tag = try await Self.xml(response, limit: 64 << 10)?.value("ETag") else {
            throw Self.protocolError("UploadPartCopy answered without an ETag")
        }
        return tag
    }

    public func completeMultipartUpload(key: String, uploadID: String, parts: [String]) async throws {
        var xml = "<CompleteMultipartUpload>"
        for (index, tag) in parts.enumerated() {
            xml += "<Part><PartNumber>\(index + 1)</PartNumber><ETag>\(Self.escape(tag))</ETag></Part>"
        }
        xml += "</CompleteMultipartUpload>"
        let response = try await send(
            "POST", key: key, query: [("uploadId", uploadID)], body: ByteBuffer(string: xml),
            headers: [("content-type", "application/xml")])
        // S3 may answer 200 and still report an error in the body of a completion.
        if let root = try await Self.xml(response, limit: 64 << 10), root.name == "Error" {
            throw Self.failure(status: 200, root)
        }
    }

    public func abortMultipartUpload(key: String, uploadID: String) async throws {
        try await Self.discard(send("DELETE", key: key, query: [("uploadId", uploadID)], expecting: [204, 200, 404]))
    }

    /// Server-side copy of `source` to `key` (S3 allows up to 5 GiB this way).
    public func copyObject(from source: String, to key: String) async throws {
        let response = try await send("PUT", key: key, headers: [("x-amz-copy-source", copySource(source))])
        if let root = try await Self.xml(response, limit: 64 << 10), root.name == "Error" {
            throw Self.failure(status: 200, root)
        }
    }

    /// The object's size and time, or nil when there is none.
    public func headObject(key: String) async throws -> S3Object? {
        let response = try await send("HEAD", key: key, expecting: [200, 404])
        try await Self.discard(response)
        guard response.status == .ok else { return nil }
        guard let size = response.headers.first(name: "content-length").flatMap({ Int64($0) }) else {
            throw Self.protocolError("HeadObject answered without a Content-Length")
        }
        let modified = response.headers.first(name: "last-modified").flatMap(S3Time.parseHTTP) ?? Date()
        return S3Object(key: key, size: size, lastModified: modified)
    }

    /// A byte range of an object, its body streamed as it arrives (AsyncHTTPClient reads ahead only a few buffers).
    public func getObject(key: String, range: ClosedRange<Int64>) async throws -> HTTPClientResponse.Body {
        let response = try await send(
            "GET", key: key, headers: [("range", "bytes=\(range.lowerBound)-\(range.upperBound)")], expecting: [206, 200])
        return response.body
    }

    public func deleteObject(key: String) async throws {
        try await Self.discard(send("DELETE", key: key, expecting: [204, 200, 404]))
    }

    /// One page (at most 1,000) of the objects under `prefix`, and the token of the next page.
    public func listObjects(prefix: String, continuation: String?) async throws -> (objects: [S3Object], next: String?) {
        var query = [("list-type", "2"), ("prefix", prefix)]
        if let continuation { query.append(("continuation-token", continuation)) }
        let response = try await send("GET", key: nil, query: query)
        guard let root = try await Self.xml(response, limit: 4 << 20), root.name == "ListBucketResult" else {
            throw Self.protocolError("ListObjectsV2 answered something other than a ListBucketResult")
        }
        let objects = try root.all("Contents").map { entry -> S3Object in
            guard let key = entry.value("Key"), let size = entry.value("Size").flatMap({ Int64($0) }) else {
                throw Self.protocolError("ListObjectsV2 listed an object without a key or size")
            }
            return S3Object(key: key, size: size, lastModified: entry.value("LastModified").flatMap(S3Time.parse) ?? Date())
        }
        let truncated = root.value("IsTruncated") == "true"
        return (objects, truncated ? root.value("NextContinuationToken") : nil)
    }

    /// Multipart uploads in progress under `prefix`: key, upload id, and when each began (first 1,000).
    public func listMultipartUploads(prefix: String) async throws -> [(key: String, uploadID: String, initiated: Date)] {
        let response = try await send("GET", key: nil, query: [("uploads", ""), ("prefix", prefix)])
        guard let root = try await Self.xml(response, limit: 4 << 20) else { return [] }
        return root.all("Upload").compactMap { upload in
            guard let key = upload.value("Key"), let id = upload.value("UploadId") else { return nil }
            return (key, id, upload.value("Initiated").flatMap(S3Time.parse) ?? Date())
        }
    }

    // MARK: Requests

    private func copySource(_ source: String) -> String {
        SigV4Signer.encode("/\(configuration.bucket)/\(source)", keepingSlashes: true)
    }

    /// Sends one signed request, retrying transient failures; answers outside `expecting` become errors.
    func send(
        _ method: String, key: String?, query: [(String, String)] = [], body: ByteBuffer? = nil,
        headers extra: [(String, String)] = [], expecting: Set<UInt> = [200]
    ) async throws -> HTTPClientResponse {
        let base = configuration.base
        let path = key.map { "\(base.keyPath)/\($0)" } ?? (base.keyPath.isEmpty ? "/" : base.keyPath)
        let payloadHash = body.map { buffer in
            buffer.withUnsafeReadableBytes { SigV4Signer.hex(SHA256.hash(data: $0)) }
        } ?? SigV4Signer.emptyPayloadHash
        let encodedQuery = query.map { "\(SigV4Signer.encode($0.0))=\(SigV4Signer.encode($0.1))" }.joined(separator: "&")
        let url = base.origin + SigV4Signer.encode(path, keepingSlashes: true) + (query.isEmpty ? "" : "?" + encodedQuery)
        var attempt = 0
        while true {
            attempt += 1
            var request = HTTPClientRequest(url: url)
            request.method = HTTPMethod(rawValue: method)
            let signedHeaders = [("host", base.host)] + extra
            let authorization = signer.sign(
                method: method, path: path, query: query, headers: signedHeaders, payloadHash: payloadHash, date: Date())
            for (name, value) in signedHeaders + authorization { request.headers.add(name: name, value: value) }
            if let body {
                request.body = .bytes(body)
            } else if method == "PUT" || method == "POST" {
                request.headers.add(name: "content-length", value: "0")
            }
            do {
                let response = try await http.execute(request, timeout: timeout)
                if expecting.contains(response.status.code) {
                    return response
                }
                let root = method == "HEAD" ? nil : try await Self.xml(response, limit: 64 << 10)
                let retryable = [500, 502, 503, 504].contains(response.status.code) || root?.value("Code") == "SlowDown"
                    || root?.value("Code") == "RequestTimeout"
                if retryable && attempt < 3 {
                    try await Task.sleep(for: .milliseconds(200 * attempt))
                    continue
                }
                throw Self.failure(status: response.status.code, root, method: method, key: key)
            } catch let error as HTTPClientError where attempt < 3 && Self.isTransient(error) {
                logger.debug("S3 \(method) \(key ?? "/") failed (\(error)); retrying")
                try await Task.sleep(for: .milliseconds(200 * attempt))
            } catch let error as RegistryError {
                throw error
            } catch let error as CancellationError {
                throw error
            } catch {
                throw RegistryError.unavailable(
                    "the artifact store \(configuration.description) could not be reached (\(error)); retry later")
            }
        }
    }

    private static func isTransient(_ error: HTTPClientError) -> Bool {
        [.remoteConnectionClosed, .readTimeout, .connectTimeout, .deadlineExceeded].contains(error)
    }

    private static func etag(_ response: HTTPClientResponse) throws -> String {
        guard let tag = response.headers.first(name: "etag") else { throw protocolError("UploadPart answered without an ETag") }
        return tag
    }

    /// Reads and drops a body nobody needs, so the connection goes back to the pool instead of being closed.
    private static func discard(_ response: HTTPClientResponse) async throws {
        _ = try await response.body.collect(upTo: 1 << 20)
    }

    static func xml(_ response: HTTPClientResponse, limit: Int) async throws -> S3XMLElement? {
        let body = try await response.body.collect(upTo: limit)
        guard body.readableBytes > 0 else { return nil }
        return S3XMLElement.parse(Data(body.readableBytesView))
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func protocolError(_ what: String) -> RegistryError {
        .unavailable("the artifact store answered unexpectedly: \(what)")
    }

    private static func failure(status: UInt, _ root: S3XMLElement?, method: String = "POST", key: String? = nil)
        -> RegistryError
    {
        let code = root?.value("Code") ?? "HTTP \(status)"
        let message = root?.value("Message").map { ": \($0)" } ?? ""
        return .unavailable("the artifact store refused \(method) \(key ?? "/") (\(code)\(message))")
    }
}
