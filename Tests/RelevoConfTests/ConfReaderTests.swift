import RelevoConf
import Testing

/// Files: the main file, `include` and its patterns, and errors that name the file they are in.
@Suite struct ConfReaderTests {
    @Test("included files are read in sorted order, at the point of the include")
    func includesInSortedOrderInPlace() throws {
        let directory = try TemporaryDirectory()
        try directory.write("versions/b.conf", "version b { backend 127.0.0.1:9002; }\n")
        try directory.write("versions/a.conf", "version a { backend 127.0.0.1:9001; }\n")
        try directory.write("versions/c.conf", "version c { backend 127.0.0.1:9003; }\n")
        try directory.write("versions/.a.conf.swp", "garbage {")
        let main = try directory.write(
            "relevo.conf",
            "listen 127.0.0.1:8080;\nversion first { backend 127.0.0.1:9000; }\ninclude versions/*.conf;\n"
                + "version last { backend 127.0.0.1:9004; }\n"
        )

        let conf = try ConfLoader.load(path: main)

        #expect(conf.versions.map(\.name) == ["first", "a", "b", "c", "last"])
        #expect(conf.files == [main] + ["a", "b", "c"].map { directory.path + "/versions/\($0).conf" })
        #expect(
            conf.versions[1].location == SourceLocation(file: directory.path + "/versions/a.conf", line: 1, column: 1))
    }

    @Test("an include pattern is relative to the including file's directory, and so are its paths")
    func includesResolveAgainstTheIncludingFile() throws {
        let directory = try TemporaryDirectory()
        try directory.write("conf/relevo.conf", "listen 127.0.0.1:8080;\ninclude extra/more.conf;\n")
        try directory.write("conf/extra/more.conf", "include \"logging.conf\";\n")
        try directory.write("conf/extra/logging.conf", "access_log logs/access.log;\n")

        let conf = try ConfLoader.load(path: directory.path + "/conf/relevo.conf")

        #expect(conf.accessLogPath == directory.path + "/conf/extra/logs/access.log")
        #expect(conf.stateDirectory == directory.path + "/conf/.relevo")
        #expect(conf.files.count == 3)
    }

    @Test("an include that matches no file is an error at the include")
    func includeMatchingNothing() throws {
        let directory = try TemporaryDirectory()
        let main = try directory.write("relevo.conf", "listen 127.0.0.1:8080;\n  include conf/versions/*.conf;\n")

        #expect(
            throws: ConfErrors(errors: [
                ConfError(
                    location: SourceLocation(file: main, line: 2, column: 3),
                    message: "include 'conf/versions/*.conf' matches no file")
            ])
        ) {
            try ConfLoader.load(path: main)
        }
    }

    @Test("an include of a missing file without wildcard says it cannot be read")
    func includeOfAMissingFile() throws {
        let directory = try TemporaryDirectory()
        let main = try directory.write("relevo.conf", "listen 127.0.0.1:8080;\ninclude missing.conf;\n")

        let errors = try #require(throws: ConfErrors.self) { try ConfLoader.load(path: main) }.errors

        #expect(
            errors.map(\.description) == [
                "\(main):2:1: error: cannot read \(directory.path)/missing.conf: No such file or directory"
            ]
        )
    }

    @Test("an include loop is an error at the include that closes it, showing the chain")
    func includeLoop() throws {
        let directory = try TemporaryDirectory()
        let main = try directory.write("relevo.conf", "listen 127.0.0.1:8080;\ninclude a.conf;\n")
        let a = try directory.write("a.conf", "include b.conf;\n")
        let b = try directory.write("b.conf", "\n    include a.conf;\n")

        let errors = try #require(throws: ConfErrors.self) { try ConfLoader.load(path: main) }.errors

        #expect(errors.map(\.description) == ["\(b):2:5: error: include loop: \(main) → \(a) → \(b) → \(a)"])
    }

    @Test("a file whose wildcard include matches itself is an include loop")
    func includeMatchingItself() throws {
        let directory = try TemporaryDirectory()
        let main = try directory.write("relevo.conf", "listen 127.0.0.1:8080;\ninclude *.conf;\n")

        let errors = try #require(throws: ConfErrors.self) { try ConfLoader.load(path: main) }.errors

        #expect(errors.map(\.description) == ["\(main):2:1: error: include loop: \(main) → \(main)"])
    }

    @Test("errors inside an included file name that file")
    func errorsInIncludedFilesNameThem() throws {
        let directory = try TemporaryDirectory()
        let main = try directory.write("relevo.conf", "listen 127.0.0.1:8080;\ninclude versions/*.conf;\nworkers 0;\n")
        let v1 = try directory.write("versions/v1.conf", "version v1 {\n    backend 127.0.0.1:99999;\n}\n")
        let v2 = try directory.write("versions/v2.conf", "version v2 {\n    backend 127.0.0.1:9002\n}\n")

        let errors = try #require(throws: ConfErrors.self) { try ConfLoader.load(path: main) }.errors

        #expect(
            errors.map(\.description) == [
                "\(v2):2:27: error: expected ';' after 'backend 127.0.0.1:9002'",
                "\(v1):2:13: error: bad backend address '127.0.0.1:99999': port must be 0-65535",
                "\(main):3:9: error: bad workers '0': expected 'auto' or a number 1-256",
            ]
        )
    }

    @Test("a malformed include is an error at the include")
    func malformedInclude() {
        #expect(
            confError(minimalConf + "include a.conf b.conf;")
                == "relevo.conf:2:16: error: 'include' takes 1 argument, got 2: include PATTERN;")
        #expect(confError(minimalConf + #"include "";"#) == "relevo.conf:2:9: error: include pattern is empty")
    }

    @Test("a missing main file is an error at its first character")
    func missingMainFile() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/nothing.conf"

        let errors = try #require(throws: ConfErrors.self) { try ConfLoader.load(path: path) }.errors

        #expect(errors.map(\.description) == ["\(path):1:1: error: cannot read \(path): No such file or directory"])
    }

    @Test("a directory in the conf's path may hold wildcard characters")
    func wildcardsInTheDirectoryAreLiteral() throws {
        let directory = try TemporaryDirectory()
        let main = try directory.write("odd [dir]*/relevo.conf", "listen 127.0.0.1:8080;\ninclude v/*.conf;\n")
        try directory.write("odd [dir]*/v/v1.conf", "version v1 { backend 127.0.0.1:9001; }\n")

        #expect(try ConfLoader.load(path: main).versions.map(\.name) == ["v1"])
    }
}
