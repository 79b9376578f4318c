"""The Kubernetes manifests: each overlay rendered by `kubectl kustomize`, validated offline against the
Kubernetes schemas (kubernetes-validate), and what they promise checked as data against the compose file, the
nginx proxy, .env.example and the bench figures."""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from pathlib import Path, PurePosixPath
from typing import Any

import kubernetes_validate
import pytest
import yaml

from assistant.config import Settings
from bench import sizing

ROOT = Path(__file__).resolve().parents[2]
KUSTOMIZE = ROOT / "deploy" / "kubernetes"
OVERLAYS = ("province", "national")
COMPONENTS = ("app", "rasa", "actions")
KUBECTL = shutil.which("kubectl")
# The oldest release the manifests are meant for (autoscaling/v2, policy/v1, namespace name labels) and the
# newest schemas the package ships.
KUBERNETES_VERSIONS = ("1.25.0", kubernetes_validate.latest_version())
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
NGINX = (ROOT / "docker" / "nginx" / "nginx.conf").read_text(encoding="utf-8")
ENV_EXAMPLE = (ROOT / ".env.example").read_text(encoding="utf-8")
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|PEPPER|_KEY$")
CREDENTIALS_IN_URL = re.compile(r"://[^/@\s]+:[^/@\s]*@")
SECRET_REFERENCE_ONLY = "assistant-secrets"

needs_kubectl = pytest.mark.skipif(
    KUBECTL is None,
    reason="kubectl is not installed; `make test` installs it (Debian's kubernetes-client) when it is missing")


def _kustomize(directory: Path) -> list[dict[str, Any]]:
    assert KUBECTL is not None
    done = subprocess.run([KUBECTL, "kustomize", str(directory)], capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, f"kubectl kustomize {directory} failed:\n{done.stderr}"
    return [doc for doc in yaml.safe_load_all(done.stdout) if doc]


@functools.cache
def _rendered(overlay: str) -> tuple[dict[str, Any], ...]:
    return tuple(_kustomize(KUSTOMIZE / "overlays" / overlay))


@pytest.fixture(params=OVERLAYS)
def overlay(request: pytest.FixtureRequest) -> str:
    if KUBECTL is None:
        pytest.skip(needs_kubectl.kwargs["reason"])
    return str(request.param)


def _objects(overlay: str, kind: str) -> dict[str, dict[str, Any]]:
    return {doc["metadata"]["name"]: doc for doc in _rendered(overlay) if doc["kind"] == kind}


def _pod_specs(overlay: str) -> dict[str, dict[str, Any]]:
    """Deployments and Jobs by name: their pod templates."""
    return {name: doc["spec"]["template"]["spec"] for kind in ("Deployment", "Job")
            for name, doc in _objects(overlay, kind).items()}


def _container(overlay: str, name: str) -> dict[str, Any]:
    (container,) = _pod_specs(overlay)[name]["containers"]
    return container


def _env_names(overlay: str, container: dict[str, Any]) -> set[str]:
    """Every variable a container gets: `env` entries and the keys of the ConfigMaps it takes whole."""
    config_maps = _objects(overlay, "ConfigMap")
    names = {item["name"] for item in container.get("env", [])}
    for source in container.get("envFrom", []):
        assert "configMapRef" in source, f"{container['name']}: envFrom a Secret hides which secrets it reads"
        names |= set(config_maps[source["configMapRef"]["name"]].get("data", {}))
    return names


def _compose_env(service: str) -> set[str]:
    env = COMPOSE["services"][service].get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return set(env)


def _env_example_names() -> set[str]:
    """The variables .env.example sets or documents, without its compose-only tail."""
    settings_part = ENV_EXAMPLE.split("--- docker compose only", 1)[0]
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", settings_part, flags=re.MULTILINE))


def _uncommented_env_example_names() -> set[str]:
    settings_part = ENV_EXAMPLE.split("--- docker compose only", 1)[0]
    return set(re.findall(r"^([A-Z][A-Z0-9_]+)=", settings_part, flags=re.MULTILINE))


# --- rendering and schemas ---------------------------------------------------------------------------------


def test_every_overlay_renders_and_matches_the_kubernetes_schemas(overlay: str) -> None:
    documents = _rendered(overlay)
    kinds = {doc["kind"] for doc in documents}
    assert {"Deployment", "Service", "Job", "ConfigMap", "Ingress", "NetworkPolicy", "PodDisruptionBudget",
            "PersistentVolumeClaim", "Namespace"} <= kinds
    for doc in documents:
        for version in KUBERNETES_VERSIONS:
            kubernetes_validate.validate(doc, version, strict=True)
        if doc["kind"] != "Namespace":
            assert doc["metadata"].get("namespace") == _objects(overlay, "Namespace").popitem()[0], \
                f"{doc['kind']} {doc['metadata']['name']} is outside the overlay's namespace"


@needs_kubectl
def test_a_broken_manifest_fails(tmp_path: Path) -> None:
    # A misspelt field is refused by the schema check, a missing file by kustomize itself.
    deployment = next(doc for doc in _rendered("province") if doc["kind"] == "Deployment")
    broken = yaml.safe_load(yaml.safe_dump(deployment))
    broken["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["httpGet"]["paht"] = "/healthz"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSIONS[0], strict=True)
    broken["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["httpGet"] = {"path": "/healthz"}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSIONS[0], strict=True)
    (tmp_path / "kustomization.yaml").write_text("resources:\n  - missing.yaml\n", encoding="utf-8")
    done = subprocess.run([str(KUBECTL), "kustomize", str(tmp_path)], capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode != 0


# --- pods ----------------------------------------------------------------------------------------------------


def _compose_health_path(service: str) -> tuple[str, int]:
    test = " ".join(COMPOSE["services"][service]["healthcheck"]["test"])
    match = re.search(r"http://127\.0\.0\.1:(\d+)(/[^'\" ]*)", test)
    assert match, f"compose's {service} health check names no URL"
    return match.group(2), int(match.group(1))


def _port_number(container: dict[str, Any], port: int | str) -> int:
    if isinstance(port, int):
        return port
    return next(item["containerPort"] for item in container["ports"] if item.get("name") == port)


def test_every_deployment_has_readiness_and_liveness_probes(overlay: str) -> None:
    deployments = _objects(overlay, "Deployment")
    assert set(deployments) == set(COMPONENTS)
    for name in deployments:
        container = _container(overlay, name)
        for probe in ("readinessProbe", "livenessProbe"):
            assert container.get(probe), f"{name} has no {probe}"
        # Ready means what compose's health check means: the same path on the same port.
        path, port = _compose_health_path(name)
        ready = container["readinessProbe"]["httpGet"]
        assert (ready["path"], _port_number(container, ready["port"])) == (path, port), name


def test_every_container_has_requests_and_limits(overlay: str) -> None:
    for name, spec in _pod_specs(overlay).items():
        for container in spec.get("initContainers", []) + spec["containers"]:
            resources = container.get("resources", {})
            for part in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(resources.get(part, {})), f"{name}/{container['name']}: {part}"


def test_pod_sizes_are_the_ones_computed_from_the_bench_run(overlay: str) -> None:
    expected = sizing.pod_sizes(sizing.load_results())[overlay]
    for component in COMPONENTS:
        assert _container(overlay, component)["resources"] == expected[component].resources(), component


def test_images_and_commands_are_the_compose_files(overlay: str) -> None:
    services = COMPOSE["services"]
    for name, spec in _pod_specs(overlay).items():
        for container in spec["containers"]:
            assert container["image"] in {services["app"]["image"], services["rasa"]["image"]}, name
    for name in COMPONENTS:
        assert _container(overlay, name)["image"] == services[name]["image"], name
    for name in ("rasa", "actions"):
        assert _container(overlay, name)["command"] == services[name]["command"], name
        assert _container(overlay, name)["workingDir"] == services[name]["working_dir"], name


def test_province_runs_two_app_two_rasa_and_one_action_server() -> None:
    if KUBECTL is None:
        pytest.skip(needs_kubectl.kwargs["reason"])
    replicas = {name: doc["spec"].get("replicas") for name, doc in _objects("province", "Deployment").items()}
    assert replicas == {"app": 2, "rasa": 2, "actions": 1}
    assert not _objects("province", "HorizontalPodAutoscaler")


def test_national_scales_app_rasa_and_actions_on_cpu() -> None:
    if KUBECTL is None:
        pytest.skip(needs_kubectl.kwargs["reason"])
    autoscalers = _objects("national", "HorizontalPodAutoscaler")
    targets = {doc["spec"]["scaleTargetRef"]["name"]: doc["spec"] for doc in autoscalers.values()}
    assert set(targets) == set(COMPONENTS)
    biggest = max(sizing.rows(sizing.load_results()), key=lambda row: row.peak_msgs_per_s)
    for name, spec in targets.items():
        assert spec["scaleTargetRef"]["kind"] == "Deployment"
        assert [metric["resource"]["name"] for metric in spec["metrics"]] == ["cpu"], name
        assert 2 <= spec["minReplicas"] < spec["maxReplicas"], name
        assert spec["maxReplicas"] >= biggest.pods[name], f"{name}: the sizing table needs {biggest.pods[name]}"
    # The autoscalers own the replica counts: a fixed count would be reset by every apply.
    assert all("replicas" not in doc["spec"] for doc in _objects("national", "Deployment").values())
    bigger = sizing.pod_sizes(sizing.load_results())
    assert bigger["national"]["rasa"].cpu_request_m > bigger["province"]["rasa"].cpu_request_m


def test_every_deployment_has_a_disruption_budget(overlay: str) -> None:
    budgets = [doc["spec"]["selector"]["matchLabels"] for doc in _objects(overlay, "PodDisruptionBudget").values()]
    for name, deployment in _objects(overlay, "Deployment").items():
        assert deployment["spec"]["selector"]["matchLabels"] in budgets, name


# --- jobs and the index --------------------------------------------------------------------------------------


def test_the_migration_and_the_index_build_run_as_jobs_with_the_apps_settings(overlay: str) -> None:
    jobs = _objects(overlay, "Job")
    assert _container(overlay, "migrate")["command"] == ["assistant", "db", "upgrade"]
    assert _container(overlay, "index-build")["command"] == ["assistant", "index", "build"]
    app = _container(overlay, "app")
    for name in jobs:
        job = _container(overlay, name)
        assert job["image"] == app["image"], name
        assert _env_names(overlay, job) == _env_names(overlay, app), name


def test_the_index_is_one_shared_volume_of_the_app_and_its_build_job(overlay: str) -> None:
    (claim,) = _objects(overlay, "PersistentVolumeClaim").values()
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]
    index_dir = _objects(overlay, "ConfigMap")
    index_dir = next(doc["data"]["ASSISTANT_INDEX_DIR"] for doc in index_dir.values()
                     if "ASSISTANT_INDEX_DIR" in doc.get("data", {}))
    for name in ("app", "index-build"):
        spec = _pod_specs(overlay)[name]
        volumes = {v["name"]: v for v in spec["volumes"]}
        (mount,) = [m for m in spec["containers"][0]["volumeMounts"] if m["mountPath"] == index_dir]
        assert volumes[mount["name"]]["persistentVolumeClaim"]["claimName"] == claim["metadata"]["name"], name


# --- settings and secrets ------------------------------------------------------------------------------------


def test_each_service_gets_the_variables_the_compose_file_sets(overlay: str) -> None:
    app = _env_names(overlay, _container(overlay, "app"))
    # The app also takes the compose file's env_file (.env, made from .env.example).
    settings = {f"ASSISTANT_{name.upper()}" for name in Settings.model_fields}
    assert _compose_env("app") <= app, sorted(_compose_env("app") - app)
    assert app <= _compose_env("app") | _env_example_names() | settings, sorted(app - _compose_env("app"))
    for name in ("rasa", "actions"):
        assert _env_names(overlay, _container(overlay, name)) == _compose_env(name), name


def test_the_settings_config_map_covers_env_example(overlay: str) -> None:
    # Every setting .env.example sets is given to the app, from the ConfigMap or, if secret, the Secret;
    # ASSISTANT_API_URL is the action server's.
    app = _container(overlay, "app")
    wanted = _uncommented_env_example_names() - {"ASSISTANT_API_URL"}
    assert wanted <= _env_names(overlay, app), sorted(wanted - _env_names(overlay, app))
    from_secret = {item["name"] for item in app["env"] if "secretKeyRef" in item.get("valueFrom", {})}
    assert {name for name in wanted if SECRET_NAME.search(name)} <= from_secret


def _env_example_values() -> dict[str, str]:
    settings_part = ENV_EXAMPLE.split("--- docker compose only", 1)[0]
    return {key: value.strip().strip('"') for key, value
            in re.findall(r"^([A-Z][A-Z0-9_]+)=(.*)$", settings_part, flags=re.MULTILINE)}


def test_the_settings_are_env_example_with_the_compose_files_production_values(overlay: str) -> None:
    (settings,) = [doc["data"] for name, doc in _objects(overlay, "ConfigMap").items()
                   if name.startswith("assistant-settings")]
    compose = {key: str(value) for key, value in (COMPOSE["services"]["app"]["environment"] or {}).items()
               if "${" not in str(value)}
    # Where a cluster differs from both: the public address, and the proxies (the ingress controller's pod
    # network instead of compose's nginx address).
    site = {"ASSISTANT_PUBLIC_BASE_URL", "ASSISTANT_TRUSTED_PROXIES"}
    for key, value in settings.items():
        if key in site:
            continue
        if key in compose:
            assert value == compose[key], f"{key}: compose sets {compose[key]!r}"
        elif key in _env_example_values():
            assert value == _env_example_values()[key], f"{key}: .env.example has {_env_example_values()[key]!r}"


def test_forwarded_addresses_are_trusted_from_a_private_network_only(overlay: str) -> None:
    # The ingress controller's pods: a private network, never "everyone" (a client could then write its own).
    from assistant.proxies import parse_networks

    (settings,) = [doc["data"] for name, doc in _objects(overlay, "ConfigMap").items()
                   if name.startswith("assistant-settings")]
    networks = parse_networks(settings["ASSISTANT_TRUSTED_PROXIES"])
    assert networks and all(net.is_private and net.prefixlen >= 8 for net in networks), networks
    assert "FORWARDED_ALLOW_IPS" not in settings, "the app reads X-Forwarded-For itself (assistant.proxies)"


def test_the_app_accepts_these_settings_in_production(overlay: str) -> None:
    app = _container(overlay, "app")
    config_maps = _objects(overlay, "ConfigMap")
    values: dict[str, str] = {}
    for source in app["envFrom"]:
        values |= config_maps[source["configMapRef"]["name"]]["data"]
    # What the site's Secret holds: a URL for the URLs, a long random string for the rest.
    references = {item["name"]: item["valueFrom"]["secretKeyRef"] for item in app["env"]
                  if "secretKeyRef" in item.get("valueFrom", {})}
    required = {name for name, reference in references.items() if not reference.get("optional")}
    example = {"ASSISTANT_DATABASE_URL": "postgresql+psycopg://assistant:pw@db.example.internal:5432/assistant",
               "ASSISTANT_REDIS_URL": "redis://redis.example.internal:6379/0"}
    values |= {name: example.get(name, "3f9a0c1e7b2d4a6f8e0c2b4d6f8a0c1e3b5d7f9a") for name in required}
    settings = Settings.model_validate({k.removeprefix("ASSISTANT_").lower(): v for k, v in values.items()
                                        if k.startswith("ASSISTANT_")})
    assert settings.environment == "production"
    assert str(settings.index_dir) in {m["mountPath"] for m in app["volumeMounts"]}
    assert settings.port == _port_number(app, "http") and settings.host == "0.0.0.0"


def test_no_secret_value_is_in_the_manifests(overlay: str) -> None:
    assert not _objects(overlay, "Secret"), "Secrets are created on the cluster, never stored in the repository"
    for doc in _objects(overlay, "ConfigMap").values():
        for key, value in (doc.get("data") or {}).items():
            assert not SECRET_NAME.search(key), f"{doc['metadata']['name']}.{key} is a secret in a ConfigMap"
            assert not CREDENTIALS_IN_URL.search(value), f"{doc['metadata']['name']}.{key} has credentials"
    for name, spec in _pod_specs(overlay).items():
        for container in spec["containers"]:
            for item in container.get("env", []):
                where = f"{name}.{item['name']}"
                if SECRET_NAME.search(item["name"]) or item["name"].endswith(("_DATABASE_URL", "_STORE_URL")):
                    assert "value" not in item, f"{where} is written in the manifest"
                    assert item["valueFrom"]["secretKeyRef"]["name"] == SECRET_REFERENCE_ONLY, where
                assert not CREDENTIALS_IN_URL.search(str(item.get("value", ""))), where
    for doc in _objects(overlay, "Ingress").values():
        for tls in doc["spec"].get("tls", []):
            assert tls["secretName"], "the certificate is a Secret named, not included"


# --- ingress and network ---------------------------------------------------------------------------------------


def _nginx_locations() -> list[tuple[str, str, str]]:
    """`location [modifier] path { body }` blocks of the proxy (none of ours nest braces)."""
    return re.findall(r"location\s+(=|\^~|~\*?)?\s*(\S+)\s*\{([^}]*)\}", NGINX)


def _nginx_rules() -> tuple[set[str], set[str]]:
    """Prefixes the proxy refuses (`location ^~ X { return 404; }`) and paths it passes to the app.

    Regex locations have no Ingress equivalent and are left out (the proxy has none today).
    """
    blocks = _nginx_locations()
    refused = {path for modifier, path, body in blocks
               if modifier == "^~" and re.search(r"return\s+4\d\d\b", body)}
    passed = {path for modifier, path, body in blocks if not modifier.startswith("~") and "proxy_pass" in body}
    return refused, passed


def _directive(name: str, text: str) -> str | None:
    match = re.search(rf"^\s*{name}\s+(\S+);", text, flags=re.MULTILINE)
    return match.group(1) if match else None


def _route(ingresses: list[dict[str, Any]], path: str) -> tuple[str, dict[str, Any]]:
    """The Service `path` goes to, and the Ingress that sends it: the longest matching path, element by element
    (Exact before Prefix on a tie), over every Ingress of the host."""
    best: tuple[tuple[int, int], str, dict[str, Any]] = ((-1, -1), "", {})
    for ingress in ingresses:
        for rule in ingress["spec"]["rules"]:
            for item in rule["http"]["paths"]:
                assert item["pathType"] in {"Prefix", "Exact"}, "ImplementationSpecific differs per controller"
                prefix = PurePosixPath(item["path"]).parts
                parts = PurePosixPath(path).parts
                exact = item["pathType"] == "Exact"
                matches = parts == prefix if exact else parts[:len(prefix)] == prefix
                rank = (len(prefix), int(exact))
                if matches and rank > best[0]:
                    best = (rank, item["backend"]["service"]["name"], ingress)
    return best[1], best[2]


def test_the_ingress_has_the_proxys_path_rules(overlay: str) -> None:
    ingresses = list(_objects(overlay, "Ingress").values())
    services = _objects(overlay, "Service")
    refused, passed = _nginx_rules()
    assert "/metrics" in refused and passed
    for path in passed:
        assert _route(ingresses, path)[0] == "app", path
    for path in refused:
        for probe in (path, f"{path}/x"):
            closed = _route(ingresses, probe)[0]
            assert closed and closed != "app", f"{probe} reaches the app from outside"
            assert "selector" not in services[closed]["spec"], f"{closed} has pods behind it"
    for public in ("/api/chat", "/api/procedures/search", "/webhooks/telegram", "/admin/login", "/widget.js"):
        assert _route(ingresses, public)[0] == "app", public
    hosts = {rule["host"] for ingress in ingresses for rule in ingress["spec"]["rules"]}
    assert len(hosts) == 1, "every Ingress serves the one public host"


def test_the_ingress_takes_the_proxys_body_size_and_timeout(overlay: str) -> None:
    # ingress-nginx reads these per Ingress object, so a path with its own limit has its own Ingress.
    ingresses = list(_objects(overlay, "Ingress").values())
    outside_locations = re.sub(r"location\s+[^{]*\{[^}]*\}", "", NGINX)
    defaults = {name: _directive(name, outside_locations) for name in ("client_max_body_size", "proxy_read_timeout")}
    assert all(defaults.values()), f"the proxy sets both: {defaults}"
    for modifier, path, body in _nginx_locations():
        if modifier.startswith("~") or "proxy_pass" not in body:
            continue
        annotations = _route(ingresses, path)[1]["metadata"].get("annotations", {})
        size = _directive("client_max_body_size", body) or defaults["client_max_body_size"]
        timeout = (_directive("proxy_read_timeout", body) or defaults["proxy_read_timeout"] or "").removesuffix("s")
        assert annotations.get("nginx.ingress.kubernetes.io/proxy-body-size") == size, (path, size)
        assert annotations.get("nginx.ingress.kubernetes.io/proxy-read-timeout") == timeout, (path, timeout)


def _policies(overlay: str) -> dict[str, dict[str, Any]]:
    return {doc["metadata"]["name"]: doc["spec"] for doc in _objects(overlay, "NetworkPolicy").values()}


def _component_of(selector: dict[str, Any]) -> str:
    return str(selector.get("matchLabels", {}).get("app.kubernetes.io/component", ""))


def _peers(overlay: str, component: str) -> list[dict[str, Any]]:
    """Who may connect to `component`'s pods, over every policy that selects them."""
    peers = []
    for spec in _policies(overlay).values():
        if _component_of(spec["podSelector"]) in {component, ""}:
            for rule in spec.get("ingress", []):
                assert rule.get("from"), "an ingress rule without `from` lets everyone in"
                peers += rule["from"]
    return peers


def test_network_policies_keep_rasa_and_the_action_server_inside(overlay: str) -> None:
    policies = _policies(overlay)
    denied = [spec for spec in policies.values() if spec["podSelector"] == {} and not spec.get("ingress")]
    assert denied and "Ingress" in denied[0]["policyTypes"], "no default deny for incoming connections"
    inside = {"rasa": {"app"}, "actions": {"rasa", "app"}}
    for component, allowed in inside.items():
        peers = _peers(overlay, component)
        assert peers, component
        for peer in peers:
            # Only a bare podSelector stays in this namespace; a namespaceSelector or ipBlock lets others in.
            assert set(peer) == {"podSelector"}, f"{component} is reachable from {peer}"
            assert _component_of(peer["podSelector"]) in allowed, f"{component} is reachable from {peer}"


def test_only_the_action_server_reaches_the_app_from_inside_the_namespace(overlay: str) -> None:
    peers = _peers(overlay, "app")
    in_namespace = [peer for peer in peers if set(peer) == {"podSelector"}]
    assert [_component_of(peer["podSelector"]) for peer in in_namespace] == ["actions"]
    for peer in peers:
        assert "ipBlock" not in peer, peer
        if "namespaceSelector" in peer:
            # The ingress controller and the scraper, each by its namespace's name label, never "any namespace".
            assert peer["namespaceSelector"].get("matchLabels", {}).get("kubernetes.io/metadata.name"), peer
