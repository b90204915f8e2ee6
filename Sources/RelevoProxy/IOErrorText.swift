import Glibc

/// Text for errno values, for logs and error bodies.
enum IOErrorText {
    /// `connection refused`, `no route to host`, … from `strerror`, lower-cased.
    static func describe(_ code: Int32) -> String {
        String(cString: strerror(code)).lowercased()
    }
}
