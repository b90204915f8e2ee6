import Glibc
import Testing

@testable import RelevoRelease

/// A directory of its own under /tmp, removed with everything in it when the value goes.
private final class ScratchDirectory {
    let path: String

    init() {
        var template = Array("/tmp/relevo-secret-XXXXXX".utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
    }

    deinit {
        if let directory = opendir(path) {
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) {
                    String(cString: $0.bindMemory(to: CChar.self).baseAddress!)
                }
                if name != "." && name != ".." {
                    unlink("\(path)/\(name)")
                    rmdir("\(path)/\(name)")
                }
            }
            closedir(directory)
        }
        rmdir(path)
    }

    /// Writes `bytes` to a file called `name` in the directory; returns its path.
    func file(_ name: String, _ bytes: [UInt8]) -> String {
        let filePath = "\(path)/\(name)"
        let descriptor = open(filePath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        precondition(descriptor >= 0)
        _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
        return filePath
    }

    /// Writes `text` to a file called `name`; returns its path.
    func file(_ name: String, _ text: String) -> String {
        file(name, Array(text.utf8))
    }
}

@Suite("AffinitySecret loads a key of at least 32 bytes and says clearly why it cannot")
struct AffinitySecretTests {
    private static let hex64 = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

    /// Whether two secrets sign alike, i.e. hold the same key.
    private static func signAlike(_ first: AffinitySecret, _ second: AffinitySecret) -> Bool {
        let message = Array("v42~127.0.0.1:9002".utf8)
        return message.withUnsafeBytes { first.makeMAC().authenticate($0) == second.makeMAC().authenticate($0) }
    }

    private static func loadError(_ path: String) -> AffinitySecretError? {
        do {
            _ = try AffinitySecret.load(path: path)
            return nil
        } catch {
            return error
        }
    }

    @Test func theKeyIsTheFilesBytesWithOneTrailingNewlineTrimmed() throws {
        let directory = ScratchDirectory()
        let expected = try #require(AffinitySecret(key: Array(Self.hex64.utf8)))

        for (name, text) in [("plain", Self.hex64), ("lf", Self.hex64 + "\n"), ("crlf", Self.hex64 + "\r\n")] {
            let secret = try AffinitySecret.load(path: directory.file(name, text))
            #expect(Self.signAlike(secret, expected), "\(name)")
        }
    }

    @Test func onlyOneNewlineIsTrimmed() throws {
        let directory = ScratchDirectory()
        let secret = try AffinitySecret.load(path: directory.file("two", Self.hex64 + "\n\n"))
        let expected = try #require(AffinitySecret(key: Array((Self.hex64 + "\n").utf8)))
        #expect(Self.signAlike(secret, expected))
    }

    @Test func aDifferentKeySignsDifferently() throws {
        let first = try #require(AffinitySecret(key: Array(Self.hex64.utf8)))
        let second = try #require(AffinitySecret(key: Array(Self.hex64.utf8.reversed())))
        #expect(!Self.signAlike(first, second))
    }

    @Test func aKeyOfThirtyTwoBytesIsEnoughAndThirtyOneIsNot() throws {
        let directory = ScratchDirectory()
        _ = try AffinitySecret.load(path: directory.file("32", String(repeating: "k", count: 32) + "\n"))

        let path = directory.file("31", String(repeating: "k", count: 31) + "\n")
        let error = try #require(Self.loadError(path))
        let expected = "affinity secret is 31 bytes; at least 32 are needed — `relevo secret > \(path)` makes one"
        #expect(error.description == "\(path): \(expected)")
        #expect(AffinitySecret(key: [UInt8](repeating: 1, count: 31)) == nil)
    }

    @Test func anEmptyFileIsTooShort() throws {
        let directory = ScratchDirectory()
        let error = try #require(Self.loadError(directory.file("empty", "")))
        #expect(error.message.hasPrefix("affinity secret is 0 bytes; at least 32 are needed"))
    }

    @Test func aMissingFileSaysSoAndHowToMakeOne() throws {
        let directory = ScratchDirectory()
        let path = "\(directory.path)/missing.secret"
        let error = try #require(Self.loadError(path))
        let expected =
            "cannot open the affinity secret: No such file or directory — `relevo secret > \(path)` makes one"
        #expect(error.description == "\(path): \(expected)")
    }

    @Test func aDirectoryCannotBeRead() throws {
        let directory = ScratchDirectory()
        let error = try #require(Self.loadError(directory.path))
        #expect(error.description == "\(directory.path): cannot read the affinity secret: Is a directory")
    }

    @Test func aFileOverFourKilobytesIsTakenForTheWrongFile() throws {
        let directory = ScratchDirectory()
        _ = try AffinitySecret.load(path: directory.file("4096", [UInt8](repeating: 0x61, count: 4096)))

        let error = try #require(Self.loadError(directory.file("4097", [UInt8](repeating: 0x61, count: 4097))))
        #expect(error.message.hasPrefix("affinity secret is over 4096 bytes: is this the right file?"))
    }

    @Test func aGeneratedSecretIsSixtyFourLowerCaseHexCharactersAndLoads() throws {
        let directory = ScratchDirectory()
        let generated = AffinitySecret.generate()
        #expect(generated.utf8.count == 64)
        #expect(generated.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
        #expect(AffinitySecret.generate() != generated)

        let loaded = try AffinitySecret.load(path: directory.file("generated", generated + "\n"))
        #expect(Self.signAlike(loaded, try #require(AffinitySecret(key: Array(generated.utf8)))))
    }
}
