import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import TestServers
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `modelyard serve --artifacts s3://…` against a real S3 API (moto on loopback): a 2 GiB artifact goes up and comes
/// back through the CLI with the server's memory flat both ways, and a server pointed at a bucket that does not exist
/// stops at start with a message that says so.
@Suite(.serialized) struct S3ArtifactTests {
    static func createBucket(_ name: String, endpoint: URL) async throws {
        var request = HTTPClientRequest(url: endpoint.appendingPathComponent(name).absoluteString)
        request.method = .PUT
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        #expect(response.status == .ok)
    }

    /// Samples a process's resident memory on a thread until stopped; the peak in MiB.
    final class MemorySampler: @unchecked Sendable {
        private let lock = NSLock()
        private var peak = 0
        private var running = true
        private let thread: Thread

        init(pid: Int32) {
            let box = Box()
            thread = Thread {
                while box.sampler?.isRunning ?? true {
                    box.sampler?.record(TransferMemoryTests.residentMegabytes(pid))
                    usleep(50_000)
                }
            }
            box.sampler = self
            thread.start()
        }

        private final class Box: @unchecked Sendable { weak var sampler: MemorySampler? }
        private var isRunning: Bool { lock.withLock { running } }
        private func record(_ value: Int) { lock.withLock { peak = max(peak, value) } }

        func stop() -> Int {
            lock.withLock {
                running = false
                return peak
            }
        }
    }

    static func sha256(ofFile url: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var hasher = SHA256()
        while let data = try handle.read(upToCount: 8 << 20), !data.isEmpty { hasher.update(data: data) }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    @Test func aTwoGigabyteArtifactGoesUpAndComesBackWithTheServersMemoryFlat() async throws {
        let endpoint = try MotoServer.endpoint()
        let bucket = MotoServer.uniqueBucket("transfer")
        try await Self.createBucket(bucket, endpoint: endpoint)
        let work = try temporaryDirectory("s3-transfer")
        defer { try? FileManager.default.removeItem(at: work) }
        let server = try ServerProcess(
            dataDirectory: work.appendingPathComponent("data"), extraArguments: ["--artifacts", "s3://\(bucket)/registry"],
            environment: MotoServer.environment(endpoint: endpoint))
        defer { server.kill(SIGKILL) }

        let size = 2 << 30
        let file = work.appendingPathComponent("weights.bin")
        #expect(FileManager.default.createFile(atPath: file.path, contents: nil))
        let handle = try FileHandle(forWritingTo: file)
        var block = Data((0..<(16 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ ($0 >> 13)) })
        for index in 0..<(size / block.count) {
            block[0] = UInt8(truncatingIfNeeded: index)  // no two blocks alike
            handle.write(block)
        }
        try handle.close()
        let digest = try Self.sha256(ofFile: file)

        for arguments in [["models", "create", "big"], ["versions", "register", "big"]] {
            let result = try runCLI(arguments, server: server)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
        }
        let before = TransferMemoryTests.residentMegabytes(server.process.processIdentifier)
        let clock = ContinuousClock()
        let uploadStart = clock.now
        let uploadSampler = MemorySampler(pid: server.process.processIdentifier)
        let upload = try runCLI(["upload", "big", "1.0.0", file.path, "--verify"], server: server)
        let uploadPeak = uploadSampler.stop()
        #expect(upload.status == 0, "upload: \(upload.stderr)")

        let copy = work.appendingPathComponent("downloaded.bin")
        let uploadTime = clock.now - uploadStart
        let downloadStart = clock.now
        let downloadSampler = MemorySampler(pid: server.process.processIdentifier)
        let download = try runCLI(["download", "big", "1.0.0", "weights.bin", "--output", copy.path], server: server)
        let downloadPeak = downloadSampler.stop()
        let downloadTime = clock.now - downloadStart
        #expect(download.status == 0, "download: \(download.stderr)")
        #expect(try Self.sha256(ofFile: copy) == digest)
        let attributes = try FileManager.default.attributesOfItem(atPath: copy.path)
        #expect((attributes[.size] as? Int) == size)

        // 2 GiB passed through the server each way; it held two 8 MiB parts and a few read buffers at a time.
        #expect(before > 0)
        #expect(uploadPeak - before < 160, "server RSS grew from \(before) MB to \(uploadPeak) MB during a 2 GiB upload")
        #expect(downloadPeak - before < 160, "server RSS grew from \(before) MB to \(downloadPeak) MB during a 2 GiB download")
        print(
            "S3 transfer of 2 GiB: server RSS \(before) MB before, peak \(uploadPeak) MB uploading (\(uploadTime)), \(downloadPeak) MB downloading (\(downloadTime))")
    }

    @Test func aServerPointedAtAMissingBucketStopsAndSaysSo() throws {
        let endpoint = try MotoServer.endpoint()
        let work = try temporaryDirectory("s3-missing")
        defer { try? FileManager.default.removeItem(at: work) }
        #expect {
            try ServerProcess(
                dataDirectory: work.appendingPathComponent("data"), extraArguments: ["--artifacts", "s3://never-made-bucket/x"],
                environment: MotoServer.environment(endpoint: endpoint))
        } throws: { "\($0)".contains("the bucket never-made-bucket does not exist; create it first") }
        let noKeys = try runCLI(
            ["serve", "--port", "0", "--data-dir", work.appendingPathComponent("data").path, "--artifacts", "s3://models/x"],
            server: nil, environment: ["AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""])
        #expect(noKeys.status != 0)
        #expect(noKeys.stderr.contains("set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"), "\(noKeys.stderr)")
        // The location comes from the environment and the config file too, in the usual order.
        let fromEnvironment = try runCLI(
            ["serve", "--port", "0", "--data-dir", work.appendingPathComponent("data").path], server: nil,
            environment: ["MODELYARD_ARTIFACTS": "gs://models"])
        #expect(fromEnvironment.status != 0 && fromEnvironment.stderr.contains("must look like s3://bucket/prefix"))
        let config = work.appendingPathComponent("config.json")
        try #"{"artifacts": "s3://Not_A_Bucket"}"#.write(to: config, atomically: true, encoding: .utf8)
        let fromFile = try runCLI(["serve", "--config", config.path], server: nil)
        #expect(fromFile.status != 0 && fromFile.stderr.contains("is not an S3 bucket name"), "\(fromFile.stderr)")
    }
}
