"""Validate docker-compose.yml without a Docker engine.

Checks the file against the Compose Specification's JSON schema (vendored by
check-jsonschema), then what the schema cannot: every service named in depends_on
exists, every named volume is declared, and the app service builds from our Dockerfile.
Then what this project's deployment relies on: PostgreSQL, Redis and the app have health
checks; migrations run once, in a one-shot service the app waits for; media sit on a
volume; no secret is written into the file.
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


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "docker-compose.yml")
