import RelevoConf
import RelevoProxy
import RelevoRelease

/// Turns a conf into release control's plan.
enum ReleasePlanning {
    /// The plan for `conf`, whose versions `proxy` already resolved.
    static func plan(from conf: Conf, proxy: ProxyConfiguration) -> ReleasePlan {
        let versions = zip(conf.versions, proxy.versions).map { conf, upstream in
            ReleaseVersionPlan(upstream: upstream, healthCheck: conf.healthCheck)
        }
        return ReleasePlan(versions: versions, drainDeadline: conf.drainDeadline, hooks: conf.onDrained.map(hook))
    }

    private static func hook(_ conf: DrainedHookConf) -> DrainedHook {
        switch conf {
        case .exec(let command, let directory, _):
            .exec(command: command, directory: directory)
        case .webhook(let url, let host, let port, let path, _):
            .webhook(host: host, port: port, path: path, url: url)
        }
    }

    /// Loads and resolves the conf at `path` again, for a reload; `running` is the conf relevo
    /// started with, to name the settings that only a restart applies.
    static func reload(path: String, running: Conf) -> Result<ReleasePlan, ReloadErrors> {
        do {
            let conf = try ConfLoader.load(path: path)
            var plan = plan(from: conf, proxy: try ProxyPlan.make(from: conf))
            plan.needingRestart = settingsNeedingRestart(running: running, new: conf)
            return .success(plan)
        } catch {
            return .failure(
                ReloadErrors(
                    errors: error.errors.map {
                        ReloadError(
                            file: $0.location.file, line: $0.location.line, column: $0.location.column,
                            message: $0.message)
                    }))
        }
    }

    /// The settings that differ between `running` and `new` and apply only at a restart.
    static func settingsNeedingRestart(running: Conf, new: Conf) -> [String] {
        var changed: [String] = []
        if running.listeners.map(\.address) != new.listeners.map(\.address) { changed.append("listen") }
        if running.workers != new.workers { changed.append("workers") }
        if running.accessLogPath != new.accessLogPath { changed.append("access_log") }
        if running.stateDirectory != new.stateDirectory { changed.append("state_dir") }
        if running.timeouts != new.timeouts { changed.append("timeouts") }
        if running.limits != new.limits { changed.append("limits") }
        if running.session != new.session { changed.append("session") }
        if running.admin?.address != new.admin?.address || running.admin?.token != new.admin?.token {
            changed.append("admin")
        }
        return changed
    }
}
