import Dashboard
import Foundation
import RegistryCore
import Testing

@Suite struct ChartTests {
    /// 100,000 points become a few hundred drawn vertices, and the one spike in them survives.
    @Test func longSeriesAreDownsampledWithoutLosingSpikes() {
        var ys = (0..<100_000).map { 1.0 / Double($0 + 1) }
        ys[73_421] = 50
        let kept = Downsample.minMax(ys, buckets: 400)
        #expect(kept.count <= 801)
        #expect(kept.contains(73_421))
        #expect(kept.last == 99_999)
        #expect(kept == kept.sorted())
    }

    @Test func chartDrawsAxesLinesAndHoverValues() throws {
        let points = (0..<100_000).map { (x: Double($0), y: 2.0 - Double($0) / 100_000) }
        let chart = LineChart(title: "loss", series: [ChartSeries(label: "loss", points: points)], xLabel: "step")
        let svg = chart.render().text
        #expect(svg.hasPrefix("<svg class=\"chart\""))
        let polyline = try #require(svg.range(of: "<polyline points=\"")).upperBound
        let vertices = svg[polyline...].prefix { $0 != "\"" }.split(separator: " ")
        #expect((2...801).contains(vertices.count))
        let hover = svg.components(separatedBy: "<circle class=\"pt\"").count - 1
        #expect(hover == 120)
        #expect(svg.contains("<title>loss · step 99999: 1</title>"))
        #expect(svg.utf8.count < 40_000)
    }

    @Test func overlaidSeriesKeepTheirColoursAndLegendEvenWhenOneIsEmpty() {
        let chart = LineChart(
            title: "f1",
            series: [
                ChartSeries(label: "1.0.0", points: [(0, 0.5), (1, 0.6)]),
                ChartSeries(label: "1.1.0", points: []),
                ChartSeries(label: "1.2.0", points: [(0, 0.4), (1, 0.7)]),
            ], xLabel: "step")
        let html = chart.render().text
        #expect(html.contains("<g class=\"c1\">") && html.contains("<g class=\"c3\">") && !html.contains("<g class=\"c2\">"))
        #expect(html.contains("1.1.0 (no points)"))
    }

    @Test func labelsInChartsAreEscaped() {
        let chart = LineChart(title: "<x>", series: [ChartSeries(label: "<script>", points: [(0, 1), (1, 2)])], xLabel: "step")
        #expect(!chart.render().text.contains("<script>"))
    }

    @Test func noPointsSaysSoInsteadOfAnEmptyChart() {
        let chart = LineChart(title: "loss", series: [ChartSeries(label: "loss", points: [(0, .nan)])], xLabel: "step")
        #expect(chart.render().text.contains("No points recorded"))
    }

    @Test func ticksAreRoundNumbersCoveringTheData() {
        let ticks = Ticks.nice(0.13, 0.87, count: 5)
        #expect(ticks.first! <= 0.13 && ticks.last! >= 0.87)
        #expect(ticks.allSatisfy { abs(($0 * 10).rounded() - $0 * 10) < 1e-9 })
        #expect(Ticks.nice(5, 5, count: 5).count >= 2)
    }

    @Test func lineageGraphLinksParentsAndChildren() {
        let name = ModelName(rawValue: "fraud")
        let lineage = Lineage(
            model: name, version: SemanticVersion(major: 1, minor: 1, patch: 0),
            parents: [VersionKey(model: name, version: SemanticVersion(major: 1, minor: 0, patch: 0))],
            children: [VersionKey(model: name, version: SemanticVersion(major: 2, minor: 0, patch: 0))],
            ancestors: [], descendants: [],
            datasets: [DatasetRef(name: "train<1>", uri: "s3://d/train")], runID: "r1", gitCommit: nil, sourceURI: nil)
        let svg = LineageGraph.render(lineage).text
        #expect(svg.contains("href=\"/models/fraud/versions/1.0.0\""))
        #expect(svg.contains("href=\"/models/fraud/versions/2.0.0\""))
        #expect(svg.contains("train&lt;1&gt;"))
        #expect(svg.components(separatedBy: "<path ").count - 1 == 4)  // parent, dataset, run → self → child
    }
}
