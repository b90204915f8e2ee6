import Glibc

/// Plain output for the command line's own messages (not the log).
enum Console {
    /// Writes `text` and a newline to stderr.
    static func error(_ text: String) {
        var line = text + "\n"
        line.withUTF8 { bytes in
            _ = write(2, bytes.baseAddress, bytes.count)
        }
    }
}
