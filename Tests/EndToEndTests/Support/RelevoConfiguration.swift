/// The conf an end-to-end test runs relevo with, rendered as relevo's conf file.
///
/// The defaults are the ones every test starts from; a test changes only what it is about.
struct RelevoConfiguration: Sendable {
    /// Backends of the one version, as `host:port`.
    var backends: [String]

    /// Worker threads (event loops).
    var workers = 2

    /// Whether relevo writes an access log (into its temporary directory); off unless a test is about it.
    var writesAccessLog = false

    /// `timeouts { connect … }`.
    var connectTimeout = "1s"

    /// `timeouts { request_header … }`.
    var requestHeaderTimeout = "2s"

    /// `timeouts { upstream_read … }`.
    var upstreamReadTimeout = "2s"

    /// `timeouts { client_idle … }`.
    var clientIdleTimeout = "5s"

    /// `timeouts { shutdown … }`.
    var shutdownTimeout = "5s"

    /// `limits { request_header … }`.
    var requestHeaderLimit = "32k"

    /// `limits { upstream_idle_connections … }`.
    var upstreamIdleConnections = 32

    /// The conf file's text; the access log, if any, goes to `accessLogPath`.
    func render(accessLogPath: String) -> String {
        let backendLines = backends.map { "    backend \($0);" }.joined(separator: "\n")
        return """
            # Written by relevo's end-to-end tests.
            listen 127.0.0.1:0;
            workers \(workers);
            access_log \(writesAccessLog ? accessLogPath : "off");
            timeouts {
                connect \(connectTimeout);
                request_header \(requestHeaderTimeout);
                upstream_read \(upstreamReadTimeout);
                client_idle \(clientIdleTimeout);
                shutdown \(shutdownTimeout);
            }
            limits {
                request_header \(requestHeaderLimit);
                upstream_idle_connections \(upstreamIdleConnections);
            }
            version v1 {
            \(backendLines)
            }

            """
    }
}
