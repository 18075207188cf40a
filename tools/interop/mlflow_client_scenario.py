"""The demo scenario through MLflow's own Python client, against any tracking server with basic auth.

Not part of `make check` (MLflow's client is not installable from Debian's packages); run it by hand with the
client from ../shared/reference-servers (see tools/interop/run-mlflow-client.sh). It creates user1 and user2 as the
admin, lets each create experiments with a run and a metric, and checks who sees what, exactly as the README's
demo scenario says. Exits non-zero on the first difference.
"""
import os
import sys
import uuid

import mlflow
from mlflow.tracking import MlflowClient

url = sys.argv[1]
suffix = uuid.uuid4().hex[:6]
users = {f"u1{suffix}": f"u1-{suffix}-password", f"u2{suffix}": f"u2-{suffix}-password"}


def client_as(username, password):
    os.environ["MLFLOW_TRACKING_USERNAME"] = username
    os.environ["MLFLOW_TRACKING_PASSWORD"] = password
    return MlflowClient(tracking_uri=url)


def check(condition, message):
    if not condition:
        print("FAILED:", message)
        sys.exit(1)
    print("ok:", message)


admin = client_as("admin", os.environ.get("ADMIN_PASSWORD", "password1234"))
from mlflow.server import get_app_client  # noqa: E402  (needs the tracking URI set)

os.environ["MLFLOW_TRACKING_USERNAME"] = "admin"
os.environ["MLFLOW_TRACKING_PASSWORD"] = os.environ.get("ADMIN_PASSWORD", "password1234")
auth = get_app_client("basic-auth", tracking_uri=url)
for name, password in users.items():
    auth.create_user(username=name, password=password)
check(True, f"admin created {', '.join(users)} through mlflow.server.get_app_client('basic-auth')")

(u1, p1), (u2, p2) = users.items()
created = {}
for owner, password, names in [(u1, p1, ["experiment1", "experiment2"]), (u2, p2, ["experiment1"])]:
    client = client_as(owner, password)
    for short in names:
        name = f"/{owner}/{short}"
        experiment_id = client.create_experiment(name)
        run = client.create_run(experiment_id)
        client.log_metric(run.info.run_id, "accuracy", 0.9, step=1)
        client.set_terminated(run.info.run_id)
        history = client.get_metric_history(run.info.run_id, "accuracy")
        check(len(history) == 1 and history[0].value == 0.9, f"{owner} logged a metric in {name}")
        created[name] = experiment_id


def visible(username, password):
    names = {e.name for e in client_as(username, password).search_experiments(max_results=1000)}
    return {n for n in names if n in created}


check(visible(u1, p1) == {f"/{u1}/experiment1", f"/{u1}/experiment2"}, f"{u1} sees only its two experiments")
check(visible(u2, p2) == {f"/{u2}/experiment1"}, f"{u2} sees only its one experiment")
check(visible("admin", os.environ.get("ADMIN_PASSWORD", "password1234")) == set(created), "admin sees all three")
try:
    client_as(u2, p2).get_experiment(created[f"/{u1}/experiment1"])
    check(False, f"{u2} is refused {u1}'s experiment")
except mlflow.exceptions.MlflowException as error:
    check(error.get_http_status_code() == 403, f"{u2} is refused {u1}'s experiment (HTTP 403)")
print("The demo scenario holds through MLflow", mlflow.__version__, "against", url)
