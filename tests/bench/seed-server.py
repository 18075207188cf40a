#!/usr/bin/python3
"""Seeds an MLflow basic-auth server for `make bench URL=...` through its REST API, as an admin.

Creates USERS users named bench-user-NNNN and EXPERIMENTS experiments named bench-experiment-NNNNN, skipping those
that exist (MLflow answers RESOURCE_ALREADY_EXISTS), so a second run reuses them. The grants are not sent from
here: this writes them as a CSV that `mlflow-admin-cli apply` reads, so they go through the CLI's own planner
(experiments/permissions/create on MLflow 2.x-3.12, users/permissions/grant on 3.13+).

The admin's password is the first line of standard input, never an argument. Only Python's standard library.
"""

import argparse
import base64
import concurrent.futures
import http.client
import json
import secrets
import ssl
import sys
import threading
import urllib.parse

LEVELS = ("READ", "EDIT", "MANAGE")


def user_name(index):
    return "bench-user-%04d" % (index + 1)


def experiment_name(index):
    return "bench-experiment-%05d" % (index + 1)


def grant_pairs(users, experiments, grants):
    """Grant k goes to user k % users, on an experiment that differs for each of that user's grants and spreads
    over all experiments: (user * stride + round) % experiments, stride = experiments / users (at least 1)."""
    stride = max(1, experiments // users)
    for k in range(grants):
        user, round_ = k % users, k // users
        yield user, (user * stride + round_) % experiments, LEVELS[k % len(LEVELS)]


class Client:
    """One keep-alive connection per thread, HTTP Basic as the admin."""

    def __init__(self, url, username, password, timeout):
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SystemExit("seed-server: URL must be http://HOST[:PORT] or https://..., not '%s'." % url)
        self.scheme, self.host, self.port = parts.scheme, parts.hostname, parts.port
        self.prefix = parts.path.rstrip("/")
        token = base64.b64encode(("%s:%s" % (username, password)).encode()).decode()
        self.headers = {"Authorization": "Basic " + token, "Content-Type": "application/json"}
        self.timeout = timeout
        self.local = threading.local()

    def connection(self):
        conn = getattr(self.local, "conn", None)
        if conn is None:
            if self.scheme == "https":
                conn = http.client.HTTPSConnection(self.host, self.port, timeout=self.timeout,
                                                   context=ssl.create_default_context())
            else:
                conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            self.local.conn = conn
        return conn

    def get(self, path):
        return self.request("GET", path, None)

    def post(self, path, body):
        return self.request("POST", path, json.dumps(body).encode())

    def request(self, method, path, data):
        for attempt in (1, 2):
            conn = self.connection()
            try:
                conn.request(method, self.prefix + path, body=data, headers=self.headers)
                response = conn.getresponse()
                return response.status, response.read()
            except (http.client.HTTPException, OSError):
                # The server closed an idle keep-alive connection: reconnect once.
                conn.close()
                self.local.conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def create(client, path, body, what):
    """'created' or 'existed'; raises with the server's answer otherwise."""
    status, data = client.post(path, body)
    if status == 200:
        return "created"
    try:
        code = json.loads(data).get("error_code", "")
    except ValueError:
        code = ""
    if code == "RESOURCE_ALREADY_EXISTS":
        return "existed"
    raise RuntimeError("creating %s: HTTP %d %s" % (what, status, data[:300].decode(errors="replace")))


def existing_users(client, names, workers):
    """The names that exist: one users/list on MLflow 3.10+, else one users/get each. A create hashes the new
    password before it finds the name taken (MLflow and the embedded server), and on a real server every request
    also hashes the admin's, so asking first keeps a second run from paying two hashes per existing user."""
    status, data = client.get("/api/2.0/mlflow/users/list")
    if status == 200:
        return {user["username"] for user in json.loads(data).get("users", [])}

    def exists(name):
        status, data = client.get("/api/2.0/mlflow/users/get?username=" + urllib.parse.quote(name))
        if status in (200, 404):
            return status == 200
        raise RuntimeError("looking up user %s: HTTP %d %s" % (name, status, data[:300].decode(errors="replace")))

    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        return {name for name, found in zip(names, pool.map(exists, names)) if found}


def existing_experiments(client):
    names, token = set(), None
    while True:
        query = "max_results=1000" + ("&page_token=" + urllib.parse.quote(token) if token else "")
        status, data = client.get("/api/2.0/mlflow/experiments/search?" + query)
        if status != 200:
            raise RuntimeError("listing experiments: HTTP %d %s" % (status, data[:300].decode(errors="replace")))
        page = json.loads(data)
        names.update(experiment["name"] for experiment in page.get("experiments", []))
        token = page.get("next_page_token")
        if not token:
            return names


def run_all(client, jobs, workers, existing):
    counts = {"created": 0, "existed": len(jobs)}
    jobs = [job for job in jobs if job[1].get("name", job[1].get("username")) not in existing]
    counts["existed"] -= len(jobs)
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        for outcome in pool.map(lambda job: create(client, *job), jobs):
            counts[outcome] += 1
    return counts


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--user", required=True, help="the admin who seeds")
    parser.add_argument("--users", type=int, required=True)
    parser.add_argument("--experiments", type=int, required=True)
    parser.add_argument("--grants", type=int, required=True)
    parser.add_argument("--grants-csv", required=True, help="where to write the grants for `apply`")
    parser.add_argument("--workers", type=int, default=4, help="requests in flight")
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args()
    if args.users < 1 or args.experiments < 1 or args.grants < 0:
        raise SystemExit("seed-server: USERS and EXPERIMENTS must be at least 1 and GRANTS at least 0.")
    if args.grants > args.users * args.experiments:
        raise SystemExit("seed-server: GRANTS=%d is more than USERS x EXPERIMENTS = %d distinct cells; lower it."
                         % (args.grants, args.users * args.experiments))
    password = sys.stdin.readline().rstrip("\n")
    if not password:
        raise SystemExit("seed-server: no password on standard input; the benchmark script passes it there.")
    client = Client(args.url, args.user, password, args.timeout)

    try:
        # The passwords of bench users are random: nobody signs in as them, and nothing here needs them again.
        users = run_all(client, [("/api/2.0/mlflow/users/create",
                                  {"username": user_name(i), "password": secrets.token_urlsafe(18)},
                                  "user " + user_name(i)) for i in range(args.users)], args.workers,
                        existing_users(client, [user_name(i) for i in range(args.users)], args.workers))
        print("users: %d created, %d existed" % (users["created"], users["existed"]), file=sys.stderr)
        experiments = run_all(client, [("/api/2.0/mlflow/experiments/create", {"name": experiment_name(i)},
                                        "experiment " + experiment_name(i)) for i in range(args.experiments)],
                              args.workers, existing_experiments(client))
        print("experiments: %d created, %d existed" % (experiments["created"], experiments["existed"]),
              file=sys.stderr)
    except (RuntimeError, OSError, http.client.HTTPException) as error:
        raise SystemExit("seed-server: %s. Check the URL, that the user is an admin, and the server's log." % error)

    with open(args.grants_csv, "w", encoding="utf-8") as out:
        out.write("user,resource_type,resource,level\n")
        for user, experiment, level in grant_pairs(args.users, args.experiments, args.grants):
            out.write("%s,experiment,%s,%s\n" % (user_name(user), experiment_name(experiment), level))


if __name__ == "__main__":
    main()
