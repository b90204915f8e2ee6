import Foundation

/// One backend of one version of the application that release tests put behind relevo.
///
/// It answers like a small booking application: `GET /health` with 200; `/login` starts the application's
/// session (`Set-Cookie: APPSESSION=<random>; Path=/`); `/logout` expires it (`Max-Age=0`); `/end` answers with
/// the session-end header; every answer says which version and backend gave it, in `X-Version`, `X-Backend` and
/// the body. Thread-safe; ``stop()`` must be called (``ReleaseFixture`` does).
final class AppBackend: Sendable {
    /// The name of the application's session cookie, as the conf's `session { cookie … }` names it.
    static let sessionCookie = "APPSESSION"

    /// The header that ends a session, as the conf's `session { end_header … }` names it.
    static let endHeader = "X-Session-End"

    /// The version this backend belongs to, e.g. `v1`.
    let version: String

    /// The backend's label within the test, e.g. `v1-a`: the value of its `X-Backend` header.
    let label: String

    /// The server.
    let server: TestBackend

    /// Starts a backend of `version` answering as `label`.
    init(version: String, label: String) throws {
        self.version = version
        self.label = label
        server = try TestBackend(handler: Self.handler(version: version, label: label))
    }

    /// `host:port`, as the conf names the backend.
    var address: String {
        server.address
    }

    /// The request heads this backend received from relevo's listeners (not its health probes).
    var proxiedHeads: [HTTPHead] {
        server.proxiedHeads.filter { $0.target != "/health" }
    }

    /// How many health probes (`GET /health`) this backend answered so far.
    var healthProbes: Int {
        server.record.value.heads.filter { $0.target == "/health" }.count
    }

    /// Stops the server.
    func stop() {
        server.stop()
    }

    /// The application's answers, for a backend of `version` labelled `label`.
    static func handler(version: String, label: String) -> TestBackend.Handler {
        { exchange in
            let path = exchange.request.target.split(separator: "?", maxSplits: 1).first.map(String.init) ?? ""
            if path == "/health" {
                try exchange.respond(status: 200, body: "healthy")
                return
            }

            var headers = [("X-Version", version), ("X-Backend", label)]
            switch path {
            case "/login":
                let session = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
                headers.append(("Set-Cookie", "\(sessionCookie)=\(session); Path=/"))
            case "/logout":
                headers.append(("Set-Cookie", "\(sessionCookie)=; Max-Age=0; Path=/"))
            case "/end":
                headers.append((endHeader, "1"))
            default:
                break
            }
            try respond(exchange, headers: headers, body: "\(version) \(label)\n")
        }
    }

    /// Writes a 200 answer with `headers` and `body` in one write, so that no answer waits on Nagle's algorithm
    /// and a delayed acknowledgement (the test server's sockets do not set `TCP_NODELAY`).
    private static func respond(_ exchange: BackendExchange, headers: [(String, String)], body: String) throws {
        var text = "HTTP/1.1 200 OK\r\n"
        for (name, value) in headers {
            text += "\(name): \(value)\r\n"
        }
        text += "Content-Length: \(body.utf8.count)\r\n\r\n"
        if exchange.request.method != "HEAD" {
            text += body
        }
        try exchange.connection.write(text)
    }
}
