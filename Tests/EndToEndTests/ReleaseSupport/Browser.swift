import Foundation

/// A user's browser, as far as relevo can tell: one keep-alive connection and a cookie jar.
///
/// Sends the jar's cookies on every request and applies every `Set-Cookie` of the answers (a `Max-Age` of 0 or
/// less removes the cookie). Reconnects when relevo closed the connection, or when its port changed (a restart).
/// Used from one thread at a time.
final class Browser {
    /// The name of relevo's affinity cookie.
    static let affinityCookie = "relevo"

    /// The cookies held, in the order they were first set.
    private(set) var cookies: [(name: String, value: String)] = []

    /// The answers received so far, in order.
    private(set) var history: [RawResponse] = []

    private let port: () -> UInt16
    private var client: RawClient?
    private var clientPort: UInt16 = 0

    /// A browser talking to relevo's listener on the port `port` gives at each request.
    init(port: @escaping () -> UInt16) {
        self.port = port
    }

    /// The value of cookie `name`, or `nil`.
    func cookie(_ name: String) -> String? {
        cookies.first { $0.name == name }?.value
    }

    /// relevo's affinity cookie, or `nil`.
    var affinity: String? {
        cookie(Self.affinityCookie)
    }

    /// Sets cookie `name` to `value` by hand, as a user editing their cookies would.
    func setCookie(_ name: String, _ value: String) {
        if let index = cookies.firstIndex(where: { $0.name == name }) {
            cookies[index].value = value
        } else {
            cookies.append((name, value))
        }
    }

    /// Forgets every cookie.
    func clearCookies() {
        cookies = []
    }

    /// Sends `GET target` with the jar's cookies and `extraHeaders` (CRLF-terminated lines), applies the answer's
    /// cookies, and returns the answer.
    @discardableResult
    func get(_ target: String, extraHeaders: String = "") throws -> RawResponse {
        var request = "GET \(target) HTTP/1.1\r\nHost: booking.test\r\n"
        if !cookies.isEmpty {
            request += "Cookie: " + cookies.map { "\($0.name)=\($0.value)" }.joined(separator: "; ") + "\r\n"
        }
        request += extraHeaders + "\r\n"

        let response = try exchange(request)
        for field in response.head.fields where field.name.lowercased() == "set-cookie" {
            apply(setCookie: field.value)
        }
        history.append(response)
        return response
    }

    /// Drops the connection; the next request opens a new one.
    func disconnect() {
        client = nil
    }

    /// Sends `request` on the kept connection, or on a new one if there is none or the kept one was closed.
    private func exchange(_ request: String) throws -> RawResponse {
        let currentPort = port()
        if let client, clientPort == currentPort {
            if let response = try? client.exchange(request) {
                keepOrDrop(response)
                return response
            }
        }
        let fresh = try RawClient(port: currentPort, timeout: .seconds(15))
        client = fresh
        clientPort = currentPort
        let response = try fresh.exchange(request)
        keepOrDrop(response)
        return response
    }

    private func keepOrDrop(_ response: RawResponse) {
        if response.head.hasToken("close", in: "Connection") {
            client = nil
        }
    }

    /// Applies one `Set-Cookie` value: sets the cookie, or removes it when it expires it.
    private func apply(setCookie value: String) {
        let parts = value.split(separator: ";", omittingEmptySubsequences: false).map { $0.trimmingWhitespace() }
        guard let pair = parts.first, let equals = pair.firstIndex(of: "=") else {
            return
        }
        let name = String(pair[..<equals]).trimmingWhitespace()
        let cookieValue = String(pair[pair.index(after: equals)...]).trimmingWhitespace()
        let expires = parts.dropFirst().contains { attribute in
            let lowered = attribute.lowercased()
            guard lowered.hasPrefix("max-age="), let seconds = Int(lowered.dropFirst("max-age=".count)) else {
                return false
            }
            return seconds <= 0
        }
        cookies.removeAll { $0.name == name }
        if !expires {
            cookies.append((name, cookieValue))
        }
    }
}

extension RawResponse {
    /// The version that answered (`X-Version`), or `"none"`.
    var servedVersion: String {
        header("X-Version") ?? "none"
    }

    /// The backend that answered (`X-Backend`), or `"none"`.
    var servedBackend: String {
        header("X-Backend") ?? "none"
    }

    /// Every `Set-Cookie` value of the answer, in order.
    var setCookies: [String] {
        head.values("Set-Cookie")
    }

    /// The `Set-Cookie` values that set or expire cookie `name`.
    func setCookies(named name: String) -> [String] {
        setCookies.filter { $0.hasPrefix(name + "=") }
    }
}
