import Glibc
import RelevoIO

/// The key that signs relevo's affinity cookies, read from the conf's `secret_file`.
///
/// The key is the file's bytes as they are, less one trailing newline (`\n` or `\r\n`): the 64 hex
/// characters that ``generate()`` writes are a 64-byte key, not 32 decoded bytes. Any content of
/// 32 bytes or more serves. Immutable and `Sendable`; each event loop makes its own
/// ``HMACSHA256`` from it with ``makeMAC()``.
public struct AffinitySecret: Sendable {
    /// The shortest key accepted, in bytes.
    public static let minimumLength = 32

    /// The longest file read, in bytes: more means the path names the wrong file.
    public static let maximumFileSize = 4096

    /// The key's bytes.
    private let key: [UInt8]

    /// A secret with `key` as its bytes; nil when it is shorter than ``minimumLength``.
    public init?(key: [UInt8]) {
        guard key.count >= Self.minimumLength else { return nil }

        self.key = key
    }

    /// Reads the secret from the file at `path` (blocking: call it off the event loops, when the
    /// conf is loaded). Throws when the file cannot be read, is longer than ``maximumFileSize``, or
    /// holds fewer than ``minimumLength`` bytes once one trailing newline is trimmed.
    public static func load(path: String) throws(AffinitySecretError) -> AffinitySecret {
        var bytes = try readFile(path: path)

        if bytes.last == 0x0A {
            bytes.removeLast()
            if bytes.last == 0x0D {
                bytes.removeLast()
            }
        }

        guard let secret = AffinitySecret(key: bytes) else {
            throw AffinitySecretError(
                path: path,
                message: "affinity secret is \(bytes.count) bytes; at least \(minimumLength) are needed"
                    + " — `relevo secret > \(path)` makes one")
        }
        return secret
    }

    /// A new secret as `relevo secret` prints it: 32 random bytes as 64 lower-case hex characters.
    public static func generate() -> String {
        var random = [UInt8](repeating: 0, count: 32)
        random.withUnsafeMutableBytes { RandomBytes.fill($0) }

        var text: [UInt8] = []
        text.reserveCapacity(random.count * 2)
        for byte in random {
            text.append(SessionID.hexDigit(byte >> 4))
            text.append(SessionID.hexDigit(byte & 0x0F))
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// A new authenticator keyed with this secret, for one event loop or thread.
    public func makeMAC() -> HMACSHA256 {
        key.withUnsafeBytes { HMACSHA256(key: $0) }
    }

    /// The whole file at `path`, at most ``maximumFileSize`` bytes.
    private static func readFile(path: String) throws(AffinitySecretError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            let hint = code == ENOENT ? " — `relevo secret > \(path)` makes one" : ""
            throw AffinitySecretError(
                path: path, message: "cannot open the affinity secret: \(reason(code))\(hint)")
        }
        defer { Syscall.close(descriptor: descriptor) }

        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: maximumFileSize + 1, alignment: 1)
        defer { buffer.deallocate() }

        let count = try readAll(descriptor: descriptor, into: buffer, path: path)
        guard count <= maximumFileSize else {
            throw AffinitySecretError(
                path: path,
                message: "affinity secret is over \(maximumFileSize) bytes: is this the right file?"
                    + " `relevo secret > \(path)` makes one")
        }
        return [UInt8](buffer[..<count])
    }

    /// Reads from `descriptor` until end of file or `buffer` is full; returns the bytes read.
    private static func readAll(
        descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer, path: String
    ) throws(AffinitySecretError) -> Int {
        var count = 0
        while count < buffer.count {
            let result: IOResult<Int>
            do {
                result = try Syscall.read(
                    descriptor: descriptor, into: UnsafeMutableRawBufferPointer(rebasing: buffer[count...]))
            } catch {
                throw AffinitySecretError(
                    path: path, message: "cannot read the affinity secret: \(reason(error.errnoCode))")
            }

            guard case .processed(let read) = result, read > 0 else { break }
            count += read
        }
        return count
    }

    /// `strerror` of `code`.
    private static func reason(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}

/// Why the affinity secret could not be loaded: the file and, for a person, what is wrong.
public struct AffinitySecretError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The secret file's path, as the conf names it.
    public var path: String

    /// What is wrong, e.g. `affinity secret is 12 bytes; at least 32 are needed — …`.
    public var message: String

    /// An error about the file at `path`.
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    /// `FILE: MESSAGE`.
    public var description: String {
        "\(path): \(message)"
    }
}
