/// One mistake in a conf: where it is and, for a person, what is wrong.
public struct ConfError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where the mistake is: the offending token, or where a missing one was expected.
    public var location: SourceLocation

    /// What is wrong, e.g. `bad address '127.0.0.1:99999': port must be 0-65535`.
    public var message: String

    /// An error at `location` saying `message`.
    public init(location: SourceLocation, message: String) {
        self.location = location
        self.message = message
    }

    /// `FILE:LINE:COL: error: MESSAGE`, as `relevo check` prints it.
    public var description: String {
        "\(location): error: \(message)"
    }
}
