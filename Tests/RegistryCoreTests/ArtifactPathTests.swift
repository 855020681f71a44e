import Testing

@testable import RegistryCore

@Suite struct ArtifactPathTests {
    @Test(arguments: ["model.onnx", "config/params.json", "a/b/c/d.bin", "weights v2.bin", "ünï.txt"])
    func acceptsRelativePaths(path: String) throws {
        #expect(try ArtifactPath(validating: path).rawValue == path)
    }

    @Test(arguments: [
        "", "../etc/passwd", "a/../../b", "./a", "a/./b", "/etc/passwd", "a\\b", "..\\..\\x", "a\u{0}b", "a//b",
        "a/", "a\nb", "..",
    ])
    func refusesEscapesAndOddPaths(path: String) {
        let error = #expect(throws: RegistryError.self) { try ArtifactPath(validating: path) }
        #expect(error?.code == .invalidArgument)
    }

    @Test func digestsMustBe64Hex() throws {
        #expect(throws: RegistryError.self) { try BlobDigest(validating: "abc") }
        #expect(throws: RegistryError.self) { try BlobDigest(validating: String(repeating: "g", count: 64)) }
        let upper = String(repeating: "AB", count: 32)
        #expect(try BlobDigest(validating: upper).rawValue == upper.lowercased())
        #expect(BlobDigest(bytes: [0x00, 0xff, 0x10]).rawValue == "00ff10")
    }

    @Test func modelNamesRefuseSlashesControlAndAliasSyntax() {
        for bad in ["", "a/b", "@prod", " lead", "a\u{7}b", "..", String(repeating: "x", count: 300)] {
            #expect(throws: RegistryError.self) { try ModelName(validating: bad) }
        }
        #expect((try? ModelName(validating: "fraud detector v2.1_x-y")) != nil)
    }
}
