import RelevoIO

/// The release-control directives: `admin`, `session`, `drain_deadline` and `on_drained`.
extension ConfValidator {
    /// The longest token file read, in bytes: more means the path names the wrong file.
    static let maximumTokenFileSize = 4_096

    // MARK: - admin

    /// The `admin` directive: an address, loopback unless a `token_file` is set, and the token read from that file.
    mutating func admin(_ directive: ConfDirective) -> AdminConf? {
        let argument = directive.arguments[0]
        let address = value(argument, "bad admin address", ConfValues.listenAddress)
        var tokenFile: String?
        var token: String?

        var firsts: [String: SourceLocation] = [:]
        for entry in directive.block ?? [] where accepts(entry, in: .admin, firsts: &firsts) {
            // `token_file` is the only directive of the block.
            tokenFile = path(entry)
            token = tokenFile.flatMap { self.token(inFile: $0, at: entry.arguments[0].location) }
        }
        guard let address else { return nil }

        // A token file that was written but is wrong has been reported already.
        if !address.isLoopback, firsts["token_file"] == nil {
            report(
                argument.location,
                "admin address '\(argument.text)' is not loopback: add 'token_file PATH;' in a block after it, "
                    + "or use 127.0.0.1 or [::1]"
            )
        }
        return AdminConf(address: address, tokenFile: tokenFile, token: token, location: directive.location)
    }

    /// Reports an admin address that a listener binds too: the same address, or a wildcard of its family,
    /// on the same port (port 0 aside).
    mutating func checkAdminAddress(
        _ address: SocketAddress, at location: SourceLocation, against listeners: [ListenerConf]
    ) {
        guard let listener = listeners.first(where: { Self.overlaps(address, $0.address) }) else { return }
        report(
            location,
            "admin address '\(address)' is taken by 'listen \(listener.address)' at \(listener.location); "
                + "give the admin API a port of its own"
        )
    }

    /// The token in `path`: its bytes less trailing line ends, printable ASCII without spaces; nil after
    /// reporting at `location` why there is none.
    private mutating func token(inFile path: String, at location: SourceLocation) -> String? {
        let bytes: [UInt8]
        switch ConfFileSystem.contents(of: path, limit: Self.maximumTokenFileSize) {
        case .success(let contents):
            bytes = contents
        case .failure(let error):
            report(location, "cannot read token_file \(path): \(error.reason)")
            return nil
        }

        guard bytes.count <= Self.maximumTokenFileSize else {
            report(location, "token_file \(path) is over \(Self.maximumTokenFileSize) bytes; it should hold one token")
            return nil
        }

        // Editors end the file with a newline; it is not part of the token.
        var end = bytes.count
        while end > 0, bytes[end - 1] == UInt8(ascii: "\n") || bytes[end - 1] == UInt8(ascii: "\r") {
            end -= 1
        }
        let token = bytes[..<end]
        guard !token.isEmpty else {
            report(location, "token_file \(path) is empty")
            return nil
        }
        guard token.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            report(location, "token_file \(path) must hold one token of printable ASCII without spaces")
            return nil
        }
        return String(decoding: token, as: UTF8.self)
    }

    /// Whether two addresses cannot both be bound: the same family and port, and the same address or a wildcard.
    private static func overlaps(_ a: SocketAddress, _ b: SocketAddress) -> Bool {
        let isWildcard = { (address: SocketAddress) in address.host == "0.0.0.0" || address.host == "::" }
        return a.port != 0 && a.port == b.port && a.family == b.family && (a == b || isWildcard(a) || isWildcard(b))
    }

    // MARK: - session

    /// The `session` block over the defaults; `secret_file` is required, and the two cookie names must differ.
    mutating func session(_ directive: ConfDirective) -> SessionConf {
        var session = SessionConf(secretFile: "")
        var cookieLocation: SourceLocation?
        var affinityCookieLocation: SourceLocation?

        var firsts: [String: SourceLocation] = [:]
        for entry in directive.block ?? [] where accepts(entry, in: .session, firsts: &firsts) {
            let argument = entry.arguments[0]
            switch entry.name {
            case "cookie":
                session.cookie = httpToken(argument, "bad cookie name")
                cookieLocation = session.cookie.map { _ in argument.location }
            case "affinity_cookie":
                guard let name = httpToken(argument, "bad cookie name") else { continue }
                session.affinityCookie = name
                affinityCookieLocation = argument.location
            case "secret_file":
                session.secretFile = path(entry) ?? ""
                session.secretFileLocation = entry.location
            case "idle_timeout":
                session.idleTimeout = positiveDuration(entry) ?? session.idleTimeout
            case "absolute_timeout":
                session.absoluteTimeout = positiveDuration(entry)
            case "end_header":
                session.endHeader = httpToken(argument, "bad header name")
            case "store":
                session.store = store(entry) ?? session.store
            default:
                preconditionFailure("no check for directive '\(entry.name)' inside 'session'")
            }
        }

        if firsts["secret_file"] == nil {
            report(
                directive.location,
                "'session' needs 'secret_file PATH;', the key that signs affinity cookies ('relevo secret' makes one)"
            )
        }
        if session.cookie == session.affinityCookie, let location = affinityCookieLocation ?? cookieLocation {
            report(
                location,
                "the application's cookie and relevo's affinity cookie are both named '\(session.affinityCookie)': "
                    + "set 'affinity_cookie' to another name"
            )
        }
        return session
    }

    /// The argument as an HTTP token (a cookie or header name), or nil after reporting `"<what> '<text>': …"`.
    private mutating func httpToken(_ argument: ConfDirective.Argument, _ what: String) -> String? {
        guard ConfValues.isToken(argument.text) else {
            report(argument.location, "\(what) '\(argument.text)': use letters, digits and \(ConfValues.tokenSymbols)")
            return nil
        }
        return argument.text
    }

    /// `store local` or `store redis HOST:PORT`, or nil after reporting why neither.
    private mutating func store(_ entry: ConfDirective) -> SessionStoreConf? {
        let kind = entry.arguments[0]
        switch (kind.text, entry.arguments.count) {
        case ("local", 1):
            return .local
        case ("local", _):
            report(entry.arguments[1].location, "'store local' takes no address")
        case ("redis", 2):
            let address = value(entry.arguments[1], "bad redis address", ConfValues.backendAddress)
            return address.map { .redis(host: $0.host, port: $0.port) }
        case ("redis", _):
            report(kind.location, "'store redis' needs an address: store redis HOST:PORT;")
        default:
            report(kind.location, "unknown store '\(kind.text)': use 'local' or 'redis HOST:PORT'")
        }
        return nil
    }

    // MARK: - Drain

    /// `drain_deadline off` as nil, or a duration of more than 0.
    mutating func setDrainDeadline(_ directive: ConfDirective, in conf: inout Conf) {
        let argument = directive.arguments[0]
        guard argument.text != "off" else {
            conf.drainDeadline = nil
            return
        }

        let hint = "; write 'off' for no deadline"
        do {
            let milliseconds = try ConfValues.milliseconds(argument.text)
            guard milliseconds > 0 else {
                report(argument.location, "'drain_deadline' must be more than 0\(hint)")
                return
            }
            conf.drainDeadline = milliseconds
        } catch {
            report(argument.location, "bad duration '\(argument.text)': \(error.reason)\(hint)")
        }
    }

    /// Adds an `on_drained exec COMMAND` or `on_drained webhook URL` hook; the same hook twice is a mistake.
    mutating func addDrainedHook(_ directive: ConfDirective, to conf: inout Conf) {
        let kind = directive.arguments[0]
        let target = directive.arguments[1]
        let hook: DrainedHookConf
        switch kind.text {
        case "exec":
            guard checkCommand(target) else { return }
            let directory = ConfFileSystem.absolutePath(".", relativeTo: directive.directory)
            hook = .exec(command: target.text, directory: directory, location: directive.location)
        case "webhook":
            guard let (host, port, path) = value(target, "bad webhook URL", ConfValues.webhookURL) else { return }
            hook = .webhook(url: target.text, host: host, port: port, path: path, location: directive.location)
        default:
            report(kind.location, "unknown hook '\(kind.text)': use 'exec COMMAND' or 'webhook URL'")
            return
        }

        if let first = conf.onDrained.first(where: { Self.action(of: $0) == Self.action(of: hook) }) {
            report(target.location, "duplicate on_drained hook (first at \(first.location)); it would run twice")
            return
        }
        conf.onDrained.append(hook)
    }

    /// Whether an `exec` command is something to hand to `/bin/sh -c`; reports why not.
    private mutating func checkCommand(_ argument: ConfDirective.Argument) -> Bool {
        if argument.text.allSatisfy({ $0 == " " || $0 == "\t" }) {
            report(argument.location, "the exec command is empty")
            return false
        }
        if argument.text.unicodeScalars.contains(where: { ($0.value < 0x20 && $0 != "\t") || $0.value == 0x7F }) {
            report(argument.location, "the exec command holds a control character")
            return false
        }
        return true
    }

    /// What a hook does, without where it is written: two hooks that do the same are duplicates.
    private static func action(of hook: DrainedHookConf) -> String {
        switch hook {
        case .exec(let command, let directory, _): "exec \(directory) \(command)"
        case .webhook(let url, _, _, _, _): "webhook \(url)"
        }
    }
}
