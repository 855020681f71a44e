import Foundation
@testable import ObjectStorage
import RegistryCore
import Testing

/// The signer against the worked examples of the S3 documentation ("Examples: Signature Calculations",
/// AWS Signature Version 4 for the Authorization header): same keys, date and requests, same signatures.
@Suite struct SigV4Tests {
    let signer = SigV4Signer(
        credentials: S3Credentials(
            accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        region: "us-east-1")
    let date = Date(timeIntervalSince1970: 1_369_353_600)  // 2013-05-24T00:00:00Z
    let host = ("host", "examplebucket.s3.amazonaws.com")

    func authorization(_ headers: [(String, String)]) -> String {
        headers.first { $0.0 == "Authorization" }?.1 ?? ""
    }

    @Test func getObjectWithARange() {
        let headers = signer.sign(
            method: "GET", path: "/test.txt", query: [], headers: [host, ("Range", "bytes=0-9")],
            payloadHash: SigV4Signer.emptyPayloadHash, date: date)
        #expect(headers.contains { $0 == ("x-amz-date", "20130524T000000Z") })
        let value = authorization(headers)
        #expect(value.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request"))
        #expect(value.contains("SignedHeaders=host;range;x-amz-content-sha256;x-amz-date"))
        #expect(value.hasSuffix("Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"))
    }

    @Test func putObjectWithAnEncodedKeyAndExtraHeaders() {
        let headers = signer.sign(
            method: "PUT", path: "/test$file.text", query: [],
            headers: [("Date", "Fri, 24 May 2013 00:00:00 GMT"), host, ("x-amz-storage-class", "REDUCED_REDUNDANCY")],
            payloadHash: "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072", date: date)
        let value = authorization(headers)
        #expect(value.contains("SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class"))
        #expect(value.hasSuffix("Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"))
    }

    @Test func getBucketLifecycleWithAValuelessQueryParameter() {
        let headers = signer.sign(
            method: "GET", path: "/", query: [("lifecycle", "")], headers: [host],
            payloadHash: SigV4Signer.emptyPayloadHash, date: date)
        #expect(authorization(headers).hasSuffix("Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"))
    }

    @Test func listObjectsWithSortedQueryParameters() {
        // Given out of order: the canonical query sorts them.
        let headers = signer.sign(
            method: "GET", path: "/", query: [("prefix", "J"), ("max-keys", "2")], headers: [host],
            payloadHash: SigV4Signer.emptyPayloadHash, date: date)
        #expect(authorization(headers).hasSuffix("Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"))
    }

    @Test func aSessionTokenIsSentAndSigned() {
        var withToken = signer
        withToken.credentials.sessionToken = "token"
        let headers = withToken.sign(
            method: "GET", path: "/test.txt", query: [], headers: [host], payloadHash: SigV4Signer.emptyPayloadHash,
            date: date)
        #expect(headers.contains { $0 == ("x-amz-security-token", "token") })
        #expect(authorization(headers).contains("x-amz-date;x-amz-security-token"))
    }

    @Test func encodingKeepsUnreservedCharactersAndSlashesInPaths() {
        #expect(SigV4Signer.encode("a b/c~d_e.f-g$h", keepingSlashes: true) == "a%20b/c~d_e.f-g%24h")
        #expect(SigV4Signer.encode("a/b=c") == "a%2Fb%3Dc")
        #expect(SigV4Signer.encode("é") == "%C3%A9")
        #expect(SigV4Signer.timestamp(Date(timeIntervalSince1970: 951_782_400)) == "20000229T000000Z")
        #expect(SigV4Signer.timestamp(Date(timeIntervalSince1970: 4_102_444_799)) == "20991231T235959Z")
    }

    @Test func timesInS3AnswersAreRead() {
        #expect(S3Time.parse("2013-05-24T00:00:01.000Z") == Date(timeIntervalSince1970: 1_369_353_601))
        #expect(S3Time.parseHTTP("Fri, 24 May 2013 00:00:01 GMT") == Date(timeIntervalSince1970: 1_369_353_601))
        #expect(S3Time.parse("garbage") == nil)
        #expect(S3Time.parseHTTP("Fri, 24 Mai 2013 00:00:01 GMT") == nil)
    }
}

/// `--artifacts s3://…` and the AWS variables: what is read, and the message for each mistake.
@Suite struct S3ConfigurationTests {
    let credentials = ["AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s"]

    @Test func aBucketAndPrefixOnAWS() throws {
        let configuration = try S3Configuration.resolve(
            url: "s3://ml-artifacts/teams/search/", environment: credentials.merging(["AWS_REGION": "eu-west-1"]) { $1 })
        #expect(configuration.bucket == "ml-artifacts")
        #expect(configuration.prefix == "teams/search")
        #expect(configuration.region == "eu-west-1")
        #expect(configuration.endpoint == nil)
        #expect(!configuration.pathStyle)
        #expect(configuration.base.origin == "https://ml-artifacts.s3.eu-west-1.amazonaws.com")
        #expect(configuration.base.keyPath == "")
    }

    @Test func aCustomEndpointUsesPathStyle() throws {
        let configuration = try S3Configuration.resolve(
            url: "s3://models", environment: credentials.merging(["AWS_ENDPOINT_URL": "http://127.0.0.1:9000"]) { $1 })
        #expect(configuration.prefix == "")
        #expect(configuration.region == "us-east-1")
        #expect(configuration.pathStyle)
        #expect(configuration.base.origin == "http://127.0.0.1:9000")
        #expect(configuration.base.host == "127.0.0.1:9000")
        #expect(configuration.base.keyPath == "/models")
        // The S3-specific variable wins over the general one, as in the AWS SDKs.
        let specific = try S3Configuration.resolve(
            url: "s3://models",
            environment: credentials.merging([
                "AWS_ENDPOINT_URL": "http://127.0.0.1:9000", "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:9001",
            ]) { $1 })
        #expect(specific.endpoint?.port == 9001)
    }

    @Test(arguments: [
        ("file:///tmp/x", "must look like s3://bucket/prefix"),
        ("s3://", "is not an S3 bucket name"),
        ("s3://Upper/x", "is not an S3 bucket name"),
        ("s3://ab", "is not an S3 bucket name"),
        ("s3://-bucket", "is not an S3 bucket name"),
    ])
    func badLocationsAreNamed(location: String, message: String) {
        #expect {
            try S3Configuration.resolve(url: location, environment: credentials)
        } throws: { error in
            (error as? RegistryError)?.code == .invalidArgument && "\(error)".contains(message)
        }
    }

    @Test func missingCredentialsOrABadEndpointSayWhatToSet() {
        #expect {
            try S3Configuration.resolve(url: "s3://models", environment: ["AWS_ACCESS_KEY_ID": "k"])
        } throws: { "\($0)".contains("set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY") }
        #expect {
            try S3Configuration.resolve(
                url: "s3://models", environment: credentials.merging(["AWS_ENDPOINT_URL": "localhost:9000"]) { $1 })
        } throws: { "\($0)".contains("must be an http or https address") }
    }
}
