"""Checks the Helm chart deploy/helm/aima without a cluster.

The chart is linted and rendered by Helm itself (helm-python-sdk: Helm's Go
SDK as a library, no `helm` binary), with its default values and with the
variants a user sets. Every rendered manifest is validated against
Kubernetes' own schemas in strict mode (kubernetes-validate: unknown fields
are errors) and KEDA's objects against KEDA's CRD models
(cloudcoil-models-keda; unknown fields are errors here too). Then what the
chart promises: the GPU workers request GPUs and scale from zero with KEDA
on the query the store tests run against PostgreSQL
(crates/aima-store/tests/autoscale.rs), the server has its probes, and
every AIMA__ variable the chart sets is a setting AIMA has.

Run by scripts/check-deploy.sh (and so by scripts/test.sh), in AIMA's venv.
"""

import pathlib
import re
import sys
import tomllib

import kubernetes_validate
import yaml
from cloudcoil.models.keda import v1alpha1 as keda
from helm_python import chart as helm

ROOT = pathlib.Path(__file__).resolve().parent.parent
CHART = ROOT / "deploy/helm/aima"
KUBE = "1.30.0"

VARIANTS = {
    "defaults": {},
    "without KEDA": {"keda": {"enabled": False}, "gpuWorkers": {"replicas": 1}},
    "without GPU workers": {"gpuWorkers": {"enabled": False}},
    "without ingress, models on a claim": {
        "ingress": {"enabled": False},
        "models": {"existingClaim": "aima-models"},
        "extraEnv": [{"name": "AIMA__LOG__FORMAT", "value": "json"}],
    },
}

errors = []


def fail(msg):
    errors.append(msg)


def strict_keda(doc):
    """KEDA's model of the object, and the fields it did not know."""
    model = {"ScaledObject": keda.ScaledObject, "TriggerAuthentication": keda.TriggerAuthentication}[doc["kind"]]
    parsed = model.model_validate(doc)
    again = parsed.model_dump(by_alias=True, exclude_none=True, mode="json")

    def unknown(a, b, path):
        if isinstance(a, dict):
            for k, v in a.items():
                if not isinstance(b, dict) or k not in b:
                    yield f"{path}.{k}"
                else:
                    yield from unknown(v, b[k], f"{path}.{k}")
        elif isinstance(a, list) and isinstance(b, list):
            for i, (x, y) in enumerate(zip(a, b)):
                yield from unknown(x, y, f"{path}[{i}]")

    return list(unknown(doc, again, doc["kind"]))


def settings():
    """AIMA's default configuration file, as `aima config default` prints it:
    every setting, some of them commented out (a default computed at run
    time)."""
    source = (ROOT / "crates/aima/src/config.rs").read_text()
    text = source.split('pub const DEFAULT_CONFIG_TOML: &str = r#"', 1)[1].split('"#;', 1)[0]
    tomllib.loads(text)
    return text


def known_setting(config, name):
    """Whether AIMA__SECTION__KEY names a setting of that file: `key =`
    (or `# key =`) in `[section]` (top-level keys before the first
    section)."""
    parts = name.removeprefix("AIMA__").lower().split("__")
    section, key = ".".join(parts[:-1]), parts[-1]
    chunks = re.split(r"^\[([a-z0-9_.]+)\]\s*$", config, flags=re.M)
    bodies = {"": chunks[0]}
    bodies.update(dict(zip(chunks[1::2], chunks[2::2])))
    body = bodies.get(section)
    return body is not None and re.search(rf"^(# )?{re.escape(key)} = ", body, flags=re.M) is not None


def main():
    config = settings()
    tested = re.search(r'const KEDA_QUERY: &str =\s*"([^"]+)"', (ROOT / "crates/aima-store/tests/autoscale.rs").read_text())
    if not tested:
        sys.exit("check-helm: the KEDA query of crates/aima-store/tests/autoscale.rs is not found")
    for name, values in VARIANTS.items():
        report = helm.lint(str(CHART), values, strict=True, kube_version=f"v{KUBE}")
        for m in report.get("messages") or []:
            if m.get("severity", 0) >= 2:
                fail(f"{name}: helm lint: {m.get('path')}: {m.get('error')}")
        for e in report.get("errors") or []:
            fail(f"{name}: helm lint: {e}")
        rendered = helm.Chart.load(str(CHART)).render(values, name="aima", namespace="aima", is_install=True)
        docs = [d for text in rendered.values() for d in yaml.safe_load_all(text) if d]
        kinds = {}
        for d in docs:
            kinds.setdefault(d["kind"], []).append(d)
            where = f"{name}: {d['kind']} {d['metadata']['name']}"
            if d["apiVersion"].startswith("keda.sh/"):
                try:
                    extra = strict_keda(d)
                except Exception as e:  # pydantic's ValidationError names the field
                    fail(f"{where}: not a valid KEDA object: {e}")
                    continue
                if extra:
                    fail(f"{where}: fields KEDA does not know: {extra}")
            else:
                try:
                    kubernetes_validate.validate(d, KUBE, strict=True)
                except kubernetes_validate.ValidationError as e:
                    fail(f"{where}: {e.message} at {'.'.join(map(str, e.path))}")
            for c in (d.get("spec", {}).get("template", {}).get("spec", {}).get("containers", []) or []) + (
                d.get("spec", {}).get("template", {}).get("spec", {}).get("initContainers", []) or []
            ):
                for env in c.get("env", []):
                    if env["name"].startswith("AIMA__") and not known_setting(config, env["name"]):
                        fail(f"{where}: {env['name']} is not a setting of AIMA")
        deployments = {d["metadata"]["name"]: d for d in kinds.get("Deployment", [])}
        server = deployments.get("aima-aima-server")
        if not server:
            fail(f"{name}: no server Deployment")
        else:
            c = server["spec"]["template"]["spec"]["containers"][0]
            if c.get("readinessProbe", {}).get("httpGet", {}).get("path") != "/readyz" or c.get("livenessProbe", {}).get("httpGet", {}).get("path") != "/healthz":
                fail(f"{name}: the server's probes are not /readyz and /healthz")
        gpu = deployments.get("aima-aima-gpu-worker")
        want_gpu = values.get("gpuWorkers", {}).get("enabled", True)
        if bool(gpu) != want_gpu:
            fail(f"{name}: GPU worker Deployment present: {bool(gpu)}, wanted {want_gpu}")
        if gpu:
            spec = gpu["spec"]["template"]["spec"]
            c = spec["containers"][0]
            if str(c["resources"]["limits"].get("nvidia.com/gpu")) != "1":
                fail(f"{name}: the GPU worker does not request nvidia.com/gpu")
            if "--capability" not in c["args"]:
                fail(f"{name}: the GPU worker has no --capability")
            if spec.get("terminationGracePeriodSeconds", 0) < 30:
                fail(f"{name}: the GPU worker has no grace to hand its jobs back")
        scaled = kinds.get("ScaledObject", [])
        want_keda = want_gpu and values.get("keda", {}).get("enabled", True)
        if bool(scaled) != want_keda:
            fail(f"{name}: ScaledObject present: {bool(scaled)}, wanted {want_keda}")
        for s in scaled:
            if s["spec"]["scaleTargetRef"]["name"] != "aima-aima-gpu-worker" or s["spec"].get("minReplicaCount") != 0:
                fail(f"{name}: the ScaledObject does not scale the GPU workers from zero")
            trigger = s["spec"]["triggers"][0]
            if trigger["type"] != "postgresql" or trigger["metadata"]["query"] != tested.group(1):
                fail(f"{name}: the KEDA query is not the one the store tests check: {trigger['metadata'].get('query')!r}")
            if gpu and "replicas" in gpu["spec"]:
                fail(f"{name}: the GPU worker Deployment sets replicas that KEDA owns")
        if values.get("ingress", {}).get("enabled", True):
            ing = kinds.get("Ingress", [{}])[0]
            if "cert-manager.io/cluster-issuer" not in ing.get("metadata", {}).get("annotations", {}) or not ing.get("spec", {}).get("tls"):
                fail(f"{name}: the Ingress has no TLS by cert-manager")
        print(f"helm chart, {name}: {len(docs)} manifests rendered and valid")
    if errors:
        print("\n".join(errors), file=sys.stderr)
        sys.exit(1)


main()
