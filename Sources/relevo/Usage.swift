import Glibc

/// The help text and command-line error handling.
enum Usage {
    static let text = """
        relevo — a reverse proxy that keeps each user's session on the version it started on

        usage:
          relevo run [-c FILE]        run the proxy (default conf: conf/relevo.conf)
          relevo check [-c FILE]      validate a conf; print FILE:LINE:COL: error: … and exit 1 if invalid
          relevo status [--admin ADDR] [--json]
                                      the running relevo's versions, sessions and drain progress
          relevo reload [--admin ADDR]
                                      apply the conf file to the running relevo; errors are printed, nothing changes
          relevo gate VERSION [--admin ADDR]
                                      run a version's gate again and print its report
          relevo wait-drained VERSION [--timeout 2h] [--admin ADDR]
                                      block, with progress, until VERSION is drained (exit 0) or time runs out (exit 1)
          relevo demo                 relevo in front of a bundled demo backend, for trying it with curl
          relevo demo-backend --name NAME --port PORT
                                      one demo backend on its own
          relevo secret               print a fresh key for secret_file
          relevo --version | help

        status, reload and wait-drained talk to the admin API (default 127.0.0.1:9900); with a token,
        set RELEVO_ADMIN_TOKEN or pass --token-file FILE.
        """

    /// Prints `message` and the usage to stderr and exits 2.
    static func fail(_ message: String) -> Never {
        Console.error("relevo: \(message)\n\n\(text)")
        exit(2)
    }

    /// The value of `-c FILE` / `--conf FILE`, or the default; fails on anything else.
    static func confPath(_ arguments: [String]) -> String {
        var path = "conf/relevo.conf"
        var index = 0
        while index < arguments.count {
            switch arguments[index] {
            case "-c", "--conf":
                guard index + 1 < arguments.count else { fail("\(arguments[index]) needs a file") }
                path = arguments[index + 1]
                index += 2
            default:
                fail("unknown option '\(arguments[index])'")
            }
        }
        return path
    }
}

/// relevo's own version.
enum RelevoVersion {
    static let current = "0.1.0"
}
