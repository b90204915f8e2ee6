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

    /// How a message names the place: "at top level", "inside 'timeouts'".
    var phrase: String {
        switch self {
        case .top: "at top level"
        case .timeouts: "inside 'timeouts'"
        case .limits: "inside 'limits'"
        case .version: "inside a 'version' block"
        }
    }
}

/// The shape of one directive in one context: how many arguments, whether it has a block, how often it may appear.
struct ConfRule: Sendable {
    /// The directive's name.
    var name: String

    /// Where the rule applies.
    var context: ConfContext

    /// The exact number of arguments it takes.
    var argumentCount: Int

    /// Whether it takes a `{ }` block (and must have one) rather than ending with `;`.
    var hasBlock: Bool

    /// Whether it may appear more than once in its context.
    var isRepeatable: Bool

    /// How it is written, for messages: `listen ADDRESS;`.
    var usage: String
}

/// Every directive relevo knows, where each may be written, and the checks of shape they share.
enum ConfGrammar {
    /// Every rule. Each is written as its usage; the argument count and the block follow from it.
    static let rules: [ConfRule] = [
        rule("listen ADDRESS;", in: .top, isRepeatable: true),
        rule("workers auto|N;", in: .top),
        rule("access_log PATH|off;", in: .top),
        rule("state_dir PATH;", in: .top),
        rule("timeouts { … }", in: .top),
        rule("limits { … }", in: .top),
        rule("version NAME { backend HOST:PORT; }", in: .top, isRepeatable: true),
        rule("include PATTERN;", in: .top, isRepeatable: true),

        rule("connect DURATION;", in: .timeouts),
        rule("request_header DURATION;", in: .timeouts),
        rule("upstream_read DURATION;", in: .timeouts),
        rule("client_idle DURATION;", in: .timeouts),
        rule("upstream_idle DURATION;", in: .timeouts),
        rule("shutdown DURATION;", in: .timeouts),

        rule("request_header SIZE;", in: .limits),
        rule("upstream_idle_connections N;", in: .limits),

        rule("backend HOST:PORT;", in: .version, isRepeatable: true),
    ]

    /// The rule `usage` describes: its first word is the name, the words before `;` or `{` its arguments.
    private static func rule(_ usage: String, in context: ConfContext, isRepeatable: Bool = false) -> ConfRule {
        let head = usage.prefix { $0 != ";" && $0 != "{" }.split(separator: " ")
        return ConfRule(
            name: String(head[0]),
            context: context,
            argumentCount: head.count - 1,
            hasBlock: usage.contains("{"),
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

    /// The first mistake in the shape of `directive` against `rule`: argument count, then block; nil if none.
    static func shapeError(of directive: ConfDirective, against rule: ConfRule) -> ConfError? {
        let count = directive.arguments.count
        if count != rule.argumentCount {
            // Point at the first argument too many, or at the name when some are missing.
            let location =
                count > rule.argumentCount ? directive.arguments[rule.argumentCount].location : directive.location
            let message = "'\(directive.name)' takes \(arguments(rule.argumentCount)), got \(count): \(rule.usage)"
            return ConfError(location: location, message: message)
        }

        if rule.hasBlock, directive.block == nil {
            return ConfError(location: directive.location, message: "'\(directive.name)' needs a block: \(rule.usage)")
        }
        if !rule.hasBlock, directive.block != nil {
            return ConfError(location: directive.location, message: "'\(directive.name)' takes no block: \(rule.usage)")
        }
        return nil
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

    /// "no arguments", "1 argument", "2 arguments".
    private static func arguments(_ count: Int) -> String {
        switch count {
        case 0: "no arguments"
        case 1: "1 argument"
        default: "\(count) arguments"
        }
    }
}
