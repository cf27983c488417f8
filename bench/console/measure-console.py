"""Times the operator console's pages against a running `renkei serve --demo` with city-scale data.

Seeds, through the HTTP API as provider sys-001: a bulk transfer of COUNT generated residents to
resident-register-daily, and BAD rows with an unknown nationality code (each a quarantined dead letter). Then signs in
to the console as `ops` and times each page (median of n requests): the linkage page, a resident from the middle of
the transfer (page and CSV export, each lookup written to the history first), the dead-letter list, a dry run of
every letter matching the linkage, and health.

Usage: python3 bench/console/measure-console.py BASE_URL RENKEI_BINARY COUNT BAD
  e.g. (in another shell) .build/release/renkei serve --demo --port 18200 --data-dir "$(mktemp -d)"
       python3 bench/console/measure-console.py http://127.0.0.1:18200 .build/release/renkei 200000 1000
"""
import csv, io, json, re, statistics, subprocess, sys, time, urllib.parse, urllib.request, http.cookiejar, base64
base = sys.argv[1]; binary = sys.argv[2]; count = int(sys.argv[3]); bad = int(sys.argv[4])
def call(method, path, data=None, headers=None, opener=urllib.request.urlopen):
    req = urllib.request.Request(base + path, data=data, headers=headers or {}, method=method)
    try:
        with opener(req, timeout=600) as r: return r.status, r.read()
    except urllib.error.HTTPError as e: return e.code, e.read()
cred = base64.b64encode(b"sys-001:renkei-demo-client-secret-for-001").decode()
st, body = call("POST", "/oauth/token", b"grant_type=client_credentials", {"Authorization": "Basic " + cred, "Content-Type": "application/x-www-form-urlencoded"})
token = json.loads(body)["access_token"]
data = subprocess.run([binary, "gen", "residents", "--count", str(count), "--format", "csv"], capture_output=True, check=True).stdout
rows = list(csv.reader(io.StringIO(data.decode())))
key = rows[count // 2][0]
t = time.time()
st, body = call("POST", "/linkages/resident-register-daily/transfers", data, {"Authorization": "Bearer " + token, "Content-Type": "text/csv"})
print(f"bulk {count}: {st} in {time.time()-t:.1f} s")
badrows = [rows[0]] + [r[:24] + ["999"] + r[25:] for r in rows[1:bad+1]]
out = io.StringIO(); csv.writer(out, lineterminator="\r\n").writerows(badrows)
st, body = call("POST", "/linkages/resident-register-daily/transfers", out.getvalue().encode(), {"Authorization": "Bearer " + token, "Content-Type": "text/csv"})
print(f"bad {bad}: {st} {body[:200]!r}")
jar = http.cookiejar.CookieJar()
class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k): return None
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect).open
st, page = call("GET", "/console/sign-in", opener=opener)
csrf = re.search(rb'name="csrf" value="([^"]+)"', page).group(1).decode()
st, page = call("POST", "/console/sign-in", urllib.parse.urlencode({"csrf": csrf, "client_id": "ops", "client_secret": "renkei-demo-client-secret-for-ops"}).encode(), {"Content-Type": "application/x-www-form-urlencoded"}, opener=opener)
print("sign-in", st)
time.sleep(3)
def timed(path, n=5, method="GET", data=None):
    times = []
    for _ in range(n):
        t = time.time(); st, page = call(method, path, data, {"Content-Type": "application/x-www-form-urlencoded"} if data else {}, opener=opener); times.append((time.time()-t)*1000)
    print(f"{method} {path[:60]}: {st}, median {statistics.median(times):.0f} ms (n={n}), {len(page)} bytes")
    return page
timed("/console/")
timed(f"/console/residents?key={key}")
timed(f"/console/residents/export.csv?key={key}")
page = timed("/console/dead-letters", n=3)
csrf = re.search(rb'name="csrf" value="([^"]+)"', page).group(1).decode()
timed("/console/dead-letters/dry-run", n=1, method="POST", data=urllib.parse.urlencode({"csrf": csrf, "all": "true", "linkage": "resident-register-daily"}).encode())
timed("/console/health", n=3)
