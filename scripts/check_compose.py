"""Validate docker-compose.yml without a Docker engine.

Checks the file against the Compose Specification's JSON schema (vendored by
check-jsonschema), then what the schema cannot: every service named in depends_on
exists, every named volume is declared, and the app service builds from our Dockerfile.
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
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"{path}: valid ({', '.join(services)})")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "docker-compose.yml")
