"""Validate docker-compose.yml without a Docker engine.

Checks the file against the Compose Specification's JSON schema (vendored by
check-jsonschema), then what the schema cannot: every service named in depends_on
exists, every named volume is declared, and the app service builds from our Dockerfile.
Then what this project's deployment relies on: PostgreSQL, Redis and the app have health
checks; migrations run once, in a one-shot service the app waits for; a worker runs the
background tasks; media sit on a volume that an nginx "web" service serves read-only with
deploy/nginx.conf, while the app publishes no port and originals sit on a volume nginx
never sees; no secret is written into the file.
"""

import subprocess
import sys
from pathlib import Path

import yaml


def main(path):
    subprocess.run(
        [Path(sys.executable).parent / "check-jsonschema", "--builtin-schema",
         "vendor.compose-spec", path],
        check=True,
    )  # fmt: skip
    compose = yaml.safe_load(Path(path).read_text())
    services = compose["services"]
    declared_volumes = set(compose.get("volumes") or {})
    problems = []
    for name, service in services.items():
        for dependency in service.get("depends_on") or {}:
            if dependency not in services:
                problems.append(f"{name}: depends_on unknown service {dependency!r}")
        for volume in service.get("volumes") or []:
            source = volume.split(":", 1)[0] if isinstance(volume, str) else volume["source"]
            if not source.startswith((".", "/")) and source not in declared_volumes:
                problems.append(f"{name}: volume {source!r} is not declared")
        build = service.get("build")
        if build:
            context = build if isinstance(build, str) else build.get("context", ".")
            dockerfile = "Dockerfile"
            if isinstance(build, dict):
                dockerfile = build.get("dockerfile", dockerfile)
            if not (Path(path).parent / context / dockerfile).is_file():
                problems.append(f"{name}: no {dockerfile} in {context}")
    problems += project_problems(services)
    problems += web_problems(services, Path(path).parent)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"{path}: valid ({', '.join(services)})")


def project_problems(services):
    problems = []
    for name in ("app", "db", "redis", "migrate"):
        if name not in services:
            problems.append(f"no {name!r} service")
    if problems:
        return problems
    for name in ("app", "db", "redis"):
        if not (services[name].get("healthcheck") or {}).get("test"):
            problems.append(f"{name}: no healthcheck")
    app, migrate = services["app"], services["migrate"]
    if "migrate" not in " ".join(map(str, migrate.get("command") or [])):
        problems.append("migrate: does not run manage.py migrate")
    waits_for = app.get("depends_on") or {}
    if (waits_for.get("migrate") or {}).get("condition") != "service_completed_successfully":
        problems.append("app: must wait for migrate to complete successfully")
    for dependency in ("db", "redis"):
        if (waits_for.get(dependency) or {}).get("condition") != "service_healthy":
            problems.append(f"app: must wait for {dependency} to be healthy")
    if not any(str(volume).endswith(":/app/media") for volume in app.get("volumes") or []):
        problems.append("app: media must be on a volume at /app/media")
    environment = app.get("environment") or {}
    for variable in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS"):
        if variable not in environment:
            problems.append(f"app: {variable} is not set")
    if not str(environment.get("SECRET_KEY", "")).startswith("${"):
        problems.append("app: SECRET_KEY must come from the environment, not the file")
    return problems


# What deploy/nginx.conf must say for media to be served safely and the app to know
# who its clients are.
NGINX_REQUIRED = [
    "location /media/photos/renditions/",
    "location /media/documents/",
    'add_header X-Content-Type-Options "nosniff" always;',
    "add_header Content-Security-Policy \"default-src 'none'; sandbox\" always;",
    'add_header Content-Disposition "attachment" always;',
    "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
    "proxy_set_header X-Forwarded-Proto $scheme;",
    "server app:8000;",
]


def _mounts(service):
    """(source, target, read_only) for each of a service's volumes."""
    mounts = []
    for volume in service.get("volumes") or []:
        if isinstance(volume, str):
            parts = volume.split(":")
            mounts.append((parts[0], parts[1] if len(parts) > 1 else "", parts[2:] == ["ro"]))
        else:
            mounts.append(
                (volume.get("source", ""), volume.get("target", ""), bool(volume.get("read_only")))
            )
    return mounts


def web_problems(services, folder):
    problems = []
    for name in ("web", "worker"):
        if name not in services:
            problems.append(f"no {name!r} service")
    if problems:
        return problems
    web, app, worker = services["web"], services["app"], services["worker"]
    image = str(web.get("image", ""))
    if image.split(":")[0] not in ("nginx", "library/nginx", "docker.io/library/nginx"):
        problems.append("web: must run the official nginx image")
    if not web.get("ports"):
        problems.append("web: must publish a port")
    if app.get("ports"):
        problems.append("app: must not publish a port (nginx, the web service, fronts it)")
    if (web.get("depends_on") or {}).get("app", {}).get("condition") != "service_healthy":
        problems.append("web: must wait for the app to be healthy")
    if not (web.get("healthcheck") or {}).get("test"):
        problems.append("web: no healthcheck")
    web_mounts = _mounts(web)
    config = [m for m in web_mounts if m[1] == "/etc/nginx/conf.d/default.conf"]
    if not config or not config[0][2]:
        problems.append("web: must mount its nginx config read-only at conf.d/default.conf")
    elif not (folder / config[0][0]).is_file():
        problems.append(f"web: no nginx config at {config[0][0]}")
    else:
        text = (folder / config[0][0]).read_text()
        problems += [
            f"{config[0][0]}: missing {line!r}" for line in NGINX_REQUIRED if line not in text
        ]
    app_mounts = {source: target for source, target, _ro in _mounts(app)}
    if not any(s == "media" and ro for s, _t, ro in web_mounts) or "media" not in app_mounts:
        problems.append("web: must mount the app's media volume read-only")
    private = [s for s, t in app_mounts.items() if t == "/app/private_media"]
    if not private:
        problems.append("app: originals must be on their own volume at /app/private_media")
    elif any(s == private[0] for s, _t, _ro in web_mounts):
        problems.append("web: must never mount the originals' volume")
    worker_sources = {source for source, _t, _ro in _mounts(worker)}
    if not set(app_mounts) <= worker_sources:
        problems.append("worker: must mount the same media volumes as the app")
    command = list(map(str, worker.get("command") or []))
    if "manage.py" not in command or "worker" not in command:
        problems.append("worker: does not run manage.py worker")
    if not (worker.get("healthcheck") or {}).get("test"):
        problems.append("worker: no healthcheck (manage.py worker --check)")
    if worker.get("restart") not in ("unless-stopped", "always"):
        problems.append("worker: must be restarted when it exits")
    return problems


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "docker-compose.yml")
