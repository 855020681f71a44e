import Foundation
import NIOCore
import RegistryCore

/// Reads a `multipart/form-data` body part by part, pulling from the request as the consumer pulls, so a large
/// file part streams (into the blob store) with the client's pace and flat memory. Parts' headers are bounded;
/// a body that ends before its closing boundary is refused.
final class MultipartReader<Body: AsyncSequence> where Body.Element == ByteBuffer {
    struct Part {
        var name: String
        var filename: String?
    }

    private var iterator: Body.AsyncIterator
    /// Starts with a CRLF so the first boundary (which has none before it) matches the delimiter like the others.
    private var buffer = ByteBuffer(bytes: [0x0D, 0x0A])
    private let delimiter: [UInt8]
    private var finished = false
    private var inBody = false

    static var maxHeaderBytes: Int { 16 * 1024 }

    init(_ body: Body, boundary: String) {
        iterator = body.makeAsyncIterator()
        delimiter = Array("\r\n--\(boundary)".utf8)
    }

    /// The boundary of a `multipart/form-data; boundary=...` content type.
    static func boundary(of contentType: String) -> String? {
        guard contentType.lowercased().hasPrefix("multipart/form-data") else { return nil }
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == "boundary" {
                let value = pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                return (1...70).contains(value.utf8.count) ? value : nil
            }
        }
        return nil
    }

    private func pull() async throws -> Bool {
        guard var chunk = try await iterator.next() else { return false }
        buffer.writeBuffer(&chunk)
        return true
    }

    /// Where `pattern` starts in the unread bytes, searching from `start` (memchr for its first byte, then a
    /// compare), or nil.
    private func index(of pattern: [UInt8], from start: Int = 0) -> Int? {
        buffer.withUnsafeReadableBytes { bytes -> Int? in
            guard let base = bytes.baseAddress, bytes.count >= pattern.count else { return nil }
            var i = max(0, start)
            let last = bytes.count - pattern.count
            while i <= last {
                guard let hit = memchr(base + i, Int32(pattern[0]), last - i + 1) else { return nil }
                let at = base.distance(to: UnsafeRawPointer(hit))
                if pattern.withUnsafeBytes({ memcmp(base + at, $0.baseAddress!, pattern.count) }) == 0 { return at }
                i = at + 1
            }
            return nil
        }
    }

    /// The next part's headers, or nil after the closing boundary. Skips what is left of the current part.
    func nextPart() async throws -> Part? {
        while inBody { _ = try await nextChunk() }
        if finished { return nil }
        // Expect the delimiter, then `--` (the end) or CRLF and the headers.
        while index(of: delimiter) == nil {
            guard buffer.readableBytes < Self.maxHeaderBytes, try await pull() else {
                throw RegistryError.invalidArgument("the multipart body has no boundary where a part should start")
            }
        }
        let at = index(of: delimiter)!
        buffer.moveReaderIndex(forwardBy: at + delimiter.count)
        while buffer.readableBytes < 2, try await pull() {}
        let after = buffer.readBytes(length: min(2, buffer.readableBytes)) ?? []
        if after == [0x2D, 0x2D] {
            finished = true
            return nil
        }
        guard after == [0x0D, 0x0A] else { throw RegistryError.invalidArgument("the multipart body is malformed after a boundary") }
        let headerEnd: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A]
        while index(of: headerEnd) == nil {
            guard buffer.readableBytes < Self.maxHeaderBytes, try await pull() else {
                throw RegistryError.invalidArgument("a multipart part's headers are missing or larger than \(Self.maxHeaderBytes) bytes")
            }
        }
        let length = index(of: headerEnd)!
        let headers = buffer.readString(length: length) ?? ""
        buffer.moveReaderIndex(forwardBy: 4)
        var part = Part(name: "", filename: nil)
        for line in headers.split(separator: "\r\n") where line.lowercased().hasPrefix("content-disposition:") {
            for parameter in line.split(separator: ";").dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard pair.count == 2 else { continue }
                let value = pair[1].hasPrefix("\"") && pair[1].hasSuffix("\"") && pair[1].count >= 2
                    ? String(pair[1].dropFirst().dropLast()) : pair[1]
                switch pair[0].lowercased() {
                case "name": part.name = value
                case "filename": part.filename = value
                default: break
                }
            }
        }
        inBody = true
        return part
    }

    /// The current part's next bytes; nil at its end (the delimiter stays for `nextPart`).
    func nextChunk() async throws -> ByteBuffer? {
        guard inBody else { return nil }
        // Positions before `searched` cannot start the delimiter: each pull searches only the new bytes.
        var searched = 0
        while true {
            if let at = index(of: delimiter, from: searched) {
                if at == 0 {
                    inBody = false
                    return nil
                }
                // The delimiter stays; the next call sees it at once and ends the part.
                return buffer.readSlice(length: at)
            }
            // Everything but a tail that could be the start of the delimiter is the part's.
            let safe = buffer.readableBytes - (delimiter.count - 1)
            if safe >= 64 * 1024, let slice = buffer.readSlice(length: safe) {
                buffer.discardReadBytes()
                return slice
            }
            searched = max(0, safe)
            guard try await pull() else {
                throw RegistryError.invalidArgument("the multipart body ended inside a part; send the closing boundary")
            }
        }
    }
}

/// The current part's bytes as a sequence, for a consumer (the blob store) that pulls.
struct MultipartPartBytes<Body: AsyncSequence>: AsyncSequence where Body.Element == ByteBuffer {
    typealias Element = ByteBuffer
    let reader: MultipartReader<Body>

    struct AsyncIterator: AsyncIteratorProtocol {
        let reader: MultipartReader<Body>
        mutating func next() async throws -> ByteBuffer? { try await reader.nextChunk() }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(reader: reader) }
}
