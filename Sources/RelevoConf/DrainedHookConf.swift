/// One `on_drained` directive: what to do once a version is drained. A conf may have several; they run in
/// conf order.
public enum DrainedHookConf: Sendable, Equatable {
    /// `on_drained exec COMMAND;`: `command`, as written, run through `/bin/sh -c` in `directory`, the
    /// absolute path of the directory of the conf file that holds the directive.
    case exec(command: String, directory: String, location: SourceLocation)

    /// `on_drained webhook URL;`: a `POST` to `url`, as written, an `http://` URL; `host` is as written
    /// (IPv6 without brackets), `port` is 80 unless the URL names one, `path` is the origin-form target
    /// (`/` when the URL has none).
    case webhook(url: String, host: String, port: UInt16, path: String, location: SourceLocation)

    /// Where the `on_drained` directive is.
    public var location: SourceLocation {
        switch self {
        case .exec(_, _, let location): location
        case .webhook(_, _, _, _, let location): location
        }
    }
}
