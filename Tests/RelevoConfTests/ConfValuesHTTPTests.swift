import Testing

@testable import RelevoConf

/// Cookie and header names, request targets and webhook URLs, read on their own.
@Suite struct ConfValuesHTTPTests {
    @Test(
        "a token is letters, digits and !#$%&'*+-.^_`|~",
        arguments: ["JSESSIONID", "relevo", "X-Session-End", "__Host-sid", "a!#$%&'*+-.^_`|~9"]
    )
    func tokens(text: String) {
        #expect(ConfValues.isToken(text))
    }

    @Test(
        "a token has no separators, spaces, controls or non-ASCII characters, and is never empty",
        arguments: ["", "a b", "a=b", "a;b", "a,b", "(a)", "a/b", "a:b", "\"a\"", "a\u{7F}", "a\tb", "é", "a@b"]
    )
    func notTokens(text: String) {
        #expect(!ConfValues.isToken(text))
    }

    @Test(
        "an origin-form path starts with '/' and may carry a query and escapes",
        arguments: ["/", "/health", "/a%2Fb?x=1&y"])
    func originFormPaths(text: String) throws {
        #expect(try ConfValues.originFormPath(text) == text)
    }

    @Test(
        "a malformed origin-form path says why",
        arguments: [
            ("", "the path must start with '/'"),
            ("*", "the path must start with '/'"),
            ("/a b", "the path must be visible ASCII without spaces; percent-encode the rest"),
            ("/é", "the path must be visible ASCII without spaces; percent-encode the rest"),
            ("/a#b", "a fragment ('#') is never sent; remove it"),
            ("/%", "'%' must start an escape of two hex digits, e.g. %20"),
            ("/%g0", "'%' must start an escape of two hex digits, e.g. %20"),
        ]
    )
    func badOriginFormPaths(text: String, reason: String) {
        #expect(throws: ConfValueError(reason)) { try ConfValues.originFormPath(text) }
    }

    @Test(
        "a webhook URL gives its host, its port (80 by default) and its path ('/' by default)",
        arguments: [
            ("http://127.0.0.1:7000/drained", "127.0.0.1", 7000, "/drained"),
            ("http://127.0.0.1", "127.0.0.1", 80, "/"),
            ("http://[::1]:7000", "::1", 7000, "/"),
            ("http://[::1]/x", "::1", 80, "/x"),
            ("http://orchestrator.internal?event=drained", "orchestrator.internal", 80, "/?event=drained"),
            ("Http://Hooks.Example:8080/a/b?c=d", "Hooks.Example", 8080, "/a/b?c=d"),
        ] as [(String, String, UInt16, String)]
    )
    func webhookURLs(text: String, host: String, port: UInt16, path: String) throws {
        let url = try ConfValues.webhookURL(text)

        #expect(url.host == host)
        #expect(url.port == port)
        #expect(url.path == path)
    }

    @Test(
        "a malformed webhook URL says why",
        arguments: [
            ("https://127.0.0.1/drained", "webhook URLs must be http:// for now"),
            ("HTTPS://127.0.0.1/drained", "webhook URLs must be http:// for now"),
            ("ftp://127.0.0.1/drained", "expected http://HOST[:PORT]/PATH"),
            ("127.0.0.1:7000/drained", "expected http://HOST[:PORT]/PATH"),
            ("http:///drained", "the host is missing after 'http://'"),
            ("http://user:pw@127.0.0.1/", "a webhook URL cannot carry a user name"),
            ("http://127.0.0.1:0/", "port must be 1-65535"),
            ("http://127.0.0.1:/", "the port is missing after ':'"),
            ("http://::1/", "write an IPv6 address in brackets, e.g. [::1]:8080"),
            ("http://exa$mple/", "'$' is not allowed in host name 'exa$mple'; use letters, digits, '-', '_' and '.'"),
            ("http://127.0.0.1/a b", "the path must be visible ASCII without spaces; percent-encode the rest"),
            ("http://127.0.0.1/drained#x", "a fragment ('#') is never sent; remove it"),
        ]
    )
    func badWebhookURLs(text: String, reason: String) {
        #expect(throws: ConfValueError(reason)) { try ConfValues.webhookURL(text) }
    }
}
