/// One `on_drained` hook of the conf: a command to run or a URL to POST the event to.
///
/// A hook is known by its ``target`` (the command or the URL): the runner keeps one outcome per
/// event and target, and acknowledges each by it. Immutable and `Sendable`.
public enum DrainedHook: Sendable, Hashable {
    /// `on_drained exec "COMMAND";`: runs `/bin/sh -c COMMAND` in `directory` (relevo's own working
    /// directory when empty), with the event in its environment.
    case exec(command: String, directory: String)

    /// `on_drained webhook URL;`: POSTs the event's JSON to `path` on `host:port`, over plain HTTP/1.1.
    /// `host` is a name or a numeric address (an IPv6 one with or without brackets); `url` is the
    /// URL as the conf spells it, for logs and status.
    case webhook(host: String, port: UInt16, path: String, url: String)

    /// `exec` or `webhook`: the `hook` label of `relevo_drained_hooks_total` and ``HookStatus/kind``.
    public var kind: String {
        switch self {
        case .exec: "exec"
        case .webhook: "webhook"
        }
    }

    /// The command or the URL: what identifies the hook in status, logs and acknowledgements.
    public var target: String {
        switch self {
        case .exec(let command, _): command
        case .webhook(_, _, _, let url): url
        }
    }

    /// A webhook to `http://HOST[:PORT][/PATH]` (port 80 by default, path `/` by default); nil for
    /// any other scheme, a missing host, user information, or a port outside 1...65535.
    public init?(webhookURL url: String) {
        let scheme = "http://"
        guard url.count > scheme.count, url.prefix(scheme.count).lowercased() == scheme else { return nil }

        let rest = url.dropFirst(scheme.count).prefix { $0 != "#" }
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        let pathPart = rest.dropFirst(authority.count)
        let path = pathPart.isEmpty ? "/" : pathPart.hasPrefix("?") ? "/" + pathPart : String(pathPart)
        guard let (host, port) = Self.hostAndPort(authority) else { return nil }

        self = .webhook(host: host, port: port, path: path, url: url)
    }

    /// Splits `host[:port]` or `[v6][:port]`; nil when the host is empty or the port is invalid.
    private static func hostAndPort(_ authority: Substring) -> (String, UInt16)? {
        guard !authority.isEmpty, !authority.contains("@") else { return nil }

        let host: Substring
        let portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            guard after.isEmpty || after.hasPrefix(":") else { return nil }
            portText = after.isEmpty ? nil : after.dropFirst()
        } else {
            let colon = authority.lastIndex(of: ":")
            host = colon.map { authority[..<$0] } ?? authority
            portText = colon.map { authority[authority.index(after: $0)...] }
            guard !host.contains(":") else { return nil }
        }

        guard !host.isEmpty else { return nil }
        guard let portText else { return (String(host), 80) }
        guard portText.count <= 5, portText.allSatisfy(\.isASCIIDigit), let port = UInt16(portText), port > 0 else {
            return nil
        }
        return (String(host), port)
    }
}

extension Character {
    /// Whether the character is one of `0`...`9`.
    fileprivate var isASCIIDigit: Bool {
        self >= "0" && self <= "9"
    }
}
