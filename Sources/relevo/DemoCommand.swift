import Glibc
import RelevoIO
import RelevoProxy

/// `relevo demo`: relevo on 127.0.0.1:8080 in front of a bundled demo backend, for trying with curl.
enum DemoCommand {
    static func main(_ arguments: [String]) -> Int32 {
        guard arguments.isEmpty else { Usage.fail("demo takes no options") }
        Signals.block([SIGTERM, SIGINT, SIGHUP])
        let backend: DemoBackend
        do {
            backend = try DemoBackend(name: "v1", address: SocketAddress(host: "127.0.0.1", port: 0)!)
        } catch {
            Console.error("relevo demo: cannot start the demo backend: \(error)")
            return 1
        }
        backend.start()
        let configuration = ProxyConfiguration(
            listeners: [ListenerPlan(address: SocketAddress(host: "127.0.0.1", port: 8080)!)],
            workers: 2,
            versions: [
                VersionPlan(
                    name: "v1",
                    backends: [BackendPlan(address: backend.socket.address, name: backend.socket.address.description)])
            ])
        print(
            """
            relevo demo: relevo listens on http://127.0.0.1:8080 in front of demo backend v1 \
            (\(backend.socket.address)).
            Try:  curl -i http://127.0.0.1:8080/hello
                  curl -i http://127.0.0.1:8080/login
            Ctrl-C stops it.
            """)
        fflush(nil)
        return RunCommand.serve(configuration, conf: "built-in demo")
    }
}
