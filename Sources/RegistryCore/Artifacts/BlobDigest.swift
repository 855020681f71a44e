/// A sha256 digest as 64 lowercase hexadecimal characters: the address of a blob.
public struct BlobDigest: ValidatedName {
    public let rawValue: String

    public init(validating text: String) throws {
        let lowered = text.lowercased()
        guard lowered.utf8.count == 64, lowered.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) })
        else {
            throw RegistryError.invalidArgument("'\(text.prefix(80))' is not a sha256 digest (64 hexadecimal characters)")
        }
        self.rawValue = lowered
    }

    public init(rawValue: String) { self.rawValue = rawValue }

    /// Hex-encodes raw digest bytes.
    public init<Bytes: Sequence>(bytes: Bytes) where Bytes.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(64)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        self.rawValue = String(decoding: text, as: UTF8.self)
    }

}
