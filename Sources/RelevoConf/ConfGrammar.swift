/// Where a directive may be written.
enum ConfContext: Sendable, Hashable {
    /// At the top level of a conf file.
    case top
    /// Inside `timeouts { }`.
    case timeouts
    /// Inside `limits { }`.
    case limits
    /// Inside `version NAME { }`.
    case version
    /// Inside `admin ADDRESS { }`.
    case admin
    /// Inside `session { }`.
    case session

    /// How a message names the place: "at top level", "inside 'timeouts'".
    var phrase: String {
        switch self {
        case .top: "at top level"
        case .timeouts: "inside 'timeouts'"
        case .limits: "inside 'limits'"
        case .version: "inside a 'version' block"
        case .admin: "inside 'admin'"
        case .session: "inside 'session'"
        }
    }
}

/// Whether a directive ends with `;`, with a `{ }` block, or with either.
enum ConfBlockShape: Sendable, Equatable {
    /// It ends with `;`: a block is a mistake.
    case forbidden
    /// It ends with a block.
    case required
    /// It ends with `;` or with a block.
    case optional
}

/// The shape of one directive in one context: how many arguments, whether it has a block, how often it may appear.
struct ConfRule: Sendable {
    /// The directive's name.
    var name: String

    /// Where the rule applies.
    var context: ConfContext

    /// The numbers of arguments it takes, in increasing order: one number for most directives.
    var argumentCounts: [Int]

    /// Whether it ends with `;`, a `{ }` block, or either.
    var block: ConfBlockShape

    /// Whether it may appear more than once in its context.
    var isRepeatable: Bool

    /// How it is written, for messages: `listen ADDRESS;`.
    var usage: String
}

/// Every directive relevo knows, where each may be written, and the checks of shape they share.
enum ConfGrammar {
    /// Every rule. Each is written as its usage, alternatives joined by " or "; the argument counts and the
    /// block follow from it.
    static let rules: [ConfRule] = [
        rule("listen ADDRESS;", in: .top, isRepeatable: true),
        rule("admin ADDRESS; or admin ADDRESS { token_file PATH; }", in: .top),
        rule("workers auto|N;", in: .top),
        rule("access_log PATH|off;", in: .top),
        rule("state_dir PATH;", in: .top),
        rule("session { secret_file PATH; }", in: .top),
        rule("timeouts { … }", in: .top),
        rule("limits { … }", in: .top),
        rule("drain_deadline DURATION|off;", in: .top),
        rule("on_drained exec COMMAND; or on_drained webhook URL;", in: .top, isRepeatable: true),
        rule("version NAME { backend HOST:PORT; }", in: .top, isRepeatable: true),
        rule("include PATTERN;", in: .top, isRepeatable: true),

        rule("token_file PATH;", in: .admin),

        rule("cookie NAME;", in: .session),
        rule("affinity_cookie NAME;", in: .session),
        rule("secret_file PATH;", in: .session),
        rule("idle_timeout DURATION;", in: .session),
        rule("absolute_timeout DURATION;", in: .session),
        rule("end_header NAME;", in: .session),
        rule("store local; or store redis HOST:PORT;", in: .session),

        rule("connect DURATION;", in: .timeouts),
        rule("request_header DURATION;", in: .timeouts),
        rule("upstream_read DURATION;", in: .timeouts),
        rule("client_idle DURATION;", in: .timeouts),
        rule("upstream_idle DURATION;", in: .timeouts),
        rule("shutdown DURATION;", in: .timeouts),

        rule("request_header SIZE;", in: .limits),
        rule("upstream_idle_connections N;", in: .limits),

        rule("backend HOST:PORT;", in: .version, isRepeatable: true),
        rule("health_check PATH;", in: .version),
        rule("gate { … }", in: .version),
    ]

    /// The rule `usage` describes. In each alternative the first word is the name, the words before `;` or `{`
    /// its arguments; a `{` means a block.
    private static func rule(_ usage: String, in context: ConfContext, isRepeatable: Bool = false) -> ConfRule {
        var counts: Set<Int> = []
        var blocks: Set<Bool> = []
        var name = ""
        for alternative in usage.split(separator: " or ") {
            let head = alternative.prefix { $0 != ";" && $0 != "{" }.split(separator: " ")
            name = String(head[0])
            counts.insert(head.count - 1)
            blocks.insert(alternative.contains("{"))
        }
        return ConfRule(
            name: name,
            context: context,
            argumentCounts: counts.sorted(),
            block: blocks.count == 2 ? .optional : blocks.contains(true) ? .required : .forbidden,
            isRepeatable: isRepeatable,
            usage: usage
        )
    }

    /// Every directive name, in any context; the parser uses it to spot a missing `;`.
    static let directiveNames = Set(rules.map(\.name))

    /// The rule for `name` in `context`, if it may be written there.
    static func rule(_ name: String, in context: ConfContext) -> ConfRule? {
        rules.first { $0.name == name && $0.context == context }
    }

    /// The error for a directive that has no rule in `context`: unknown, or known only elsewhere.
    static func misplaced(_ directive: ConfDirective, in context: ConfContext) -> ConfError {
        let places = rules.filter { $0.name == directive.name }.map(\.context.phrase)
        guard !places.isEmpty else {
            let hint = suggestion(for: directive.name, in: context).map { "; did you mean '\($0)'?" } ?? ""
            return ConfError(location: directive.location, message: "unknown directive '\(directive.name)'\(hint)")
        }
        let message =
            "'\(directive.name)' is not allowed \(context.phrase); it belongs \(places.joined(separator: " or "))"
        return ConfError(location: directive.location, message: message)
    }

    /// The error for a directive relevo knows but cannot run yet, or nil: a `tls` listener, a `gate` block.
    static func notYetSupported(_ directive: ConfDirective, in context: ConfContext) -> ConfError? {
        switch (context, directive.name) {
        case (.top, "listen") where directive.arguments.count > 1 && directive.arguments[1].text == "tls":
            ConfError(location: directive.arguments[1].location, message: "TLS listeners are not supported yet")
        case (.version, "gate"):
            ConfError(location: directive.location, message: "gate blocks are not supported yet")
        default:
            nil
        }
    }

    /// The first mistake in the shape of `directive` against `rule`: argument count, then block; nil if none.
    static func shapeError(of directive: ConfDirective, against rule: ConfRule) -> ConfError? {
        let count = directive.arguments.count
        if !rule.argumentCounts.contains(count) {
            // Point at the first argument too many, or at the name when some are missing.
            let most = rule.argumentCounts.last ?? 0
            let location = count > most ? directive.arguments[most].location : directive.location
            let message = "'\(directive.name)' takes \(arguments(rule.argumentCounts)), got \(count): \(rule.usage)"
            return ConfError(location: location, message: message)
        }

        switch (rule.block, directive.block) {
        case (.required, nil):
            return ConfError(location: directive.location, message: "'\(directive.name)' needs a block: \(rule.usage)")
        case (.forbidden, .some):
            return ConfError(location: directive.location, message: "'\(directive.name)' takes no block: \(rule.usage)")
        default:
            return nil
        }
    }

    /// The directive of `context` whose name is at most two edits away from `name`, if there is one.
    private static func suggestion(for name: String, in context: ConfContext) -> String? {
        let candidates = rules.filter { $0.context == context }.map(\.name)
        return candidates.map { ($0, editDistance(Array(name.utf8), Array($0.utf8))) }
            .filter { $0.1 <= 2 }
            .min { $0.1 < $1.1 }?.0
    }

    /// The Levenshtein distance between two byte strings: insertions, deletions and substitutions.
    private static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + [Int](repeating: 0, count: b.count)
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            previous = current
        }
        return previous[b.count]
    }

    /// "no arguments", "1 argument", "2 arguments", "1 or 2 arguments".
    private static func arguments(_ counts: [Int]) -> String {
        switch counts {
        case [0]: "no arguments"
        case [1]: "1 argument"
        default: "\(counts.map(String.init).joined(separator: " or ")) arguments"
        }
    }
}
