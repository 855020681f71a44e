public import Foundation
public import RegistryCore

/// A request body whose every field is known: a field it does not have is refused with a 400 naming it, instead of
/// being ignored. A PATCH that silently drops a misspelt field answers 200 and changes nothing the caller meant.
public protocol KnownFields: Decodable {
    associatedtype CodingKeys: CodingKey & CaseIterable
}

extension KnownFields {
    /// Throws `invalid_argument` naming the top-level keys of `data` that `CodingKeys` does not list.
    public static func refuseUnknownFields(in data: Data) throws {
        // Malformed JSON is left to the decoder, whose message says where it broke.
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return }
        let known = Set(CodingKeys.allCases.map(\.stringValue))
        let unknown = object.keys.filter { !known.contains($0) }.sorted()
        guard !unknown.isEmpty else { return }
        throw RegistryError.invalidArgument(
            "unknown field\(unknown.count == 1 ? "" : "s") \(unknown.map { "'\($0)'" }.joined(separator: ", ")); "
                + "this request takes \(known.sorted().joined(separator: ", "))")
    }
}
