import Glibc

/// The admin token as a file holds it: the conf's `token_file`, or `relevo status --token-file`.
public enum AdminToken {
    /// Why a token file gave no token.
    public struct LoadError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The file.
        public let path: String

        /// Why, e.g. `no such file or directory` or `the file is empty`.
        public let reason: String

        /// `cannot read the admin token from PATH: REASON`.
        public var description: String {
            "cannot read the admin token from \(path): \(reason)"
        }
    }

    /// The largest token file read, in bytes.
    private static let maximumSize = 4_096

    /// The token in the file at `path`: its content without surrounding whitespace and newlines.
    ///
    /// Blocking; called at start-up and by the command line, never from an event loop.
    public static func load(path: String) throws(LoadError) -> String {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw LoadError(path: path, reason: reason(errno)) }
        defer { close(descriptor) }

        var bytes = [UInt8](repeating: 0, count: maximumSize + 1)
        var count = 0
        while count < bytes.count {
            let read = bytes.withUnsafeMutableBytes {
                Glibc.read(descriptor, $0.baseAddress! + count, $0.count - count)
            }
            if read == 0 {
                break
            }
            guard read > 0 || errno == EINTR else { throw LoadError(path: path, reason: reason(errno)) }
            count += max(read, 0)
        }

        guard count <= maximumSize else { throw LoadError(path: path, reason: "the file is over \(maximumSize) bytes") }
        let token = String(decoding: bytes[..<count], as: UTF8.self).trimmingWhitespace()
        guard !token.isEmpty else { throw LoadError(path: path, reason: "the file is empty") }
        guard token.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw LoadError(path: path, reason: "the token must be printable ASCII without spaces")
        }
        return token
    }

    /// `strerror` of `code`, starting in lowercase.
    private static func reason(_ code: Int32) -> String {
        let text = String(cString: strerror(code))
        return text.prefix(1).lowercased() + text.dropFirst()
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs, CR and LF.
    fileprivate func trimmingWhitespace() -> String {
        let isWhitespace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
        return String(drop(while: isWhitespace).reversed().drop(while: isWhitespace).reversed())
    }
}
