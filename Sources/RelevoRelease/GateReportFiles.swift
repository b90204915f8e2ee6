import Glibc

/// Gate outcomes kept in the state directory, one file per version (`gates/NAME`), so a restart
/// shows the last gate of every version without running it again.
///
/// The first line is `STATE PASSED FAILED`; the report's text follows. Written to a temporary file
/// and renamed, so a crash leaves the old report or the new one. Blocking: never on an event loop.
struct GateReportFiles {
    /// The directory holding the files.
    let directory: String

    /// Writes `gate` as version `name`'s last gate.
    func save(_ gate: GateStatus, version name: String) {
        guard name != "." && name != ".." else { return }
        _ = mkdir(directory, 0o700)
        let path = "\(directory)/\(name)"
        let text = "\(gate.state) \(gate.passed) \(gate.failed)\n\(gate.report ?? "")"
        let descriptor = open(path + ".tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return }
        var bytes = Array(text.utf8)
        let written = bytes.withUnsafeMutableBytes { write(descriptor, $0.baseAddress, $0.count) }
        fsync(descriptor)
        close(descriptor)
        if written == bytes.count {
            rename(path + ".tmp", path)
        }
    }

    /// The last gate of version `name`, if one was kept.
    func load(version name: String) -> GateStatus? {
        let descriptor = open("\(directory)/\(name)", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 1 << 20 {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            bytes.append(contentsOf: chunk[..<count])
        }
        guard let newline = bytes.firstIndex(of: 0x0A) else { return nil }
        let fields = String(decoding: bytes[..<newline], as: UTF8.self).split(separator: " ")
        guard fields.count == 3, let passed = Int(fields[1]), let failed = Int(fields[2]) else { return nil }
        let report = String(decoding: bytes[(newline + 1)...], as: UTF8.self)
        return GateStatus(state: String(fields[0]), passed: passed, failed: failed, report: report)
    }
}
