/// Every mistake found in a conf, in the order they were found; never empty when thrown.
public struct ConfErrors: Error, Sendable, Equatable, CustomStringConvertible {
    /// The mistakes, in the order they were found.
    public var errors: [ConfError]

    /// A list of `errors`.
    public init(errors: [ConfError]) {
        self.errors = errors
    }

    /// One `FILE:LINE:COL: error: MESSAGE` line per error.
    public var description: String {
        errors.map(\.description).joined(separator: "\n")
    }
}
