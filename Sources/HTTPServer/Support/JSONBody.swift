import Foundation
public import Hummingbird
import NIOCore
import ModelyardAPI
import RegistryCore

/// JSON in and out with the API's conventions: snake_case keys (declared per type), ISO 8601 dates with
/// milliseconds, errors that name the offending field.
public enum JSONBody {
    /// Default cap for ordinary JSON bodies.
    public static let defaultLimit = 16 * 1024 * 1024

    /// The API's JSON conventions, shared with the CLI (`APIJSON`).
    public static var encoder: JSONEncoder { APIJSON.encoder }
    public static var decoder: JSONDecoder { APIJSON.decoder }

    /// Collects at most `limit` bytes and decodes them; a missing body decodes as `{}` when `T` allows it.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, limit: Int = defaultLimit) async throws -> T {
        let buffer = try await collect(request, limit: limit)
        let data = buffer.readableBytes == 0 ? Data("{}".utf8) : Data(buffer.readableBytesView)
        if let strict = type as? any KnownFields.Type { try strict.refuseUnknownFields(in: data) }
        do {
            return try decoder.decode(type, from: data)
        } catch let error as DecodingError {
            if maxDepth(data) > Self.maxNesting {
                throw RegistryError.invalidArgument(
                    "the body nests arrays and objects more than \(Self.maxNesting) levels deep; send flatter JSON")
            }
            throw RegistryError.invalidArgument(APIJSON.describe(error))
        }
    }

    /// How deeply a JSON body may nest arrays and objects (the decoder's own bound; deeper is refused).
    public static let maxNesting = 512

    /// The deepest nesting of arrays and objects in `data`, outside strings (scanned only once decoding failed,
    /// to say why).
    static func maxDepth(_ data: Data) -> Int {
        var depth = 0, deepest = 0, inString = false, escaped = false
        for byte in data {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                deepest = max(deepest, depth)
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
        }
        return deepest
    }

    /// The whole body, at most `limit` bytes (`payload_too_large` beyond).
    static func collect(_ request: Request, limit: Int = defaultLimit) async throws -> ByteBuffer {
        do {
            return try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw RegistryError.payloadTooLarge("the request body is larger than \(limit) bytes; send less per request")
        }
    }

    /// A JSON response.
    static func response<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try encoder.encode(value)
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A plain-text (or Markdown) response.
    static func text(_ text: String, contentType: String = "text/markdown; charset=utf-8") -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
