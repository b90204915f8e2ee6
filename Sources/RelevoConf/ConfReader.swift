/// Reads a conf file and every file it includes into one list of top-level directives.
///
/// Each file is lexed and parsed on its own; a syntax error stops that file only. An `include` at top
/// level is replaced, in place, by the directives of the files it matches, in sorted order.
struct ConfReader {
    /// A file being read, for spotting include loops.
    private struct OpenFile {
        var file: String
        var canonicalPath: String?
    }

    /// Read errors, syntax errors and include errors, in the order found.
    private(set) var errors: [ConfError] = []

    /// Every file read, the main file first, each once.
    private(set) var files: [String] = []

    /// The files being read, outermost first.
    private var openFiles: [OpenFile] = []

    /// The directives of the conf file at `path` and its includes; a file that cannot be read is an error
    /// at `FILE:1:1`.
    mutating func read(path: String) -> [ConfDirective] {
        readFile(
            path, canonicalPath: ConfFileSystem.canonicalPath(path), at: SourceLocation(file: path, line: 1, column: 1))
    }

    /// The directives of `text`, named `file`, and its includes, which resolve against `directory`.
    mutating func read(text: String, file: String, directory: String) -> [ConfDirective] {
        parse(bytes: Array(text.utf8), file: file, directory: directory, canonicalPath: nil)
    }

    // MARK: - Files

    /// Reads the file at `path` and parses it; a file that cannot be read is reported at `location`.
    private mutating func readFile(_ path: String, canonicalPath: String?, at location: SourceLocation)
        -> [ConfDirective]
    {
        switch ConfFileSystem.contents(of: path) {
        case .success(let bytes):
            let directory = ConfFileSystem.directory(of: path)
            return parse(bytes: bytes, file: path, directory: directory, canonicalPath: canonicalPath)
        case .failure(let error):
            report(location, "cannot read \(path): \(error.reason)")
            return []
        }
    }

    /// Parses one file's bytes and expands its includes; `canonicalPath` is nil for text that is not a file.
    private mutating func parse(bytes: [UInt8], file: String, directory: String, canonicalPath: String?)
        -> [ConfDirective]
    {
        if !files.contains(file) {
            files.append(file)
        }
        openFiles.append(OpenFile(file: file, canonicalPath: canonicalPath))
        defer { openFiles.removeLast() }

        let names = ConfGrammar.directiveNames
        var parser = ConfParser(bytes: bytes, file: file, directory: directory, directiveNames: names)
        let (directives, error) = parser.parse()
        if let error {
            errors.append(error)
        }
        return directives.flatMap { $0.name == "include" ? include($0) : [$0] }
    }

    /// The directives of the files an `include` directive matches, or none after reporting why.
    private mutating func include(_ directive: ConfDirective) -> [ConfDirective] {
        if let rule = ConfGrammar.rule("include", in: .top),
            let error = ConfGrammar.shapeError(of: directive, against: rule)
        {
            errors.append(error)
            return []
        }

        let pattern = directive.arguments[0].text
        guard !pattern.isEmpty else {
            report(directive.arguments[0].location, "include pattern is empty")
            return []
        }
        guard let paths = matches(of: pattern, for: directive) else { return [] }
        return paths.flatMap { includeFile($0, at: directive.location) }
    }

    /// The paths `pattern` names, relative to the including file's directory; nil after reporting none.
    private mutating func matches(of pattern: String, for directive: ConfDirective) -> [String]? {
        guard ConfFileSystem.hasWildcard(pattern) else {
            return [ConfFileSystem.joining(directive.directory, pattern)]
        }

        let escapedDirectory = pattern.hasPrefix("/") ? "" : ConfFileSystem.escapingWildcards(directive.directory)
        switch ConfFileSystem.paths(matching: ConfFileSystem.joining(escapedDirectory, pattern)) {
        case .success(let paths) where paths.isEmpty:
            report(directive.location, "include '\(pattern)' matches no file")
            return nil
        case .success(let paths):
            return paths
        case .failure(let error):
            report(directive.location, "cannot expand include '\(pattern)': \(error.reason)")
            return nil
        }
    }

    /// The directives of one included file, or none after reporting a loop or a read error at `location`.
    private mutating func includeFile(_ path: String, at location: SourceLocation) -> [ConfDirective] {
        let canonicalPath = ConfFileSystem.canonicalPath(path)
        if let canonicalPath, openFiles.contains(where: { $0.canonicalPath == canonicalPath }) {
            let chain = openFiles.map(\.file) + [path]
            report(location, "include loop: \(chain.joined(separator: " → "))")
            return []
        }
        return readFile(path, canonicalPath: canonicalPath, at: location)
    }

    /// Records a mistake at `location`.
    private mutating func report(_ location: SourceLocation, _ message: String) {
        errors.append(ConfError(location: location, message: message))
    }
}
