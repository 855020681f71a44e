import Dashboard
import Testing

@Suite struct HTMLTests {
    @Test func interpolatedTextIsEscapedAndHTMLIsNot() {
        let hostile = #"<script>alert("x")</script> & 'y'"#
        let inner: HTML = "<b>\(hostile)</b>"
        let page: HTML = "<p title=\"\(hostile)\">\(inner)</p>"
        #expect(!page.text.contains("<script>"))
        #expect(page.text == #"<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;">"#
            + #"<b>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;</b></p>"#)
    }

    @Test func numbersAndOtherValuesAreEscapedThroughTheirDescription() {
        struct Sneaky: CustomStringConvertible { var description: String { "<i>" } }
        let html: HTML = "\(42) \(Sneaky())"
        #expect(html.text == "42 &lt;i&gt;")
    }

    @Test func linksPercentEncodeEverythingOutsideTheUnreservedSet() {
        #expect(Links.segment("a b/c?d=é") == "a%20b%2Fc%3Fd%3D%C3%A9")
        #expect(Links.query([("tag", "team=risk")]) == "?tag=team%3Drisk")
    }

    @Test func formatsReadAsPeopleExpect() {
        #expect(Format.metric(0.861234) == "0.8612")
        #expect(Format.metric(1234.56) == "1234.6")
        #expect(Format.metric(2) == "2")
        #expect(Format.metric(.nan) == "NaN")
        #expect(Format.delta(-0.05) == "−0.05")
        #expect(Format.bytes(1536) == "1.5 KiB")
        #expect(Format.bytes(12) == "12 B")
        #expect(Format.timestamp(Fixtures.now) == "2026-09-21 14:13:20 UTC")
        #expect(Format.ago(Fixtures.now.addingTimeInterval(-7_200), now: Fixtures.now) == "2 h ago")
    }
}
