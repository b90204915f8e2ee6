/// One directive of the generic tree a conf file parses into, before any meaning is given to it.
///
/// `listen 127.0.0.1:8080;` has a name and one argument; `version v42 { … }` has a block too.
struct ConfDirective: Sendable, Equatable {
    /// One argument of a directive: its value and where it is written.
    struct Argument: Sendable, Equatable {
        /// The value, unquoted.
        var text: String

        /// Where the argument starts.
        var location: SourceLocation
    }

    /// The directive's name, e.g. `listen`.
    var name: String

    /// The arguments between the name and the `;` or `{`.
    var arguments: [Argument]

    /// The directives inside `{ }`, or nil when the directive ends with `;`.
    var block: [ConfDirective]?

    /// Where the directive's name is.
    var location: SourceLocation

    /// The directory relative paths in this directive are resolved against: its file's directory.
    var directory: String

    /// The argument values alone.
    var values: [String] {
        arguments.map(\.text)
    }
}
