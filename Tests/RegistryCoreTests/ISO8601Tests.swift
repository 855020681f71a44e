import Foundation
import Testing

@testable import RegistryCore

@Suite struct ISO8601Tests {
    @Test func formatsWithMillisecondsAndRoundTripsExactly() throws {
        #expect(ISO8601.format(ISO8601.date(milliseconds: 1_763_917_263_123)) == "2025-11-23T17:01:03.123Z")
        #expect(ISO8601.format(ISO8601.date(milliseconds: 5)) == "1970-01-01T00:00:00.005Z")
        for ms in stride(from: Int64(1_700_000_000_000), to: 1_700_000_003_000, by: 7) {
            let text = ISO8601.format(ISO8601.date(milliseconds: ms))
            let parsed = try #require(ISO8601.parse(text))
            #expect(ISO8601.milliseconds(parsed) == ms, "\(text)")
            #expect(ISO8601.format(parsed) == text)
        }
    }

    @Test func parsesWholeSecondsAndShortFractions() {
        #expect(ISO8601.parse("2026-01-01T00:00:00Z").map(ISO8601.milliseconds) == 1_767_225_600_000)
        #expect(ISO8601.parse("2026-01-01T00:00:00.5Z").map(ISO8601.milliseconds) == 1_767_225_600_500)
        #expect(ISO8601.parse("yesterday") == nil)
        #expect(ISO8601.parse("2026-01-01T00:00:00.x5Z") == nil)
    }
}
