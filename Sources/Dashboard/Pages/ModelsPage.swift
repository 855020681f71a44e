import Foundation
import RegistryCore

/// `/`: every model with task, owner, tags, latest version, what each environment serves, and the best version.
public struct ModelsPage: Sendable {
    public var models: [ModelDetails]
    public var search: String
    public var tag: String
    /// Link to the next page of models when there are more than one page holds.
    public var nextPage: String?

    public init(models: [ModelDetails], search: String = "", tag: String = "", nextPage: String? = nil) {
        self.models = models
        self.search = search
        self.tag = tag
        self.nextPage = nextPage
    }

    public func render(_ context: PageContext) -> HTML {
        let filtered = !search.isEmpty || !tag.isEmpty
        let body: HTML
        if models.isEmpty && !filtered {
            body = Self.emptyState
        } else if models.isEmpty {
            body = "<p class=\"panel\">No model matches. <a href=\"\(Links.models)\">Clear the filters</a>.</p>"
        } else {
            body = "<ul class=\"cards\" aria-label=\"Models\">\(models.map { card($0, context) })</ul>"
        }
        let more: HTML = nextPage.map { "<p class=\"pager\"><a href=\"\($0)\">More models →</a></p>" } ?? .empty
        return PageLayout.render(
            title: "Models", context: context, live: "",
            main: """
                <h1>Models</h1>
                <form class="toolbar" method="get" action="\(Links.models)" role="search">
                <div><label for="q">Name contains</label><input id="q" name="q" value="\(search)" placeholder="fraud"></div>
                <div><label for="tag">Tag</label><input id="tag" name="tag" value="\(tag)" placeholder="team=risk"></div>
                <button type="submit">Filter</button>\(filtered ? "<a class=\"button secondary\" href=\"\(Links.models)\">Clear</a>" as HTML : .empty)
                <a class="button secondary" href="\(Links.register)">Register a model</a>
                </form>
                \(body)\(more)
                """)
    }

    func card(_ summary: ModelDetails, _ context: PageContext) -> HTML {
        let model = summary.model
        let deployed: HTML =
            summary.deployed.isEmpty
            ? "<span class=\"muted\">not deployed</span>"
            : HTML.join(
                summary.deployed.sorted { $0.environment < $1.environment }.map {
                    "<span class=\"badge env\">\($0.environment.rawValue)</span> <a href=\"\(Links.version(model.name, $0.version))\">\($0.version)</a> "
                })
        let best: HTML
        if let chosen = summary.best {
            let value: HTML = chosen.value.map { " · \(chosen.metric ?? "") \(Format.metric($0))" } ?? .empty
            best = "<a href=\"\(Links.version(model.name, chosen.version))\">\(chosen.version)</a>\(value)"
        } else {
            best = model.primaryMetric == nil ? "<span class=\"muted\">no primary metric</span>" : "<span class=\"muted\">none scored</span>"
        }
        let latest: HTML =
            summary.latest.map {
                "<a href=\"\(Links.version(model.name, $0.version))\">\($0.version)</a> \(Badges.status($0.status)) \(Badges.time($0.createdAt, now: context.now))"
            } ?? "<span class=\"muted\">no versions yet</span>"
        let tags = Badges.tags(model.tags) { key, value in Links.models + Links.query([("tag", value.isEmpty ? key : "\(key)=\(value)")]) }
        return """
            <li class="card">
            <h2><a href="\(Links.model(model.name))">\(model.name.rawValue)</a></h2>
            <p class="muted">\(model.task.isEmpty ? "no task" : model.task)\(model.owner.isEmpty ? "" : " · \(model.owner)")</p>
            \(Self.excerpt(model.description).map { "<p class=\"excerpt\" title=\"\(model.description)\">\($0)</p>" as HTML } ?? .empty)
            <dl class="facts">
            <dt>Latest</dt><dd>\(latest)</dd>
            <dt>Serving</dt><dd>\(deployed)</dd>
            <dt>Best</dt><dd>\(best)</dd>
            </dl>
            \(tags.isEmpty ? .empty : "<p>\(tags)</p>" as HTML)
            </li>
            """
    }

    /// The description's first line, at most `limit` characters (cut at a word, with an ellipsis): enough to tell
    /// models apart on a card.
    static func excerpt(_ description: String, limit: Int = 120) -> String? {
        let line = description.split(whereSeparator: \.isNewline).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        guard !line.isEmpty else { return nil }
        guard line.count > limit else { return line }
        let cut = line.prefix(limit)
        let atWord = cut.lastIndex(of: " ").map { cut[..<$0] } ?? cut
        return atWord.trimmingCharacters(in: .whitespaces.union(.punctuationCharacters)) + "…"
    }

    static let emptyState: HTML = """
        <section class="panel empty">
        <h2>No models yet</h2>
        <p>A model is a name and the rules its versions share. Register your first one here, or from a terminal:</p>
        <p><a class="button" href="\(Links.register)">Register a model</a></p>
        <pre><code>modelyard models create fraud --task classification --primary-metric f1 --direction max
        modelyard versions register fraud --param lr=0.1 --score f1=0.80
        modelyard upload fraud 1.0.0 model.onnx --verify</code></pre>
        <p class="muted">MLflow users: point <code>MLFLOW_TRACKING_URI</code> at this server and register as usual.</p>
        </section>
        """
}
