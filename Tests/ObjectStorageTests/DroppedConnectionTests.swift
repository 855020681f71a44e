import Foundation
import NIOCore
@testable import ObjectStorage
import RegistryCore
import RegistryStore
import Synchronization
import TestServers
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A download whose connection drops part-way resumes with a ranged GET from its last byte: the bytes that reach the
/// reader are the blob's, whole and once.
@Suite struct DroppedConnectionTests {
    @Test func aDownloadResumesFromItsLastByteAfterTheConnectionDrops() async throws {
        let direct = try await ArtifactStoreConformanceTests.s3Store()
        let chunks = ArtifactStoreConformanceTests.chunks(size: 9 << 20)
        let stored = try await direct.put(chunks.async, maxSize: 64 << 20, expected: nil)

        let endpoint = try MotoServer.endpoint()
        let proxy = try CuttingProxy(upstreamPort: endpoint.port!, cutAfter: 2 << 20)
        var configuration = direct.client.configuration
        configuration.endpoint = URL(string: "http://127.0.0.1:\(proxy.port)")
        let throughProxy = S3ArtifactStore(client: S3Client(configuration: configuration))

        let read = try await ArtifactStoreConformanceTests.read(throughProxy, stored.digest)
        #expect(proxy.cuts == 1, "the proxy did not cut a download, so nothing was resumed")
        #expect(read.bytes == 9 << 20 && read.digest == stored.digest)
    }
}

/// A TCP proxy to a loopback port that, once, closes a connection when its answers pass `cutAfter` bytes.
final class CuttingProxy: Sendable {
    let port: Int
    private let listener: Int32
    private let state = Mutex((cuts: 0, armed: true))

    var cuts: Int { state.withLock { $0.cuts } }

    init(upstreamPort: Int, cutAfter: Int) throws {
        let listening = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        listener = listening
        var address = Self.loopback(0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listening, $0, length) == 0 && listen(listening, 16) == 0 && getsockname(listening, $0, &length) == 0
            }
        }
        guard ok else { throw RegistryError(.internal, "proxy could not listen") }
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { [self] in
            while true {
                let client = accept(listening, nil, nil)
                if client < 0 { return }
                let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                var target = Self.loopback(upstreamPort)
                _ = withUnsafePointer(to: &target) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
                Thread.detachNewThread { _ = Self.pump(from: client, to: upstream, limit: nil) }
                Thread.detachNewThread { [self] in
                    _ = Self.pump(from: upstream, to: client, limit: cutAfter) {
                        state.withLock { state in
                            defer { state.armed = false }
                            if state.armed { state.cuts += 1 }
                            return state.armed
                        }
                    }
                }
            }
        }
    }

    deinit {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    /// Copies bytes until either side closes; when a connection's answers pass `limit` bytes and `shouldCut` agrees
    /// (once per proxy), closes it right there.
    private static func pump(from source: Int32, to target: Int32, limit: Int?, shouldCut: () -> Bool = { false }) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        var total = 0
        defer {
            shutdown(source, Int32(SHUT_RDWR))
            shutdown(target, Int32(SHUT_RDWR))
        }
        while true {
            var count = recv(source, &buffer, buffer.count, 0)
            if count <= 0 { return false }
            var cutting = false
            if let limit, total + count > limit, shouldCut() {
                count = limit - total
                cutting = true
            }
            var sent = 0
            while sent < count {
                let n = buffer.withUnsafeBytes { send(target, $0.baseAddress! + sent, count - sent, Int32(MSG_NOSIGNAL)) }
                if n <= 0 { return false }
                sent += n
            }
            total += count
            if cutting { return true }
        }
    }

    private static func loopback(_ port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}
