/// A string value that is checked when it enters the system (model names, environments, artifact paths,
/// digests). Decoding validates; encoding writes the plain string.
public protocol ValidatedName: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible
where RawValue == String {
    /// Checks `text` and throws `invalid_argument` with a message that says what is allowed.
    init(validating text: String) throws
}

extension ValidatedName {
    public init(from decoder: any Decoder) throws {
        try self.init(validating: decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }
}
