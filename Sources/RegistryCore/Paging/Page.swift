import Foundation

/// One page of a listing and the token that fetches the next one (`nil` on the last page).
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var nextPageToken: String?

    public init(items: [Item], nextPageToken: String?) {
        self.items = items
        self.nextPageToken = nextPageToken
    }
}

extension Page: Equatable where Item: Equatable {}

/// A request for a page: how many items and where to continue.
public struct PageRequest: Sendable, Equatable {
    public static let defaultLimit = 100
    public static let maxLimit = 1_000

    public var limit: Int
    /// An opaque token from a previous page.
    public var token: String?

    public init(limit: Int? = nil, token: String? = nil) throws {
        let limit = limit ?? Self.defaultLimit
        guard (1...Self.maxLimit).contains(limit) else {
            throw RegistryError.invalidArgument("limit must be between 1 and \(Self.maxLimit)")
        }
        self.limit = limit
        self.token = (token?.isEmpty ?? true) ? nil : token
    }

    /// A request for everything up to the maximum page size (for internal callers).
    public static var all: PageRequest { PageRequest(unchecked: maxLimit) }

    private init(unchecked limit: Int) {
        self.limit = limit
        self.token = nil
    }
}

/// Encodes and decodes the key a listing continues after, as an opaque URL-safe token.
public enum PageToken {
    /// The row offset an offset-paged search (MLflow-style) continues at; 0 without a token.
    public static func offset(_ token: String?) throws -> Int {
        guard let token, !token.isEmpty else { return 0 }
        guard let text = try? decode(token), text.hasPrefix("o:"), let offset = Int(text.dropFirst(2)), offset >= 0
        else {
            throw RegistryError.invalidArgument("page_token is invalid; pass the next_page_token of the previous page")
        }
        return offset
    }

    /// The token of the page after `count` rows read at `offset`, or nil when there are no more.
    public static func next(offset: Int, count: Int, more: Bool) -> String? {
        more ? encode("o:\(offset + count)") : nil
    }

    public static func encode(_ key: String) -> String {
        let bytes = Array(("k1:" + key).utf8)
        return bytes.map { String(format: "%02x", $0) }.joined()
    }

    public static func decode(_ token: String) throws -> String {
        let utf8 = Array(token.utf8)
        guard utf8.count % 2 == 0, utf8.count <= 4_096 else { throw invalid }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = hexValue(utf8[index]), let low = hexValue(utf8[index + 1]) else { throw invalid }
            bytes.append(high << 4 | low)
            index += 2
        }
        guard let text = String(validating: bytes, as: UTF8.self), text.hasPrefix("k1:") else { throw invalid }
        return String(text.dropFirst(3))
    }

    private static var invalid: RegistryError {
        .invalidArgument("page_token is not valid; pass the next_page_token of the previous page unchanged")
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }
}

