import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Large downloads stream with the server's memory flat, whatever the client's pace: a client that stops reading
/// makes the server stop reading the file, instead of buffering all of it.
@Suite struct TransferMemoryTests {
    static func residentMegabytes(_ pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return -1 }
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) / 1024
    }

    @Test func aStalledDownloadKeepsTheServersMemoryFlat() throws {
        let work = try temporaryDirectory("transfer")
        defer { try? FileManager.default.removeItem(at: work) }
        let server = try ServerProcess(dataDirectory: work.appendingPathComponent("data"))
        defer { server.kill(SIGKILL) }
        let size = 256 << 20
        let file = work.appendingPathComponent("big.bin")
        #expect(FileManager.default.createFile(atPath: file.path, contents: nil))
        let handle = try FileHandle(forWritingTo: file)
        let block = Data((0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        for _ in 0..<(size >> 20) { handle.write(block) }
        try handle.close()
        for arguments in [["models", "create", "big"], ["versions", "register", "big"], ["upload", "big", "1.0.0", file.path]] {
            let result = try runCLI(arguments, server: server)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
        }
        let before = Self.residentMegabytes(server.process.processIdentifier)

        // A client that asks for the file, reads 1 MiB of it and then stops reading.
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(socket >= 0)
        defer { close(socket) }
        var small: Int32 = 64 << 10
        setsockopt(socket, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(server.port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        #expect(connected == 0)
        let request = "GET /api/v1/models/big/versions/1.0.0/artifacts/big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        #expect(request.withCString { send(socket, $0, strlen($0), 0) } == request.utf8.count)
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        var received = 0
        while received < 1 << 20 {
            let n = recv(socket, &buffer, buffer.count, 0)
            #expect(n > 0)
            if n <= 0 { break }
            received += n
        }

        // While the client holds still, the server may fill the socket's buffers but no more: sample its memory
        // over two seconds (a server that buffers the file grows by its 256 MiB within a fraction of that).
        var peak = before
        for _ in 0..<20 {
            usleep(100_000)
            peak = max(peak, Self.residentMegabytes(server.process.processIdentifier))
        }
        #expect(before > 0 && peak - before < 64, "server RSS grew from \(before) MB to \(peak) MB during a stalled download")
    }
}
