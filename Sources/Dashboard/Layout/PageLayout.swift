import Foundation
public import RegistryCore

/// What every page shares: where the request came from and what the page may need to say about it.
public struct PageContext: Sendable {
    /// The token forms echo back; the server checks it against the cookie it set (double submit).
    public var csrfToken: String
    /// The last actor name this browser used, prefilled into action forms.
    public var actor: String
    public var now: Date
    /// A one-line confirmation after a successful action (`deployed 1.2.0 to production`).
    public var notice: String?
    /// The token this browser signed in with (nil when the server asks for none): its name is shown with a
    /// sign-out button, and only the actions its scopes allow are offered.
    public var signedIn: AccessToken?

    public init(csrfToken: String, actor: String = "", now: Date, notice: String? = nil, signedIn: AccessToken? = nil) {
        self.csrfToken = csrfToken
        self.actor = actor
        self.now = now
        self.notice = notice
        self.signedIn = signedIn
    }

    /// Whether to offer an action that needs `requirement`: always when the server asks for no token.
    public func may(_ requirement: AccessRequirement) -> Bool {
        signedIn.map { $0.hasScope(for: requirement) } ?? true
    }
}

/// A breadcrumb step: a label and, except for the current page, a link.
public struct Crumb: Sendable {
    public var label: String
    public var href: String?

    public init(_ label: String, _ href: String? = nil) {
        self.label = label
        self.href = href
    }
}

/// The shell of every page: head, header with navigation and theme switch, breadcrumbs, notices, main content.
public enum PageLayout {
    /// - Parameters:
    ///   - live: the model whose changes refresh this page (server-sent events); `""` for every model.
    public static func render(
        title: String, crumbs: [Crumb] = [], context: PageContext, live: String? = nil, main: HTML
    ) -> HTML {
        let trail = crumbs.isEmpty ? HTML.empty : breadcrumbs(crumbs)
        let notice: HTML = context.notice.map { "<p class=\"notice\" role=\"status\">\($0)</p>" } ?? .empty
        let liveAttribute: HTML = live.map { " data-live=\"\($0)\"" } ?? .empty
        return """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="csrf-token" content="\(context.csrfToken)">
            <title>\(title) · Modelyard</title>
            <link rel="stylesheet" href="\(Assets.stylesheetPath)">
            <script>try{var t=localStorage.getItem("modelyard-theme");if(t)document.documentElement.dataset.theme=t}catch(e){}</script>
            <script src="\(Assets.scriptPath)" defer></script>
            </head>
            <body>
            <a class="skip" href="#main">Skip to content</a>
            <header class="top">
            <a class="brand" href="\(Links.models)">Modelyard</a>
            <nav aria-label="Main"><a href="\(Links.models)">Models</a><a href="\(Links.register)">Register</a><a href="\(Links.imports)">Imports</a><a href="\(Links.monitoring)">Monitoring</a><a href="/openapi.json">API</a></nav>
            \(account(context))<button type="button" class="theme" data-theme-toggle aria-label="Switch between light and dark theme">◐</button>
            </header>
            <main id="main"\(liveAttribute)>
            \(trail)\(notice)\(main)
            </main>
            <footer class="foot"><span>Modelyard</span> · <time datetime="\(Format.iso(context.now))">rendered \(Format.timestamp(context.now))</time><span class="live-state" aria-live="polite"></span></footer>
            </body>
            </html>
            """
    }

    /// In place of a form the signed-in token may not use: what it would need.
    public static func needs(_ scope: AccessScope, for what: String, _ context: PageContext) -> HTML {
        let name = context.signedIn?.name ?? ""
        return "<p class=\"muted\" data-needs-scope=\"\(scope.rawValue)\">\(what) needs a token with the <code>\(scope.rawValue)</code> scope; you are signed in as <strong>\(name)</strong>.</p>"
    }

    /// The signed-in token's name and a sign-out button.
    static func account(_ context: PageContext) -> HTML {
        guard let token = context.signedIn else { return .empty }
        return """
            <form class="account" method="post" action="/logout"><input type="hidden" name="csrf" value="\(context.csrfToken)"><span title="scopes: \(token.scopes.map(\.rawValue).joined(separator: ", "))">\(token.name)</span> <button type="submit">Sign out</button></form>
            """
    }

    static func breadcrumbs(_ crumbs: [Crumb]) -> HTML {
        let items = crumbs.map { crumb -> HTML in
            if let href = crumb.href { return "<li><a href=\"\(href)\">\(crumb.label)</a></li>" }
            return "<li aria-current=\"page\">\(crumb.label)</li>"
        }
        return "<nav class=\"crumbs\" aria-label=\"Breadcrumb\"><ol>\(items)</ol></nav>"
    }

    /// An error page (or error panel): what failed and the server's message.
    public static func error(status: Int, title: String, message: String, context: PageContext, back: String?) -> HTML {
        let link: HTML = back.map { "<p><a href=\"\($0)\">Go back</a></p>" } ?? "<p><a href=\"/\">All models</a></p>"
        return render(
            title: title, context: context,
            main: """
                <section class="panel error-panel" role="alert">
                <h1>\(title)</h1>
                <p class="error-message">\(message)</p>
                <p class="muted">HTTP \(status)</p>
                \(link)
                </section>
                """)
    }
}
