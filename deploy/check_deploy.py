#!/usr/bin/env python3
"""Checks that deploy/ parses and names only what the broker reads.

    python3 deploy/check_deploy.py              check deploy/ (exit 1 on any problem)
    python3 deploy/check_deploy.py --self-test  also break a copy of deploy/ in known ways, and check that each break
                                                is reported (a checker that passes everything proves nothing)

What is checked:
- every YAML document under deploy/ parses; the Kubernetes manifests have the kinds, API versions and fields they need,
  and what refers to something else finds it (Service selectors and target ports, the StatefulSet's Service, volumes,
  service account, Secrets, the Role behind the RoleBinding, kustomization.yaml's resources);
- every configuration name that the container files, the manifests, the systemd units and env files, the example JSON
  and deploy/README.md's commands give the broker is one it reads: ORLEANSBROKER_Section__Key against the properties of
  BrokerOptions and GatewayOptions, --switches against CommandLineSwitches.Table, RABBITMQ_* against
  BrokerConfiguration, POD_* and ORLEANS_* against what Microsoft.Orleans.Hosting.Kubernetes reads (at the version
  Directory.Packages.props names), and the pods' Orleans labels against BrokerCluster.ClusterId;
- the ports the image exposes and the pods declare are the broker's defaults, and the data volume is its data directory;
- `systemd-analyze verify` accepts the units (where systemd-analyze and /usr/bin/dotnet exist).
Prints one line per check and ends with "N passed, N failed".
"""

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

import yaml

REPOSITORY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# What Microsoft.Orleans.Hosting.Kubernetes reads and needs, read off its source (KubernetesHostingOptions,
# ConfigureKubernetesHostingOptions, KubernetesClusterAgent) at this version. A new version fails the check until these
# are read again and the version here updated.
KUBERNETES_HOSTING_VERSION = "10.4.2"
KUBERNETES_HOSTING_ENVIRONMENT = {"POD_NAME", "POD_NAMESPACE", "POD_IP", "ORLEANS_SERVICE_ID", "ORLEANS_CLUSTER_ID"}
KUBERNETES_HOSTING_SERVICE_ID_LABEL = "orleans/serviceId"
KUBERNETES_HOSTING_CLUSTER_ID_LABEL = "orleans/clusterId"
KUBERNETES_HOSTING_POD_VERBS = {"get", "list", "watch", "patch"}

# Variables read by the .NET runtime or ASP.NET Core rather than by the broker's code, each with why deploy/ sets it.
RUNTIME_ENVIRONMENT = {
    "ASPNETCORE_HTTP_PORTS": "the base image sets it for web apps; the container clears it",
}

# Kind -> API version, for the kinds deploy/kubernetes uses.
KUBERNETES_KINDS = {
    "Namespace": "v1",
    "ServiceAccount": "v1",
    "Secret": "v1",
    "Service": "v1",
    "StatefulSet": "apps/v1",
    "PodDisruptionBudget": "policy/v1",
    "Role": "rbac.authorization.k8s.io/v1",
    "RoleBinding": "rbac.authorization.k8s.io/v1",
    "Kustomization": "kustomize.config.k8s.io/v1beta1",
}


def read(path):
    with open(path, encoding="utf-8") as file:
        return file.read()


class Code:
    """What the broker's sources say it reads."""

    def __init__(self, root):
        def source(relative):
            return read(os.path.join(root, relative))

        def one(pattern, text, what):
            match = re.search(pattern, text)
            if not match:
                raise SystemExit(f"check_deploy.py: cannot find {what} in the sources (pattern {pattern!r}); update this script")
            return match.group(1)

        self.sections = {}
        for relative, class_name in (("src/Hosting/BrokerOptions.cs", "BrokerOptions"),
                                     ("src/Hosting/GatewayOptions.cs", "GatewayOptions")):
            text = source(relative)
            section = one(r'const string SectionName = "(\w+)"', text, f"{class_name}.SectionName")
            # Bindable settings: public properties with a setter.
            properties = set(re.findall(r"public\s+[\w?<>\[\], ]+?\s+(\w+)\s*\{\s*get;\s*set;", text))
            if not properties:
                raise SystemExit(f"check_deploy.py: no settable properties found in {relative}; update this script")
            self.sections[section] = (class_name, properties)

        broker_options = source("src/Hosting/BrokerOptions.cs")
        self.default_amqp_port = int(one(r"int AmqpPort \{ get; set; \} = (\d+);", broker_options, "the default AMQP port"))

        switches = source("src/Hosting/Configuration/CommandLineSwitches.cs")
        self.switches = set(re.findall(r'\["(--[a-z][a-z-]*)"\]\s*=', switches))
        if not self.switches:
            raise SystemExit("check_deploy.py: no switches found in CommandLineSwitches.Table; update this script")

        configuration = source("src/Hosting/Configuration/BrokerConfiguration.cs")
        self.environment_prefix = one(r'EnvironmentPrefix = "(\w+)"', configuration, "BrokerConfiguration.EnvironmentPrefix")
        self.rabbitmq_environment = set(re.findall(r'"(RABBITMQ_[A-Z_]+)"', configuration))

        # Variables the broker's code reads by name, anywhere in src/.
        self.read_environment = set()
        for directory, _, files in os.walk(os.path.join(root, "src")):
            if f"{os.sep}obj" in directory or f"{os.sep}bin" in directory:
                continue
            for name in files:
                if name.endswith(".cs"):
                    text = read(os.path.join(directory, name))
                    self.read_environment.update(re.findall(r'GetEnvironmentVariable\("(\w+)"\)', text))

        silo = source("src/Silo/Hosting/BrokerSilo.cs")
        self.cluster_id = one(r'const string ClusterId = "([^"]+)"', source("src/Hosting/BrokerCluster.cs"), "BrokerCluster.ClusterId")
        self.default_silo_port = int(one(r"DefaultSiloPort = (\d+);", silo, "BrokerSilo.DefaultSiloPort"))
        self.default_gateway_port = int(one(r"DefaultGatewayPort = (\d+);", silo, "BrokerSilo.DefaultGatewayPort"))

        packages = source("Directory.Packages.props")
        self.kubernetes_hosting_version = one(r'Include="Microsoft.Orleans.Hosting.Kubernetes" Version="([^"]+)"', packages,
                                              "Microsoft.Orleans.Hosting.Kubernetes in Directory.Packages.props")

    def setting_problem(self, section, key):
        """None if Section:Key is a setting the broker binds (case-insensitive, as .NET configuration is)."""
        if section.lower() == "logging":
            return None  # .NET's logging configuration: any category and level path.
        for known, (class_name, properties) in self.sections.items():
            if known.lower() == section.lower():
                if any(key.lower() == p.lower() for p in properties):
                    return None
                return f"{class_name} has no property {key}"
        return f"no configuration section {section} (the broker's are {', '.join(sorted(self.sections))} and Logging)"

    def environment_problem(self, name):
        """None if the broker (or what it runs on) reads the environment variable `name`."""
        if name.upper().startswith(self.environment_prefix.upper()):
            parts = name[len(self.environment_prefix):].split("__")
            if parts[0].lower() == "logging":
                return None
            if len(parts) != 2 or not parts[1]:
                return f"{name}: expected {self.environment_prefix}Section__Key"
            problem = self.setting_problem(parts[0], parts[1])
            return f"{name}: {problem}" if problem else None
        if name in self.rabbitmq_environment or name in self.read_environment or name in RUNTIME_ENVIRONMENT:
            return None
        if name in KUBERNETES_HOSTING_ENVIRONMENT:
            if self.kubernetes_hosting_version != KUBERNETES_HOSTING_VERSION:
                return (f"{name}: Microsoft.Orleans.Hosting.Kubernetes is now {self.kubernetes_hosting_version}; check what it reads "
                        f"and update KUBERNETES_HOSTING_* in deploy/check_deploy.py (read for {KUBERNETES_HOSTING_VERSION})")
            return None
        return f"{name}: no code reads this environment variable"

    def switch_problem(self, switch):
        name = switch.split("=", 1)[0]
        return None if name in self.switches else f"{name}: not a switch of the broker (CommandLineSwitches.Table)"


def broker_switches(command_text, programs):
    """The --switches a shell command line passes to the broker: the tokens after the first one naming the broker."""
    try:
        tokens = shlex.split(command_text.replace("\\\n", " "), comments=False)
    except ValueError:
        tokens = command_text.split()
    for index, token in enumerate(tokens):
        if any(token == program or token.endswith("/" + program) for program in programs):
            return [t for t in tokens[index + 1:] if t.startswith("--")]
    return []


class Checker:
    def __init__(self, deploy, code):
        self.deploy = deploy
        self.code = code
        self.results = []  # (label, problems)

    def path(self, *parts):
        return os.path.join(self.deploy, *parts)

    def relative(self, path):
        return "deploy/" + os.path.relpath(path, self.deploy)

    def run(self, label, check):
        try:
            problems = check()
        except Exception as error:  # a check that breaks is a failed check, not a crashed checker
            problems = [f"{type(error).__name__}: {error}"]
        self.results.append((label, problems))

    def check_all(self):
        self.yaml_documents = {}
        for path in self.files(".yaml", ".yml"):
            self.run(f"YAML parses: {self.relative(path)}", lambda path=path: self.parse_yaml(path))
        self.run("Kubernetes manifests: kinds, fields and references", self.kubernetes_structure)
        self.run("Kubernetes manifests: Orleans' Kubernetes hosting and the broker agree", self.kubernetes_hosting)
        self.run("names the broker reads: deploy/kubernetes", self.kubernetes_names)
        self.run("names the broker reads: deploy/container/Containerfile", self.containerfile_names)
        self.run("names the broker reads: deploy/container/entrypoint.sh", self.entrypoint_names)
        for path in self.files(".service"):
            self.run(f"names the broker reads: {self.relative(path)}", lambda path=path: self.unit_names(path))
        for path in self.files(".env", ".env.example"):
            self.run(f"names the broker reads: {self.relative(path)}", lambda path=path: self.env_file_names(path))
        for path in self.files(".json"):
            self.run(f"names the broker reads: {self.relative(path)}", lambda path=path: self.json_names(path))
        self.run("names the broker reads: deploy/README.md", self.readme_names)
        self.run("ports and data directory: the image, the pods and the broker agree", self.ports_and_volume)
        self.run("systemd-analyze verify: deploy/systemd", self.systemd_verify)
        return self.results

    def files(self, *suffixes):
        found = []
        for directory, _, names in os.walk(self.deploy):
            found.extend(os.path.join(directory, n) for n in names if n.endswith(suffixes))
        return sorted(found)

    # --- YAML and Kubernetes -------------------------------------------------------------------------------------

    def parse_yaml(self, path):
        try:
            documents = [d for d in yaml.safe_load_all(read(path)) if d is not None]
        except yaml.YAMLError as error:
            self.yaml_documents[path] = []
            return [f"does not parse: {error}".replace("\n", " ")]
        self.yaml_documents[path] = documents
        return [] if documents else ["no document"]

    def manifests(self):
        """(path, document) of every Kubernetes object in deploy/kubernetes, the examples included."""
        for path, documents in sorted(self.yaml_documents.items()):
            if os.path.basename(os.path.dirname(path)) == "kubernetes":
                for document in documents:
                    yield path, document

    def objects(self, kind):
        return [d for _, d in self.manifests() if isinstance(d, dict) and d.get("kind") == kind]

    def pod_templates(self):
        for statefulset in self.objects("StatefulSet"):
            yield statefulset, dig(statefulset, "spec", "template") or {}

    def kubernetes_structure(self):
        problems = []
        namespaces = {name_of(n) for n in self.objects("Namespace")}
        for path, document in self.manifests():
            where = self.relative(path)
            if not isinstance(document, dict):
                problems.append(f"{where}: a document that is not a mapping")
                continue
            kind, api = document.get("kind"), document.get("apiVersion")
            if kind not in KUBERNETES_KINDS:
                problems.append(f"{where}: kind {kind!r} is not one this check knows ({', '.join(KUBERNETES_KINDS)})")
                continue
            if api != KUBERNETES_KINDS[kind]:
                problems.append(f"{where}: {kind} has apiVersion {api!r}, expected {KUBERNETES_KINDS[kind]}")
            if kind == "Kustomization":
                continue
            if not isinstance(name_of(document), str):
                problems.append(f"{where}: {kind} without metadata.name")
            if kind != "Namespace" and dig(document, "metadata", "namespace") not in namespaces:
                problems.append(f"{where}: {kind} {name_of(document)} is in namespace {dig(document, 'metadata', 'namespace')!r}, "
                                f"not one the manifests make ({', '.join(sorted(namespaces)) or 'none'})")

        services = {name_of(s): s for s in self.objects("Service")}
        secrets = {name_of(s): s for s in self.objects("Secret")}
        accounts = {name_of(a) for a in self.objects("ServiceAccount")}
        roles = {name_of(r) for r in self.objects("Role")}
        statefulsets = self.objects("StatefulSet")
        if not statefulsets:
            problems.append("no StatefulSet")
        for statefulset, template in self.pod_templates():
            name = f"StatefulSet {name_of(statefulset)}"
            spec = statefulset.get("spec") or {}
            if not isinstance(spec.get("replicas"), int) or spec["replicas"] < 1:
                problems.append(f"{name}: spec.replicas must be a positive integer")
            selector = dig(spec, "selector", "matchLabels") or {}
            labels = dig(template, "metadata", "labels") or {}
            if not selector or any(labels.get(k) != v for k, v in selector.items()):
                problems.append(f"{name}: spec.selector.matchLabels {selector} must be among the pod labels {labels}")
            governing = services.get(spec.get("serviceName"))
            if governing is None or dig(governing, "spec", "clusterIP") != "None":
                problems.append(f"{name}: spec.serviceName {spec.get('serviceName')!r} must name a headless Service of the manifests")
            pod = template.get("spec") or {}
            if pod.get("serviceAccountName") not in accounts:
                problems.append(f"{name}: serviceAccountName {pod.get('serviceAccountName')!r} is no ServiceAccount of the manifests")
            volumes = {v.get("name") for v in pod.get("volumes") or []}
            volumes |= {name_of(c) for c in spec.get("volumeClaimTemplates") or []}
            containers = pod.get("containers") or []
            if not containers:
                problems.append(f"{name}: no containers")
            for container in containers:
                where = f"{name} container {container.get('name')!r}"
                if not container.get("name") or not container.get("image"):
                    problems.append(f"{where}: needs name and image")
                for probe in ("readinessProbe", "livenessProbe"):
                    if not isinstance(container.get(probe), dict):
                        problems.append(f"{where}: no {probe}")
                if not dig(container, "resources", "requests"):
                    problems.append(f"{where}: no resources.requests")
                ports = {p.get("name") for p in container.get("ports") or []}
                for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
                    port = dig(container, probe, "tcpSocket", "port")
                    if isinstance(port, str) and port not in ports:
                        problems.append(f"{where}: {probe} names port {port!r}, which the container does not declare")
                for mount in container.get("volumeMounts") or []:
                    if mount.get("name") not in volumes:
                        problems.append(f"{where}: volumeMount {mount.get('name')!r} is no volume or volumeClaimTemplate")
                for variable in container.get("env") or []:
                    reference = dig(variable, "valueFrom", "secretKeyRef")
                    if reference:
                        secret = secrets.get(reference.get("name"))
                        keys = set((secret or {}).get("stringData") or {}) | set((secret or {}).get("data") or {})
                        if secret is None or reference.get("key") not in keys:
                            problems.append(f"{where}: env {variable.get('name')} reads key {reference.get('key')!r} of Secret "
                                            f"{reference.get('name')!r}, which secrets.example.yaml does not have")

        pods = [(dig(t, "metadata", "labels") or {}, c) for _, t in self.pod_templates() for c in dig(t, "spec", "containers") or []]
        for service in services.values():
            name = f"Service {name_of(service)}"
            selector = dig(service, "spec", "selector") or {}
            matching = [c for labels, c in pods if selector and all(labels.get(k) == v for k, v in selector.items())]
            if not matching:
                problems.append(f"{name}: selector {selector} matches no pod of the manifests")
            for port in dig(service, "spec", "ports") or []:
                if not isinstance(port.get("port"), int) or not port.get("name"):
                    problems.append(f"{name}: every port needs a name and a number")
                target = port.get("targetPort")
                if isinstance(target, str) and not any(target in {p.get("name") for p in c.get("ports") or []} for c in matching):
                    problems.append(f"{name}: targetPort {target!r} is no named port of the pods it selects")
        for budget in self.objects("PodDisruptionBudget"):
            selector = dig(budget, "spec", "selector", "matchLabels") or {}
            if not any(selector and all(labels.get(k) == v for k, v in selector.items()) for labels, _ in pods):
                problems.append(f"PodDisruptionBudget {name_of(budget)}: selector {selector} matches no pod")
        for binding in self.objects("RoleBinding"):
            reference = binding.get("roleRef") or {}
            if reference.get("kind") != "Role" or reference.get("name") not in roles:
                problems.append(f"RoleBinding {name_of(binding)}: roleRef {reference} is no Role of the manifests")
            for subject in binding.get("subjects") or []:
                if subject.get("kind") != "ServiceAccount" or subject.get("name") not in accounts \
                        or subject.get("namespace") != dig(binding, "metadata", "namespace"):
                    problems.append(f"RoleBinding {name_of(binding)}: subject {subject} is no ServiceAccount of the manifests")

        for kustomization in self.objects("Kustomization"):
            listed = kustomization.get("resources") or []
            directory = self.path("kubernetes")
            for resource in listed:
                if not os.path.isfile(os.path.join(directory, resource)):
                    problems.append(f"kustomization.yaml: resource {resource} does not exist")
            for path in self.files(".yaml"):
                name = os.path.basename(path)
                if os.path.dirname(path) == directory and name != "kustomization.yaml" and not name.endswith(".example.yaml") \
                        and name not in listed:
                    problems.append(f"kustomization.yaml: {name} is not among its resources (name it *.example.yaml if it must not be applied)")
        return problems

    def kubernetes_hosting(self):
        problems = []
        for statefulset, template in self.pod_templates():
            labels = dig(template, "metadata", "labels") or {}
            pod = template.get("spec") or {}
            for container in pod.get("containers") or []:
                where = f"StatefulSet {name_of(statefulset)} container {container.get('name')!r}"
                environment = {v.get("name"): v for v in container.get("env") or []}
                for name in ("ORLEANS_SERVICE_ID", "ORLEANS_CLUSTER_ID"):
                    if name in environment and environment[name].get("value") != self.code.cluster_id:
                        problems.append(f"{where}: {name} would override the broker's id {self.code.cluster_id!r} (BrokerCluster.ClusterId)")
                node_name = environment.get(self.code.environment_prefix + "Broker__NodeName")
                if node_name is not None and dig(node_name, "valueFrom", "fieldRef", "fieldPath") != "metadata.name":
                    problems.append(f"{where}: the node name must be the pod's name (metadata.name), which the entry point gives it")
                hosting = environment.get(self.code.environment_prefix + "Broker__KubernetesHosting")
                if hosting is None or str(hosting.get("value")).lower() != "true":
                    continue
                for name, field in (("POD_NAME", "metadata.name"), ("POD_NAMESPACE", "metadata.namespace")):
                    if dig(environment.get(name) or {}, "valueFrom", "fieldRef", "fieldPath") != field:
                        problems.append(f"{where}: Kubernetes hosting needs env {name} from the downward API's {field}")
                for label in (KUBERNETES_HOSTING_SERVICE_ID_LABEL, KUBERNETES_HOSTING_CLUSTER_ID_LABEL):
                    if labels.get(label) != self.code.cluster_id:
                        problems.append(f"{where}: pod label {label} is {labels.get(label)!r}; Orleans' Kubernetes hosting selects "
                                        f"the cluster's pods by {self.code.cluster_id!r} (BrokerCluster.ClusterId)")
                if pod.get("automountServiceAccountToken") is False:
                    problems.append(f"{where}: Kubernetes hosting reaches the API with the service account's token, which is not mounted")
                verbs = set()
                for binding in self.objects("RoleBinding"):
                    if any(s.get("name") == pod.get("serviceAccountName") for s in binding.get("subjects") or []):
                        for role in self.objects("Role"):
                            if name_of(role) == dig(binding, "roleRef", "name"):
                                for rule in role.get("rules") or []:
                                    if "pods" in (rule.get("resources") or []) and "" in (rule.get("apiGroups") or []):
                                        verbs.update(rule.get("verbs") or [])
                missing = KUBERNETES_HOSTING_POD_VERBS - verbs
                if missing:
                    problems.append(f"{where}: its service account may not {', '.join(sorted(missing))} pods, which Orleans' "
                                    f"Kubernetes hosting does")
        entrypoint = read(self.path("container", "entrypoint.sh"))
        if not re.search(r'export\s+' + self.code.environment_prefix + r'Broker__NodeName="\$POD_NAME"', entrypoint):
            problems.append("deploy/container/entrypoint.sh: does not make POD_NAME the node name")
        return problems

    def kubernetes_names(self):
        problems = []
        for statefulset, template in self.pod_templates():
            for container in dig(template, "spec", "containers") or []:
                where = f"StatefulSet {name_of(statefulset)} container {container.get('name')!r}"
                for variable in container.get("env") or []:
                    problem = self.code.environment_problem(str(variable.get("name")))
                    if problem:
                        problems.append(f"{where} env: {problem}")
                for argument in (container.get("args") or []) + (container.get("command") or [])[1:]:
                    if str(argument).startswith("--"):
                        problem = self.code.switch_problem(str(argument))
                        if problem:
                            problems.append(f"{where} args: {problem}")
        return problems

    # --- container ----------------------------------------------------------------------------------------------

    def containerfile_instructions(self):
        """(instruction, arguments) of the Containerfile, continuation lines joined."""
        text = re.sub(r"\\\n", " ", read(self.path("container", "Containerfile")))
        for line in text.splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                instruction, _, arguments = line.partition(" ")
                yield instruction.upper(), arguments.strip()

    def containerfile_environment(self):
        environment = {}
        for instruction, arguments in self.containerfile_instructions():
            if instruction == "ENV":
                for pair in shlex.split(arguments):
                    name, _, value = pair.partition("=")
                    environment[name] = value
        return environment

    def containerfile_names(self):
        problems = []
        for name in self.containerfile_environment():
            problem = self.code.environment_problem(name)
            if problem:
                problems.append(f"ENV {problem}")
        for instruction, arguments in self.containerfile_instructions():
            if instruction in ("ENTRYPOINT", "CMD"):
                tokens = json.loads(arguments) if arguments.startswith("[") else shlex.split(arguments)
                for token in tokens:
                    if token.startswith("--"):
                        problem = self.code.switch_problem(token)
                        if problem:
                            problems.append(f"{instruction}: {problem}")
        return problems

    def entrypoint_names(self):
        text = read(self.path("container", "entrypoint.sh"))
        code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
        names = set(re.findall(r"\$\{?([A-Za-z_]\w*)", code)) | set(re.findall(r"\bexport\s+(\w+)=", code)) \
            | set(re.findall(r"\bis_set\s+(\w+)", code))
        return [problem for name in sorted(names) if (problem := self.code.environment_problem(name))]

    # --- systemd ------------------------------------------------------------------------------------------------

    def unit_names(self, path):
        problems = []
        for line in read(path).splitlines():
            key, _, value = line.partition("=")
            if key == "Environment":
                for pair in shlex.split(value):
                    problem = self.code.environment_problem(pair.partition("=")[0])
                    if problem:
                        problems.append(f"Environment: {problem}")
            elif key == "ExecStart":
                switches = broker_switches(value, ["OrleansBroker.Silo.dll"])
                if not switches and "--" in value:
                    problems.append("ExecStart: switches found, but not after OrleansBroker.Silo.dll")
                problems.extend(f"ExecStart: {p}" for s in switches if (p := self.code.switch_problem(s)))
        return problems

    def env_file_names(self, path):
        problems = []
        for number, line in enumerate(read(path).splitlines(), 1):
            line = line.strip()
            if line and not line.startswith(("#", ";")):
                name = line.partition("=")[0].strip()
                problem = self.code.environment_problem(name)
                if problem:
                    problems.append(f"line {number}: {problem}")
        return problems

    # --- JSON, README -------------------------------------------------------------------------------------------

    def json_names(self, path):
        problems = []
        settings = json.loads(read(path))
        for section, values in settings.items():
            if section.lower() == "logging":
                continue
            if not isinstance(values, dict):
                problems.append(f"{section}: expected an object of settings")
                continue
            problems.extend(f"{section}:{key}: {p}" for key in values if (p := self.code.setting_problem(section, key)))
        return problems

    def readme_names(self):
        """Environment variables it names anywhere, and the switches its commands pass to the broker or its image."""
        text = read(self.path("README.md"))
        problems = [f"{p}" for name in sorted(set(re.findall(r"\b" + self.code.environment_prefix + r"\w+", text)))
                    if (p := self.code.environment_problem(name))]
        for name in sorted(set(re.findall(r"\bRABBITMQ_[A-Z_]+", text))):
            if (problem := self.code.environment_problem(name)):
                problems.append(problem)
        commands = re.sub(r"\\\n\s*", " ", text)
        for line in commands.splitlines():
            line = line.strip().strip("`")
            # The broker's own command line, or a container run of the image (named orleansbroker in these commands).
            programs = ["OrleansBroker.Silo.dll"]
            if re.match(r"(docker|podman) run ", line):
                programs.append("orleansbroker")
            for switch in broker_switches(line, programs):
                if (problem := self.code.switch_problem(switch)):
                    problems.append(f"command {line[:60]!r}...: {problem}")
        return problems

    # --- ports, volume, systemd-analyze -------------------------------------------------------------------------

    def ports_and_volume(self):
        problems = []
        defaults = {"amqp": self.code.default_amqp_port, "silo": self.code.default_silo_port,
                    "orleans-gateway": self.code.default_gateway_port}
        exposed = set()
        for instruction, arguments in self.containerfile_instructions():
            if instruction == "EXPOSE":
                exposed.update(int(p.split("/")[0]) for p in arguments.split())
        for name, port in defaults.items():
            if port not in exposed:
                problems.append(f"Containerfile: does not EXPOSE {port}, the broker's {name} port")
        data_dir = self.containerfile_environment().get(self.code.environment_prefix + "Broker__DataDir")
        volumes = [a for i, a in self.containerfile_instructions() if i == "VOLUME"]
        if not data_dir or data_dir not in " ".join(volumes):
            problems.append(f"Containerfile: the data directory {data_dir!r} (Broker__DataDir) is not its VOLUME ({volumes})")
        for statefulset, template in self.pod_templates():
            for container in dig(template, "spec", "containers") or []:
                where = f"StatefulSet {name_of(statefulset)} container {container.get('name')!r}"
                overridden = {v.get("name") for v in container.get("env") or []}
                for port in container.get("ports") or []:
                    expected = defaults.get(port.get("name"))
                    if expected is None:
                        problems.append(f"{where}: port {port.get('name')!r} is none of the broker's ({', '.join(defaults)})")
                    elif port.get("containerPort") != expected and not overridden & {
                            self.code.environment_prefix + "Broker__" + key for key in ("AmqpPort", "SiloPort", "OrleansGatewayPort")}:
                        problems.append(f"{where}: port {port.get('name')} is {port.get('containerPort')}, the broker listens on {expected}")
                mounts = [m.get("mountPath") for m in container.get("volumeMounts") or []]
                if data_dir not in mounts:
                    problems.append(f"{where}: nothing is mounted at the data directory {data_dir}")
        return problems

    def systemd_verify(self):
        analyze = shutil.which("systemd-analyze")
        if analyze is None or not os.access("/usr/bin/dotnet", os.X_OK):
            return None  # skipped: it needs both (the units' ExecStart runs /usr/bin/dotnet)
        problems = []
        with tempfile.TemporaryDirectory() as units:
            for path in self.files(".service"):
                name = os.path.basename(path)
                # A template is verified as an instance of it.
                target = os.path.join(units, name.replace("@.", "@node1."))
                shutil.copyfile(path, target)
                result = subprocess.run([analyze, "verify", target], capture_output=True, text=True, timeout=60)
                # Unknown keys are warnings with exit status 0: any output counts.
                output = (result.stdout + result.stderr).strip()
                if result.returncode != 0 or output:
                    problems.append(f"{name}: " + " | ".join(output.splitlines() or [f"exit status {result.returncode}"]))
        return problems


def dig(value, *keys):
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def name_of(document):
    return dig(document, "metadata", "name")


def report(results, heading=None):
    passed = failed = 0
    if heading:
        print(heading)
    for label, problems in results:
        if problems is None:
            print(f"skip {label}")
            continue
        if problems:
            failed += 1
            print(f"FAIL {label}")
            for problem in problems:
                print(f"     - {problem}")
        else:
            passed += 1
            print(f"ok   {label}")
    return passed, failed


# Breaks the self-test makes in a copy of deploy/: (file, text, replacement, what the report must then mention).
BREAKS = [
    ("kubernetes/statefulset.yaml", "ORLEANSBROKER_Broker__KubernetesHosting", "ORLEANSBROKER_Broker__KubernetesHostin",
     "BrokerOptions has no property KubernetesHostin"),
    ("kubernetes/statefulset.yaml", "name: RABBITMQ_DEFAULT_PASS", "name: RABBITMQ_DEFAULT_PASSWORD",
     "RABBITMQ_DEFAULT_PASSWORD: no code reads"),
    ("kubernetes/statefulset.yaml", "orleans/clusterId: orleansbroker", "orleans/clusterId: broker", "pod label orleans/clusterId"),
    ("kubernetes/statefulset.yaml", "containerPort: 5672", "containerPort: 5673", "port amqp is 5673"),
    ("kubernetes/statefulset.yaml", "  serviceName: orleansbroker-silos", "  serviceName: orleansbroker-silo", "spec.serviceName"),
    ("kubernetes/statefulset.yaml", 'drop: ["ALL"]', 'drop: ["ALL"', "does not parse"),
    ("kubernetes/services.yaml", "targetPort: amqp", "targetPort: amqps", "targetPort 'amqps'"),
    ("kubernetes/rbac.yaml", '"watch", "patch"]', '"watch"]', "may not patch pods"),
    ("kubernetes/kustomization.yaml", "  - poddisruptionbudget.yaml\n", "", "poddisruptionbudget.yaml is not among its resources"),
    ("container/Containerfile", "ORLEANSBROKER_Broker__DataDir=", "ORLEANSBROKER_Broker__DataDirectory=",
     "BrokerOptions has no property DataDirectory"),
    ("container/Containerfile", "EXPOSE 5672 11111", "EXPOSE 5672 11112", "does not EXPOSE 11111"),
    ("container/entrypoint.sh", 'export ORLEANSBROKER_Broker__NodeName="$POD_NAME"', 'export ORLEANSBROKER_Broker__Node="$POD_NAME"',
     "BrokerOptions has no property Node"),
    ("systemd/orleansbroker@.service", "--node %i", "--nodes %i", "--nodes: not a switch"),
    ("systemd/orleansbroker@.service", "Restart=on-failure", "Restartt=on-failure", "Unknown key"),
    ("systemd/node1.env", "ORLEANSBROKER_Broker__AdvertiseAddress=", "ORLEANSBROKER_Broker__Advertise=",
     "BrokerOptions has no property Advertise"),
    ("systemd/cluster.env.example", "ORLEANSBROKER_Broker__Cluster=", "ORLEANSBROKER_Brokers__Cluster=", "no configuration section Brokers"),
    ("orleansbroker.example.json", '"QueueResidentBytes"', '"QueueResidentByte"', "BrokerOptions has no property QueueResidentByte"),
    ("README.md", "--orleans-gateway-port $((29999", "--orleans-gateway-prt $((29999", "--orleans-gateway-prt: not a switch"),
]


def self_test(code):
    """Each break must be reported, by the check it concerns; the unbroken copy must pass."""
    results = []
    for file, text, replacement, expected in BREAKS:
        with tempfile.TemporaryDirectory() as copy:
            deploy = os.path.join(copy, "deploy")
            shutil.copytree(os.path.join(REPOSITORY, "deploy"), deploy)
            path = os.path.join(deploy, file)
            original = read(path)
            label = f"self-test: {file}: {text.strip()[:50]!r} -> {replacement.strip()[:50]!r} is reported"
            if text not in original:
                results.append((label, [f"the text to break is no longer in deploy/{file}: update BREAKS"]))
                continue
            with open(path, "w", encoding="utf-8") as out:
                out.write(original.replace(text, replacement, 1))
            found = [f"{l}: {p}" for l, problems in Checker(deploy, code).check_all() if problems for p in problems]
            if any(expected in problem for problem in found):
                results.append((label, []))
            else:
                results.append((label, [f"no problem mentioning {expected!r}; reported: {found or 'nothing'}"]))
    return results


def main(arguments):
    code = Code(REPOSITORY)
    passed, failed = report(Checker(os.path.join(REPOSITORY, "deploy"), code).check_all())
    if "--self-test" in arguments:
        more_passed, more_failed = report(self_test(code), "\nself-test: each of these breaks must be reported")
        passed, failed = passed + more_passed, failed + more_failed
    print(f"\n{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
