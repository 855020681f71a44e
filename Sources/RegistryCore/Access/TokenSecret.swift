/// The secret a token is used by: `myd_` + 43 random base62 characters (256 bits) + a 6-character base62 CRC32 of
/// them. The prefix lets secret scanners find a leaked token; the checksum lets them (and the server, before it
/// touches the store) reject a random or mistyped string offline.
public struct TokenSecret: Sendable, Equatable, CustomStringConvertible {
    public static let prefix = "myd_"
    static let randomLength = 43
    static let checksumLength = 6
    public static let length = prefix.utf8.count + randomLength + checksumLength
    static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

    public let text: String

    /// A new secret from the system's cryptographic random source.
    public static func generate() -> TokenSecret {
        var generator = SystemRandomNumberGenerator()
        var random: [UInt8] = []
        random.reserveCapacity(randomLength)
        for _ in 0..<randomLength { random.append(alphabet[Int.random(in: 0..<alphabet.count, using: &generator)]) }
        return TokenSecret(unchecked: prefix + String(decoding: random, as: UTF8.self) + checksum(random))
    }

    private init(unchecked text: String) { self.text = text }

    /// Accepts only a string of the token's shape whose checksum matches; `nil` otherwise.
    public init?(parsing text: some StringProtocol) {
        let bytes = Array(text.utf8)
        let prefixBytes = Array(Self.prefix.utf8)
        guard bytes.count == Self.length, bytes.starts(with: prefixBytes) else { return nil }
        let random = bytes[prefixBytes.count..<(prefixBytes.count + Self.randomLength)]
        let sum = bytes[(prefixBytes.count + Self.randomLength)...]
        guard random.allSatisfy(Self.isBase62), Self.checksum(random).utf8.elementsEqual(sum) else { return nil }
        self.text = String(text)
    }

    /// The first characters, safe to show and log.
    public var hint: String { String(text.prefix(Self.prefix.count + 6)) }

    /// Never prints the secret.
    public var description: String { hint + "…" }

    static func isBase62(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }

    static func checksum(_ bytes: some Collection<UInt8>) -> String {
        var value = CRC32.checksum(bytes)
        var digits = [UInt8](repeating: alphabet[0], count: checksumLength)
        for index in stride(from: checksumLength - 1, through: 0, by: -1) {
            digits[index] = alphabet[Int(value % 62)]
            value /= 62
        }
        return String(decoding: digits, as: UTF8.self)
    }
}

/// CRC-32 (IEEE 802.3, as zlib computes it).
enum CRC32 {
    static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
        return value
    }

    static func checksum(_ bytes: some Collection<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }
}
