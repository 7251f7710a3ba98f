"""The Kubernetes files of docs/scale-out.md: YAML syntax, the keys the chart and Kubernetes require,
names that agree between files and with the one-machine deployment, and a grading command that
`python -m autograder` accepts. (No cluster and no kubeconform here: the configuration is checked,
not a deployment.)"""
import re
import shlex
from pathlib import Path

import yaml

from autograder.__main__ import _parser

REPO = Path(__file__).resolve().parents[1]
K8S = REPO / "deploy" / "kubernetes"


def load(name):
    return list(yaml.safe_load_all((K8S / name).read_text()))


def exchange_root():
    """Exchange.root of the one-machine deployment: the path every pod must mount the exchange at."""
    text = (REPO / "deploy" / "jupyterhub" / "nbgrader_config.py").read_text()
    return re.search(r'^c\.Exchange\.root = "([^"]+)"', text, re.M).group(1)


def course_id():
    return re.search(r'^c\.CourseDirectory\.course_id = "([^"]+)"', (REPO / "nbgrader_config.py").read_text(),
                     re.M).group(1)


def test_claims_are_read_write_many_with_a_size():
    claims = {d["metadata"]["name"]: d for d in load("exchange-pvc.yaml")}
    assert sorted(claims) == ["bptt-course", "nbgrader-exchange"]
    for claim in claims.values():
        assert (claim["apiVersion"], claim["kind"]) == ("v1", "PersistentVolumeClaim")
        assert claim["spec"]["accessModes"] == ["ReadWriteMany"]
        assert re.fullmatch(r"\d+[GM]i", claim["spec"]["resources"]["requests"]["storage"])


def test_z2jh_values_mount_the_exchange_where_nbgrader_looks_for_it():
    (values,) = load("config.yaml")
    assert set(values) <= {"hub", "singleuser", "proxy", "cull", "scheduling", "prePuller", "ingress"}
    storage = values["singleuser"]["storage"]
    (volume,) = storage["extraVolumes"]
    (mount,) = storage["extraVolumeMounts"]
    claims = {d["metadata"]["name"] for d in load("exchange-pvc.yaml")}
    assert volume["persistentVolumeClaim"]["claimName"] == "nbgrader-exchange" in claims
    assert mount == {"name": volume["name"], "mountPath": exchange_root()}
    nbgrader_config = values["singleuser"]["extraFiles"]["nbgrader-config"]["stringData"]
    assert f'c.Exchange.root = "{exchange_root()}"' in nbgrader_config
    assert f'c.CourseDirectory.course_id = "{course_id()}"' in nbgrader_config
    assert values["singleuser"]["image"]["name"] and isinstance(values["singleuser"]["image"]["tag"], str)
    assert values["hub"]["config"]["Authenticator"]["admin_users"] == []


def test_hub_extra_config_is_python_that_sets_per_user_uids_and_the_course_volume():
    (values,) = load("config.yaml")
    code = values["hub"]["extraConfig"]["10-bptt-classroom"]
    compile(code, "hub.extraConfig", "exec")

    class User:
        def __init__(self, name, id):
            self.name, self.id = name, id

    class Spawner:
        def __init__(self, user):
            self.user, self.environment, self.volumes, self.volume_mounts = user, {}, [], []

    class Config(dict):
        def __getattr__(self, name):
            return self.setdefault(name, type(self)())

        def __setattr__(self, name, value):
            self[name] = value

    c = Config()
    exec(code, {"c": c})
    hook = c["KubeSpawner"]["pre_spawn_hook"]
    student, teacher = Spawner(User("bptt-student-a", 7)), Spawner(User("bptt-instructor", 1))
    hook(student)
    hook(teacher)
    assert (student.uid, teacher.uid) == (100007, 100001)
    assert student.volumes == [] and "JUPYTER_CONFIG_PATH" not in student.environment
    assert [v["persistentVolumeClaim"]["claimName"] for v in teacher.volumes] == ["bptt-course"]
    assert teacher.environment["JUPYTER_CONFIG_PATH"] == "/etc/jupyter/bptt-instructor"


def test_grading_job_runs_the_grading_command_on_the_course_volume():
    (job,) = load("grade-job.yaml")
    assert (job["apiVersion"], job["kind"]) == ("batch/v1", "Job")
    pod = job["spec"]["template"]["spec"]
    assert pod["restartPolicy"] in ("Never", "OnFailure")
    (container,) = pod["containers"]
    assert container["name"] and container["image"].endswith(":" + load("config.yaml")[0]["singleuser"]["image"]["tag"])
    (volume,) = pod["volumes"]
    assert volume["persistentVolumeClaim"]["claimName"] == "bptt-course"
    assert container["volumeMounts"] == [{"name": volume["name"], "mountPath": container["workingDir"]}]
    assert container["command"] == ["sh", "-c"]
    grade = shlex.split(container["args"][0].split(";")[0])
    assert grade[:3] == ["python", "-m", "autograder"]
    args = _parser().parse_args(grade[3:])
    assert (args.command, args.paths, args.out, args.gradebook) == ("grade", ["submitted"], "grades", True)
    assert int(container["resources"]["requests"]["cpu"]) == args.jobs
