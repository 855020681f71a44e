import RegistryCore

/// `/models/{model}`: every version with status, BEST and environment badges, key metrics and age; sortable by
/// any metric; versions picked with checkboxes go to the comparison.
public struct VersionsPage: Sendable {
    public var model: RegisteredModel
    /// All versions of the model (the page sorts and slices them).
    public var versions: [ModelVersion]
    public var aliases: [AliasPointer]
    public var best: BestVersion?
    public var sort: VersionSort
    public var descending: Bool
    /// Zero-based page index.
    public var page: Int
    public static let pageSize = 100

    public init(
        model: RegisteredModel, versions: [ModelVersion], aliases: [AliasPointer], best: BestVersion?,
        sort: VersionSort = .version, descending: Bool = true, page: Int = 0
    ) {
        self.model = model
        self.versions = versions
        self.aliases = aliases
        self.best = best
        self.sort = sort
        self.descending = descending
        self.page = page
    }

    public func render(_ context: PageContext) -> HTML {
        let name = model.name
        let columns = VersionSort.metricColumns(versions, primary: model.primaryMetric)
        let ordered = sort.sorted(versions, descending: descending)
        let pages = max(1, (ordered.count + Self.pageSize - 1) / Self.pageSize)
        let current = min(max(0, page), pages - 1)
        let rows = ordered.dropFirst(current * Self.pageSize).prefix(Self.pageSize)
        var environments: [SemanticVersion: [EnvironmentName]] = [:]
        for alias in aliases { environments[alias.version, default: []].append(alias.environment) }

        let header: HTML = """
            <tr><th scope="col"><span class="sr">Select</span></th>\(headerCell("Version", .version))\(headerCell("Status", .status))<th scope="col">Serving</th>\(columns.map { headerCell($0, .metric($0), numeric: true) })\(headerCell("Created", .created))<th scope="col" class="hide-narrow">By</th></tr>
            """
        var body = HTML.empty
        for version in rows {
            let isBest = best?.version == version.version
            let metrics = HTML.join(
                columns.map { metric -> HTML in
                    "<td class=\"num\">\(version.scores[metric].map(Format.metric) ?? "—")</td>"
                })
            body.append(
                """
                <tr><td><input type="checkbox" name="v" value="\(version.version)" aria-label="Select \(version.version) to compare"></td>\
                <th scope="row"><a href="\(Links.version(name, version.version))">\(version.version)</a>\(isBest ? " " + Badges.best : .empty)</th>\
                <td>\(Badges.status(version.status))</td><td>\(Badges.environments(environments[version.version] ?? []))</td>\(metrics)\
                <td>\(Badges.time(version.createdAt, now: context.now))</td><td class="hide-narrow">\(version.createdBy)</td></tr>
                """)
        }
        let table: HTML =
            versions.isEmpty
            ? """
                <section class="panel empty"><h2>No versions yet</h2>
                <p>Register one from the <a href="\(Links.register + Links.query([("model", name.rawValue)]))">register page</a> or with
                <code>modelyard versions register \(name.rawValue) --score \(model.primaryMetric ?? "accuracy")=0.9</code>.</p></section>
                """
            : """
                <form id="compare-form" method="get" action="\(Links.model(name))/compare">
                <div class="toolbar"><button type="submit" data-compare-button>Compare selected versions</button>
                <span class="muted">\(versions.count) versions\(pages > 1 ? " · page \(current + 1) of \(pages)" : "")</span>
                <a class="button secondary" href="\(Links.policy(name))">Validation policy</a>
                <a class="button secondary" href="\(Links.benchmarks(name))">Benchmarks</a></div>
                <div class="table-wrap"><table><caption class="sr">Versions of \(name.rawValue), sorted by \(sortLabel)</caption>
                <thead>\(header)</thead><tbody>\(body)</tbody></table></div>
                </form>\(pager(current: current, pages: pages))
                """
        return PageLayout.render(
            title: name.rawValue, crumbs: [Crumb("Models", Links.models), Crumb(name.rawValue)], context: context,
            live: name.rawValue,
            main: """
                <h1>\(name.rawValue)</h1>
                \(ModelHeader.render(model: model, aliases: aliases, best: best))
                <h2>Versions</h2>
                \(table)
                """)
    }

    var sortLabel: String {
        switch sort {
        case .metric(let name): return name + (descending ? ", highest first" : ", lowest first")
        default: return sort.parameter + (descending ? ", descending" : ", ascending")
        }
    }

    func link(sort: VersionSort, descending: Bool, page: Int = 0) -> String {
        var pairs = [("sort", sort.parameter), ("order", descending ? "desc" : "asc")]
        if page > 0 { pairs.append(("page", String(page + 1))) }
        return Links.model(model.name) + Links.query(pairs)
    }

    func headerCell(_ label: String, _ key: VersionSort, numeric: Bool = false) -> HTML {
        let active = key == sort
        let nextDescending = active ? !descending : true
        let arrow = active ? (descending ? " ▼" : " ▲") : ""
        let ariaSort: HTML = active ? " aria-sort=\"\(descending ? "descending" : "ascending")\"" : .empty
        return """
            <th scope="col"\(ariaSort)\(numeric ? " class=\"num\"" as HTML : .empty)><a href="\(link(sort: key, descending: nextDescending))">\(label)\(arrow)</a></th>
            """
    }

    func pager(current: Int, pages: Int) -> HTML {
        guard pages > 1 else { return .empty }
        let previous: HTML = current > 0 ? "<a href=\"\(link(sort: sort, descending: descending, page: current - 1))\">← Previous</a>" : .empty
        let next: HTML = current + 1 < pages ? "<a href=\"\(link(sort: sort, descending: descending, page: current + 1))\">Next →</a>" : .empty
        return "<nav class=\"pager\" aria-label=\"Pages\">\(previous)<span>Page \(current + 1) of \(pages)</span>\(next)</nav>"
    }
}

/// The facts about a model shown above its versions and deployments.
enum ModelHeader {
    static func render(model: RegisteredModel, aliases: [AliasPointer], best: BestVersion?) -> HTML {
        let name = model.name
        let serving: HTML =
            aliases.isEmpty
            ? "<span class=\"muted\">nothing deployed</span>"
            : HTML.join(
                aliases.sorted { $0.environment < $1.environment }.map {
                    "<span class=\"badge env\">\($0.environment.rawValue)</span> <a href=\"\(Links.version(name, $0.version))\">\($0.version)</a> "
                })
        let bestText: HTML =
            best.map { "<a href=\"\(Links.version(name, $0.version))\">\($0.version)</a> <span class=\"muted\">\($0.explanation)</span>" }
            ?? "<span class=\"muted\">\(model.primaryMetric == nil ? "set a primary metric or mark a version best" : "no version has a score yet")</span>"
        let primary = model.primaryMetric.map { "\($0) (\(model.metricDirection == .maximize ? "higher is better" : "lower is better"))" }
        return """
            <div class="panel"><dl class="facts">
            \(model.description.isEmpty ? .empty : "<dt>Description</dt><dd>\(model.description)</dd>" as HTML)
            <dt>Task</dt><dd>\(model.task.isEmpty ? "—" : model.task)</dd>
            <dt>Owner</dt><dd>\(model.owner.isEmpty ? "—" : model.owner)</dd>
            <dt>Primary metric</dt><dd>\(primary ?? "—")</dd>
            <dt>Serving</dt><dd>\(serving) <a href="\(Links.deployments(name))">Deployments →</a></dd>
            <dt>Best</dt><dd>\(bestText)</dd>
            \(model.tags.isEmpty ? .empty : "<dt>Tags</dt><dd>\(Badges.tags(model.tags))</dd>" as HTML)
            </dl></div>
            """
    }
}
