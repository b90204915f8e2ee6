import Glibc

/// The system calls the state directory needs, each retrying `EINTR` and throwing ``StateError``
/// with the call, `errno` and the file. Blocking: never call them on an event loop.
enum StateFiles {
    /// Creates directory `path` (mode 0700) unless it exists.
    static func makeDirectory(_ path: String) throws(StateError) {
        if mkdir(path, 0o700) != 0 && errno != EEXIST {
            throw failure("mkdir", path)
        }
    }

    /// Opens `path` with `flags` (close-on-exec added), creating it with mode 0600 if asked.
    static func open(_ path: String, flags: Int32) throws(StateError) -> Int32 {
        while true {
            let descriptor = Glibc.open(path, flags | O_CLOEXEC, 0o600)
            if descriptor >= 0 {
                return descriptor
            }
            if errno != EINTR {
                throw failure("open", path)
            }
        }
    }

    /// Takes an exclusive `flock` on `path` (created if missing) for as long as the returned
    /// descriptor stays open; throws ``StateError/Kind/inUse`` if another open file holds it.
    static func lock(_ path: String) throws(StateError) -> Int32 {
        let descriptor = try open(path, flags: O_RDWR | O_CREAT)
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            guard code == EINTR else {
                close(descriptor)
                if code == EWOULDBLOCK {
                    throw StateError(
                        kind: .inUse, file: path, reason: "the state directory is in use by another relevo")
                }
                throw StateError(kind: .system(call: "flock", errno: code), file: path, reason: reason(code))
            }
        }
        return descriptor
    }

    /// The size of the open file.
    static func size(_ descriptor: Int32, path: String) throws(StateError) -> Int64 {
        var status = stat()
        if fstat(descriptor, &status) != 0 {
            throw failure("fstat", path)
        }
        return Int64(status.st_size)
    }

    /// Reads `count` bytes at `offset`; fewer only at the end of the file.
    static func read(_ descriptor: Int32, count: Int, at offset: Int64, path: String) throws(StateError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let result = bytes.withUnsafeMutableBytes { raw in
                pread(descriptor, raw.baseAddress! + done, count - done, off_t(offset) + off_t(done))
            }
            if result > 0 {
                done += result
            } else if result == 0 {
                break
            } else if errno != EINTR {
                throw failure("pread", path)
            }
        }
        return Array(bytes.prefix(done))
    }

    /// Writes all of `bytes` at `offset`.
    static func write(_ descriptor: Int32, _ bytes: [UInt8], at offset: Int64, path: String) throws(StateError) {
        var done = 0
        while done < bytes.count {
            let result = bytes.withUnsafeBytes { raw in
                pwrite(descriptor, raw.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done))
            }
            if result >= 0 {
                done += result
            } else if errno != EINTR {
                throw failure("pwrite", path)
            }
        }
    }

    /// `fdatasync`: the file's data, and its size, are on disk.
    static func syncData(_ descriptor: Int32, path: String) throws(StateError) {
        while fdatasync(descriptor) != 0 {
            if errno != EINTR {
                throw failure("fdatasync", path)
            }
        }
    }

    /// `fsync` of directory `path`: entries created, renamed or removed in it are on disk.
    static func syncDirectory(_ path: String) throws(StateError) {
        let descriptor = try open(path, flags: O_RDONLY | O_DIRECTORY)
        defer { close(descriptor) }

        while fsync(descriptor) != 0 {
            if errno != EINTR {
                throw failure("fsync", path)
            }
        }
    }

    /// Cuts the file to `length` bytes.
    static func truncate(_ descriptor: Int32, to length: Int64, path: String) throws(StateError) {
        while ftruncate(descriptor, off_t(length)) != 0 {
            if errno != EINTR {
                throw failure("ftruncate", path)
            }
        }
    }

    /// Renames `source` over `destination`, atomically.
    static func rename(_ source: String, to destination: String) throws(StateError) {
        if Glibc.rename(source, destination) != 0 {
            throw failure("rename", source)
        }
    }

    /// Removes file `path`; a missing file is not an error.
    static func remove(_ path: String) throws(StateError) {
        if unlink(path) != 0 && errno != ENOENT {
            throw failure("unlink", path)
        }
    }

    /// Whether `path` exists.
    static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    /// The names in directory `path`, without `.` and `..`.
    static func names(in path: String) throws(StateError) -> [String] {
        guard let directory = opendir(path) else { throw failure("opendir", path) }
        defer { closedir(directory) }

        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) { tuple in
                tuple.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: tuple.pointee)) {
                    String(cString: $0)
                }
            }
            if name != "." && name != ".." {
                names.append(name)
            }
        }
        return names
    }

    /// The error for `call` on `path`, from the current `errno`.
    static func failure(_ call: String, _ path: String) -> StateError {
        let code = errno
        return StateError(kind: .system(call: call, errno: code), file: path, reason: reason(code))
    }

    /// `strerror` of `code`, with the call's name.
    private static func reason(_ code: Int32) -> String {
        "\(String(cString: strerror(code))) (errno \(code))"
    }
}
