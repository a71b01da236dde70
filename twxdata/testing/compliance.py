"""Batch compliance jobs, with the upload and download URLs served by the fake API itself.

``POST /2/compliance/jobs`` makes a job (``status: created``) whose ``upload_url`` and
``download_url`` point at this server (as X's point at a storage bucket: no credentials, the
URL is the permission). ``PUT`` the ids to ``upload_url``, one per line: the job is then
``in_progress``, and ``complete`` at the next look at it (or once the API clock has moved
``PROCESSING_S`` past the upload). ``GET download_url`` then gives JSON lines for the ids that
are no longer public, with the reason read from the corpus state at completion::

    {"id": "...", "action": "delete", "created_at": "...", "redacted_at": "...",
     "reason": "deleted"}

Reasons are ``deleted``, ``protected``, ``suspended`` and ``deactivated``; ids the corpus never
had read as deleted (posts) or deactivated (accounts), as X cannot tell them apart either.

>>> STORAGE.match("/compliance-storage/12/submission").group("kind")
'submission'
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import orjson
from aiohttp import web

from twxdata.testing.activity import ComplianceJob
from twxdata.testing.context import BadRequest, Ctx, Handler, Reply
from twxdata.testing.created import tweet_status
from twxdata.testing.problems import param_error
from twxdata.testing.snowflake import TWITTER_EPOCH_MS, snowflake_ms
from twxdata.testing.timestamps import iso
from twxdata.testing.writectx import (
    StateCtx,
    handles_refusals,
    json_body,
    missing,
    ok,
    state_ctx,
)

if TYPE_CHECKING:
    from twxdata.testing.corpus import Corpus
    from twxdata.testing.server import FakeXApi

STORAGE = re.compile(r"^/compliance-storage/(?P<id>\d+)/(?P<kind>submission|delivery)$")
UPLOAD_S = 15 * 60  # the upload URL's life
DOWNLOAD_S = 7 * 86_400  # the download URL's life
PROCESSING_S = 60
TYPES = ("tweets", "users")


def job_object(job: ComplianceJob, base_url: str, now: float) -> dict[str, Any]:
    """The job as the API shows it."""
    root = f"{base_url}/compliance-storage/{job.id}"
    signed = f"?X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Expires={UPLOAD_S}&X-Goog-Signature=fake"
    out: dict[str, Any] = {
        "created_at": iso(job.created_s),
        "download_expires_at": iso(job.created_s + DOWNLOAD_S),
        "download_url": f"{root}/delivery{signed}",
        "id": str(job.id),
    }
    if job.name is not None:
        out["name"] = job.name
    out.update(
        resumable=job.resumable,
        status=status(job, now),
        type=job.type,
        upload_expires_at=iso(job.created_s + UPLOAD_S),
        upload_url=f"{root}/submission{signed}",
    )
    return out


def status(job: ComplianceJob, now: float) -> str:
    """``created``, ``in_progress``, ``complete`` or ``expired`` (never uploaded in time)."""
    if job.uploaded is None or job.uploaded_s is None:
        return "expired" if now > job.created_s + UPLOAD_S else "created"
    if job.polls_since_upload >= 1 or now >= job.uploaded_s + PROCESSING_S:
        return "complete"
    return "in_progress"


def _looked_at(c: Corpus, job: ComplianceJob, now: float) -> None:
    # A look at an uploaded job is what moves it along when the clock stands still.
    if status(job, now) == "complete" and job.results is None:
        job.results = results(c, job, now)
    if job.uploaded is not None:
        job.polls_since_upload += 1


def results(c: Corpus, job: ComplianceJob, now: float) -> bytes:
    """The JSON lines of a finished job, from the corpus state now."""
    lines = []
    for value in job.uploaded or []:
        ident = int(value)
        if job.type == "tweets":
            state = tweet_status(c, ident)
            reason = "deleted" if state == "missing" else state
            created = snowflake_ms(ident) / 1000 if ident >> 22 else TWITTER_EPOCH_MS / 1000
        else:
            u = c.users.index_of_id(ident)
            state = "deactivated" if u is None else c.user_state(u)
            reason = state
            created = float(c.users.created_s[u]) if u is not None else now
        if reason == "ok":
            continue
        record = {
            "id": value,
            "action": "delete",
            "created_at": iso(created),
            "redacted_at": iso(now),
            "reason": reason,
        }
        lines.append(orjson.dumps(record))
    return b"".join(line + b"\n" for line in lines)


@handles_refusals
def create_job(ctx: StateCtx) -> Reply:
    """``POST /2/compliance/jobs``."""
    body = json_body(ctx, ("type",))
    kind, name, resumable = body["type"], body.get("name"), body.get("resumable", False)
    if kind not in TYPES:
        raise BadRequest([param_error("`type` must be tweets or users", type=[str(kind)])])
    if name is not None and (not isinstance(name, str) or len(name) > 64):
        raise BadRequest([param_error("`name` must be at most 64 characters", name=[])])
    if not isinstance(resumable, bool):
        raise BadRequest([param_error("`resumable` must be true or false", resumable=[])])
    a = ctx.activity
    job = ComplianceJob(a.new_id(ctx.now), kind, name, resumable, ctx.now)
    a.jobs[job.id] = job
    ctx.corpus.changed("create_compliance_job", job.id)
    return ok(job_object(job, ctx.base_url, ctx.now))


def list_jobs(ctx: Ctx) -> Reply:
    """``GET /2/compliance/jobs?type=...&status=...``, newest first."""
    s = state_ctx(ctx)
    kind, wanted = ctx.req.extra.get("type"), ctx.req.extra.get("status")
    objs = []
    for job in reversed(list(s.activity.jobs.values())):
        if job.type != kind:
            continue
        obj = job_object(job, s.base_url, ctx.now)
        _looked_at(ctx.corpus, job, ctx.now)
        if wanted is None or obj["status"] == wanted:
            objs.append(obj)
    body: dict[str, Any] = {"data": objs} if objs else {}
    body["meta"] = {"result_count": len(objs)}
    return 200, orjson.dumps(body)


def get_job(ctx: Ctx) -> Reply:
    """``GET /2/compliance/jobs/{id}``."""
    s = state_ctx(ctx)
    value = ctx.req.path["id"]
    job = s.activity.jobs.get(int(value))
    if job is None:
        return missing("compliance job", "id", value).reply()
    obj = job_object(job, s.base_url, ctx.now)
    _looked_at(ctx.corpus, job, ctx.now)
    return 200, orjson.dumps({"data": obj})


async def storage(api: FakeXApi, request: web.Request) -> web.Response:
    """The bucket behind ``upload_url`` (PUT ids) and ``download_url`` (GET results)."""
    match = STORAGE.match(request.path)
    c = api.corpus
    job = c.state.activity.jobs.get(int(match["id"])) if match else None
    if match is None or job is None:
        return web.Response(status=404, text="NoSuchKey", content_type="text/plain")
    now = api.now()
    if match["kind"] == "submission":
        if request.method != "PUT":
            return web.Response(status=405, text="use PUT", content_type="text/plain")
        raw = (await request.read()).decode("utf-8", "replace")
        ids = [line.strip() for line in raw.splitlines() if line.strip()]
        if not all(i.isdigit() and len(i) <= 19 for i in ids) or now > job.created_s + UPLOAD_S:
            return web.Response(status=400, text="BadRequest", content_type="text/plain")
        with c.lock:
            job.uploaded, job.uploaded_s, job.polls_since_upload = ids, now, 0
            c.changed("compliance_upload", job.id)
        return web.Response(status=200)
    with c.lock:
        if status(job, now) != "complete":
            return web.Response(status=404, text="NoSuchKey", content_type="text/plain")
        if job.results is None:
            job.results = results(c, job, now)
        body = job.results
    return web.Response(status=200, body=body, content_type="application/json")


HANDLERS: dict[str, Handler] = {
    "create_compliance_job": create_job,
    "get_compliance_jobs": list_jobs,
    "get_compliance_job": get_job,
}
