import Crypto
public import Foundation
import RegistryCore

/// AWS Signature Version 4 for S3 requests (header-based, with a signed payload hash).
///
/// The canonical request follows the S3 rules, which differ from the generic AWS ones in two places: the path is
/// encoded once (not twice) and is not normalised. `SigV4Tests` checks the signer against the worked examples of
/// the S3 documentation ("Signature Calculations for the Authorization Header").
public struct SigV4Signer: Sendable {
    public var credentials: S3Credentials
    public var region: String
    public var service = "s3"

    public init(credentials: S3Credentials, region: String) {
        self.credentials = credentials
        self.region = region
    }

    /// The hex sha256 of an empty payload (GET, HEAD, DELETE).
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// The headers to add to a request: `x-amz-date`, `x-amz-content-sha256`, the session token when there is one,
    /// and `Authorization`. `headers` are the other headers that are sent and signed (lower- or mixed-case names);
    /// `Host` must be among them. `query` holds decoded names and values.
    public func sign(
        method: String, path: String, query: [(String, String)], headers: [(String, String)], payloadHash: String,
        date: Date
    ) -> [(String, String)] {
        let amzDate = Self.timestamp(date)
        let day = String(amzDate.prefix(8))
        var signed: [(String, String)] = headers.map { ($0.0.lowercased(), Self.trimmed($0.1)) }
        var added: [(String, String)] = [("x-amz-date", amzDate)]
        if !signed.contains(where: { $0.0 == "x-amz-content-sha256" }) { added.append(("x-amz-content-sha256", payloadHash)) }
        if let token = credentials.sessionToken { added.append(("x-amz-security-token", token)) }
        signed += added
        signed.sort { $0.0 < $1.0 }
        let signedNames = signed.map(\.0).joined(separator: ";")
        let encodedQuery: [(name: String, value: String)] = query.map { (Self.encode($0.0), Self.encode($0.1)) }
        let sortedQuery = encodedQuery.sorted { $0.name == $1.name ? $0.value < $1.value : $0.name < $1.name }
        let canonicalQuery = sortedQuery.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
        let canonicalHeaders: String = signed.map { "\($0.0):\($0.1)\n" }.joined()
        let lines: [String] = [
            method, Self.encode(path, keepingSlashes: true), canonicalQuery, canonicalHeaders, signedNames, payloadHash,
        ]
        let canonicalRequest = lines.joined(separator: "\n")
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let requestHash: String = Self.hex(SHA256.hash(data: Data(canonicalRequest.utf8)))
        let stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, requestHash].joined(separator: "\n")
        var key = SymmetricKey(data: Data("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key))
        let authorization =
            "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(signedNames), Signature=\(signature)"
        return added + [("Authorization", authorization)]
    }

    /// `20130524T000000Z`: the registry's ISO 8601 form, whole seconds, without separators.
    static func timestamp(_ date: Date) -> String {
        let text = ISO8601.format(Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)))
        return String(text.prefix(19).filter { $0 != "-" && $0 != ":" }) + "Z"
    }

    /// RFC 3986 percent-encoding of everything but the unreserved characters (and `/` in paths), as SigV4 requires.
    static func encode(_ text: String, keepingSlashes: Bool = false) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "/") where keepingSlashes:
                result.append("/")
            default:
                result.append("%")
                result.unicodeScalars.append(Unicode.Scalar(Self.upperHexDigits[Int(byte >> 4)]))
                result.unicodeScalars.append(Unicode.Scalar(Self.upperHexDigits[Int(byte & 15)]))
            }
        }
        return result
    }

    /// Header values are signed with surrounding spaces removed and inner runs of spaces collapsed to one.
    private static func trimmed(_ value: String) -> String {
        value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
    private static let upperHexDigits = Array("0123456789ABCDEF".utf8)

    /// Lower-case hex, as SigV4 writes hashes and signatures.
    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        var result = ""
        for byte in digest {
            result.unicodeScalars.append(Unicode.Scalar(hexDigits[Int(byte >> 4)]))
            result.unicodeScalars.append(Unicode.Scalar(hexDigits[Int(byte & 15)]))
        }
        return result
    }
}

/// Keys that sign S3 requests, from the standard AWS environment variables.
public struct S3Credentials: Sendable, Equatable {
    public var accessKeyID: String
    public var secretAccessKey: String
    public var sessionToken: String?

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }
}
