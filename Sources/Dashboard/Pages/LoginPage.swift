/// `/login`: sign in with an API token (the server keeps it in an HttpOnly, SameSite=Strict cookie).
public struct LoginPage: Sendable {
    /// Where to go once signed in (a path on this site).
    public var next: String
    /// Why the last attempt failed, or why the visitor is here (an expired session).
    public var message: String?
    /// Whether this server asks for tokens at all.
    public var authentication: Bool

    public init(next: String, message: String? = nil, authentication: Bool) {
        self.next = next
        self.message = message
        self.authentication = authentication
    }

    public func render(_ context: PageContext) -> HTML {
        guard authentication else {
            return PageLayout.render(
                title: "Sign in", context: context,
                main: """
                    <section class="panel"><h1>Sign in</h1>
                    <p>This server does not ask for tokens (it listens on a loopback address without <code>--auth</code>).</p>
                    <p><a href="/">All models</a></p></section>
                    """)
        }
        let error: HTML = message.map { "<p class=\"form-error\" role=\"alert\">\($0)</p>" } ?? .empty
        return PageLayout.render(
            title: "Sign in", context: context,
            main: """
                <section class="panel"><h1>Sign in</h1>
                <p>Paste an API token. An admin creates one with <code>modelyard tokens create NAME --scope read</code>; what you may do here follows its scopes.</p>
                <form method="post" action="/login">
                <input type="hidden" name="csrf" value="\(context.csrfToken)">
                <input type="hidden" name="next" value="\(next)">
                \(error)
                <label for="token">Token</label>
                <input id="token" name="token" type="password" autocomplete="off" required placeholder="myd_…">
                <button type="submit">Sign in</button>
                </form></section>
                """)
    }
}
