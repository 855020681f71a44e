@testable import Dashboard
import Foundation
import RegistryCore
import Testing

@Suite struct PageTests {
    @Test func modelsPageWithoutModelsExplainsHowToRegisterOne() {
        let html = ModelsPage(models: []).render(Fixtures.context).text
        #expect(html.contains("No models yet"))
        #expect(html.contains("modelyard models create"))
        #expect(html.contains("href=\"/register\""))
    }

    @Test func modelsPageShowsLatestServingAndBestAndEscapesWhatUsersTyped() {
        let model = Fixtures.model(
            description: "Card fraud <scores> for payments\nSecond line is not shown", tags: ["team": "<b>risk</b>"])
        let latest = Fixtures.version("1.1.0", scores: ["f1": 0.86])
        let best = BestVersion(
            version: latest.version, rule: .primaryMetric, metric: "f1", direction: .maximize, value: 0.86, explanation: "")
        let summary = ModelDetails(
            model: model, latest: latest, best: best,
            deployed: [AliasPointer(environment: .production, version: SemanticVersion(major: 1, minor: 0, patch: 0))])
        let html = ModelsPage(models: [summary], search: "\"><script>", tag: "").render(Fixtures.context).text
        #expect(html.contains("<span class=\"badge env\">production</span> <a href=\"/models/fraud/versions/1.0.0\">1.0.0</a>"))
        #expect(html.contains("f1 0.86"))
        #expect(html.contains(">Card fraud &lt;scores&gt; for payments</p>") && !html.contains(">Second line"))
        #expect(html.contains("team=&lt;b&gt;risk&lt;/b&gt;"))
        #expect(!html.contains("\"><script>"))
        #expect(html.contains("<meta name=\"csrf-token\" content=\"\(Fixtures.context.csrfToken)\">"))
    }

    @Test func aModelCardShowsTheFirstLineOfTheDescriptionCutAtAWord() {
        #expect(ModelsPage.excerpt("") == nil && ModelsPage.excerpt("  \n  ") == nil)
        #expect(ModelsPage.excerpt("Short one\nmore") == "Short one")
        let long = String(repeating: "word ", count: 40)
        let cut = ModelsPage.excerpt(long)
        #expect(cut?.hasSuffix("word…") == true && (cut?.count ?? 0) <= 121)
    }

    @Test func versionsSortByAMetricWithVersionsLackingItLast() {
        let versions = [
            Fixtures.version("1.0.0", scores: ["f1": 0.8]), Fixtures.version("1.1.0", scores: [:]),
            Fixtures.version("1.2.0", scores: ["f1": 0.9]), Fixtures.version("1.3.0", scores: ["f1": 0.7]),
        ]
        let high = VersionSort.metric("f1").sorted(versions, descending: true).map(\.version.description)
        #expect(high == ["1.2.0", "1.0.0", "1.3.0", "1.1.0"])
        let low = VersionSort.metric("f1").sorted(versions, descending: false).map(\.version.description)
        #expect(low == ["1.3.0", "1.0.0", "1.2.0", "1.1.0"])
        #expect(VersionSort(parsing: "metric:f1") == .metric("f1"))
        #expect(VersionSort(parsing: "nonsense") == .version)
    }

    @Test func versionsPagePagesAThousandVersionsAndMarksBestAndEnvironments() {
        let versions = (0..<1_000).map { Fixtures.version("1.\($0).0", scores: ["f1": Double($0) / 1_000, "auc": 0.5]) }
        let model = Fixtures.model()
        let best = BestVersion(
            version: versions[999].version, rule: .primaryMetric, metric: "f1", direction: .maximize, value: 0.999,
            explanation: "highest")
        let page = VersionsPage(
            model: model, versions: versions,
            aliases: [AliasPointer(environment: .production, version: versions[999].version)], best: best,
            sort: .metric("f1"), descending: true, page: 0)
        let html = page.render(Fixtures.context).text
        #expect(html.components(separatedBy: "<input type=\"checkbox\" name=\"v\"").count - 1 == VersionsPage.pageSize)
        #expect(html.contains("1.999.0</a> <span class=\"badge best\""))
        #expect(html.contains("page 1 of 10"))
        #expect(html.contains("aria-sort=\"descending\""))
        #expect(html.contains("sort=metric%3Af1&amp;order=asc"))  // clicking the active column flips the order
        let last = VersionsPage(
            model: model, versions: versions, aliases: [], best: nil, sort: .metric("f1"), descending: true, page: 9
        ).render(Fixtures.context).text
        #expect(last.contains(">1.0.0</a>") && !last.contains(">1.999.0</a>"))
    }

    @Test func compareColoursDeltasByEachMetricsDirection() throws {
        let model = Fixtures.model()
        let a = Fixtures.version("1.0.0", scores: ["f1": 0.8, "loss": 0.5], params: ["lr": .number(0.1), "depth": .number(4)])
        let b = Fixtures.version(
            "1.1.0", scores: ["f1": 0.88, "loss": 0.6], params: ["lr": .number(0.05), "seed": .number(1)])
        let comparison = try VersionComparison.make(model: model, versions: [a, b], histories: [[], []])
        let history = [MetricSeries(name: "loss", steps: (0..<10).map(Int64.init), values: (0..<10).map { 1 / Double($0 + 1) })]
        let html = ComparePage(model: model, comparison: comparison, versions: [a, b], histories: [history, history])
            .render(Fixtures.context).text
        #expect(html.contains("<td class=\"num better\">0.88 <small>(+0.08, +10 %)</small>"))
        #expect(html.contains("<td class=\"num worse\">0.6 <small>(+0.1, +20 %)</small>"))
        #expect(html.contains("<td class=\"mono changed\">0.05"))
        #expect(html.contains("<td class=\"mono added\">1"))
        #expect(html.contains("<td class=\"mono removed\">4"))
        #expect(html.components(separatedBy: "<polyline").count - 1 == 2)
    }

    @Test func actionPageShowsTheChangeAndCarriesTheToken() throws {
        let model = Fixtures.model()
        let action = try DashboardAction(action: "deploy", version: "1.1.0", environment: "production")
        let html = ActionPage(
            model: model, action: action, current: Fixtures.version("1.0.0", scores: ["f1": 0.8]),
            target: Fixtures.version("1.1.0", scores: ["f1": 0.86]), error: "version 1.1.0 is draft <b>")
            .render(Fixtures.context).text
        #expect(html.contains("<input type=\"hidden\" name=\"csrf\" value=\"\(Fixtures.context.csrfToken)\">"))
        #expect(html.contains("<td class=\"num better\">+0.06</td>"))
        #expect(html.contains("version 1.1.0 is draft &lt;b&gt;"))
        #expect(html.contains("name=\"reason\" required"))
        #expect(throws: RegistryError.self) { try DashboardAction(action: "drop", version: "1.0.0", environment: "p") }
        #expect(throws: RegistryError.self) { try DashboardAction(action: "deploy", version: "", environment: "p") }
    }

    @Test func registerFormsNameTheLineThatIsWrong() throws {
        let version = try RegisterForms.version(
            model: ModelName(rawValue: "m"), bump: "patch", description: "", framework: "sklearn",
            params: "lr=0.1\n# comment\n\ndeep=true\nname=gbm", scores: "f1 = 0.9", parents: "1.0.0, 1.1.0",
            gitCommit: "", status: .ready)
        #expect(version.params == ["lr": .number(0.1), "deep": .bool(true), "name": .string("gbm")])
        #expect(version.scores == ["f1": 0.9])
        #expect(version.parents.map(\.version.description) == ["1.0.0", "1.1.0"])
        #expect(version.request == .bump(.patch))
        #expect(throws: RegistryError.invalidArgument("params, line 2: write key=value, not 'oops'")) {
            try RegisterForms.version(
                model: ModelName(rawValue: "m"), bump: "", description: "", framework: "", params: "a=1\noops",
                scores: "", parents: "", gitCommit: "", status: .ready)
        }
        #expect(throws: RegistryError.self) {
            try RegisterForms.version(
                model: ModelName(rawValue: "m"), bump: "", description: "", framework: "", params: "", scores: "f1=high",
                parents: "", gitCommit: "", status: .ready)
        }
    }
}
