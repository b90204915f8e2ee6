import RelevoIO

/// Gives the generic directive tree its meaning: checks every directive and builds a ``Conf``.
///
/// Collects every mistake rather than stopping at the first; ``Conf`` is only meaningful when
/// ``errors`` stays empty.
struct ConfValidator {
    /// The mistakes found, in conf order.
    private(set) var errors: [ConfError] = []

    /// The main file's directory: the default state directory sits in it.
    private let mainDirectory: String

    /// Where whole-conf mistakes, such as a missing `listen`, are reported: the main file's first character.
    private let mainLocation: SourceLocation

    /// Whether every file was read and parsed to its end; checks for missing directives are skipped otherwise,
    /// since the missing directive may sit in the part that could not be read.
    private let isComplete: Bool

    /// A validator for the conf whose main file is `mainFile` in `mainDirectory`.
    init(mainFile: String, mainDirectory: String, isComplete: Bool) {
        self.mainDirectory = mainDirectory
        self.mainLocation = SourceLocation(file: mainFile, line: 1, column: 1)
        self.isComplete = isComplete
    }

    /// The conf the top-level `directives` describe, defaults applied; check ``errors`` before using it.
    mutating func validate(_ directives: [ConfDirective], files: [String]) -> Conf {
        var conf = Conf(
            listeners: [],
            stateDirectory: ConfFileSystem.absolutePath(".relevo", relativeTo: mainDirectory),
            files: files
        )
        var session: SessionConf?
        var adminAddress: SourceLocation?
        var firsts: [String: SourceLocation] = [:]
        for directive in directives where accepts(directive, in: .top, firsts: &firsts) {
            switch directive.name {
            case "listen": addListener(directive, to: &conf)
            case "admin":
                conf.admin = admin(directive)
                adminAddress = directive.arguments[0].location
            case "workers": conf.workers = workers(directive)
            case "access_log": conf.accessLogPath = accessLogPath(directive)
            case "state_dir": conf.stateDirectory = path(directive) ?? conf.stateDirectory
            case "session": session = self.session(directive)
            case "timeouts": conf.timeouts = timeouts(directive)
            case "limits": conf.limits = limits(directive)
            case "drain_deadline": setDrainDeadline(directive, in: &conf)
            case "on_drained": addDrainedHook(directive, to: &conf)
            case "version": addVersion(directive, to: &conf)
            case "include": break  // Never reached: ConfReader expands or reports every top-level include.
            default: preconditionFailure("no check for directive '\(directive.name)' at top level")
            }
        }

        // The default secret sits in the state directory, wherever `state_dir` is written.
        conf.session = session ?? .defaults(stateDirectory: conf.stateDirectory)
        if let admin = conf.admin, let adminAddress {
            checkAdminAddress(admin.address, at: adminAddress, against: conf.listeners)
        }

        // A listen that was written but is wrong has been reported already.
        if isComplete, !directives.contains(where: { $0.name == "listen" }) {
            report(mainLocation, "no 'listen' directive: add one, e.g. 'listen 0.0.0.0:8080;'")
        }
        return conf
    }

    // MARK: - Top level

    /// Adds a listener; two listeners on the same address are a mistake, unless the port is 0 (any free port).
    private mutating func addListener(_ directive: ConfDirective, to conf: inout Conf) {
        let argument = directive.arguments[0]
        guard let address = value(argument, "bad address", ConfValues.listenAddress) else { return }

        if address.port != 0, let first = conf.listeners.first(where: { $0.address == address }) {
            report(argument.location, "duplicate listen address '\(address)' (first at \(first.location))")
            return
        }
        conf.listeners.append(ListenerConf(address: address, location: directive.location))
    }

    /// `workers auto` as nil, or `workers N` with N from 1 to 256.
    private mutating func workers(_ directive: ConfDirective) -> Int? {
        let argument = directive.arguments[0]
        if argument.text == "auto" {
            return nil
        }
        guard let count = try? ConfValues.count(argument.text), (1...256).contains(count) else {
            report(argument.location, "bad workers '\(argument.text)': expected 'auto' or a number 1-256")
            return nil
        }
        return count
    }

    /// `access_log off` as nil, or the absolute path of the log.
    private mutating func accessLogPath(_ directive: ConfDirective) -> String? {
        directive.arguments[0].text == "off" ? nil : path(directive)
    }

    /// The directive's one argument as an absolute path, resolved against its file's directory.
    mutating func path(_ directive: ConfDirective) -> String? {
        let argument = directive.arguments[0]
        guard !argument.text.isEmpty else {
            report(argument.location, "'\(directive.name)' needs a path, got an empty string")
            return nil
        }
        return ConfFileSystem.absolutePath(argument.text, relativeTo: directive.directory)
    }

    // MARK: - Blocks

    /// The `timeouts` block over the defaults; every timeout must be more than zero.
    private mutating func timeouts(_ directive: ConfDirective) -> TimeoutsConf {
        var timeouts = TimeoutsConf()
        var firsts: [String: SourceLocation] = [:]
        for entry in directive.block ?? [] where accepts(entry, in: .timeouts, firsts: &firsts) {
            guard let milliseconds = positiveDuration(entry) else { continue }
            switch entry.name {
            case "connect": timeouts.connect = milliseconds
            case "request_header": timeouts.requestHeader = milliseconds
            case "upstream_read": timeouts.upstreamRead = milliseconds
            case "client_idle": timeouts.clientIdle = milliseconds
            case "upstream_idle": timeouts.upstreamIdle = milliseconds
            case "shutdown": timeouts.shutdown = milliseconds
            default: preconditionFailure("no check for directive '\(entry.name)' inside 'timeouts'")
            }
        }
        return timeouts
    }

    /// The `limits` block over the defaults.
    private mutating func limits(_ directive: ConfDirective) -> LimitsConf {
        var limits = LimitsConf()
        var firsts: [String: SourceLocation] = [:]
        for entry in directive.block ?? [] where accepts(entry, in: .limits, firsts: &firsts) {
            let argument = entry.arguments[0]
            switch entry.name {
            case "request_header":
                guard let size = value(argument, "bad size", ConfValues.bytes) else { continue }
                guard (1024...1024 * 1024).contains(size) else {
                    report(argument.location, "'request_header' must be 1k-1m, got \(argument.text)")
                    continue
                }
                limits.requestHeaderSize = size
            case "upstream_idle_connections":
                guard let count = value(argument, "bad count", ConfValues.count) else { continue }
                guard (0...10_000).contains(count) else {
                    report(argument.location, "'upstream_idle_connections' must be 0-10000, got \(argument.text)")
                    continue
                }
                limits.upstreamIdleConnections = count
            default:
                preconditionFailure("no check for directive '\(entry.name)' inside 'limits'")
            }
        }
        return limits
    }

    /// Adds a version: a valid, unique name, at least one backend, no two alike, and its health check.
    private mutating func addVersion(_ directive: ConfDirective, to conf: inout Conf) {
        let name = directive.arguments[0].text
        let isNameValid = checkVersionName(directive.arguments[0], among: conf.versions)
        let block = directive.block ?? []
        var version = VersionConf(name: name, backends: [], location: directive.location)

        var firsts: [String: SourceLocation] = [:]
        for entry in block where accepts(entry, in: .version, firsts: &firsts) {
            switch entry.name {
            case "backend":
                addBackend(entry, to: &version)
            case "health_check":
                let path = value(entry.arguments[0], "bad health_check path", ConfValues.originFormPath)
                version.healthCheck = path ?? version.healthCheck
            default:
                preconditionFailure("no check for directive '\(entry.name)' inside a 'version' block")
            }
        }

        // A version whose backends were all written wrong has been reported already.
        if !block.contains(where: { $0.name == "backend" }) {
            report(directive.location, "version '\(name)' has no backend: add at least one 'backend HOST:PORT;'")
        }
        if isNameValid {
            conf.versions.append(version)
        }
    }

    /// Whether a version name is well formed and not taken by one of `versions`; reports why not.
    private mutating func checkVersionName(_ argument: ConfDirective.Argument, among versions: [VersionConf]) -> Bool {
        let name = argument.text
        guard ConfValues.isVersionName(name) else {
            report(argument.location, "bad version name '\(name)': use 1 to 64 letters, digits, '.', '_' or '-'")
            return false
        }
        if let first = versions.first(where: { $0.name == name }) {
            report(argument.location, "duplicate version '\(name)' (first at \(first.location))")
            return false
        }
        return true
    }

    /// Adds a backend to `version`; the same backend twice (same address, or same name and port) is a mistake.
    private mutating func addBackend(_ entry: ConfDirective, to version: inout VersionConf) {
        let argument = entry.arguments[0]
        guard let (host, port) = value(argument, "bad backend address", ConfValues.backendAddress) else { return }

        let key = ConfValues.backendKey(host: host, port: port)
        if let first = version.backends.first(where: { ConfValues.backendKey(host: $0.host, port: $0.port) == key }) {
            report(
                argument.location,
                "duplicate backend '\(argument.text)' in version '\(version.name)' (first at \(first.location))"
            )
            return
        }
        version.backends.append(BackendConf(host: host, port: port, location: entry.location, text: argument.text))
    }

    // MARK: - Shared checks

    /// Whether `directive` is known in `context`, well shaped, and not repeated beyond what is allowed;
    /// reports why not. `firsts` holds where each directive of the context was first accepted.
    mutating func accepts(
        _ directive: ConfDirective,
        in context: ConfContext,
        firsts: inout [String: SourceLocation]
    ) -> Bool {
        guard let rule = ConfGrammar.rule(directive.name, in: context) else {
            errors.append(ConfGrammar.misplaced(directive, in: context))
            return false
        }
        if let error = ConfGrammar.notYetSupported(directive, in: context) {
            errors.append(error)
            return false
        }
        if let error = ConfGrammar.shapeError(of: directive, against: rule) {
            errors.append(error)
            return false
        }
        if !rule.isRepeatable, let first = firsts[directive.name] {
            report(directive.location, "duplicate directive '\(directive.name)' (first at \(first))")
            return false
        }
        firsts[directive.name] = directive.location
        return true
    }

    /// The directive's one argument as a duration of more than 0, in milliseconds, or nil after reporting why not.
    mutating func positiveDuration(_ directive: ConfDirective) -> Int64? {
        let argument = directive.arguments[0]
        guard let milliseconds = value(argument, "bad duration", ConfValues.milliseconds) else { return nil }
        guard milliseconds > 0 else {
            report(argument.location, "'\(directive.name)' must be more than 0")
            return nil
        }
        return milliseconds
    }

    /// The argument read by `reader`, or nil after reporting `"<what> '<text>': <reason>"` at the argument.
    mutating func value<Value>(
        _ argument: ConfDirective.Argument,
        _ what: String,
        _ reader: (String) throws(ConfValueError) -> Value
    ) -> Value? {
        do {
            return try reader(argument.text)
        } catch {
            report(argument.location, "\(what) '\(argument.text)': \(error.reason)")
            return nil
        }
    }

    /// Records a mistake at `location`.
    mutating func report(_ location: SourceLocation, _ message: String) {
        errors.append(ConfError(location: location, message: message))
    }
}
