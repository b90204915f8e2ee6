import Glibc
import Testing

@testable import RelevoAdmin

@Suite("AdminToken reads a token file")
struct AdminTokenTests {
    /// Writes `content` to a fresh file and returns its path.
    private func file(_ content: String) -> String {
        var template = Array("/tmp/relevo-admin-token-XXXXXX".utf8CString)
        let descriptor = mkstemp(&template)
        _ = content.utf8CString.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count - 1) }
        close(descriptor)
        return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    @Test func theTokenIsTheFileWithoutSurroundingWhitespace() throws {
        let path = file("  s3cret-token\n")
        defer { unlink(path) }

        #expect(try AdminToken.load(path: path) == "s3cret-token")
    }

    @Test func aMissingEmptyOrSpacedTokenIsRefusedWithTheReason() {
        let empty = file("\n")
        let spaced = file("two words\n")
        defer {
            unlink(empty)
            unlink(spaced)
        }

        #expect(throws: AdminToken.LoadError(path: "/nonexistent/token", reason: "no such file or directory")) {
            try AdminToken.load(path: "/nonexistent/token")
        }
        #expect(throws: AdminToken.LoadError(path: empty, reason: "the file is empty")) {
            try AdminToken.load(path: empty)
        }
        #expect(throws: AdminToken.LoadError.self) { try AdminToken.load(path: spaced) }
    }
}
