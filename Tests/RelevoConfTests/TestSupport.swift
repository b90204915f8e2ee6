import Foundation
import RelevoConf
import Testing

/// The errors loading `text` as `relevo.conf` in `directory` (`/etc/relevo` unless told) gives; records an issue
/// if it loads.
func confErrors(
    _ text: String,
    in directory: String = "/etc/relevo",
    sourceLocation: Testing.SourceLocation = #_sourceLocation
) -> [ConfError] {
    do {
        let conf = try ConfLoader.load(text: text, file: "relevo.conf", directory: directory)
        Issue.record("expected errors, got \(conf)", sourceLocation: sourceLocation)
        return []
    } catch {
        return error.errors
    }
}

/// The one error loading `text` gives, as `"FILE:LINE:COL: error: MESSAGE"`; records an issue unless
/// there is exactly one.
func confError(_ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> String {
    let errors = confErrors(text, sourceLocation: sourceLocation)
    #expect(errors.count == 1, "\(errors)", sourceLocation: sourceLocation)
    return errors.first?.description ?? ""
}

/// `text` loaded as `relevo.conf` in `/etc/relevo`.
func loadConf(_ text: String) throws -> Conf {
    try ConfLoader.load(text: text, file: "relevo.conf", directory: "/etc/relevo")
}

/// The smallest valid conf, to prefix tests that are about something else.
let minimalConf = "listen 127.0.0.1:8080;\n"

/// A directory made with `mkdtemp(3)` and removed, with everything in it, when the value is released.
final class TemporaryDirectory {
    /// The directory's absolute path.
    let path: String

    /// A fresh, empty directory under `/tmp`.
    init() throws {
        var template = Array("/tmp/relevo-conf-test-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        path = String(cString: made)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Writes `text` to `name` inside the directory, making the directories on the way; returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let file = path + "/" + name
        let directory = (file as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try text.write(toFile: file, atomically: false, encoding: .utf8)
        return file
    }
}
