/// Loads a conf: reads its files, parses them and validates the result into a ``Conf``.
///
/// Blocking (it reads files); call it from the command line or a reload, never from an event loop.
public enum ConfLoader {
    /// Reads, parses and validates the conf at `path`, following its includes.
    ///
    /// Throws ``ConfErrors`` holding every mistake found: a syntax error stops its own file, the other files
    /// are still read, and every directive that could be parsed is still checked. A missing or unreadable
    /// main file is an error at `FILE:1:1`. Relative paths in the conf resolve against its file's directory.
    public static func load(path: String) throws(ConfErrors) -> Conf {
        var reader = ConfReader()
        let directives = reader.read(path: path)
        return try validate(directives, reader: reader, mainFile: path, directory: ConfFileSystem.directory(of: path))
    }

    /// Parses and validates `text` as if it were the conf file `file` in `directory`: `file` names it in
    /// errors, and includes and relative paths resolve against `directory`. For tests and `relevo check -`.
    public static func load(text: String, file: String, directory: String) throws(ConfErrors) -> Conf {
        var reader = ConfReader()
        let directives = reader.read(text: text, file: file, directory: directory)
        return try validate(directives, reader: reader, mainFile: file, directory: directory)
    }

    /// Validates what `reader` read; throws every read, syntax and validation error together.
    private static func validate(
        _ directives: [ConfDirective],
        reader: ConfReader,
        mainFile: String,
        directory: String
    ) throws(ConfErrors) -> Conf {
        var validator = ConfValidator(mainFile: mainFile, mainDirectory: directory, isComplete: reader.errors.isEmpty)
        let conf = validator.validate(directives, files: reader.files)

        let errors = reader.errors + validator.errors
        guard errors.isEmpty else { throw ConfErrors(errors: errors) }
        return conf
    }
}
