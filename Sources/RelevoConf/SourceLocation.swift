/// A place in a conf file: the file as it was named, and a 1-based line and column.
///
/// Columns count characters (Unicode scalars), not bytes; a tab counts as one.
public struct SourceLocation: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The file, as it was named on the command line or built from an `include` pattern.
    public var file: String

    /// The line, from 1.
    public var line: Int

    /// The column, from 1.
    public var column: Int

    /// A location in `file` at `line` and `column`, both counted from 1.
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `FILE:LINE:COL`, the form editors and compilers use.
    public var description: String {
        "\(file):\(line):\(column)"
    }
}
