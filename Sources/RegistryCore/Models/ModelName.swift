/// The unique name of a registered model. A distinct type so a model name is never passed where a version or an
/// environment is expected.
public struct ModelName: ValidatedName, Comparable {
    public let rawValue: String

    /// Accepts 1-256 printable characters without `/`, not starting with `@` (alias syntax) or whitespace.
    public init(validating text: String) throws {
        guard !text.isEmpty, text.utf8.count <= 256 else {
            throw RegistryError.invalidArgument("model name must be 1-256 characters")
        }
        let utf8 = text.utf8
        guard NameRules.isPrintable(text), !utf8.contains(UInt8(ascii: "/")), !utf8.contains(UInt8(ascii: "\\")) else {
            throw RegistryError.invalidArgument(
                "model name '\(text.prefix(60))' contains '/', '\\' or a control character; use letters, digits, '-', '_', '.'")
        }
        guard let first = text.unicodeScalars.first, first != "@", !first.properties.isWhitespace,
            text != ".", text != ".."
        else {
            throw RegistryError.invalidArgument(
                "model name '\(text.prefix(60))' must not start with '@' or whitespace, nor be '.' or '..'")
        }
        self.rawValue = text
    }

    /// Wraps a name read back from storage, which was validated when it was written.
    public init(rawValue: String) { self.rawValue = rawValue }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}
