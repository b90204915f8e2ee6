import RelevoProxy
import RelevoRelease
import Synchronization

/// Turns each admin request into its answer: access rules, then the route, then the control.
///
/// Callable from any connection thread at once; reloads and gate re-runs go one at a time.
final class AdminRouter: Sendable {
    /// Who may ask.
    private let access: AdminAccess

    /// The running relevo.
    private let control: any AdminControl

    /// Held while a reload or a gate re-run runs, so two never overlap.
    private let operation = Mutex<Void>(())

    /// Creates a router over `control`, with `token` required if set (loopback only otherwise).
    init(token: String?, control: any AdminControl) {
        self.access = AdminAccess(token: token)
        self.control = control
    }

    /// The answer to `request`.
    func respond(to request: AdminRequest) -> AdminResponse {
        let authorization = request.header("authorization")
        if let denial = access.denial(peer: request.peer, path: request.path, authorization: authorization) {
            return denial
        }

        guard let route = AdminRoute(path: request.path) else {
            return .error(404, "no such path: \(request.path); the admin API has \(AdminRoute.pathList)")
        }
        guard route.allowedMethods.contains(request.method) else {
            return Self.methodNotAllowed(request, route: route)
        }

        return answer(route, to: request)
    }

    /// The answer of a route whose method is allowed.
    private func answer(_ route: AdminRoute, to request: AdminRequest) -> AdminResponse {
        switch route {
        case .health:
            control.isServing ? .text("ok\n") : .text("stopping\n", status: 503)
        case .status:
            .json(encoding: control.status())
        case .version(let name):
            control.version(named: name).map { .json(encoding: $0) } ?? unknownVersion(name)
        case .gate(let name) where request.method == "POST":
            rerunGate(name, peer: request)
        case .gate(let name):
            gateReport(name, request: request)
        case .reload:
            reload(request)
        case .metrics:
            .text(
                PrometheusText.render(status: control.status(), metrics: control.metrics()),
                contentType: PrometheusText.contentType)
        }
    }

    /// 405 with the methods the route answers.
    private static func methodNotAllowed(_ request: AdminRequest, route: AdminRoute) -> AdminResponse {
        let allowed = route.allowedMethods.joined(separator: ", ")
        var response = AdminResponse.error(
            405, "\(request.method) is not allowed on \(request.path); use \(allowed)")
        response.extraHeaders.append((name: "Allow", value: allowed))
        return response
    }

    /// 404 naming the versions relevo knows.
    private func unknownVersion(_ name: String) -> AdminResponse {
        let known = control.status().versions.map(\.name)
        let list = known.isEmpty ? "none" : known.joined(separator: ", ")
        return .error(404, "relevo has no version named \(name) (known: \(list))")
    }

    /// The last gate report, as JSON or, with `?format=text` or `Accept: text/plain`, as text.
    private func gateReport(_ name: String, request: AdminRequest) -> AdminResponse {
        let format = request.query["format"]
        guard format == nil || format == "text" || format == "json" else {
            return .error(400, "format must be text or json, not \(format ?? "")")
        }
        guard let report = control.gateReport(version: name) else {
            if control.version(named: name) == nil {
                return unknownVersion(name)
            }
            return .error(404, "\(name) has no gate report yet: its gate has not finished")
        }

        let accept = request.header("accept") ?? ""
        let wantsText = format == "text" || (format == nil && accept.contains("text/plain") && !accept.contains("json"))
        return wantsText ? .text(report.text) : .json(report.json)
    }

    /// Starts a version's gate again: 202 with the gate's status.
    private func rerunGate(_ name: String, peer request: AdminRequest) -> AdminResponse {
        let gate = operation.withLock { _ in control.rerunGate(version: name) }
        guard let gate else { return unknownVersion(name) }

        Log.info("gate_rerun_requested", ["version": name, "peer": request.peer.description])
        return .json(encoding: gate, status: 202)
    }

    /// Applies the conf again: 200 with the changes, or 400 with every error.
    private func reload(_ request: AdminRequest) -> AdminResponse {
        let result = operation.withLock { _ in control.reload() }
        switch result {
        case .applied(let changes):
            Log.info(
                "admin_reload", ["peer": request.peer.description, "result": "applied", "changes": "\(changes.count)"])
            return .json(encoding: ReloadChanges(changes: changes))
        case .refused(let errors):
            Log.info(
                "admin_reload",
                [
                    "peer": request.peer.description, "result": "refused", "errors": "\(errors.count)",
                    "first_error": errors.first?.description ?? "-",
                ])
            return .json(encoding: ReloadErrors(errors: errors), status: 400)
        }
    }
}
