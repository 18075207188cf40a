#!/usr/bin/python3
# Records exchanges with a real MLflow basic-auth server in the project's transcript format (one JSON object a line).
import base64, http.client, json, sys, urllib.parse

host, port, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
lines = []

def call(name, method, path, query=None, user="admin", password="password1234", body=None,
         content_type="application/json", raw_query=None):
    conn = http.client.HTTPConnection(host, port, timeout=30)
    target = path
    if raw_query is not None:
        target += "?" + raw_query
    elif query:
        target += "?" + urllib.parse.urlencode(query, doseq=True, quote_via=urllib.parse.quote)
    headers = {}
    if user is not None:
        headers["Authorization"] = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
    data = None
    if body is not None:
        data = json.dumps(body).encode() if not isinstance(body, str) else body.encode()
        if content_type:
            headers["Content-Type"] = content_type
    conn.request(method, target, body=data, headers=headers)
    r = conn.getresponse()
    raw = r.read()
    resp_headers = {k.lower(): v for k, v in r.getheaders() if k.lower() in ("content-type", "content-length", "www-authenticate", "allow", "retry-after")}
    try:
        resp_body = json.loads(raw) if raw else ""
        if not isinstance(resp_body, dict):
            resp_body = raw.decode()
    except Exception:
        resp_body = raw.decode(errors="replace")
    entry = {"name": name, "method": method, "path": path, "query": query or {}, "auth_user": user,
             "auth_password": password if user is not None else None,
             "request_content_type": content_type if body is not None else None,
             "request_body": body, "status": r.status, "response_headers": resp_headers, "response_body": resp_body}
    if raw_query is not None:
        entry["raw_query"] = raw_query
    lines.append(entry)
    print(name, r.status, (raw[:160]).decode(errors="replace").replace("\n", " "))
    conn.close()
    return resp_body

A = "/api/2.0/mlflow/"
def post(name, ep, body, **kw): return call(name, "POST", A + ep, body=body, **kw)
def get(name, ep, query=None, **kw): return call(name, "GET", A + ep, query=query, **kw)

alice = dict(user="alice", password="alicepassword1")
post("create_alice", "users/create", {"username": "alice", "password": "alicepassword1"})
post("create_ann_lee", "users/create", {"username": "ann lee", "password": "annleepassword1"})
# Werkzeug decodes '+' in a query string as a space.
call("get_ann_lee_plus_as_space", "GET", A + "users/get", raw_query="username=ann+lee")
call("get_ann_lee_percent20", "GET", A + "users/get", raw_query="username=ann%20lee")
get("alice_reads_herself", "users/get", {"username": "alice"}, **alice)
get("alice_reads_admin", "users/get", {"username": "admin"}, **alice)
call("ann_lee_reads_herself_plus", "GET", A + "users/get", raw_query="username=ann+lee", user="ann lee", password="annleepassword1")

for n in ["exp-a", "exp-b", "exp-c", "exp-d", "exp-e", "exp-f"]:
    post("create_" + n, "experiments/create", {"name": n})
post("create_my_exp", "experiments/create", {"name": "my exp"})
call("get_by_name_plus_as_space", "GET", A + "experiments/get-by-name", raw_query="experiment_name=my+exp")
post("alice_creates_alice_exp", "experiments/create", {"name": "alice-exp"}, **alice)
for eid in ["2", "4", "6"]:
    post("grant_alice_read_" + eid, "experiments/permissions/create", {"experiment_id": eid, "username": "alice", "permission": "READ"})
# Paging as a user who cannot read every experiment: the refill and the page tokens.
token = None
for page in range(1, 6):
    q = {"max_results": 2}
    if token:
        q["page_token"] = token
    r = get(f"alice_search_page{page}", "experiments/search", q, **alice)
    token = r.get("next_page_token") if isinstance(r, dict) else None
    if not token:
        break
token = None
for page in range(1, 6):
    body = {"max_results": 3}
    if token:
        body["page_token"] = token
    r = post(f"admin_search_post_page{page}", "experiments/search", body)
    token = r.get("next_page_token") if isinstance(r, dict) else None
    if not token:
        break
# Ordering after delete, restore and rename.
post("delete_exp_c", "experiments/delete", {"experiment_id": "3"})
post("restore_exp_c", "experiments/restore", {"experiment_id": "3"})
post("rename_exp_a", "experiments/update", {"experiment_id": "1", "new_name": "exp-a-renamed"})
get("admin_search_default_order", "experiments/search", {"max_results": 100})
get("admin_search_by_last_update", "experiments/search", {"max_results": 100, "order_by": "last_update_time DESC"})
get("admin_search_by_name", "experiments/search", {"max_results": 100, "order_by": "name ASC"})
# Names of deleted experiments.
post("delete_exp_e", "experiments/delete", {"experiment_id": "5"})
get("admin_search_deleted_only", "experiments/search", {"max_results": 100, "view_type": "DELETED_ONLY"})
get("get_by_name_deleted", "experiments/get-by-name", {"experiment_name": "exp-e"})
post("create_over_deleted_name", "experiments/create", {"name": "exp-e"})
post("rename_to_deleted_name", "experiments/update", {"experiment_id": "6", "new_name": "exp-e"})
get("alice_search_all_view", "experiments/search", {"max_results": 100, "view_type": "ALL"}, **alice)
# Experiment ids spelled differently.
get("admin_get_id_leading_zero", "experiments/get", {"experiment_id": "02"})
get("alice_get_id_canonical", "experiments/get", {"experiment_id": "2"}, **alice)
get("alice_get_id_leading_zero", "experiments/get", {"experiment_id": "02"}, **alice)
get("alice_get_id_plus", "experiments/get", {"experiment_id": "+2"}, **alice)
get("alice_get_id_blank", "experiments/get", {"experiment_id": " 2"}, **alice)
get("alice_get_id_not_a_number", "experiments/get", {"experiment_id": "two"}, **alice)
# GET with a JSON body: the query string is what counts.
call("admin_get_json_body_only", "GET", A + "experiments/get", body={"experiment_id": "2"})
call("alice_get_json_body_only", "GET", A + "experiments/get", body={"experiment_id": "2"}, **alice)
call("alice_get_json_body_and_query", "GET", A + "experiments/get", query={"experiment_id": "2"}, body={"experiment_id": "1"}, **alice)
call("alice_search_get_json_body", "GET", A + "experiments/search", query={"max_results": 100}, body={"max_results": 1}, **alice)
# HEAD and OPTIONS as Flask answers them.
call("head_health", "HEAD", "/health", user=None)
call("head_get_experiment", "HEAD", A + "experiments/get", query={"experiment_id": "2"}, **alice)
call("head_get_experiment_denied", "HEAD", A + "experiments/get", query={"experiment_id": "1"}, **alice)
call("head_unauthenticated", "HEAD", A + "experiments/get", query={"experiment_id": "2"}, user=None)
call("options_search", "OPTIONS", A + "experiments/search", **alice)
call("options_unauthenticated", "OPTIONS", A + "experiments/search", user=None)
call("options_users_get", "OPTIONS", A + "users/get")
# Runs in experiments the caller cannot read.
post("run_in_exp_a", "runs/create", {"experiment_id": "1", "run_name": "run-a"})
post("run_in_exp_b", "runs/create", {"experiment_id": "2", "run_name": "run-b"})
post("alice_search_runs_mixed", "runs/search", {"experiment_ids": ["1", "2"]}, **alice)
post("alice_search_runs_unreadable", "runs/search", {"experiment_ids": ["1"]}, **alice)
# Registered models: LIKE filters, paging with filtered-out models.
for n in ["alpha", "beta", "alphabet", "Gamma", "delta", "alpha_1"]:
    post("create_model_" + n, "registered-models/create", {"name": n})
post("alice_creates_model", "registered-models/create", {"name": "alice-model"}, **alice)
for n in ["beta", "alphabet"]:
    post("grant_alice_model_" + n, "registered-models/permissions/create", {"name": n, "username": "alice", "permission": "READ"})
for label, f in [("like_prefix", "name LIKE 'alpha%'"), ("like_infix", "name LIKE '%et%'"),
                 ("like_underscore", "name LIKE 'alpha_1'"), ("like_case", "name LIKE 'gamma'"),
                 ("ilike_case", "name ILIKE 'gamma'"), ("equals", "name = 'beta'"), ("not_equals", "name != 'beta'"),
                 ("like_double_quotes", 'name LIKE "alpha%"'), ("bad_attribute", "tags.x = 'y'"),
                 ("bad_operator", "name > 'a'")]:
    get("models_filter_" + label, "registered-models/search", {"filter": f, "max_results": 100})
token = None
for page in range(1, 6):
    q = {"max_results": 1}
    if token:
        q["page_token"] = token
    r = get(f"alice_models_page{page}", "registered-models/search", q, **alice)
    token = r.get("next_page_token") if isinstance(r, dict) else None
    if not token:
        break
get("alice_models_like", "registered-models/search", {"filter": "name LIKE 'alpha%'", "max_results": 100}, **alice)
post("rename_model_delta", "registered-models/rename", {"name": "delta", "new_name": "aaa-delta"})
get("models_order_after_rename", "registered-models/search", {"max_results": 100})
with open(out, "w") as f:
    for l in lines:
        f.write(json.dumps(l) + "\n")
