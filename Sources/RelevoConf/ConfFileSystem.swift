import Glibc

/// The few file-system calls the conf needs: reading a file whole, `glob(3)`, and path arithmetic.
///
/// Blocking; called only while loading a conf, never from an event loop.
enum ConfFileSystem {
    /// The whole content of the file at `path`, or the `strerror` text of why it cannot be read.
    ///
    /// With a `limit`, reading stops once more than `limit` bytes are in: a file that long comes back as
    /// `limit + 1` bytes, so that a path naming `/dev/zero` or a log cannot exhaust memory.
    static func contents(of path: String, limit: Int = .max) -> Result<[UInt8], ConfValueError> {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return .failure(ConfValueError(reason(errno))) }
        defer { close(descriptor) }

        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                bytes += chunk[..<count]
                if bytes.count > limit {
                    return .success(Array(bytes[...limit]))
                }
            } else if count == 0 {
                return .success(bytes)
            } else if errno != EINTR {
                return .failure(ConfValueError(reason(errno)))
            }
        }
    }

    /// The paths matching the shell wildcard `pattern`, sorted bytewise; empty when none match.
    ///
    /// Like the shell, `*` and `?` do not match a leading dot, so editors' hidden backup files stay out.
    static func paths(matching pattern: String) -> Result<[String], ConfValueError> {
        var matches = glob_t()
        defer { globfree(&matches) }

        switch glob(pattern, 0, nil, &matches) {
        case 0:
            let paths = (0..<Int(matches.gl_pathc)).compactMap { matches.gl_pathv[$0].map { String(cString: $0) } }
            return .success(paths.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        case GLOB_NOMATCH:
            return .success([])
        case GLOB_NOSPACE:
            return .failure(ConfValueError("out of memory"))
        default:
            return .failure(ConfValueError("a directory on the way could not be read"))
        }
    }

    /// Whether `pattern` holds a `glob(3)` wildcard: `*`, `?` or `[`.
    static func hasWildcard(_ pattern: String) -> Bool {
        pattern.contains { $0 == "*" || $0 == "?" || $0 == "[" }
    }

    /// `text` with its wildcards and backslashes escaped, so that `glob(3)` takes it literally.
    static func escapingWildcards(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "*" || character == "?" || character == "[" || character == "]" || character == "\\" {
                escaped.append("\\")
            }
            escaped.append(character)
        }
        return escaped
    }

    /// The file's canonical path, all links resolved, or nil if it does not exist.
    static func canonicalPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    // MARK: - Paths

    /// The directory part of `path`: `conf` for `conf/relevo.conf`, `.` for `relevo.conf`, `/` for `/relevo.conf`.
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let directory = path[..<slash]
        return directory.isEmpty ? "/" : String(directory)
    }

    /// `path` as written if absolute, else `path` inside `directory`; `.` as a directory adds nothing.
    static func joining(_ directory: String, _ path: String) -> String {
        if path.hasPrefix("/") || directory == "." || directory.isEmpty {
            return path
        }
        return directory.hasSuffix("/") ? directory + path : directory + "/" + path
    }

    /// `path` made absolute against `directory` (itself made absolute against the working directory),
    /// with `.`, `..` and repeated slashes removed.
    static func absolutePath(_ path: String, relativeTo directory: String) -> String {
        var joined = joining(directory, path)
        if !joined.hasPrefix("/") {
            joined = joining(workingDirectory(), joined)
        }
        return normalized(joined)
    }

    /// An absolute `path` without `.`, `..` or repeated slashes; `..` at the root stays at the root.
    static func normalized(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/") where part != "." {
            if part == ".." {
                _ = parts.popLast()
            } else {
                parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    /// The process's working directory, or `/` if it cannot be known.
    private static func workingDirectory() -> String {
        guard let directory = getcwd(nil, 0) else { return "/" }
        defer { free(directory) }
        return String(cString: directory)
    }

    /// `strerror` of `code`.
    private static func reason(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}
